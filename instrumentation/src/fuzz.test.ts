/**
 * Property-based fuzzing of the whole recording path, the way the taps drive it: `matchModelCall` →
 * `CallRecorder` (request body, response headers, body chunks as the network cuts them, gzip on the wire, then
 * EOF, a transport failure, a cancel or an idle timeout) → decoder (SSE, NDJSON, JSON array, AWS event stream,
 * whole JSON) → provider adapter → estimation → pricing → span attributes. Inputs are the documented fixtures of
 * every provider family, mutated byte by byte (flips, cuts, insertions, invalid UTF-8, huge numbers, deep
 * nesting), plus arbitrary JSON for every adapter method and adversarial bodies for every framing.
 *
 * Every run must: never throw to the caller (the tap, i.e. the app), end its one span in bounded time, need no
 * internal-error containment, leave nothing in flight, export only finite numbers and no credential, and keep
 * the exported attributes proportional to the input. A separate test streams hundreds of MiB through a recorder
 * and checks the heap stays flat while the call is still open.
 */
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import zlib from 'node:zlib';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CallRecorder, matchModelCall } from './call-recorder.js';
import { contentSettings } from './content/config.js';
import { newModelCall } from './model-call.js';
import { Pricer, priceInputFromCall } from './pricing/index.js';
import { adapterForFamily } from './providers/index.js';
import type { RequestFacts, StreamEvent } from './providers/types.js';
import { runtime } from './runtime.js';

const FAKE_KEY = 'sk-fuzz-FAKEKEY0123456789abcdefFAKE';
const FIXTURES = new URL('./providers/__fixtures__/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
const enc = new TextEncoder();

const codec = new EventStreamCodec(toUtf8, fromUtf8);
function frame(headers: Record<string, string>, payload: unknown): Uint8Array {
  const h: MessageHeaders = {};
  for (const [k, v] of Object.entries(headers)) h[k] = { type: 'string', value: v };
  return codec.encode({ headers: h, body: fromUtf8(JSON.stringify(payload)) });
}
function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
function converseStream(): Uint8Array {
  const events = JSON.parse(Buffer.from(fixture('bedrock/converse-stream.json')).toString()) as Array<
    [Record<string, string>, unknown]
  >;
  return concat(events.map(([h, p]) => frame(h, p)));
}
function invokeStream(name: string): Uint8Array {
  const chunks = JSON.parse(Buffer.from(fixture(`bedrock/${name}`)).toString()) as unknown[];
  const headers = { ':message-type': 'event', ':event-type': 'chunk', ':content-type': 'application/json' };
  return concat(
    chunks.map((c) => frame(headers, { bytes: Buffer.from(JSON.stringify(c)).toString('base64') })),
  );
}

/** One documented exchange of a provider family: where it goes, what is sent, what comes back. */
interface Scenario {
  name: string;
  host: string;
  port: number;
  path: string;
  query?: string;
  request: unknown;
  contentType: string;
  response: Uint8Array;
}

const CHAT = { messages: [{ role: 'user', content: 'Say hello' }] };
const SCENARIOS: Scenario[] = [
  {
    name: 'openai chat stream',
    host: 'api.openai.com',
    port: 443,
    path: '/v1/chat/completions',
    request: { model: 'gpt-4o', ...CHAT, stream: true, stream_options: { include_usage: true } },
    contentType: 'text/event-stream',
    response: fixture('openai/chat-stream-include-usage.sse'),
  },
  {
    name: 'openai chat',
    host: 'api.openai.com',
    port: 443,
    path: '/v1/chat/completions',
    request: { model: 'gpt-4o', ...CHAT },
    contentType: 'application/json',
    response: fixture('openai/chat-cached-reasoning.json'),
  },
  {
    name: 'openai responses stream',
    host: 'api.openai.com',
    port: 443,
    path: '/v1/responses',
    request: { model: 'gpt-4o', input: 'Say hello', stream: true },
    contentType: 'text/event-stream',
    response: fixture('openai/responses-stream.sse'),
  },
  {
    name: 'openai embeddings',
    host: 'api.openai.com',
    port: 443,
    path: '/v1/embeddings',
    request: { model: 'text-embedding-3-small', input: ['a', 'b'] },
    contentType: 'application/json',
    response: fixture('openai/embeddings.json'),
  },
  {
    name: 'anthropic stream',
    host: 'api.anthropic.com',
    port: 443,
    path: '/v1/messages',
    request: { model: 'claude-sonnet-4-5', max_tokens: 50, ...CHAT, stream: true },
    contentType: 'text/event-stream',
    response: fixture('anthropic/stream.sse'),
  },
  {
    name: 'anthropic message',
    host: 'api.anthropic.com',
    port: 443,
    path: '/v1/messages',
    request: { model: 'claude-sonnet-4-5', max_tokens: 50, ...CHAT },
    contentType: 'application/json',
    response: fixture('anthropic/message.json'),
  },
  {
    name: 'gemini sse',
    host: 'generativelanguage.googleapis.com',
    port: 443,
    path: '/v1beta/models/gemini-2.0-flash:streamGenerateContent',
    query: 'alt=sse',
    request: { contents: [{ role: 'user', parts: [{ text: 'Say hello' }] }] },
    contentType: 'text/event-stream',
    response: fixture('gemini/stream-cumulative.sse'),
  },
  {
    name: 'gemini json array',
    host: 'generativelanguage.googleapis.com',
    port: 443,
    path: '/v1beta/models/gemini-2.0-flash:streamGenerateContent',
    request: { contents: [{ role: 'user', parts: [{ text: 'Say hello' }] }] },
    contentType: 'application/json',
    response: fixture('gemini/stream-array.json'),
  },
  {
    name: 'gemini generateContent',
    host: 'generativelanguage.googleapis.com',
    port: 443,
    path: '/v1beta/models/gemini-2.0-flash:generateContent',
    request: { contents: [{ role: 'user', parts: [{ text: 'Say hello' }] }] },
    contentType: 'application/json',
    response: fixture('gemini/generate-content.json'),
  },
  {
    name: 'mistral stream',
    host: 'api.mistral.ai',
    port: 443,
    path: '/v1/chat/completions',
    request: { model: 'mistral-large-latest', ...CHAT, stream: true },
    contentType: 'text/event-stream',
    response: fixture('mistral/chat-stream.sse'),
  },
  {
    name: 'cohere v2 stream',
    host: 'api.cohere.com',
    port: 443,
    path: '/v2/chat',
    request: { model: 'command-a-03-2025', ...CHAT, stream: true },
    contentType: 'text/event-stream',
    response: fixture('cohere/chat-v2-stream.sse'),
  },
  {
    name: 'cohere v1 stream (JSON lines)',
    host: 'api.cohere.com',
    port: 443,
    path: '/v1/chat',
    request: { model: 'command-r-plus', message: 'Hi', stream: true },
    contentType: 'application/stream+json',
    response: fixture('cohere/chat-v1-stream.jsonl'),
  },
  {
    name: 'ollama chat stream',
    host: 'localhost',
    port: 11434,
    path: '/api/chat',
    request: { model: 'llama3.2', ...CHAT },
    contentType: 'application/x-ndjson',
    response: fixture('ollama/chat-stream.ndjson'),
  },
  {
    name: 'bedrock converse-stream',
    host: 'bedrock-runtime.us-east-1.amazonaws.com',
    port: 443,
    path: '/model/amazon.nova-pro-v1%3A0/converse-stream',
    request: { messages: [{ role: 'user', content: [{ text: 'Say hello' }] }] },
    contentType: 'application/vnd.amazon.eventstream',
    response: converseStream(),
  },
  {
    name: 'bedrock invoke-with-response-stream (Anthropic)',
    host: 'bedrock-runtime.us-east-1.amazonaws.com',
    port: 443,
    path: '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke-with-response-stream',
    request: { anthropic_version: 'bedrock-2023-05-31', max_tokens: 50, ...CHAT },
    contentType: 'application/vnd.amazon.eventstream',
    response: invokeStream('invoke-stream-anthropic.json'),
  },
  {
    name: 'bedrock converse',
    host: 'bedrock-runtime.us-east-1.amazonaws.com',
    port: 443,
    path: '/model/amazon.nova-pro-v1%3A0/converse',
    request: { messages: [{ role: 'user', content: [{ text: 'Say hello' }] }] },
    contentType: 'application/json',
    response: fixture('bedrock/converse.json'),
  },
];

function factsOf(s: Scenario): RequestFacts {
  return {
    method: 'POST',
    host: s.host,
    port: s.port,
    path: s.path,
    query: s.query ?? '',
    header: (name) => (name === 'authorization' ? `Bearer ${FAKE_KEY}` : undefined),
  };
}

// --- Mutations -------------------------------------------------------------------------------------------

const HUGE_NUMBERS = [
  '1e308',
  '-1e308',
  '1.7976931348623157e309',
  '123456789012345678901234567890',
  '-0',
  '9007199254740993',
  '4294967296',
  '-1',
  '0.000000000000000000001',
  '1e-400',
];

type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'number'; at: number; value: string }
  | { kind: 'nest'; at: number; depth: number }
  | { kind: 'invalid-utf8'; at: number; bytes: Uint8Array };

const position = fc.double({ min: 0, max: 1, noNaN: true });
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: position,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: position,
    length: fc.integer({ min: 1, max: 512 }),
  }),
  fc.record({ kind: fc.constant('number' as const), at: position, value: fc.constantFrom(...HUGE_NUMBERS) }),
  fc.record({ kind: fc.constant('nest' as const), at: position, depth: fc.integer({ min: 1, max: 5000 }) }),
  fc.record({
    kind: fc.constant('invalid-utf8' as const),
    at: position,
    bytes: fc.constantFrom(
      new Uint8Array([0xff]),
      new Uint8Array([0xc3]),
      new Uint8Array([0xed, 0xa0, 0x80]),
      new Uint8Array([0xf4, 0x90, 0x80, 0x80]),
      new Uint8Array([0xe2, 0x82]),
      new Uint8Array([0x00]),
    ),
  }),
);

/** Where to put a number so it replaces one: the next run of digits at or after `from`, if any. */
function digitsAt(bytes: Uint8Array, from: number): [number, number] | undefined {
  let i = from;
  while (i < bytes.length && !(bytes[i]! >= 0x30 && bytes[i]! <= 0x39)) i++;
  if (i >= bytes.length) return undefined;
  let j = i;
  while (j < bytes.length && ((bytes[j]! >= 0x30 && bytes[j]! <= 0x39) || bytes[j] === 0x2e)) j++;
  return [i, j];
}

function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let b = Buffer.from(input);
  for (const m of mutations) {
    const at = Math.floor(m.at * b.length);
    switch (m.kind) {
      case 'flip':
        if (b.length > 0) b[Math.min(at, b.length - 1)] = m.byte;
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
        break;
      case 'insert':
      case 'invalid-utf8':
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'duplicate':
        b = Buffer.concat([b.subarray(0, at + m.length), b.subarray(at)]);
        break;
      case 'number': {
        const span = digitsAt(b, at);
        if (span) b = Buffer.concat([b.subarray(0, span[0]), Buffer.from(m.value), b.subarray(span[1])]);
        break;
      }
      case 'nest':
        b = Buffer.concat([b.subarray(0, at), Buffer.from('['.repeat(m.depth)), b.subarray(at)]);
        break;
    }
  }
  return new Uint8Array(b);
}

// --- Driving a recorder -----------------------------------------------------------------------------------

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const pricer = new Pricer();
const saved = {
  tracer: runtime.tracer,
  price: runtime.price,
  idle: runtime.streamIdleTimeoutMs,
  content: runtime.content,
};
const CAPTURE = contentSettings({ captureMessageContent: true }, {}).settings;

beforeAll(() => {
  runtime.tracer = provider.getTracer('fuzz');
  runtime.price = (call) => pricer.price(priceInputFromCall(call));
});
afterAll(async () => {
  runtime.tracer = saved.tracer;
  runtime.price = saved.price;
  runtime.streamIdleTimeoutMs = saved.idle;
  runtime.content = saved.content;
  await provider.shutdown();
});
beforeEach(() => exporter.reset());

type Ending =
  | { kind: 'end' }
  | { kind: 'fail' | 'cancel' | 'abandon'; atChunk: number }
  | { kind: 'idle' /* the app never reads on: the idle timer ends the span */ };

interface Exchange {
  scenario: Scenario;
  request: string | Uint8Array | undefined;
  status: number;
  contentType: string;
  /** Body as the app would read it (decoded). */
  body: Uint8Array;
  wire: 'identity' | 'gzip' | 'gzip-corrupt';
  cuts: number[];
  ending: Ending;
  /** Content capture on (off is the default). */
  capture: boolean;
}

function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    const at = Math.min(c, bytes.length);
    out.push(bytes.slice(prev, at));
    prev = at;
  }
  out.push(bytes.slice(prev));
  return out;
}

const immediate = () => new Promise<void>((r) => setImmediate(r));

/** The ended spans of one recorder (exactly one is expected). */
function spansOf(recorder: CallRecorder): ReadableSpan[] {
  const id = recorder.span.spanContext().spanId;
  return exporter.getFinishedSpans().filter((s) => s.spanContext().spanId === id);
}

async function waitForEnd(recorder: CallRecorder, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (spansOf(recorder).length === 0) {
    if (Date.now() > deadline) throw new Error(`span not ended within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Runs one exchange through a recorder as a tap would and checks every promise. Returns the span and how long it
 * took to end after the last event.
 */
async function drive(x: Exchange, timeoutMs = 15_000): Promise<{ took: number; span: ReadableSpan }> {
  const errorsBefore = runtime.internalErrors;
  const facts = factsOf(x.scenario);
  const match = matchModelCall(facts.host, facts.port, () => facts);
  expect(match, x.scenario.name).toBeDefined();
  // Every call below is what a tap does; none may throw.
  runtime.content = x.capture ? CAPTURE : saved.content;
  const rec = CallRecorder.start(match!, facts);
  expect(rec).toBeDefined();
  const recorder = rec!;
  if (x.request !== undefined) recorder.setRequestBody(x.request);
  let wireBody = x.body;
  if (x.wire !== 'identity') {
    wireBody = new Uint8Array(zlib.gzipSync(x.body));
    if (x.wire === 'gzip-corrupt' && wireBody.length > 12) {
      wireBody[10] = wireBody[10]! ^ 0xff;
      wireBody[Math.floor(wireBody.length / 2)] = wireBody[Math.floor(wireBody.length / 2)]! ^ 0x5a;
    }
  }
  const headers: Record<string, string> = { 'content-type': x.contentType, 'x-request-id': 'req_fuzz' };
  // The idle timer is armed with the response headers: the app will stop reading and never cancel.
  if (x.ending.kind === 'idle') runtime.streamIdleTimeoutMs = 20;
  recorder.responseStarted(x.status, (n) => headers[n], x.wire === 'identity' ? undefined : 'gzip');
  const chunks = splitAt(wireBody, x.cuts);
  let ended = false;
  for (let i = 0; i < chunks.length && !ended; i++) {
    if (x.ending.kind !== 'end' && x.ending.kind !== 'idle' && x.ending.atChunk === i) {
      if (x.ending.kind === 'fail') {
        recorder.fail(Object.assign(new TypeError('terminated'), { cause: { code: 'ECONNRESET' } }));
      } else if (x.ending.kind === 'cancel') recorder.cancelled();
      else recorder.abandon('abandoned');
      ended = true;
      break;
    }
    recorder.chunk(chunks[i]!);
    if (i % 3 === 0) await immediate();
  }
  if (!ended && x.ending.kind !== 'idle') recorder.end();
  const t0 = performance.now();
  try {
    await waitForEnd(recorder, timeoutMs);
  } finally {
    runtime.streamIdleTimeoutMs = saved.idle;
    runtime.content = saved.content;
  }
  const took = performance.now() - t0;
  // Late events (chunks after the end, a second end) are ignored, never thrown.
  recorder.chunk(new Uint8Array([1, 2, 3]));
  recorder.end();
  recorder.fail(new Error('late'));
  await immediate();

  const spans = spansOf(recorder);
  expect(spans).toHaveLength(1);
  expect(runtime.internalErrors, `${x.scenario.name}: no internal error was needed`).toBe(errorsBefore);
  expect(runtime.inFlight.has(recorder)).toBe(false);
  const attrs = spans[0]!.attributes;
  const dump = JSON.stringify({ name: spans[0]!.name, attrs, status: spans[0]!.status });
  expect(dump).not.toContain(FAKE_KEY);
  expect(dump).not.toContain('Bearer');
  for (const [key, value] of Object.entries(attrs)) {
    if (typeof value === 'number') expect(Number.isFinite(value), `${key}=${value}`).toBe(true);
    if (key.startsWith('gen_ai.usage.') || key.startsWith('ailedger.cost.')) {
      expect(typeof value === 'number' && value >= 0, `${key}=${String(value)}`).toBe(true);
    }
  }
  for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions']) {
    const value = attrs[key];
    // Capture off: nothing of the bodies is exported beyond short fields. On: valid JSON within the limit.
    if (!x.capture) expect(value).toBeUndefined();
    else if (value !== undefined) {
      expect(typeof value).toBe('string');
      expect(Buffer.byteLength(value as string)).toBeLessThanOrEqual(CAPTURE.maxBytes);
      expect(() => JSON.parse(value as string)).not.toThrow();
    }
  }
  const requestBytes =
    typeof x.request === 'string' ? Buffer.byteLength(x.request) : (x.request?.length ?? 0);
  expect(dump.length).toBeLessThanOrEqual(6 * (requestBytes + x.body.length) + 8192);
  return { took, span: spans[0]! };
}

const scenarioArb = fc.constantFrom(...SCENARIOS);

function exchangeArb(options: { statuses?: number[] } = {}): fc.Arbitrary<Exchange> {
  return scenarioArb.chain((scenario) =>
    fc
      .record({
        mutations: fc.array(mutationArb, { maxLength: 4 }),
        request: fc.oneof(
          { weight: 4, arbitrary: fc.constant(JSON.stringify(scenario.request)) },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v) ?? 'null') },
          {
            weight: 2,
            arbitrary: fc
              .array(mutationArb, { minLength: 1, maxLength: 3 })
              .map((ms) => mutate(enc.encode(JSON.stringify(scenario.request)), ms)),
          },
          { weight: 1, arbitrary: fc.constant(undefined) },
        ),
        status: fc.constantFrom(...(options.statuses ?? [200, 200, 200, 200, 200, 400, 429, 500, 503])),
        contentType: fc.oneof(
          { weight: 6, arbitrary: fc.constant(scenario.contentType) },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              'text/event-stream',
              'application/json',
              'application/x-ndjson',
              'application/vnd.amazon.eventstream',
              'text/html',
              '',
            ),
          },
        ),
        wire: fc.constantFrom('identity', 'identity', 'identity', 'gzip', 'gzip-corrupt') as fc.Arbitrary<
          Exchange['wire']
        >,
        cutCount: fc.integer({ min: 0, max: 12 }),
        cutSeed: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
        ending: fc.oneof(
          { weight: 6, arbitrary: fc.constant<Ending>({ kind: 'end' }) },
          {
            weight: 3,
            arbitrary: fc.record({
              kind: fc.constantFrom('fail', 'cancel', 'abandon') as fc.Arbitrary<
                'fail' | 'cancel' | 'abandon'
              >,
              atChunk: fc.integer({ min: 0, max: 12 }),
            }),
          },
          { weight: 1, arbitrary: fc.constant<Ending>({ kind: 'idle' }) },
        ),
        capture: fc.boolean(),
      })
      .map((r) => {
        const body = mutate(scenario.response, r.mutations);
        const length = r.wire === 'identity' ? body.length : body.length + 64;
        return {
          scenario,
          request: r.request,
          status: r.status,
          contentType: r.contentType,
          body,
          wire: r.wire,
          cuts: r.cutSeed.slice(0, r.cutCount).map((p) => Math.floor(p * length)),
          ending: r.ending,
          capture: r.capture,
        };
      }),
  );
}

const RUNS = process.env.RELIABILITY_LONG === '1' ? 20_000 : 1_000;

describe('the recorder on mutated provider traffic', () => {
  it('unmutated fixtures of every family are recorded with usage, and content when captured (the seeds)', async () => {
    for (const scenario of SCENARIOS) {
      const { span } = await drive({
        scenario,
        request: JSON.stringify(scenario.request),
        status: 200,
        contentType: scenario.contentType,
        body: scenario.response,
        wire: 'identity',
        cuts: [],
        ending: { kind: 'end' },
        capture: false,
      });
      const usage = Object.keys(span.attributes).filter((k) => k.startsWith('gen_ai.usage.'));
      expect(usage.length, scenario.name).toBeGreaterThan(0);
      expect(span.status.code, scenario.name).not.toBe(2);
      const captured = await drive({
        scenario,
        request: JSON.stringify(scenario.request),
        status: 200,
        contentType: scenario.contentType,
        body: scenario.response,
        wire: 'identity',
        cuts: [],
        ending: { kind: 'end' },
        capture: true,
      });
      expect(captured.span.attributes['gen_ai.input.messages'], scenario.name).toBeDefined();
    }
  });

  it('mutated exchanges of every family: never throw, end one span promptly, finite non-negative numbers, no key', async () => {
    let slowest = 0;
    await fc.assert(
      fc.asyncProperty(exchangeArb(), async (x) => {
        const { took } = await drive(x);
        if (x.ending.kind !== 'idle') slowest = Math.max(slowest, took);
      }),
      { numRuns: RUNS },
    );
    // "Promptly": from the last event to the ended span, including estimation and pricing.
    expect(slowest).toBeLessThan(5_000);
  }, 300_000);

  it('error statuses with mutated bodies: ERROR status and an error.type on every span', async () => {
    await fc.assert(
      fc.asyncProperty(exchangeArb({ statuses: [400, 401, 404, 429, 500, 502, 503, 529] }), async (x) => {
        const { span } = await drive(x);
        expect(span.status.code).toBe(2);
        expect(String(span.attributes['error.type'] ?? '')).not.toBe('');
      }),
      { numRuns: Math.round(RUNS / 4) },
    );
  }, 300_000);
});

describe('adversarial bodies: linear time, bounded memory', () => {
  const MiB = 1024 * 1024;
  const scenario = (name: string) => SCENARIOS.find((s) => s.name === name)!;
  const repeat = (text: string, bytes: number) => enc.encode(text.repeat(Math.ceil(bytes / text.length)));
  const cases: Array<[string, Scenario, string, Uint8Array]> = [
    [
      'SSE: 16 MiB of line endings',
      scenario('openai chat stream'),
      'text/event-stream',
      repeat('\r', 16 * MiB),
    ],
    [
      'SSE: one 16 MiB event that never ends',
      scenario('anthropic stream'),
      'text/event-stream',
      concat([enc.encode('data: '), repeat('x', 16 * MiB)]),
    ],
    [
      'SSE: 16 MiB of comment lines',
      scenario('mistral stream'),
      'text/event-stream',
      repeat(': keep-alive\n', 16 * MiB),
    ],
    [
      'JSON array: 8 MiB of [ nesting',
      scenario('gemini json array'),
      'application/json',
      concat([enc.encode('['), repeat('[', 8 * MiB)]),
    ],
    [
      'JSON array: a string of 16 MiB backslashes',
      scenario('gemini json array'),
      'application/json',
      concat([enc.encode('[{"a":"'), repeat('\\', 16 * MiB)]),
    ],
    [
      'NDJSON: one 16 MiB line',
      scenario('ollama chat stream'),
      'application/x-ndjson',
      repeat('{"a":[', 16 * MiB),
    ],
    [
      'NDJSON: 16 MiB of newlines',
      scenario('ollama chat stream'),
      'application/x-ndjson',
      repeat('\n', 16 * MiB),
    ],
    [
      'AWS event stream: a prelude claiming 4 GiB, then 8 MiB',
      scenario('bedrock converse-stream'),
      'application/vnd.amazon.eventstream',
      concat([new Uint8Array([0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0, 0, 0, 0, 0]), new Uint8Array(8 * MiB)]),
    ],
    ['whole JSON: 8 MiB of [ nesting', scenario('openai chat'), 'application/json', repeat('[', 8 * MiB)],
    [
      'whole JSON: 40 MiB (over the 32 MiB parse cap)',
      scenario('anthropic message'),
      'application/json',
      concat([enc.encode('{"usage":{"input_tokens":1},"pad":"'), repeat('y', 40 * MiB), enc.encode('"}')]),
    ],
  ];
  it.each(cases)(
    '%s: the span ends, no internal error, in under 10 s',
    async (_name, s, contentType, body) => {
      const started = performance.now();
      const cuts = Array.from({ length: 64 }, (_, i) => Math.floor((i + 1) * (body.length / 65)));
      await drive(
        {
          scenario: s,
          request: JSON.stringify(s.request),
          status: 200,
          contentType,
          body,
          wire: 'identity',
          cuts,
          ending: { kind: 'end' },
          capture: false,
        },
        15_000,
      );
      // Linear in the input: the slowest (8 MiB of nesting given to JSON.parse) takes about 2.5 s on one core.
      expect(performance.now() - started).toBeLessThan(10_000);
    },
  );

  it('a request body of 1 MiB nesting: parsed or skipped, never an internal error', async () => {
    const s = scenario('openai chat');
    await drive({
      scenario: s,
      request: `{"model":"gpt-4o","messages":${'['.repeat(MiB)}`,
      status: 200,
      contentType: 'application/json',
      body: s.response,
      wire: 'identity',
      cuts: [],
      ending: { kind: 'end' },
      capture: true,
    });
    await drive({
      scenario: s,
      request: `{"model":"gpt-4o","messages":[{"role":"user","content":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`,
      status: 200,
      contentType: 'application/json',
      body: s.response,
      wire: 'identity',
      cuts: [],
      ending: { kind: 'end' },
      capture: true,
    });
  });

  // Forced GC, so heap figures measure what is retained rather than garbage not yet collected.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const retained = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };

  it.each([
    // Streams: the estimation text (capped at 1 Mi characters) and at most one event in the decoder.
    ['an SSE stream (OpenAI chunks) of 256 MiB', 16, 'openai chat stream', 'text/event-stream', 256],
    ['a JSON-lines stream (Ollama lines) of 256 MiB', 16, 'ollama chat stream', 'application/x-ndjson', 256],
    // A whole body is kept for JSON.parse at the end, up to its 32 MiB cap; the rest only passes through.
    ['a whole JSON body of 128 MiB', 40, 'openai chat', 'application/json', 128],
  ] as const)(
    '%s: what the open call retains stays under %i MiB',
    async (_n, boundMiB, name, contentType, mib) => {
      const s = scenario(name);
      const facts = factsOf(s);
      const recorder = CallRecorder.start(matchModelCall(facts.host, facts.port, () => facts)!, facts)!;
      recorder.setRequestBody(JSON.stringify(s.request));
      recorder.responseStarted(200, (n) => (n === 'content-type' ? contentType : undefined));
      const piece =
        contentType === 'text/event-stream'
          ? `data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"${'word '.repeat(20)}"}}]}\n\n`
          : contentType === 'application/x-ndjson'
            ? `{"model":"llama3.2","message":{"role":"assistant","content":"${'word '.repeat(20)}"},"done":false}\n`
            : `${'x'.repeat(200)}`;
      const chunkText = piece.repeat(Math.ceil((64 * 1024) / piece.length));
      const template = Buffer.from(chunkText);
      const chunks = Math.ceil((mib * MiB) / template.length);
      const baseline = retained();
      let peak = 0;
      for (let i = 0; i < chunks; i++) {
        // A fresh buffer each time, as the network delivers: the recorder may keep a reference, the test cannot.
        recorder.chunk(new Uint8Array(template));
        await immediate();
        if (i % Math.floor(chunks / 8) === 0) peak = Math.max(peak, retained() - baseline);
      }
      peak = Math.max(peak, retained() - baseline);
      expect(runtime.inFlight.has(recorder)).toBe(true); // still open: this is what a long stream holds
      recorder.end();
      await waitForEnd(recorder, 10_000);
      expect(peak).toBeLessThan(boundMiB * MiB);
      const [span] = spansOf(recorder);
      if (contentType !== 'application/json') {
        // The estimation text is capped (1 Mi characters), so the estimate is bounded too.
        expect(span!.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      }
    },
    120_000,
  );
});

describe('every adapter, every entry point, arbitrary values', () => {
  const families = ['anthropic', 'bedrock', 'cohere', 'gemini', 'mistral', 'ollama', 'openai'];
  const paths: Record<string, string[]> = {
    anthropic: ['/v1/messages'],
    bedrock: [
      '/model/amazon.nova-pro-v1%3A0/converse',
      '/model/amazon.nova-pro-v1%3A0/converse-stream',
      '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke',
      '/model/meta.llama3-70b-instruct-v1%3A0/invoke-with-response-stream',
    ],
    cohere: ['/v2/chat', '/v1/chat', '/v2/embed', '/v1/embed'],
    gemini: [
      '/v1beta/models/gemini-2.0-flash:generateContent',
      '/v1beta/models/gemini-2.0-flash:streamGenerateContent',
      '/v1beta/models/text-embedding-004:batchEmbedContents',
    ],
    mistral: ['/v1/chat/completions', '/v1/fim/completions', '/v1/embeddings'],
    ollama: ['/api/chat', '/api/generate', '/api/embed'],
    openai: ['/v1/chat/completions', '/v1/responses', '/v1/completions', '/v1/embeddings'],
  };
  // JSON with the extremes adapters must survive: huge and negative numbers, long strings, deep nesting.
  const wild = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(1e308, -1e308, -1, 0, 2 ** 53 + 1, 0.5, Number.MAX_VALUE, null, true, '', '[DONE]'),
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(
        fc.constantFrom(
          'usage',
          'choices',
          'delta',
          'message',
          'content',
          'index',
          'type',
          'model',
          'error',
          'candidates',
          'usageMetadata',
          'done',
          'input_tokens',
          'output_tokens',
          'prompt_tokens',
          'completion_tokens',
          'finish_reason',
          'stop_reason',
          'response',
          'parts',
          'text',
          'metadata',
          'inputTokens',
          'outputTokens',
          'stream',
          'messages',
          'id',
        ),
        tie('value'),
        { maxKeys: 6 },
      ),
    ),
  })).value;
  const eventArb: fc.Arbitrary<StreamEvent> = fc.oneof(
    fc.record({
      kind: fc.constant('sse' as const),
      event: fc.option(
        fc.constantFrom(
          'message_start',
          'message_delta',
          'message_stop',
          'response.completed',
          'error',
          'message-end',
          'content-delta',
        ),
        { nil: undefined },
      ),
      data: fc.oneof(
        wild.map((v) => JSON.stringify(v) ?? ''),
        fc.string(),
      ),
    }),
    fc.record({ kind: fc.constant('json' as const), value: wild }),
    fc.record({
      kind: fc.constant('aws-eventstream' as const),
      headers: fc.dictionary(
        fc.constantFrom(':message-type', ':event-type', ':exception-type', ':content-type', ':error-code'),
        fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.constantFrom('event', 'exception', 'chunk', 'metadata', 'messageStop'),
          fc.integer(),
          fc.boolean(),
        ),
      ),
      payload: fc.oneof(
        wild.map((v) => enc.encode(JSON.stringify(v) ?? '')),
        wild.map((v) =>
          enc.encode(JSON.stringify({ bytes: Buffer.from(JSON.stringify(v) ?? '').toString('base64') })),
        ),
        fc.uint8Array({ maxLength: 64 }),
      ),
    }),
  );

  it.each(families)('%s: classify, request, headers, framing, body and events never throw', (family) => {
    const adapter = adapterForFamily(family)!;
    fc.assert(
      fc.property(
        fc.constantFrom(...paths[family]!),
        wild,
        wild,
        fc.array(eventArb, { maxLength: 8 }),
        fc.constantFrom(200, 400, 429, 500),
        fc.option(fc.string(), { nil: undefined }),
        (path, request, response, events, status, contentType) => {
          const facts: RequestFacts = {
            method: 'POST',
            host: 'h',
            port: 443,
            path,
            query: '',
            header: () => undefined,
          };
          const c = adapter.classify(facts, family);
          const call = newModelCall({
            provider: family,
            operation: c?.operation ?? 'chat',
            serverAddress: 'h',
            serverPort: 443,
            startTimeMs: 0,
          });
          if (c?.modelFromPath !== undefined) call.request.model = c.modelFromPath;
          if (c?.streamFromPath !== undefined) call.request.stream = c.streamFromPath;
          adapter.onRequestBody(call, request);
          call.httpStatus = status;
          adapter.onResponseHeaders?.(call, (n) => (n.startsWith('x-amzn-bedrock-') ? '12' : undefined));
          adapter.framing(call, contentType);
          adapter.onResponseBody(call, response);
          for (const e of events) adapter.onStreamEvent(call, e);
          for (const n of [call.usage?.inputTokens, call.usage?.outputTokens]) {
            if (n !== undefined) expect(n).toBeGreaterThanOrEqual(0);
          }
          // Classifying arbitrary paths never throws either.
          adapter.classify({ ...facts, path: `/${(JSON.stringify(request) ?? '').slice(0, 40)}` }, family);
        },
      ),
      { numRuns: 400 },
    );
  });
});
