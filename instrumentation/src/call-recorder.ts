/**
 * Drives one model call from request to finished span. Taps hand it bytes as they pass; it never reads a body
 * itself, never holds the app's data beyond a copy, and never throws: every method contains its own failures.
 *
 * Work is split so the app's critical path only pays for a timestamp and an array push per chunk: decoding,
 * JSON parsing and adapter logic run in a setImmediate batch, after the chunk has already been handed on.
 */
import { createHash, type Hash } from 'node:crypto';
import zlib from 'node:zlib';
import { type Context, context, diag, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { markForeignGenAiParent } from './accounting.js';
import { resolveAttribution, withoutAttributionBaggage } from './attribution.js';
import { newCapturedContent } from './content/messages.js';
import { AwsEventStreamDecoder } from './decode/aws-eventstream.js';
import { JsonArrayDecoder } from './decode/json-array.js';
import { NdjsonDecoder } from './decode/ndjson.js';
import { SseDecoder } from './decode/sse.js';
import { detectProvider } from './detect.js';
import { estimateUsage } from './estimate.js';
import { apiKeyFingerprint, credentialOf } from './fingerprint.js';
import { type ModelCall, newModelCall } from './model-call.js';
import { adapterForFamily } from './providers/index.js';
import type {
  BodyFraming,
  CallClassification,
  ProviderAdapter,
  RequestFacts,
  StreamEvent,
} from './providers/types.js';
import { type InFlightCall, nowMs, runtime } from './runtime.js';
import { modelCallAttributes, spanName, startAttributes } from './to-attributes.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/** Bodies beyond this are not kept for parsing (the app still gets every byte). */
const MAX_CAPTURED_BYTES = 32 * 1024 * 1024;

const RATE_LIMIT_HEADERS = [
  'x-ratelimit-limit-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-requests',
  'x-ratelimit-reset-tokens',
  'anthropic-ratelimit-requests-limit',
  'anthropic-ratelimit-requests-remaining',
  'anthropic-ratelimit-requests-reset',
  'anthropic-ratelimit-tokens-limit',
  'anthropic-ratelimit-tokens-remaining',
  'anthropic-ratelimit-tokens-reset',
  'anthropic-ratelimit-input-tokens-remaining',
  'anthropic-ratelimit-output-tokens-remaining',
  'retry-after',
] as const;

export interface CallMatch {
  adapter: ProviderAdapter;
  classification: CallClassification;
  provider: string;
  /** The request's credential, held only until its fingerprint is computed; never exported. */
  credential?: string;
}

/**
 * Decides whether a request is a model call. `makeFacts` is only invoked when the host is a known provider, so
 * ordinary traffic costs one Map lookup and no allocation.
 */
export function matchModelCall(
  host: string,
  port: number,
  makeFacts: () => RequestFacts,
): CallMatch | undefined {
  const route = detectProvider(host, port);
  if (route === undefined) return undefined;
  const facts = makeFacts();
  for (const family of route.families) {
    const adapter = adapterForFamily(family);
    if (adapter === undefined) continue;
    const classification = adapter.classify(facts, route.provider);
    if (classification) {
      return {
        adapter,
        classification,
        provider: classification.provider ?? route.provider,
        credential: credentialOf(facts),
      };
    }
  }
  return undefined;
}

type RequestBody = string | Uint8Array | ArrayBuffer | readonly Uint8Array[];

interface PendingChunk {
  bytes: Uint8Array;
  at: number;
}

/** Maps a transport exception to a low-cardinality error.type. */
export function errorTypeOf(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; code?: unknown; cause?: { code?: unknown; name?: unknown } };
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return e.name;
    if (typeof e.code === 'string') return e.code;
    if (e.cause && typeof e.cause.code === 'string') return e.cause.code;
    if (typeof e.name === 'string' && e.name !== 'Error' && e.name !== 'TypeError') return e.name;
  }
  return '_OTHER';
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

const utf8 = new TextDecoder();

function bodyToString(body: RequestBody): string | undefined {
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer) return utf8.decode(new Uint8Array(body));
  if (body instanceof Uint8Array) return utf8.decode(body);
  if (Array.isArray(body)) {
    const chunks = body as readonly Uint8Array[];
    let total = 0;
    for (const c of chunks) total += c.byteLength;
    return utf8.decode(concat(chunks, total));
  }
  return undefined;
}

export class CallRecorder implements InFlightCall {
  readonly call: ModelCall;
  readonly span: Span;
  /** The app's context with our span active: the original call runs in it so HTTP spans nest under ours. */
  readonly context: Context;
  private readonly adapter: ProviderAdapter;
  private requestBody: RequestBody | undefined;
  /** false when the tap could not keep the whole request body (its hash would be of a prefix). */
  private requestBodyComplete = true;
  private requestParsed = false;
  private credential: string | undefined;
  private responseHash: Hash | undefined;
  private framing: BodyFraming = 'json';
  private decoder: SseDecoder | NdjsonDecoder | JsonArrayDecoder | AwsEventStreamDecoder | undefined;
  private inflater: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined;
  private jsonChunks: Uint8Array[] = [];
  private jsonBytes = 0;
  private pending: PendingChunk[] = [];
  private drainScheduled = false;
  private currentChunkAt = 0;
  private lastActivityAt = 0;
  private eof = false;
  private terminalAt: number | undefined;
  private finished = false;
  private idleTimer: NodeJS.Timeout | undefined;

  private constructor(match: CallMatch, facts: RequestFacts, parent: Context) {
    this.adapter = match.adapter;
    const started = nowMs();
    this.call = newModelCall({
      provider: match.provider,
      operation: match.classification.operation,
      serverAddress: facts.host,
      serverPort: facts.port,
      startTimeMs: started,
    });
    const c = match.classification;
    if (c.apiType !== undefined) this.call.apiType = c.apiType;
    if (c.modelFromPath !== undefined) this.call.request.model = c.modelFromPath;
    if (c.streamFromPath !== undefined) this.call.request.stream = c.streamFromPath;
    this.call.attribution = resolveAttribution(parent);
    if (runtime.content.capture) this.call.content = newCapturedContent(runtime.content.maxBytes);
    this.credential = match.credential;
    const tracer = runtime.tracer ?? trace.getTracer(PACKAGE_NAME, PACKAGE_VERSION);
    this.span = tracer.startSpan(
      spanName(this.call),
      { kind: SpanKind.CLIENT, startTime: started, attributes: startAttributes(this.call) },
      parent,
    );
    markForeignGenAiParent(trace.getSpan(parent), this.span);
    // Attribution baggage is for the app's services, never for the provider: a propagator run inside the call
    // (another instrumentation's) finds none.
    this.context = trace.setSpan(withoutAttributionBaggage(parent), this.span);
    runtime.inFlight.add(this);
  }

  /** Starts recording, or returns undefined (and the tap passes the call through) if anything goes wrong. */
  static start(match: CallMatch, facts: RequestFacts): CallRecorder | undefined {
    try {
      return new CallRecorder(match, facts, context.active());
    } catch (err) {
      contain('start', err);
      return undefined;
    }
  }

  /**
   * The request body as the app sent it (`complete` false when the tap kept only a prefix). Parsed later, off the
   * request's path.
   */
  setRequestBody(body: RequestBody | undefined, complete = true): void {
    if (body === undefined) return;
    this.requestBody = body;
    this.requestBodyComplete = complete;
    setImmediate(() => this.parseRequest());
  }

  private parseRequest(): void {
    if (this.requestParsed) return;
    this.requestParsed = true;
    const credential = this.credential;
    this.credential = undefined;
    if (credential !== undefined) {
      try {
        this.call.apiKeyFingerprint = apiKeyFingerprint(credential, runtime.apiKeySalt);
      } catch (err) {
        contain('fingerprint', err);
      }
    }
    const body = this.requestBody;
    this.requestBody = undefined;
    if (body === undefined) return;
    try {
      if (this.requestBodyComplete) this.call.requestSha256 = sha256Of(body);
      const text = bodyToString(body);
      if (text === undefined || text.length === 0 || text.length > MAX_CAPTURED_BYTES) return;
      this.adapter.onRequestBody(this.call, JSON.parse(text));
      this.span.updateName(spanName(this.call));
    } catch (err) {
      // A body we cannot parse still leaves a span with what the URL told us.
      if (!(err instanceof SyntaxError)) contain('request body', err);
    }
  }

  /**
   * Response headers arrived. `header` looks up a response header; `wireEncoding` is set only by taps that see
   * bytes as they were on the wire (node:http/http2), so compressed bodies get decoded for us alone.
   */
  responseStarted(status: number, header: (name: string) => string | undefined, wireEncoding?: string): void {
    if (this.finished) return;
    try {
      this.call.httpStatus = status;
      for (const name of RATE_LIMIT_HEADERS) {
        const value = header(name);
        if (value !== undefined) this.call.rateLimitHeaders[name] = value;
      }
      this.adapter.onResponseHeaders?.(this.call, header);
      this.framing = status >= 400 ? 'json' : this.adapter.framing(this.call, header('content-type'));
      this.responseHash = createHash('sha256');
      this.decoder = this.createDecoder();
      const encoding = wireEncoding?.trim().toLowerCase();
      if (encoding && encoding !== 'identity') this.inflater = this.createInflater(encoding);
      // Also for whole bodies: an app that never reads a response must not leave its span open forever.
      this.armIdleTimer();
    } catch (err) {
      contain('response headers', err);
    }
  }

  private createDecoder(): SseDecoder | NdjsonDecoder | JsonArrayDecoder | AwsEventStreamDecoder | undefined {
    const onValue = (value: unknown) => this.onEvent({ kind: 'json', value });
    switch (this.framing) {
      case 'sse':
        return new SseDecoder((event, data) => this.onEvent({ kind: 'sse', event, data }));
      case 'ndjson':
        return new NdjsonDecoder(onValue);
      case 'json-array':
        return new JsonArrayDecoder(onValue);
      case 'aws-eventstream':
        return new AwsEventStreamDecoder((headers, payload) =>
          this.onEvent({ kind: 'aws-eventstream', headers, payload }),
        );
      default:
        return undefined;
    }
  }

  private createInflater(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
    let inflater: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress;
    if (encoding === 'gzip' || encoding === 'x-gzip') inflater = zlib.createGunzip();
    else if (encoding === 'deflate') inflater = zlib.createInflate();
    else if (encoding === 'br') inflater = zlib.createBrotliDecompress();
    else return undefined;
    inflater.on('data', (chunk: Buffer) => this.feed(chunk));
    inflater.on('error', () => {
      // A corrupt body is the app's problem to see; we only lose our view of it.
      this.inflater = undefined;
      this.finish(this.eof ? nowMs() : undefined);
    });
    inflater.on('end', () => this.finish(undefined));
    return inflater;
  }

  /** A body chunk passed to the app. The recorder may keep a reference: callers hand over a chunk they own. */
  chunk(bytes: Uint8Array): void {
    if (this.finished) return;
    const at = nowMs();
    if (this.call.firstChunkTimeMs === undefined) this.call.firstChunkTimeMs = at;
    this.lastActivityAt = at;
    this.pending.push({ bytes, at });
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.drainScheduled = false;
    const batch = this.pending;
    this.pending = [];
    try {
      for (const { bytes, at } of batch) {
        if (this.terminalAt !== undefined) break;
        this.currentChunkAt = at;
        if (this.inflater) this.inflater.write(bytes);
        else this.feed(bytes);
      }
      if (this.eof && this.terminalAt === undefined && !this.inflater) this.finish(undefined);
      else if (this.eof && this.inflater && !this.inflater.writableEnded) this.inflater.end();
    } catch (err) {
      contain('body', err);
      this.finish(undefined);
    }
  }

  private feed(bytes: Uint8Array): void {
    if (this.finished || this.terminalAt !== undefined) return;
    this.responseHash?.update(bytes);
    if (this.decoder) {
      this.decoder.push(bytes);
      return;
    }
    if (this.jsonBytes + bytes.byteLength > MAX_CAPTURED_BYTES) return;
    this.jsonChunks.push(bytes);
    this.jsonBytes += bytes.byteLength;
  }

  private onEvent(event: StreamEvent): void {
    if (this.terminalAt !== undefined) return;
    let terminal = false;
    try {
      terminal = this.adapter.onStreamEvent(this.call, event);
    } catch (err) {
      contain('stream event', err);
    }
    if (terminal) {
      // The protocol said it is over: finish now, even if the app never reads to EOF (Mistral, Cohere, Ollama).
      this.terminalAt = this.currentChunkAt || nowMs();
      this.finish(this.terminalAt);
    }
  }

  /** The body ended normally (EOF). */
  end(): void {
    if (this.finished || this.eof) return;
    this.eof = true;
    this.lastActivityAt = nowMs();
    this.scheduleDrain();
  }

  /** The transport failed (network error, abort) before or during the body. */
  fail(err: unknown): void {
    if (this.finished) return;
    if (!this.call.error) this.call.error = { type: errorTypeOf(err), message: messageOf(err) };
    this.flushPendingNow();
    this.finish(nowMs());
  }

  /** The app cancelled the body before the protocol's last event. */
  cancelled(): void {
    if (this.finished) return;
    this.flushPendingNow();
    if (this.finished) return;
    if (!this.call.error && this.terminalAt === undefined) this.call.error = { type: 'cancelled' };
    this.finish(nowMs());
  }

  abandon(reason: string): void {
    if (this.finished) return;
    this.flushPendingNow();
    if (this.finished) return;
    if (!this.call.error && this.terminalAt === undefined) this.call.error = { type: reason };
    this.finish(nowMs());
  }

  /** Processes chunks already seen so partial usage is kept when a stream is cut. */
  private flushPendingNow(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      for (const { bytes, at } of batch) {
        this.currentChunkAt = at;
        if (!this.inflater) this.feed(bytes);
      }
    } catch (err) {
      contain('body', err);
    }
  }

  private armIdleTimer(): void {
    const timeout = runtime.streamIdleTimeoutMs;
    this.lastActivityAt = nowMs();
    const check = () => {
      if (this.finished) return;
      const idle = nowMs() - this.lastActivityAt;
      if (idle >= timeout) this.abandon('abandoned');
      else this.idleTimer = setTimeout(check, timeout - idle).unref();
    };
    this.idleTimer = setTimeout(check, timeout).unref();
  }

  private finish(endTimeMs: number | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.call.endTimeMs = endTimeMs ?? (this.lastActivityAt || nowMs());
    if (this.idleTimer) clearTimeout(this.idleTimer);
    runtime.inFlight.delete(this);
    try {
      this.parseRequest();
      this.decoder?.end();
      this.parseWholeBody();
      if (this.responseHash !== undefined) this.call.responseSha256 = this.responseHash.digest('hex');
      const status = this.call.httpStatus;
      if (status !== undefined && status >= 400 && !this.call.error?.type) {
        this.call.error = { type: String(status), message: this.call.error?.message };
      }
    } catch (err) {
      contain('finish', err);
    }
    this.inflater?.destroy();
    this.inflater = undefined;
    this.decoder = undefined;
    this.responseHash = undefined;
    this.jsonChunks = [];
    void this.complete();
  }

  private parseWholeBody(): void {
    if (this.framing !== 'json' || this.jsonBytes === 0) return;
    const body = concat(this.jsonChunks, this.jsonBytes);
    let parsed: unknown;
    try {
      parsed = JSON.parse(utf8.decode(body));
    } catch {
      return; // not JSON (an HTML error page, a truncated body): keep what the request told us
    }
    this.adapter.onResponseBody(this.call, parsed);
  }

  /** Estimation (possibly loading a tokenizer) and pricing happen here, after the app has its data. */
  private async complete(): Promise<void> {
    const call = this.call;
    try {
      await estimateUsage(call);
    } catch (err) {
      contain('estimate', err);
    }
    call.estimation = undefined;
    try {
      let cost: Awaited<ReturnType<NonNullable<typeof runtime.price>>>;
      try {
        cost = await runtime.price?.(call);
      } catch (err) {
        contain('price', err);
      }
      this.span.setAttributes(modelCallAttributes(call, cost, runtime.content));
      this.span.updateName(spanName(call));
      if (call.error) {
        // Provider error messages can quote what was sent (a key, a prompt): redacted like captured content.
        const message = call.error.message;
        this.span.setStatus({
          code: SpanStatusCode.ERROR,
          message: message === undefined ? undefined : runtime.content.redactor.redact(message),
        });
      }
    } catch (err) {
      contain('attributes', err);
    }
    this.span.end(call.endTimeMs);
  }
}

/** SHA-256 (hex) of a request body's bytes as they go on the wire (strings as UTF-8). */
function sha256Of(body: RequestBody): string {
  const hash = createHash('sha256');
  if (typeof body === 'string') hash.update(body, 'utf8');
  else if (body instanceof ArrayBuffer) hash.update(new Uint8Array(body));
  else if (body instanceof Uint8Array) hash.update(body);
  else for (const chunk of body as readonly Uint8Array[]) hash.update(chunk);
  return hash.digest('hex');
}

function messageOf(err: unknown): string | undefined {
  return err instanceof Error ? err.message : undefined;
}

/** An internal failure: counted and logged through the OTel diag logger, never thrown into the app. */
export function contain(where: string, err: unknown): void {
  runtime.internalErrors++;
  diag.warn(`@ailedger/instrumentation: internal error in ${where}`, err);
}
