/**
 * Load and fault tooling for the collector's reliability tests:
 * - `startFaultBackend`: an OTLP/HTTP trace backend whose behaviour can be switched while the collector sends to
 *   it (healthy, slow, answering a status such as 500 or 429 + Retry-After, rejecting every n-th request, or down
 *   on its port), counting every span id it receives so duplicates and losses can be computed;
 * - `OtlpLoad`: a closed-loop load generator (N workers posting protobuf requests of unique, sequentially numbered
 *   spans as fast as they are answered) that remembers exactly which spans were acknowledged with a 200;
 * - `rssBytes`: the resident set size of a process, from /proc.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { decodeTraceRequest, encodeTraceRequest, hex } from '../../collector-processor/src/otlp/codec.js';
import type { KeyValue, OtlpSpan } from '../../collector-processor/src/otlp/types.js';

/** VmRSS of a process in bytes (Linux). */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
}

export type BackendMode =
  | { kind: 'ok' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'reject-every'; n: number; status: number }
  | { kind: 'down' };

export interface FaultBackend {
  url: string;
  /** How many times each span id (hex) arrived in an accepted request. */
  received: Map<string, number>;
  /** Span deliveries in accepted requests, duplicates included. */
  deliveries(): number;
  requests: { accepted: number; refused: number };
  setMode(mode: BackendMode): Promise<void>;
  close(): Promise<void>;
}

/** A backend for `/v1/traces` (protobuf, gzip or not) that can be slow, fail, or go away and come back. */
export async function startFaultBackend(initial: BackendMode = { kind: 'ok' }): Promise<FaultBackend> {
  let mode: BackendMode = initial;
  const received = new Map<string, number>();
  let deliveries = 0;
  const requests = { accepted: 0, refused: 0 };
  let seen = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = mode;
      seen++;
      const refuse = (status: number, headers?: Record<string, string>) => {
        requests.refused++;
        res.writeHead(status, headers).end('refused by the test backend');
      };
      if (m.kind === 'status') return refuse(m.status, m.headers);
      if (m.kind === 'reject-every' && seen % m.n === 0) return refuse(m.status);
      const accept = () => {
        if (res.destroyed) return;
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
        const decoded = decodeTraceRequest(body, 'protobuf');
        for (const rs of decoded.resourceSpans) {
          for (const ss of rs.scopeSpans) {
            for (const s of ss.spans) {
              const id = hex(s.spanId);
              received.set(id, (received.get(id) ?? 0) + 1);
              deliveries++;
            }
          }
        }
        requests.accepted++;
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      };
      if (m.kind === 'slow') setTimeout(accept, m.delayMs);
      else accept();
    });
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  if (initial.kind === 'down') await close();
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    deliveries: () => deliveries,
    requests,
    async setMode(next) {
      const wasDown = mode.kind === 'down';
      mode = next;
      if (next.kind === 'down' && !wasDown) await close();
      else if (next.kind !== 'down' && wasDown) await listen(port);
    },
    async close() {
      if (mode.kind !== 'down') await close();
    },
  };
}

/** Span ids are 8-byte big-endian sequence numbers (from 1), so acknowledged ones fit in a bitmap. */
export function spanIdOf(n: number): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

const RESOURCE: KeyValue[] = [
  { key: 'service.name', value: { stringValue: 'load-gen' } },
  { key: 'ailedger.team', value: { stringValue: 'load' } },
];
const PLAIN_ATTRS: KeyValue[] = [
  { key: 'http.request.method', value: { stringValue: 'GET' } },
  { key: 'url.full', value: { stringValue: 'https://service.internal/api/items?page=2' } },
  { key: 'http.response.status_code', value: { intValue: 200 } },
];
const GENAI_ATTRS: KeyValue[] = [
  { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
  { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
  { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
  { key: 'gen_ai.usage.input_tokens', value: { intValue: 1200 } },
  { key: 'gen_ai.usage.output_tokens', value: { intValue: 300 } },
];

/** One ExportTraceServiceRequest of `count` spans numbered from `first` (one in ten a GenAI model call). */
export function loadRequest(first: number, count: number): Uint8Array {
  const ours: OtlpSpan[] = [];
  const plain: OtlpSpan[] = [];
  const now = BigInt(Date.now()) * 1_000_000n;
  for (let i = 0; i < count; i++) {
    const n = first + i;
    const traceId = Buffer.alloc(16);
    traceId.writeBigUInt64BE(BigInt(Math.floor(n / 10) + 1), 8);
    const span: OtlpSpan = {
      traceId,
      spanId: spanIdOf(n),
      name: n % 10 === 0 ? 'chat gpt-4o-mini' : 'GET /api/items',
      kind: n % 10 === 0 ? 3 : 2,
      startTimeUnixNano: Number(now) - 5_000_000,
      endTimeUnixNano: Number(now),
      attributes: n % 10 === 0 ? GENAI_ATTRS : PLAIN_ATTRS,
    };
    (n % 10 === 0 ? ours : plain).push(span);
  }
  return encodeTraceRequest({
    resourceSpans: [
      {
        resource: { attributes: RESOURCE },
        scopeSpans: [
          { scope: { name: '@ailedger/instrumentation', version: '0.1.0' }, spans: ours },
          { scope: { name: 'http' }, spans: plain },
        ].filter((s) => s.spans.length > 0),
      },
    ],
  });
}

export interface LoadResult {
  /** Spans acknowledged with a 200. */
  acknowledged: number;
  statuses: Map<number, number>;
  /** Refusals (429/503) that came without a numeric Retry-After. */
  refusalsWithoutRetryAfter: number;
  /** Transport errors (reset, refused) by code. */
  errors: Map<string, number>;
  requests: number;
}

/**
 * Closed-loop load: `workers` loops, each posting one request of `spansPerRequest` new spans and waiting for the
 * answer; a refusal is followed by a `refusalPauseMs` pause (far shorter than Retry-After: this is overload, not a
 * polite SDK). Acknowledged span numbers are kept in a bitmap.
 */
export class OtlpLoad {
  private next = 1;
  private acked = new Uint8Array(1 << 20);
  private stopped = false;
  readonly result: LoadResult = {
    acknowledged: 0,
    statuses: new Map(),
    refusalsWithoutRetryAfter: 0,
    errors: new Map(),
    requests: 0,
  };
  private readonly agent: http.Agent;

  constructor(
    private url: string,
    private readonly options: { workers: number; spansPerRequest: number; refusalPauseMs: number },
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: options.workers });
  }

  /** Points the workers at another collector (after a restart). */
  retarget(url: string): void {
    this.url = url;
  }

  /** Span numbers handed out so far (acknowledged or not). */
  get issued(): number {
    return this.next - 1;
  }

  isAcknowledged(n: number): boolean {
    return n < this.acked.length * 8 && (this.acked[n >> 3]! & (1 << (n & 7))) !== 0;
  }

  /** Runs until `stop()` or `untilMs` (epoch); can be run again (numbering goes on). */
  async run(untilMs: number): Promise<LoadResult> {
    this.stopped = false;
    await Promise.all(Array.from({ length: this.options.workers }, () => this.worker(untilMs)));
    return this.result;
  }

  stop(): void {
    this.stopped = true;
  }

  close(): void {
    this.agent.destroy();
  }

  private markAcked(first: number, count: number): void {
    const need = (first + count) >> 3;
    if (need >= this.acked.length) {
      const bigger = new Uint8Array(Math.max(need + 1, this.acked.length * 2));
      bigger.set(this.acked);
      this.acked = bigger;
    }
    for (let n = first; n < first + count; n++) this.acked[n >> 3]! |= 1 << (n & 7);
    this.result.acknowledged += count;
  }

  private async worker(untilMs: number): Promise<void> {
    const count = this.options.spansPerRequest;
    while (!this.stopped && Date.now() < untilMs) {
      const first = this.next;
      this.next += count;
      const body = loadRequest(first, count);
      this.result.requests++;
      const answer = await this.post(body);
      if (answer.error !== undefined) {
        this.result.errors.set(answer.error, (this.result.errors.get(answer.error) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, this.options.refusalPauseMs));
        continue;
      }
      const s = answer.status ?? 0;
      this.result.statuses.set(s, (this.result.statuses.get(s) ?? 0) + 1);
      if (s === 200) this.markAcked(first, count);
      else if (s === 429 || s === 503) {
        if (!/^\d+$/.test(answer.retryAfter ?? '')) this.result.refusalsWithoutRetryAfter++;
        await new Promise((r) => setTimeout(r, this.options.refusalPauseMs));
      }
    }
  }

  private post(body: Uint8Array): Promise<{ status?: number; retryAfter?: string; error?: string }> {
    return new Promise((resolve) => {
      const req = http.request(
        `${this.url}/v1/traces`,
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              retryAfter: res.headers['retry-after'] as string | undefined,
            }),
          );
          res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
      req.end(body);
    });
  }
}
