/**
 * Tap for the `undici` npm package: its fetch (same pass-through wrapper as global fetch) and undici.request, whose
 * body is a Node Readable tapped per instance. undici.request does not decompress, so the wire encoding is passed on.
 */
import type { EventEmitter } from 'node:events';
import { context } from '@opentelemetry/api';
import { outgoingBaggage, withoutAttributionBaggage } from '../attribution.js';
import { CallRecorder, contain, matchModelCall } from '../call-recorder.js';
import { detectProvider } from '../detect.js';
import type { RequestFacts } from '../providers/types.js';
import { runtime } from '../runtime.js';
import { wrapFetch } from './fetch.js';
import { tapResponseBody } from './node-stream.js';
import { parseUrlTarget, splitPathAndQuery } from './url.js';

type AnyFn = (...args: unknown[]) => unknown;

interface UndiciResponseData {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: EventEmitter;
}

interface UndiciLike {
  fetch?: typeof globalThis.fetch;
  request?: AnyFn;
}

const PATCHED = Symbol.for('ailedger.patched');

function urlOf(arg: unknown, opts: { path?: unknown } | undefined): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof URL) return arg.href;
  if (arg && typeof arg === 'object') {
    const o = arg as { origin?: unknown; path?: unknown };
    if (typeof o.origin === 'string' || o.origin instanceof URL) {
      return String(o.origin).replace(/\/$/, '') + String(o.path ?? opts?.path ?? '/');
    }
  }
  return undefined;
}

function headerFrom(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1]);
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v.join(', ') : String(v);
  }
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** `headers` with a `baggage` entry added, or undefined when it has one or is of a shape we do not extend. */
function headersWithBaggage(headers: unknown, baggage: string): unknown {
  if (headers === undefined || headers === null) return { baggage };
  if (headerFrom(headers, 'baggage') !== undefined) return undefined;
  if (Array.isArray(headers)) return [...(headers as unknown[]), 'baggage', baggage];
  if (isPlainObject(headers)) return { ...headers, baggage };
  return undefined;
}

/**
 * A request that is not a model call, once attribution is in use: a non-provider host gets the attribution as a
 * `baggage` header; a provider host is called without attribution baggage in the context.
 */
function requestAttributed(
  self: unknown,
  original: AnyFn,
  args: unknown[],
  host: string,
  port: number,
): unknown {
  let call = args;
  let ctx: ReturnType<typeof context.active> | undefined;
  try {
    if (detectProvider(host, port) !== undefined) {
      const active = context.active();
      const stripped = withoutAttributionBaggage(active);
      if (stripped !== active) ctx = stripped;
    } else {
      const baggage = outgoingBaggage();
      const opts = args[1];
      if (baggage !== undefined && (opts === undefined || isPlainObject(opts))) {
        const headers = headersWithBaggage((opts as { headers?: unknown } | undefined)?.headers, baggage);
        if (headers !== undefined) call = [args[0], { ...(opts ?? {}), headers }, ...args.slice(2)];
      }
    }
  } catch (err) {
    contain('undici baggage', err);
  }
  if (ctx !== undefined) return context.with(ctx, () => original.apply(self, args));
  return original.apply(self, call);
}

function wrapRequest(original: AnyFn): AnyFn {
  return function request(this: unknown, ...args: unknown[]) {
    // Callback style and non-model calls pass straight through.
    if (!runtime.active || typeof args[args.length - 1] === 'function') return original.apply(this, args);
    let recorder: CallRecorder | undefined;
    let target: ReturnType<typeof parseUrlTarget>;
    try {
      const opts = (args[1] ?? {}) as { method?: string; headers?: unknown; body?: unknown; path?: unknown };
      const url = urlOf(args[0], opts);
      const parsed = url ? parseUrlTarget(url) : undefined;
      target = parsed;
      if (url && parsed) {
        const match = matchModelCall(parsed.host, parsed.port, (): RequestFacts => {
          const { path, query } = splitPathAndQuery(url.slice(parsed.pathStart));
          return {
            method: (opts.method ?? 'GET').toUpperCase(),
            host: parsed.host,
            port: parsed.port,
            path,
            query,
            header: (name) => headerFrom(opts.headers, name.toLowerCase()),
          };
        });
        if (match) {
          recorder = CallRecorder.start(match, {
            method: 'POST',
            host: parsed.host,
            port: parsed.port,
            path: '',
            query: '',
            header: () => undefined,
          });
          const body = opts.body;
          if (recorder && (typeof body === 'string' || body instanceof Uint8Array))
            recorder.setRequestBody(body);
        }
      }
    } catch (err) {
      contain('undici request', err);
    }
    if (recorder === undefined) {
      const t = target;
      if (t !== undefined && runtime.attributionSeen)
        return requestAttributed(this, original, args, t.host, t.port);
      return original.apply(this, args);
    }
    const rec = recorder;
    const pending = context.with(rec.context, () =>
      original.apply(this, args),
    ) as Promise<UndiciResponseData>;
    return pending.then(
      (res) => {
        try {
          rec.responseStarted(
            res.statusCode,
            (name) => headerFrom(res.headers, name),
            headerFrom(res.headers, 'content-encoding'),
          );
          tapResponseBody(res.body, rec);
        } catch (err) {
          contain('undici response', err);
        }
        return res;
      },
      (err: unknown) => {
        rec.fail(err);
        throw err;
      },
    );
  };
}

/** Patches an `undici` module's exports in place (idempotent); returns the same object. */
export function patchUndiciModule<T extends UndiciLike>(mod: T): T {
  const marked = mod as T & { [PATCHED]?: boolean };
  if (marked[PATCHED]) return mod;
  try {
    marked[PATCHED] = true;
    if (typeof mod.fetch === 'function') mod.fetch = wrapFetch(mod.fetch);
    if (typeof mod.request === 'function') mod.request = wrapRequest(mod.request);
  } catch (err) {
    contain('undici patch', err);
  }
  return mod;
}
