/**
 * A local stand-in for AWS Bedrock Runtime: Converse, ConverseStream, InvokeModel and
 * InvokeModelWithResponseStream, answering over cleartext HTTP/2 (h2c, what the AWS SDK's default handler
 * speaks to an http:// endpoint) or HTTP/1.1. Event streams are built with smithy's real encoder (CRCs and
 * all), chunk payloads carry a `p` padding key like Bedrock's, and InvokeModel responses carry the
 * x-amzn-bedrock-*-token-count headers. SigV4 signatures are not checked. Deterministic output. Plain
 * JavaScript so the demo can run it with node alone; types in bedrock.d.mts.
 *
 * The model id selects special behaviour: one containing `throttle` answers 429 ThrottlingException; one
 * containing `stream-error` sends a modelStreamErrorException after the first delta of a stream. InvokeModel
 * answers per model family: `anthropic.*` (Messages body), `amazon.titan-embed*` (inputTextTokenCount) and
 * `cohere.embed*` (no counts in the body: only the headers have them).
 */
import http2 from 'node:http2';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { listen, readBody, startServer } from './server.mjs';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const WORDS = ['Hello', ' from', ' Bedrock', '!'];
const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEF';
const REQUEST_ID = '5f3c1b2e-0000-4000-8000-standin00001';

/** Converse counts: inputTokens is the uncached part only. */
const CONVERSE_USAGE = Object.freeze({
  inputTokens: 12,
  outputTokens: WORDS.length,
  cacheReadInputTokens: 1024,
  cacheWriteInputTokens: 512,
});
/** Anthropic-on-Bedrock counts (Anthropic semantics). */
const ANTHROPIC_USAGE = Object.freeze({
  input_tokens: 30,
  cache_creation_input_tokens: 200,
  cache_read_input_tokens: 1000,
  output_tokens: WORDS.length,
});
const CLAUDE_MODEL = 'claude-sonnet-4-5-20250929';

function event(eventType, payload) {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify({ ...payload, p: PADDING.slice(0, 1 + (eventType.length % 20)) })),
  });
}

function exception(exceptionType, payload) {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'exception' },
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** An InvokeModelWithResponseStream chunk: model-native JSON, base64 in `bytes`. */
function chunk(native) {
  return event('chunk', { bytes: Buffer.from(JSON.stringify(native)).toString('base64') });
}

function converseStream(modelId) {
  const frames = [event('messageStart', { role: 'assistant' })];
  for (let i = 0; i < WORDS.length; i++) {
    frames.push(event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: WORDS[i] } }));
    if (i === 0 && modelId.includes('stream-error')) {
      frames.push(
        exception('modelStreamErrorException', {
          message: 'Model stream error (stand-in)',
          originalStatusCode: 500,
          originalMessage: 'boom',
        }),
      );
      return frames;
    }
  }
  frames.push(event('contentBlockStop', { contentBlockIndex: 0 }));
  frames.push(event('messageStop', { stopReason: 'end_turn' }));
  const u = CONVERSE_USAGE;
  frames.push(
    event('metadata', {
      usage: {
        ...u,
        totalTokens: u.inputTokens + u.outputTokens + u.cacheReadInputTokens + u.cacheWriteInputTokens,
      },
      metrics: { latencyMs: 321 },
    }),
  );
  return frames;
}

function anthropicStream() {
  const start = { ...ANTHROPIC_USAGE, output_tokens: 1 };
  const frames = [
    chunk({
      type: 'message_start',
      message: {
        id: 'msg_bdrk_standin',
        type: 'message',
        role: 'assistant',
        model: CLAUDE_MODEL,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: start,
      },
    }),
    chunk({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  ];
  for (const w of WORDS) {
    frames.push(chunk({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: w } }));
  }
  frames.push(chunk({ type: 'content_block_stop', index: 0 }));
  frames.push(
    chunk({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: ANTHROPIC_USAGE.output_tokens },
    }),
  );
  frames.push(
    chunk({
      type: 'message_stop',
      'amazon-bedrock-invocationMetrics': {
        inputTokenCount: ANTHROPIC_USAGE.input_tokens,
        outputTokenCount: ANTHROPIC_USAGE.output_tokens,
        invocationLatency: 400,
        firstByteLatency: 100,
        cacheReadInputTokenCount: ANTHROPIC_USAGE.cache_read_input_tokens,
        cacheWriteInputTokenCount: ANTHROPIC_USAGE.cache_creation_input_tokens,
      },
    }),
  );
  return frames;
}

function tokenHeaders(input, output, cacheRead, cacheWrite) {
  const h = { 'x-amzn-bedrock-input-token-count': String(input), 'x-amzn-bedrock-invocation-latency': '400' };
  if (output !== undefined) h['x-amzn-bedrock-output-token-count'] = String(output);
  if (cacheRead !== undefined) h['x-amzn-bedrock-cache-read-input-token-count'] = String(cacheRead);
  if (cacheWrite !== undefined) h['x-amzn-bedrock-cache-write-input-token-count'] = String(cacheWrite);
  return h;
}

function json(status, value, extra = {}) {
  return {
    status,
    headers: { 'content-type': 'application/json', ...extra },
    parts: [Buffer.from(JSON.stringify(value))],
  };
}

/** Builds the answer: { status, headers, parts } (parts are written one by one). */
function answer(method, path, rawBody) {
  const m = /\/model\/([^/]+)\/([a-z-]+)$/.exec(path);
  if (method !== 'POST' || !m)
    return json(404, { message: `no route ${path}` }, { 'x-amzn-errortype': 'UnknownOperationException' });
  const modelId = decodeURIComponent(m[1]);
  const action = m[2];
  let body = {};
  try {
    body = rawBody ? JSON.parse(rawBody) : {};
  } catch {
    body = {};
  }
  if (modelId.includes('throttle')) {
    return json(
      429,
      { message: 'Too many requests, please wait before trying again.' },
      { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/' },
    );
  }
  const eventstream = (frames) => ({
    status: 200,
    headers: { 'content-type': 'application/vnd.amazon.eventstream' },
    parts: frames,
  });
  switch (action) {
    case 'converse': {
      const u = CONVERSE_USAGE;
      return json(200, {
        output: { message: { role: 'assistant', content: [{ text: WORDS.join('') }] } },
        stopReason: 'end_turn',
        usage: {
          ...u,
          totalTokens: u.inputTokens + u.outputTokens + u.cacheReadInputTokens + u.cacheWriteInputTokens,
        },
        metrics: { latencyMs: 321 },
      });
    }
    case 'converse-stream':
      return eventstream(converseStream(modelId));
    case 'invoke': {
      const u = ANTHROPIC_USAGE;
      if (modelId.includes('titan-embed')) {
        return json(200, { embedding: [0.1, 0.2, 0.3], inputTextTokenCount: 5 }, tokenHeaders(5));
      }
      if (modelId.includes('cohere.embed')) {
        return json(
          200,
          {
            id: 'emb-standin',
            response_type: 'embeddings_floats',
            embeddings: [[0.1, 0.2]],
            texts: body.texts ?? [],
          },
          tokenHeaders(7),
        );
      }
      return json(
        200,
        {
          id: 'msg_bdrk_standin',
          type: 'message',
          role: 'assistant',
          model: CLAUDE_MODEL,
          content: [{ type: 'text', text: WORDS.join('') }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: u,
        },
        tokenHeaders(
          u.input_tokens,
          u.output_tokens,
          u.cache_read_input_tokens,
          u.cache_creation_input_tokens,
        ),
      );
    }
    case 'invoke-with-response-stream':
      return eventstream(anthropicStream());
    default:
      return json(404, { message: `no route ${path}` }, { 'x-amzn-errortype': 'UnknownOperationException' });
  }
}

function common(headers) {
  return { 'x-amzn-requestid': REQUEST_ID, ...headers };
}

/** Starts the stand-in; `protocol` 'h2c' (default, the AWS SDK's default handler) or 'http1'. */
export async function startBedrockStandin(options = {}) {
  const protocol = options.protocol ?? 'h2c';
  if (protocol === 'http1') {
    const standin = await startServer((req, res, body) => {
      const a = answer(req.method ?? 'GET', new URL(req.url ?? '/', 'http://standin').pathname, body);
      res.writeHead(a.status, common(a.headers));
      for (const part of a.parts) res.write(part);
      res.end();
    });
    return { ...standin, protocol };
  }
  const requests = [];
  const sessions = new Set();
  const server = http2.createServer();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    readBody(stream, (body) => {
      const method = String(headers[':method']);
      const url = String(headers[':path']);
      requests.push({ method, url, headers, body });
      const a = answer(method, new URL(url, 'http://standin').pathname, body);
      stream.respond({ ':status': a.status, ...common(a.headers) });
      for (const part of a.parts) stream.write(part);
      stream.end();
    });
    stream.on('error', () => {});
  });
  await listen(server);
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    protocol,
    requests,
    close: () =>
      new Promise((resolve) => {
        // HTTP/2 sessions stay open between requests; without this, close() would wait for them.
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The exact counts the stand-in reports, for assertions. */
export const BEDROCK_STANDIN = Object.freeze({
  text: WORDS.join(''),
  converseUsage: CONVERSE_USAGE,
  anthropicUsage: ANTHROPIC_USAGE,
  claudeModel: CLAUDE_MODEL,
  requestId: REQUEST_ID,
});
