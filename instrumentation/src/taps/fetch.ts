/**
 * Tap for WHATWG fetch (Node's global fetch and the `undici` package's fetch).
 *
 * Non-model requests go straight to the original fetch after a host lookup. For model calls the response body is
 * re-wrapped in a pass-through `type: 'bytes'` stream: the app pulls, we pull the original, hand the app a copy of
 * the chunk and keep the original for parsing. Never clone()/tee(): a tee makes the app's cancel wait for the
 * whole generation (and the provider keeps generating).
 */
import type { ReadableByteStreamController, ReadableStreamReadResult } from 'node:stream/web';
import { context } from '@opentelemetry/api';
import { outgoingBaggage, withoutAttributionBaggage } from '../attribution.js';
import { CallRecorder, contain, matchModelCall } from '../call-recorder.js';
import { detectProvider } from '../detect.js';
import type { RequestFacts } from '../providers/types.js';
import { runtime } from '../runtime.js';
import { parseUrlTarget, splitPathAndQuery, type UrlTarget } from './url.js';

type Fetch = typeof globalThis.fetch;
type FetchInput = Parameters<Fetch>[0];
type FetchInit = Parameters<Fetch>[1];

function inputUrl(input: FetchInput): string | undefined {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  if (input && typeof input === 'object' && typeof (input as Request).url === 'string')
    return (input as Request).url;
  return undefined;
}

function headerLookup(input: FetchInput, init: FetchInit): (name: string) => string | undefined {
  let initHeaders: Headers | undefined;
  return (name) => {
    try {
      const fromInit = init?.headers;
      if (fromInit) {
        // Built once per request: classification and the credential lookup ask for several headers.
        initHeaders ??= new Headers(fromInit);
        const value = initHeaders.get(name);
        if (value !== null) return value;
      }
      if (input instanceof Request) return input.headers.get(name) ?? undefined;
    } catch {
      // Headers the app built oddly: classification proceeds without them.
    }
    return undefined;
  };
}

function methodOf(input: FetchInput, init: FetchInit): string {
  if (init?.method) return init.method.toUpperCase();
  if (input instanceof Request) return input.method;
  return 'GET';
}

/**
 * Returns a fetch that records model calls and otherwise behaves exactly like `original`, except that once
 * attribution is in use, requests to non-provider hosts carry it as a `baggage` header (see attribution.ts).
 */
export function wrapFetch(original: Fetch): Fetch {
  const wrapped = function fetch(this: unknown, input: FetchInput, init?: FetchInit): Promise<Response> {
    if (!runtime.active) return original.call(this, input, init);
    let recorder: CallRecorder | undefined;
    let target: UrlTarget | undefined;
    let url: string | undefined;
    try {
      url = inputUrl(input);
      target = url === undefined ? undefined : parseUrlTarget(url);
      if (url !== undefined && target !== undefined) recorder = startRecorder(url, target, input, init);
    } catch (err) {
      contain('fetch match', err);
    }
    if (recorder !== undefined) return tracedFetch(original, this, input, init, recorder);
    if (target !== undefined && runtime.attributionSeen)
      return fetchAttributed(original, this, input, init, target);
    return original.call(this, input, init);
  };
  Object.defineProperty(wrapped, 'length', { value: original.length });
  return wrapped as Fetch;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * `init` with a `baggage` header added, or undefined when the request already has one or its headers cannot be
 * extended without risk (a Request object's own headers would be replaced by init's; an init that is not a plain
 * object would lose its prototype's properties in a copy).
 */
function initWithBaggage(input: FetchInput, init: FetchInit, baggage: string): FetchInit | undefined {
  if (init !== undefined && !isPlainObject(init)) return undefined;
  if (typeof input !== 'string' && !(input instanceof URL) && init?.headers === undefined) return undefined;
  const headers = new Headers(init?.headers as ConstructorParameters<typeof Headers>[0]);
  if (headers.has('baggage')) return undefined;
  headers.set('baggage', baggage);
  return { ...init, headers };
}

/** A request that is not a model call, once attribution is in use: propagate it, unless the host is a provider. */
function fetchAttributed(
  original: Fetch,
  self: unknown,
  input: FetchInput,
  init: FetchInit,
  target: UrlTarget,
): Promise<Response> {
  let next = init;
  let ctx: ReturnType<typeof context.active> | undefined;
  try {
    if (detectProvider(target.host, target.port) !== undefined) {
      const active = context.active();
      const stripped = withoutAttributionBaggage(active);
      if (stripped !== active) ctx = stripped;
    } else {
      const baggage = outgoingBaggage();
      if (baggage !== undefined) next = initWithBaggage(input, init, baggage) ?? init;
    }
  } catch (err) {
    contain('fetch baggage', err);
  }
  if (ctx !== undefined) return context.with(ctx, () => original.call(self, input, init));
  return original.call(self, input, next);
}

function startRecorder(
  url: string,
  target: UrlTarget,
  input: FetchInput,
  init: FetchInit,
): CallRecorder | undefined {
  // Computed only for provider hosts, and once.
  let method = '';
  const match = matchModelCall(target.host, target.port, (): RequestFacts => {
    const { path, query } = splitPathAndQuery(url.slice(target.pathStart));
    method = methodOf(input, init);
    return {
      method,
      host: target.host,
      port: target.port,
      path,
      query,
      header: headerLookup(input, init),
    };
  });
  if (match === undefined) return undefined;
  const facts: RequestFacts = {
    method,
    host: target.host,
    port: target.port,
    path: '',
    query: '',
    header: () => undefined,
  };
  const recorder = CallRecorder.start(match, facts);
  if (recorder === undefined) return undefined;
  captureRequestBody(recorder, input, init);
  return recorder;
}

function captureRequestBody(recorder: CallRecorder, input: FetchInput, init: FetchInit): void {
  const body = init?.body;
  if (typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer) {
    recorder.setRequestBody(body);
  } else if (body === undefined && input instanceof Request && input.body !== null && !input.bodyUsed) {
    // e.g. Mistral passes a Request and no init: read a clone (tees only the small request body).
    input
      .clone()
      .text()
      .then(
        (text) => recorder.setRequestBody(text),
        () => undefined,
      );
  }
}

async function tracedFetch(
  original: Fetch,
  self: unknown,
  input: FetchInput,
  init: FetchInit,
  recorder: CallRecorder,
): Promise<Response> {
  let response: Response;
  try {
    response = await context.with(recorder.context, () => original.call(self, input, init));
  } catch (err) {
    recorder.fail(err);
    throw err;
  }
  try {
    return observeResponse(response, recorder);
  } catch (err) {
    contain('fetch response', err);
    recorder.abandon('instrumentation_error');
    return response;
  }
}

function observeResponse(response: Response, recorder: CallRecorder): Response {
  // Fetch bodies arrive decoded even when content-encoding says gzip: no wire encoding to undo here.
  recorder.responseStarted(response.status, (name) => response.headers.get(name) ?? undefined);
  const source = response.body;
  if (source === null) {
    recorder.end();
    return response;
  }
  const reader = source.getReader();
  const byteSource = {
    type: 'bytes' as const,
    async pull(controller: ReadableByteStreamController) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = (await reader.read()) as ReadableStreamReadResult<Uint8Array>;
      } catch (err) {
        recorder.fail(err);
        throw err;
      }
      if (result.done) {
        recorder.end();
        controller.close();
        controller.byobRequest?.respond(0);
        return;
      }
      const chunk = result.value;
      // enqueue() detaches the buffer it is given: the app gets a fresh copy, we keep the original.
      controller.enqueue(chunk.slice());
      recorder.chunk(chunk);
    },
    cancel(reason: unknown) {
      recorder.cancelled();
      return reader.cancel(reason);
    },
  };
  // A `type: 'bytes'` stream keeps BYOB readers working, as on the original fetch body.
  const passThrough = new ReadableStream(
    byteSource as unknown as ConstructorParameters<typeof ReadableStream<Uint8Array>>[0],
  );
  const wrapped = new Response(passThrough, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // The native Response has these as prototype getters: own, non-enumerable values keep JSON.stringify(response)
  // and Object.keys(response) exactly as they were.
  for (const key of ['url', 'redirected', 'type'] as const) {
    Object.defineProperty(wrapped, key, { value: response[key], enumerable: false, configurable: true });
  }
  return wrapped;
}
