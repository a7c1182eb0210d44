/**
 * A local stand-in for Anthropic's Messages API in its documented wire format: a `message` object, or named SSE
 * events (message_start with input and cache counts and the 5m/1h cache-write split, content_block_*, ping,
 * message_delta with cumulative usage, message_stop), error bodies, and rate-limit headers. It also answers the
 * same API as Vertex AI serves it (`…/publishers/anthropic/models/{model}:rawPredict|:streamRawPredict`) and
 * `/v1/messages/count_tokens`. Deterministic output so instrumented and uninstrumented runs compare equal.
 * Plain JavaScript so the demo can run it with node alone; types in anthropic.d.mts.
 *
 * Path prefixes switch behaviours: /slow (events 20 ms apart), /overloaded (HTTP 529 overloaded_error),
 * /cut (the stream ends cleanly before message_delta: no output count, no message_stop), /stream-error
 * (HTTP 200, then an `error` event after the first text delta).
 */
import { jsonBody, pathFlags, sseFrame, startServer, writeParts } from './server.mjs';

const WORDS = ['Hello', '!', ' How', ' can', ' I', ' help', '?'];
const THINKING = ['Let me', ' think', ' about', ' this.'];
const FLAGS = ['/slow', '/overloaded', '/cut', '/stream-error'];

/** Cache counts are fixed so tests can assert exact sums: input = 25 + 2000 + 300. */
const INPUT_TOKENS = 25;
const CACHE_READ = 2000;
const CACHE_WRITE_5M = 100;
const CACHE_WRITE_1H = 200;
const THINKING_TOKENS = 20;

function headers(contentType) {
  return {
    'content-type': contentType,
    'request-id': 'req_standin_1',
    'anthropic-ratelimit-requests-limit': '4000',
    'anthropic-ratelimit-requests-remaining': '3999',
    'anthropic-ratelimit-tokens-remaining': '1999000',
  };
}

/** The dated snapshot that "answers": Vertex ids (model@date) dash-joined, undated aliases get a fixed date. */
function responseModel(requested) {
  if (typeof requested !== 'string' || requested.length === 0) return 'claude-unknown';
  if (requested.includes('@')) return requested.replace('@', '-');
  return /-\d{8}$/.test(requested) ? requested : `${requested}-20261015`;
}

function inputUsage() {
  return {
    input_tokens: INPUT_TOKENS,
    cache_creation_input_tokens: CACHE_WRITE_5M + CACHE_WRITE_1H,
    cache_read_input_tokens: CACHE_READ,
    cache_creation: { ephemeral_5m_input_tokens: CACHE_WRITE_5M, ephemeral_1h_input_tokens: CACHE_WRITE_1H },
  };
}

function outputTokens(thinking) {
  return WORDS.length + (thinking ? THINKING_TOKENS : 0);
}

function finalUsage(thinking) {
  const usage = { ...inputUsage(), output_tokens: outputTokens(thinking), service_tier: 'standard' };
  if (thinking) usage.output_tokens_details = { thinking_tokens: THINKING_TOKENS };
  return usage;
}

function message(model, thinking) {
  const content = [];
  if (thinking) content.push({ type: 'thinking', thinking: THINKING.join(''), signature: 'sig_standin' });
  content.push({ type: 'text', text: WORDS.join('') });
  return {
    id: 'msg_standin_01',
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: finalUsage(thinking),
  };
}

function sse(name, data) {
  return sseFrame(data, name);
}

function streamEvents(model, thinking, flags) {
  const out = [];
  out.push(
    sse('message_start', {
      type: 'message_start',
      message: {
        id: 'msg_standin_01',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...inputUsage(), output_tokens: 1, service_tier: 'standard' },
      },
    }),
  );
  let index = 0;
  if (thinking) {
    out.push(
      sse('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      }),
    );
    for (const piece of THINKING) {
      out.push(
        sse('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'thinking_delta', thinking: piece },
        }),
      );
    }
    out.push(
      sse('content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'signature_delta', signature: 'sig_standin' },
      }),
    );
    out.push(sse('content_block_stop', { type: 'content_block_stop', index }));
    index++;
  }
  out.push(
    sse('content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'text', text: '' },
    }),
  );
  out.push(sse('ping', { type: 'ping' }));
  for (let i = 0; i < WORDS.length; i++) {
    out.push(
      sse('content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'text_delta', text: WORDS[i] },
      }),
    );
    if (i === 0 && flags.has('stream-error')) {
      out.push(
        sse('error', {
          type: 'error',
          error: { type: 'overloaded_error', message: 'Overloaded (stand-in)' },
        }),
      );
      return out;
    }
  }
  out.push(sse('content_block_stop', { type: 'content_block_stop', index }));
  if (flags.has('cut')) return out;
  out.push(
    sse('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: finalUsage(thinking),
    }),
  );
  out.push(sse('message_stop', { type: 'message_stop' }));
  return out;
}

/** Which operation a path asks for: { kind, model?, stream? } or undefined. */
function route(path) {
  if (path.endsWith('/v1/messages/count_tokens')) return { kind: 'count' };
  if (path.endsWith('/v1/messages')) return { kind: 'messages' };
  const vertex = /\/publishers\/anthropic\/models\/([^/:]+):(rawPredict|streamRawPredict)$/.exec(path);
  if (vertex) {
    return {
      kind: 'messages',
      model: decodeURIComponent(vertex[1]),
      stream: vertex[2] === 'streamRawPredict',
    };
  }
  return undefined;
}

async function respond(req, res, rawBody) {
  const { path, flags } = pathFlags(new URL(req.url ?? '/', 'http://standin').pathname, FLAGS);
  const body = jsonBody(rawBody);
  const r = req.method === 'POST' ? route(path) : undefined;
  if (r === undefined) {
    res.writeHead(404, headers('application/json'));
    res.end(
      JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `no route ${path}` } }),
    );
    return;
  }
  if (r.kind === 'count') {
    res.writeHead(200, headers('application/json'));
    res.end(JSON.stringify({ input_tokens: INPUT_TOKENS }));
    return;
  }
  if (flags.has('overloaded')) {
    res.writeHead(529, { ...headers('application/json'), 'x-should-retry': 'false' });
    res.end(
      JSON.stringify({
        type: 'error',
        error: { type: 'overloaded_error', message: 'Overloaded' },
        request_id: 'req_standin_1',
      }),
    );
    return;
  }
  const model = responseModel(r.model ?? body.model);
  const thinking = body.thinking?.type === 'enabled' || body.thinking?.type === 'adaptive';
  const stream = r.stream ?? body.stream === true;
  if (!stream) {
    res.writeHead(200, headers('application/json'));
    res.end(JSON.stringify(message(model, thinking)));
    return;
  }
  res.writeHead(200, { ...headers('text/event-stream; charset=utf-8'), 'cache-control': 'no-cache' });
  await writeParts(res, streamEvents(model, thinking, flags), { slow: flags.has('slow') });
}

export function startAnthropicStandin() {
  return startServer((req, res, body) => respond(req, res, body).catch(() => res.destroy()));
}

/** The exact counts the stand-in reports, for assertions. */
export const ANTHROPIC_STANDIN_USAGE = Object.freeze({
  inputTokens: INPUT_TOKENS,
  cacheReadInputTokens: CACHE_READ,
  cacheCreation5mInputTokens: CACHE_WRITE_5M,
  cacheCreation1hInputTokens: CACHE_WRITE_1H,
  outputTokens: WORDS.length,
  thinkingTokens: THINKING_TOKENS,
  text: WORDS.join(''),
});
