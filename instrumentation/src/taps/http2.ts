/**
 * Tap for node:http2 client sessions. The AWS SDK's Bedrock Runtime client sends every call over HTTP/2 by default
 * (a new session per request, `http2.connect` looked up on the module each time), so an http/https-only tap would
 * miss all Bedrock traffic. We wrap `connect`, then each session's own `request`.
 */
import type {
  ClientHttp2Session,
  ClientHttp2Stream,
  IncomingHttpHeaders,
  OutgoingHttpHeaders,
} from 'node:http2';
import { CallRecorder, contain, matchModelCall } from '../call-recorder.js';
import { detectProvider } from '../detect.js';
import type { RequestFacts } from '../providers/types.js';
import { runtime } from '../runtime.js';
import { tapRequestBody, tapResponseBody } from './node-stream.js';
import { parseUrlTarget, splitPathAndQuery } from './url.js';

type ConnectFn = (...args: unknown[]) => ClientHttp2Session;
type SessionRequest = ClientHttp2Session['request'];

interface Http2LikeModule {
  connect: ConnectFn;
}

const PATCHED = Symbol.for('ailedger.patched');
/** RST_STREAM code of a stream closed normally (RFC 9113, section 7). */
const NGHTTP2_NO_ERROR = 0;

function authorityOf(arg: unknown): { host: string; port: number } | undefined {
  if (typeof arg === 'string') return parseUrlTarget(arg);
  if (arg instanceof URL) return parseUrlTarget(arg.href);
  if (arg && typeof arg === 'object') {
    const o = arg as { hostname?: string; host?: string; port?: number | string; protocol?: string };
    const host = o.hostname ?? o.host;
    if (host) {
      const defaultPort = o.protocol === 'http:' ? 80 : 443;
      return { host: host.toLowerCase(), port: o.port ? Number(o.port) : defaultPort };
    }
  }
  return undefined;
}

function headerValue(headers: OutgoingHttpHeaders | IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined || v === null) return undefined;
  return Array.isArray(v) ? v.join(', ') : String(v);
}

function connectionGone(stream: ClientHttp2Stream): boolean {
  try {
    return stream.session?.socket?.destroyed !== false;
  } catch {
    return true; // a destroyed session's socket proxy may refuse to be read
  }
}

function instrumentStream(
  stream: ClientHttp2Stream,
  headers: OutgoingHttpHeaders,
  target: { host: string; port: number },
): void {
  const match = matchModelCall(target.host, target.port, (): RequestFacts => {
    const { path, query } = splitPathAndQuery(headerValue(headers, ':path') ?? '/');
    return {
      method: (headerValue(headers, ':method') ?? 'GET').toUpperCase(),
      host: target.host,
      port: target.port,
      path,
      query,
      header: (name) => headerValue(headers, name.toLowerCase()),
    };
  });
  if (match === undefined) return;
  const recorder = CallRecorder.start(match, {
    method: 'POST',
    host: target.host,
    port: target.port,
    path: '',
    query: '',
    header: () => undefined,
  });
  if (recorder === undefined) return;
  tapRequestBody(stream as unknown as Parameters<typeof tapRequestBody>[0], recorder);
  const originalEmit = stream.emit;
  let responded = false;
  stream.emit = function emit(this: ClientHttp2Stream, event: string | symbol, ...args: unknown[]) {
    try {
      if (event === 'response' && !responded) {
        responded = true;
        const resHeaders = args[0] as IncomingHttpHeaders;
        recorder.responseStarted(
          Number(resHeaders[':status'] ?? 0),
          (name) => headerValue(resHeaders, name),
          headerValue(resHeaders, 'content-encoding'),
        );
      } else if (event === 'error' && !responded) {
        recorder.fail(args[0]);
      }
    } catch (err) {
      contain('http2 tap', err);
    }
    return originalEmit.apply(this, [event, ...args] as Parameters<ClientHttp2Stream['emit']>);
  } as ClientHttp2Stream['emit'];
  // On HTTP/2 a stream cut short still emits 'end', as if the body were complete: when the app (or its SDK: the AWS
  // SDK on abort and timeout) closes it, seen through the instance's own close, and when the connection goes away
  // (a non-zero RST_STREAM code, which also tells a lost connection from a cancel when only 'close' comes).
  let closedByApp = false;
  const originalClose = stream.close;
  stream.close = function close(this: ClientHttp2Stream, ...args: Parameters<ClientHttp2Stream['close']>) {
    // Node itself closes every stream of a connection that went away: only a close while it is up is the app's.
    closedByApp ||= !connectionGone(this);
    return originalClose.apply(this, args);
  } as ClientHttp2Stream['close'];
  // Body events (data/end/error/close) flow through the same per-instance emit chain.
  tapResponseBody(stream, recorder, () => {
    if (closedByApp) return 'cancelled';
    const code = stream.rstCode;
    if (code === undefined || code === NGHTTP2_NO_ERROR) return undefined;
    return Object.assign(new Error(`Stream closed with error code ${code}`), {
      code: 'ERR_HTTP2_STREAM_ERROR',
    });
  });
}

function wrapSession(session: ClientHttp2Session, target: { host: string; port: number }): void {
  const originalRequest: SessionRequest = session.request;
  session.request = function request(this: ClientHttp2Session, ...args: Parameters<SessionRequest>) {
    const stream = originalRequest.apply(this, args);
    if (!runtime.active) return stream;
    try {
      const headers = (args[0] ?? {}) as OutgoingHttpHeaders;
      const authority = headerValue(headers, ':authority');
      const effective = authority ? (parseUrlTarget(`https://${authority}`) ?? target) : target;
      instrumentStream(stream, headers, { host: effective.host, port: effective.port });
    } catch (err) {
      contain('http2 request', err);
    }
    return stream;
  } as SessionRequest;
}

/** Patches http2.connect in place (idempotent). */
export function patchHttp2Module(mod: Http2LikeModule): void {
  const marked = mod as Http2LikeModule & { [PATCHED]?: boolean };
  if (marked[PATCHED]) return;
  marked[PATCHED] = true;
  const originalConnect = mod.connect;
  mod.connect = function connect(this: unknown, ...args: unknown[]): ClientHttp2Session {
    const session = originalConnect.apply(this, args);
    if (!runtime.active) return session;
    try {
      const target = authorityOf(args[0]);
      // Sessions to hosts that are not model providers are left completely alone.
      if (target && detectProvider(target.host, target.port)) wrapSession(session, target);
    } catch (err) {
      contain('http2 connect', err);
    }
    return session;
  };
}
