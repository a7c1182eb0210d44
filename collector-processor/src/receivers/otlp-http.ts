/**
 * OTLP/HTTP receiver (POST /v1/traces, /v1/metrics, /v1/logs), speaking the protocol as
 * opentelemetry-proto's specification and the Collector's otlpreceiver do:
 * - protobuf or JSON chosen by Content-Type, the response in the same encoding;
 * - gzip / deflate bodies decompressed as a stream, the size cap applied after decompression (zip bombs → 413);
 * - 400 + google.rpc.Status for bodies that do not decode (never retried by senders);
 * - 429 / 503 + Retry-After when the pipeline refuses (senders retry and keep the data);
 * - 200 only once the consumer has queued the data, with partial_success when it rejected some spans.
 * Every refusal and rejection is counted in the self-metrics; internal errors never reach the response.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { Logger } from '../log.js';
import { splitEndpoint } from '../net.js';
import {
  countSpans,
  decodeTraceRequest,
  encodeExportTraceResponse,
  encodeRpcStatus,
  OtlpDecodeError,
} from '../otlp/codec.js';
import { countRawItems } from '../otlp/count.js';
import type { OtlpEncoding, TraceRequest } from '../otlp/types.js';
import type { SelfMetrics } from '../self-metrics.js';
import { RefusedError, type TraceConsumer } from './consumer.js';

export interface OtlpHttpReceiverOptions {
  endpoint: string /* "host:port", host may be 0.0.0.0, [::], localhost; port 0 = ephemeral */;
  bearerToken?: string;
  maxBodyBytes: number;
  requestTimeoutMs: number /* slow bodies → 408 */;
  consumer: TraceConsumer;
  metrics: SelfMetrics;
  log: Logger;
  /** Retry-After sent with 503 when the consumer fails unexpectedly (default 2 s). */
  retryAfterSeconds?: number;
}

type Signal = 'traces' | 'metrics' | 'logs';

// Maps, not object literals: a header or path like "constructor" must not find an inherited property.
const PATHS: ReadonlyMap<string, Signal> = new Map([
  ['/v1/traces', 'traces'],
  ['/v1/metrics', 'metrics'],
  ['/v1/logs', 'logs'],
]);

const MEDIA_TYPES: ReadonlyMap<string, OtlpEncoding> = new Map([
  ['application/x-protobuf', 'protobuf'],
  ['application/json', 'json'],
]);

const CONTENT_TYPE: Readonly<Record<OtlpEncoding, string>> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

// google.rpc.Code values used in Status bodies.
const RPC = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** After answering early, how long a request body may keep draining before the connection is cut. */
const DRAIN_GRACE_MS = 2_000;

type RejectReason =
  | 'unauthorized'
  | 'not_found'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'unsupported_encoding'
  | 'too_large'
  | 'bad_compression'
  | 'malformed'
  | 'timeout';

/** A request that ends before the handler does (answered early, or the client went away). */
class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly reason: RejectReason | 'client_gone',
    message: string,
  ) {
    super(message);
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function mediaType(header: string | undefined): string {
  if (header === undefined) return '';
  const semi = header.indexOf(';');
  return (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
}

type Decoder = () => zlib.Gunzip | zlib.Inflate;

function decompressorFor(
  header: string | undefined,
): { name: string; create?: Decoder } | { unsupported: string } {
  const enc = (header ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return { name: 'identity' };
  if (enc === 'gzip' || enc === 'x-gzip') return { name: 'gzip', create: () => zlib.createGunzip() };
  // HTTP "deflate" is the zlib format (RFC 9110); the Collector also accepts the name "zlib".
  if (enc === 'deflate' || enc === 'zlib') return { name: enc, create: () => zlib.createInflate() };
  return { unsupported: enc };
}

export class OtlpHttpReceiver {
  private server: http.Server | undefined;
  private readonly tokenDigest: Buffer | undefined;
  private readonly retryAfterSeconds: number;
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private closing = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: OtlpHttpReceiverOptions) {
    if (!Number.isInteger(opts.maxBodyBytes) || opts.maxBodyBytes <= 0) {
      throw new Error(`maxBodyBytes must be a positive integer, got ${opts.maxBodyBytes}`);
    }
    if (!(opts.requestTimeoutMs > 0))
      throw new Error(`requestTimeoutMs must be positive, got ${opts.requestTimeoutMs}`);
    this.tokenDigest = opts.bearerToken === undefined ? undefined : sha256(opts.bearerToken);
    this.retryAfterSeconds = opts.retryAfterSeconds ?? 2;
  }

  start(): Promise<{ host: string; port: number }> {
    if (this.server !== undefined)
      return Promise.reject(new Error('the OTLP/HTTP receiver is already started'));
    const { host, port } = splitEndpoint(this.opts.endpoint);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      return Promise.reject(
        new Error(`invalid receiver endpoint "${this.opts.endpoint}" (expected host:port)`),
      );
    }
    const timeout = this.opts.requestTimeoutMs;
    const server = http.createServer(
      {
        // Our own timer answers slow bodies with 408; these are backstops for what it cannot see.
        headersTimeout: Math.min(60_000, Math.max(1_000, timeout)),
        requestTimeout: Math.max(60_000, timeout) + 5_000,
        keepAliveTimeout: 65_000,
      },
      (req, res) => this.onRequest(req, res),
    );
    // A client error (bad request line, oversized headers) gets Node's own 400; never an exception.
    server.on('clientError', (err, socket) => {
      this.opts.log.debug('otlp http client error', { error: (err as Error).message });
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: host === '' ? undefined : host }, () => {
        server.off('error', reject);
        server.on('error', (err) => this.opts.log.error('otlp http receiver error', { error: err.message }));
        const addr = server.address() as AddressInfo;
        resolve({ host: addr.address, port: addr.port });
      });
    });
  }

  /** Stops accepting connections, lets in-flight requests finish, then closes what is left. */
  shutdown(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  private async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    server.closeAllConnections();
    await closed;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.inFlight++;
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      this.inFlight--;
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    };
    res.once('close', done);
    if (this.closing) res.setHeader('Connection', 'close');
    this.handle(req, res).catch((err: unknown) => {
      this.opts.log.error('otlp http request failed', {
        error: err instanceof Error ? err.message : String(err),
      });
      if (!res.headersSent) {
        this.reply(req, res, 500, 'text/plain; charset=utf-8', 'internal error');
      } else {
        res.destroy();
      }
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const m = this.opts.metrics;
    const reject = (status: number, reason: RejectReason, text: string, headers?: Record<string, string>) => {
      m.receiverRejectedRequests.inc({ reason });
      this.opts.log.debug('otlp http request rejected', { status, reason, path: req.url });
      this.reply(req, res, status, 'text/plain; charset=utf-8', text, headers);
    };
    const contentType = mediaType(req.headers['content-type']);
    const encoding = MEDIA_TYPES.get(contentType);

    if (this.tokenDigest !== undefined && !this.authorized(req.headers.authorization)) {
      m.receiverRejectedRequests.inc({ reason: 'unauthorized' });
      this.opts.log.debug('otlp http request rejected', {
        status: 401,
        reason: 'unauthorized',
        path: req.url,
      });
      const headers = { 'WWW-Authenticate': 'Bearer' };
      if (encoding === undefined) {
        this.reply(req, res, 401, 'text/plain; charset=utf-8', 'missing or invalid bearer token', headers);
      } else {
        const body = encodeRpcStatus(encoding, RPC.UNAUTHENTICATED, 'missing or invalid bearer token');
        this.reply(req, res, 401, CONTENT_TYPE[encoding], body, headers);
      }
      return;
    }

    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const signal = PATHS.get(q === -1 ? url : url.slice(0, q));
    if (signal === undefined)
      return reject(404, 'not_found', 'not found; OTLP/HTTP paths are /v1/traces, /v1/metrics, /v1/logs');
    if (req.method !== 'POST') {
      return reject(405, 'method_not_allowed', `method ${req.method} not allowed; use POST`, {
        Allow: 'POST',
      });
    }
    if (encoding === undefined) {
      return reject(
        415,
        'unsupported_media_type',
        `unsupported content type "${contentType}"; use application/x-protobuf or application/json`,
      );
    }
    const compression = decompressorFor(req.headers['content-encoding']);
    if ('unsupported' in compression) {
      return reject(
        415,
        'unsupported_encoding',
        `unsupported content encoding "${compression.unsupported}"; use gzip, deflate or none`,
      );
    }

    const status = (code: number, reason: RejectReason, rpc: number, message: string) => {
      m.receiverRejectedRequests.inc({ reason });
      this.opts.log.debug('otlp http request rejected', { status: code, reason, signal, message });
      this.reply(req, res, code, CONTENT_TYPE[encoding], encodeRpcStatus(encoding, rpc, message));
    };
    const cap = this.opts.maxBodyBytes;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > cap) {
      return status(
        413,
        'too_large',
        RPC.RESOURCE_EXHAUSTED,
        `request body of ${declared} bytes exceeds the limit of ${cap} bytes`,
      );
    }

    let body: Buffer;
    try {
      body = await this.readBody(req, compression);
    } catch (err) {
      if (err instanceof BodyError) {
        if (err.reason === 'client_gone') {
          this.opts.log.debug('otlp http client went away before sending the whole body', { signal });
          res.destroy();
          return;
        }
        const rpc =
          err.status === 413
            ? RPC.RESOURCE_EXHAUSTED
            : err.status === 408
              ? RPC.DEADLINE_EXCEEDED
              : RPC.INVALID_ARGUMENT;
        return status(err.status, err.reason, rpc, err.message);
      }
      throw err;
    }

    if (signal === 'traces') {
      let decoded: TraceRequest;
      try {
        decoded = decodeTraceRequest(body, encoding);
      } catch (err) {
        if (err instanceof OtlpDecodeError)
          return status(400, 'malformed', RPC.INVALID_ARGUMENT, err.message);
        throw err;
      }
      await this.consumeTraces(req, res, encoding, decoded);
      return;
    }

    let items: number;
    try {
      items = countRawItems(signal, body, encoding);
    } catch (err) {
      if (err instanceof OtlpDecodeError) return status(400, 'malformed', RPC.INVALID_ARGUMENT, err.message);
      throw err;
    }
    if (items > 0) {
      try {
        await this.opts.consumer.consumeRaw(signal, body, CONTENT_TYPE[encoding], items);
      } catch (err) {
        this.refuse(req, res, encoding, signal, items, err);
        return;
      }
      m.receiverAcceptedSpans.inc({ signal }, items);
    }
    this.reply(req, res, 200, CONTENT_TYPE[encoding], encodeExportTraceResponse(encoding));
  }

  private async consumeTraces(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    encoding: OtlpEncoding,
    decoded: TraceRequest,
  ): Promise<void> {
    const spans = countSpans(decoded);
    // Empty envelopes succeed without touching the pipeline (the spec lets forwarders drop them).
    if (spans === 0) {
      this.reply(req, res, 200, CONTENT_TYPE[encoding], encodeExportTraceResponse(encoding));
      return;
    }
    let result: { rejectedSpans?: number; message?: string } | undefined;
    try {
      result = await this.opts.consumer.consumeTraces(decoded, spans);
    } catch (err) {
      this.refuse(req, res, encoding, 'traces', spans, err);
      return;
    }
    const rawRejected = result?.rejectedSpans ?? 0;
    const rejected = Number.isFinite(rawRejected) ? Math.min(spans, Math.max(0, Math.trunc(rawRejected))) : 0;
    const message = result?.message ?? '';
    const m = this.opts.metrics;
    m.receiverAcceptedSpans.inc({ signal: 'traces' }, spans - rejected);
    // Not retried by the sender, so counted here: the loss must show up somewhere.
    if (rejected > 0) m.receiverRefusedSpans.inc({ signal: 'traces', reason: 'partial_success' }, rejected);
    const partial =
      rejected > 0 || message !== '' ? { rejectedSpans: rejected, errorMessage: message } : undefined;
    this.reply(req, res, 200, CONTENT_TYPE[encoding], encodeExportTraceResponse(encoding, partial));
  }

  /** Consumer failure → retryable status; the sender keeps the data. */
  private refuse(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    encoding: OtlpEncoding,
    signal: Signal,
    items: number,
    err: unknown,
  ): void {
    let code: 429 | 503 = 503;
    let retryAfter = this.retryAfterSeconds;
    let message = 'the collector cannot accept data right now; retry later';
    let reason = 'consumer_error';
    if (err instanceof RefusedError) {
      code = err.status;
      retryAfter = err.retryAfterSeconds;
      message = err.message;
      reason = code === 429 ? 'throttled' : 'unavailable';
      this.opts.log.debug('otlp http request refused', { signal, status: code, reason: err.message });
    } else {
      // Unexpected: log the detail, tell the sender only to retry.
      this.opts.log.error('consumer failed; answered 503', {
        signal,
        error: err instanceof Error ? err.message : String(err),
      });
    }
    this.opts.metrics.receiverRefusedSpans.inc({ signal, reason }, items);
    const seconds = Number.isFinite(retryAfter) ? Math.max(0, Math.ceil(retryAfter)) : this.retryAfterSeconds;
    const rpc = code === 429 ? RPC.RESOURCE_EXHAUSTED : RPC.UNAVAILABLE;
    this.reply(req, res, code, CONTENT_TYPE[encoding], encodeRpcStatus(encoding, rpc, message), {
      'Retry-After': String(seconds),
    });
  }

  private authorized(header: string | undefined): boolean {
    const expected = this.tokenDigest as Buffer;
    if (header === undefined) return false;
    const space = header.indexOf(' ');
    if (space === -1 || header.slice(0, space).toLowerCase() !== 'bearer') return false;
    // Compare digests: equal length, and the time taken says nothing about the token.
    return timingSafeEqual(sha256(header.slice(space + 1).trim()), expected);
  }

  /** Reads the (decompressed) body, never holding more than the cap; rejects with BodyError. */
  private readBody(
    req: http.IncomingMessage,
    compression: { name: string; create?: Decoder },
  ): Promise<Buffer> {
    const cap = this.opts.maxBodyBytes;
    const timeoutMs = this.opts.requestTimeoutMs;
    return new Promise<Buffer>((resolve, reject) => {
      const inflater = compression.create?.();
      const source: Readable = inflater === undefined ? req : req.pipe(inflater);
      const chunks: Buffer[] = [];
      let total = 0;
      let settled = false;
      const finish = (err: BodyError | undefined, body?: Buffer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        source.off('data', onData);
        source.off('end', onEnd);
        req.off('close', onClose);
        if (inflater !== undefined) {
          req.unpipe(inflater);
          inflater.destroy();
        }
        if (err !== undefined) reject(err);
        else resolve(body as Buffer);
      };
      const onData = (chunk: Buffer) => {
        total += chunk.length;
        if (total > cap) {
          const after = inflater === undefined ? '' : ' after decompression';
          finish(new BodyError(413, 'too_large', `request body exceeds the limit of ${cap} bytes${after}`));
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = () =>
        finish(undefined, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total));
      const onClose = () => {
        if (!req.complete) finish(new BodyError(0, 'client_gone', 'client closed the connection'));
      };
      const timer = setTimeout(
        () => finish(new BodyError(408, 'timeout', `request body not received within ${timeoutMs} ms`)),
        timeoutMs,
      );
      source.on('data', onData);
      source.once('end', onEnd);
      req.once('close', onClose);
      // Errors stay attached after finish so a late one cannot become an unhandled 'error' event.
      req.on('error', () => finish(new BodyError(0, 'client_gone', 'client connection error')));
      inflater?.on('error', (e: Error) =>
        finish(new BodyError(400, 'bad_compression', `invalid ${compression.name} body: ${e.message}`)),
      );
    });
  }

  private reply(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    status: number,
    contentType: string,
    body: Uint8Array | string,
    headers?: Record<string, string>,
  ): void {
    if (res.headersSent || res.destroyed) return;
    const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    res.statusCode = status;
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Length', payload.byteLength);
    if (headers !== undefined) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    const unread = !req.complete;
    // Answered before the body was read: don't keep the connection, drain briefly so the client sees the
    // response instead of a reset, then cut it (a zip bomb or endless body must not hold the socket).
    if (unread) res.setHeader('Connection', 'close');
    res.end(payload);
    if (unread) {
      req.resume();
      const cut = setTimeout(() => req.socket.destroy(), DRAIN_GRACE_MS);
      cut.unref();
      req.once('end', () => clearTimeout(cut));
    }
  }
}
