/**
 * Tap for node:http and node:https request/get (axios, node-fetch, got, gaxios and the AWS SDK's NodeHttpHandler all
 * go through them). Patches the module exports in place at enable time; ESM named imports see the patch through
 * module.syncBuiltinESMExports(), called by the instrumentation after patching.
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { context } from '@opentelemetry/api';
import { outgoingBaggage, stripAttributionBaggage, withoutAttributionBaggage } from '../attribution.js';
import { CallRecorder, contain, matchModelCall } from '../call-recorder.js';
import { detectProvider } from '../detect.js';
import type { RequestFacts } from '../providers/types.js';
import { runtime } from '../runtime.js';
import { tapRequestBody, tapResponseBody } from './node-stream.js';
import { parseUrlTarget, splitPathAndQuery } from './url.js';

type RequestFn = (...args: unknown[]) => ClientRequest;

interface HttpLikeModule {
  request: RequestFn;
  get: RequestFn;
}

const PATCHED = Symbol.for('ailedger.patched');

interface Target {
  host: string;
  port: number;
}

function targetOf(args: unknown[], defaultPort: number): Target | undefined {
  let options: RequestOptions | undefined;
  let fromUrl: Target | undefined;
  const first = args[0];
  if (typeof first === 'string' || first instanceof URL) {
    const parsed = parseUrlTarget(typeof first === 'string' ? first : first.href);
    if (parsed) fromUrl = { host: parsed.host, port: parsed.port };
    if (args[1] && typeof args[1] === 'object') options = args[1] as RequestOptions;
  } else if (first && typeof first === 'object') {
    options = first as RequestOptions;
  }
  if (options && (options.hostname || options.host)) {
    let host = String(options.hostname ?? options.host);
    let port = options.port !== undefined && options.port !== null ? Number(options.port) : undefined;
    // `host` may carry a port ("api.example.com:8443") when hostname is absent.
    if (!options.hostname && host.includes(':') && !host.startsWith('[')) {
      const i = host.lastIndexOf(':');
      port ??= Number(host.slice(i + 1));
      host = host.slice(0, i);
    }
    return { host: host.toLowerCase(), port: port ?? fromUrl?.port ?? defaultPort };
  }
  if (fromUrl) {
    if (options?.port !== undefined && options.port !== null) fromUrl.port = Number(options.port);
    return fromUrl;
  }
  if (options) return { host: 'localhost', port: options.port ? Number(options.port) : defaultPort };
  return undefined;
}

function headerOf(req: ClientRequest, name: string): string | undefined {
  const value = req.getHeader(name);
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

function responseHeader(res: IncomingMessage, name: string): string | undefined {
  const value = res.headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

function instrumentRequest(req: ClientRequest, target: Target): void {
  const match = matchModelCall(target.host, target.port, (): RequestFacts => {
    const { path, query } = splitPathAndQuery(req.path);
    return {
      method: req.method,
      host: target.host,
      port: target.port,
      path,
      query,
      header: (name) => headerOf(req, name),
    };
  });
  if (match === undefined) return;
  const recorder = CallRecorder.start(match, {
    method: req.method,
    host: target.host,
    port: target.port,
    path: '',
    query: '',
    header: () => undefined,
  });
  if (recorder === undefined) return;
  tapRequestBody(req as unknown as Parameters<typeof tapRequestBody>[0], recorder);
  const originalEmit = req.emit;
  // Wrapping emit (not adding a 'response' listener) keeps Node's own "no listener: dump the body" behaviour.
  req.emit = function emit(this: ClientRequest, event: string | symbol, ...args: unknown[]) {
    try {
      if (event === 'response') {
        const res = args[0] as IncomingMessage;
        recorder.responseStarted(
          res.statusCode ?? 0,
          (name) => responseHeader(res, name),
          responseHeader(res, 'content-encoding'),
        );
        tapResponseBody(res, recorder);
      } else if (event === 'error') {
        recorder.fail(args[0]);
      }
    } catch (err) {
      contain('http tap', err);
    }
    return originalEmit.apply(this, [event, ...args] as Parameters<ClientRequest['emit']>);
  } as ClientRequest['emit'];
}

/** SigV4 signs the headers it lists; a signed `baggage` header must stay exactly as it is. */
function signsBaggage(req: ClientRequest): boolean {
  const auth = headerOf(req, 'authorization');
  return auth?.startsWith('AWS4-') === true && /SignedHeaders=[^,\s]*\bbaggage\b/.test(auth);
}

/**
 * Once attribution is in use: a provider request loses any attribution entries another instrumentation put in
 * its `baggage` header; any other request gets ours, unless the app (or its propagation) already set one.
 */
function propagateAttribution(req: ClientRequest, providerHost: boolean): void {
  if (req.headersSent) return;
  const current = headerOf(req, 'baggage');
  if (providerHost) {
    if (current === undefined || signsBaggage(req)) return;
    const stripped = stripAttributionBaggage(current);
    if (stripped === undefined) return;
    if (stripped.length === 0) req.removeHeader('baggage');
    else req.setHeader('baggage', stripped);
    return;
  }
  if (current !== undefined) return;
  const baggage = outgoingBaggage();
  if (baggage !== undefined) req.setHeader('baggage', baggage);
}

function wrapRequest(original: RequestFn, defaultPort: number): RequestFn {
  return function request(this: unknown, ...args: unknown[]): ClientRequest {
    if (!runtime.active) return original.apply(this, args);
    let target: Target | undefined;
    try {
      target = targetOf(args, defaultPort);
    } catch {
      target = undefined;
    }
    if (target === undefined) return original.apply(this, args);
    let providerHost = false;
    let providerContext: ReturnType<typeof context.active> | undefined;
    if (runtime.attributionSeen) {
      try {
        providerHost = detectProvider(target.host, target.port) !== undefined;
        if (providerHost) {
          const active = context.active();
          const stripped = withoutAttributionBaggage(active);
          if (stripped !== active) providerContext = stripped;
        }
      } catch (err) {
        contain('http baggage', err);
      }
    }
    // Our span is created only once we know it is a model call. No context.with otherwise: on Node 20 entering an
    // AsyncLocalStorage scope switches on promise hooks for the whole process, a cost non-model traffic must not pay.
    // (A provider request with attribution baggage runs without it, so an inner propagator cannot send it.)
    const req =
      providerContext === undefined
        ? original.apply(this, args)
        : context.with(providerContext, () => original.apply(this, args));
    try {
      instrumentRequest(req, target);
    } catch (err) {
      contain('http request', err);
    }
    if (runtime.attributionSeen) {
      try {
        propagateAttribution(req, providerHost);
      } catch (err) {
        contain('http baggage', err);
      }
    }
    return req;
  };
}

/** Patches request/get of node:http or node:https in place (idempotent). */
export function patchHttpModule(mod: HttpLikeModule, defaultPort: number): void {
  const marked = mod as HttpLikeModule & { [PATCHED]?: boolean };
  if (marked[PATCHED]) return;
  marked[PATCHED] = true;
  const request = wrapRequest(mod.request, defaultPort);
  mod.request = request;
  // Node's get() calls its internal request(), so get needs its own wrapper that goes through ours.
  mod.get = function get(this: unknown, ...args: unknown[]): ClientRequest {
    const req = request.apply(this, args);
    req.end();
    return req;
  };
}
