/**
 * Loopback servers the benchmark's child processes talk to. They run in the parent (orchestrator) process, so
 * a child's CPU time is the app's own cost, never the server's.
 *
 * - the OpenAI stand-in from the tests (registered as a provider host),
 * - a "bulk" provider (also registered) for what the stand-in does not produce: a 50 MB SSE chat stream, a
 *   stream paced one event per write, and full-size embeddings (1536 floats per input),
 * - a plain HTTP server that is NOT a provider host (non-model traffic),
 * - an OTLP/HTTP trace sink that answers like a collector and counts the spans it receives.
 */
import { once } from 'node:events';
import http from 'node:http';
import { startOpenAIStandin } from '../test/standins/openai.mjs';

const CREATED = 1750000000;

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function closeServer(server) {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

// --- OTLP/HTTP sink -------------------------------------------------------------------------------------

/** Reads a protobuf varint at `pos`; returns the value and sets `cursor.pos` past it. */
function varint(buf, cursor) {
  let result = 0;
  let scale = 1;
  for (;;) {
    const b = buf[cursor.pos++];
    if (b === undefined) throw new Error('truncated varint');
    result += (b & 0x7f) * scale;
    if (b < 0x80) return result;
    scale *= 128;
  }
}

/** Calls `onField(field, start, end)` for each length-delimited field of the message in buf[start, end). */
function eachLengthDelimited(buf, start, end, onField) {
  const cursor = { pos: start };
  while (cursor.pos < end) {
    const key = varint(buf, cursor);
    const wire = key & 7;
    if (wire === 0) varint(buf, cursor);
    else if (wire === 1) cursor.pos += 8;
    else if (wire === 5) cursor.pos += 4;
    else if (wire === 2) {
      const len = varint(buf, cursor);
      onField(Math.floor(key / 8), cursor.pos, cursor.pos + len);
      cursor.pos += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
}

/**
 * Counts spans in an OTLP ExportTraceServiceRequest without decoding them: resource_spans (1) → scope_spans (2)
 * → spans (2). Cheap enough that the sink does not compete with the app for CPU.
 */
export function countProtobufSpans(buf) {
  let spans = 0;
  eachLengthDelimited(buf, 0, buf.length, (f1, s1, e1) => {
    if (f1 !== 1) return;
    eachLengthDelimited(buf, s1, e1, (f2, s2, e2) => {
      if (f2 !== 2) return;
      eachLengthDelimited(buf, s2, e2, (f3) => {
        if (f3 === 2) spans++;
      });
    });
  });
  return spans;
}

function countJsonSpans(text) {
  let spans = 0;
  const body = JSON.parse(text);
  for (const rs of body.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
  return spans;
}

async function startOtlpSink() {
  const stats = { spans: 0, requests: 0, bytes: 0, errors: 0, active: 0 };
  const server = http.createServer(async (req, res) => {
    stats.active++;
    let body;
    try {
      body = await readBody(req);
    } catch {
      stats.active--;
      stats.errors++;
      return;
    }
    stats.active--;
    stats.requests++;
    stats.bytes += body.length;
    const json = String(req.headers['content-type'] ?? '').includes('json');
    try {
      stats.spans += json ? countJsonSpans(body.toString('utf8')) : countProtobufSpans(body);
    } catch {
      stats.errors++;
    }
    // An empty ExportTraceServiceResponse: full success.
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : undefined);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    stats,
    /** Zeroes the counters (not `active`: a request may still be in flight). */
    reset() {
      stats.spans = 0;
      stats.requests = 0;
      stats.bytes = 0;
      stats.errors = 0;
    },
    close: () => closeServer(server),
  };
}

// --- Bulk provider (registered as an OpenAI-compatible host) ---------------------------------------------

const CHUNK_BASE = {
  id: 'chatcmpl-bulk',
  object: 'chat.completion.chunk',
  created: CREATED,
  model: 'gpt-4o-mini-2024-07-18',
  system_fingerprint: 'fp_bulk',
};

function sseEvent(data) {
  return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

function contentEvent(word) {
  return sseEvent({ ...CHUNK_BASE, choices: [{ index: 0, delta: { content: word }, finish_reason: null }] });
}

function tailEvents(outputTokens) {
  return [
    sseEvent({ ...CHUNK_BASE, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
    sseEvent({
      ...CHUNK_BASE,
      choices: [],
      usage: { prompt_tokens: 12, completion_tokens: outputTokens, total_tokens: 12 + outputTokens },
    }),
    sseEvent('[DONE]'),
  ];
}

const ROLE_EVENT = sseEvent({
  ...CHUNK_BASE,
  choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
});

/** One ~64 KB block of content events, reused for every write of the big stream. */
const BIG_BLOCK = (() => {
  const words = [' alpha', ' beta', ' gamma', ' delta', ' epsilon', ' zeta', ' eta', ' theta'];
  let block = '';
  let events = 0;
  while (block.length < 64 * 1024) block += contentEvent(words[events++ % words.length]);
  return { bytes: Buffer.from(block), events };
})();

async function writeWithBackpressure(res, data) {
  if (!res.write(data)) await once(res, 'drain');
}

/** Streams at least `totalBytes` of chat.completion.chunk events, honouring backpressure. */
async function bigStream(res, totalBytes) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write(ROLE_EVENT);
  let sent = 0;
  let events = 0;
  while (sent < totalBytes) {
    await writeWithBackpressure(res, BIG_BLOCK.bytes);
    sent += BIG_BLOCK.bytes.length;
    events += BIG_BLOCK.events;
  }
  for (const e of tailEvents(events)) res.write(e);
  res.end();
}

/**
 * `count` content events, one per write, `intervalMs` apart (as tokens arrive from a model), so the client reads
 * each on its own whatever it costs to process: both variants see the same number of reads.
 */
async function pacedStream(res, count, intervalMs) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write(ROLE_EVENT);
  for (let i = 0; i < count; i++) {
    res.write(contentEvent(i % 2 ? ' word' : ' token'));
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  for (const e of tailEvents(count)) res.write(e);
  res.end();
}

const embeddingCache = new Map();

/** An embeddings response as OpenAI sends it for encoding_format "float": `inputs` vectors of `dims` floats. */
function embeddingsBody(inputs, dims) {
  const key = `${inputs}x${dims}`;
  let body = embeddingCache.get(key);
  if (body === undefined) {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const data = [];
    for (let index = 0; index < inputs; index++) {
      const embedding = [];
      for (let d = 0; d < dims; d++) embedding.push(Number((rnd() * 0.2 - 0.1).toFixed(9)));
      data.push({ object: 'embedding', index, embedding });
    }
    body = Buffer.from(
      JSON.stringify({
        object: 'list',
        data,
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 8 * inputs, total_tokens: 8 * inputs },
      }),
    );
    embeddingCache.set(key, body);
  }
  return body;
}

async function startBulkProvider() {
  const server = http.createServer(async (req, res) => {
    const raw = await readBody(req);
    let body = {};
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      body = {};
    }
    const path = new URL(req.url ?? '/', 'http://bulk').pathname;
    try {
      if (path === '/big/v1/chat/completions') {
        await bigStream(res, Number(body.bench_bytes ?? 50 * 1024 * 1024));
      } else if (path === '/paced/v1/chat/completions') {
        await pacedStream(
          res,
          typeof body.max_tokens === 'number' ? body.max_tokens : 50,
          Number(body.bench_interval_ms ?? 1),
        );
      } else if (path === '/v1/embeddings') {
        const inputs = Array.isArray(body.input) ? body.input.length : 1;
        const payload = embeddingsBody(inputs, Number(body.dimensions ?? 1536));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': payload.length });
        res.end(payload);
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"no route","type":"invalid_request_error"}}');
      }
    } catch {
      res.destroy();
    }
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, port, close: () => closeServer(server) };
}

// --- Plain (non-model) HTTP server ---------------------------------------------------------------------------

const PLAIN_BODY = Buffer.from(
  JSON.stringify({ id: 'order-1', status: 'shipped', items: [{ sku: 'A-1', qty: 2 }], total: 19.9 }),
);

async function startPlainServer() {
  const server = http.createServer(async (req, res) => {
    await readBody(req);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': PLAIN_BODY.length });
    res.end(PLAIN_BODY);
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, port, close: () => closeServer(server) };
}

export async function startServers() {
  const [standin, bulk, plain, sink] = await Promise.all([
    startOpenAIStandin(),
    startBulkProvider(),
    startPlainServer(),
    startOtlpSink(),
  ]);
  return {
    standin,
    bulk,
    plain,
    sink,
    /** AILEDGER_PROVIDER_HOSTS value: the stand-in and the bulk provider are OpenAI; the plain server is not. */
    providerHosts: `127.0.0.1:${standin.port}=openai,127.0.0.1:${bulk.port}=openai`,
    close: () => Promise.all([standin.close(), bulk.close(), plain.close(), sink.close()]),
  };
}
