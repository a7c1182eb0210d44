/**
 * A local stand-in for Cohere's HTTP API in its documented wire format.
 * - v2 Chat (/v2/chat): JSON `{id, finish_reason, message, usage}` with no model field, or with `stream: true`
 *   SSE events (`event:` + `data:`) message-start, content-start, content-delta..., content-end, message-end
 *   (finish_reason and usage), then `data: [DONE]`.
 * - v2 Embed (/v2/embed): `{id, embeddings: {float: ...}, texts, meta: {billed_units}, response_type}`.
 * - v1 Chat (/v1/chat): JSON `{response_id, text, generation_id, finish_reason, meta}` or, streamed, JSON lines
 *   stream-start, text-generation..., stream-end (application/stream+json).
 * - v1 Embed (/v1/embed).
 * Usage: billed_units (what is billed) differs from tokens (which adds template tokens), and cached_tokens is set,
 * so a reader that takes the wrong field shows. Errors are `{"id", "message"}`. Deterministic output so
 * instrumented and uninstrumented runs can be compared. Plain JavaScript so the demo can run it with node alone;
 * types in cohere.d.mts.
 *
 * Path prefixes switch behaviours: /slow (stream chunks 20 ms apart), /hold (keep the connection open after the
 * last event until the client goes away), /ratelimited (429).
 */
import { jsonBody, pathFlags, sseFrame, startServer, writeParts } from './server.mjs';

const WORDS = ['Hello', ' from', ' Cohere', '!', ' How', ' can', ' I', ' help', '?'];
const BILLED_INPUT = 5;
const TEMPLATE_INPUT = 71;
const CACHED = 2;

function words(count) {
  return Array.from({ length: count }, (_, i) => WORDS[i % WORDS.length]);
}

function usageV2(outputTokens) {
  return {
    billed_units: { input_tokens: BILLED_INPUT, output_tokens: outputTokens },
    tokens: { input_tokens: TEMPLATE_INPUT, output_tokens: outputTokens + 1 },
    cached_tokens: CACHED,
  };
}

function metaV1(outputTokens) {
  return {
    api_version: { version: '1' },
    billed_units: { input_tokens: BILLED_INPUT, output_tokens: outputTokens },
    tokens: { input_tokens: TEMPLATE_INPUT, output_tokens: outputTokens + 1 },
  };
}

function sse(type, data) {
  return sseFrame({ type, ...data }, type);
}

function chatStreamV2(count, finishReason) {
  const out = [];
  out.push(
    sse('message-start', {
      id: 'c14c80c3-standin-v2',
      delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } },
    }),
  );
  out.push(sse('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } }));
  for (const word of words(count)) {
    out.push(sse('content-delta', { index: 0, delta: { message: { content: { text: word } } } }));
  }
  out.push(sse('content-end', { index: 0 }));
  out.push(sse('message-end', { delta: { finish_reason: finishReason, usage: usageV2(count) } }));
  out.push('data: [DONE]\n\n');
  return out;
}

function chatStreamV1(count, finishReason) {
  const line = (v) => `${JSON.stringify(v)}\n`;
  const out = [line({ is_finished: false, event_type: 'stream-start', generation_id: 'gen-standin-v1' })];
  for (const word of words(count)) {
    out.push(line({ is_finished: false, event_type: 'text-generation', text: word }));
  }
  out.push(
    line({
      is_finished: true,
      event_type: 'stream-end',
      finish_reason: finishReason,
      response: {
        response_id: 'resp-standin-v1',
        text: words(count).join(''),
        generation_id: 'gen-standin-v1',
        chat_history: [],
        finish_reason: finishReason,
        meta: metaV1(count),
      },
    }),
  );
  return out;
}

function embedding(dims) {
  return Array.from({ length: dims }, (_, i) => (i + 1) / 100);
}

function startCohereStandin() {
  return startServer(respond);
}

async function respond(req, res, rawBody) {
  const url = new URL(req.url ?? '/', 'http://standin');
  const { path, flags } = pathFlags(url.pathname, ['/slow', '/hold', '/ratelimited']);
  const body = jsonBody(rawBody);
  const json = (status, value) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  const stream = async (contentType, parts) => {
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
    await writeParts(res, parts, { slow: flags.has('slow'), hold: flags.has('hold') });
  };
  if (flags.has('ratelimited')) {
    json(429, {
      id: 'err-standin',
      message: 'You are using a Trial key, which is limited to 10 API calls / minute.',
    });
    return;
  }
  if (req.method !== 'POST') {
    json(404, { id: 'err-standin', message: `no route ${path}` });
    return;
  }
  const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : 0;
  const count = maxTokens > 0 ? Math.min(maxTokens, 50) : 4;
  const finishReason = maxTokens > 0 ? 'MAX_TOKENS' : 'COMPLETE';
  if (path === '/v2/chat') {
    if (body.stream === true) {
      await stream('text/event-stream', chatStreamV2(count, finishReason));
      return;
    }
    json(200, {
      id: 'c14c80c3-standin-v2',
      finish_reason: finishReason,
      message: { role: 'assistant', content: [{ type: 'text', text: words(count).join('') }] },
      usage: usageV2(count),
    });
    return;
  }
  if (path === '/v1/chat') {
    if (body.stream === true) {
      await stream('application/stream+json', chatStreamV1(count, finishReason));
      return;
    }
    json(200, {
      response_id: 'resp-standin-v1',
      text: words(count).join(''),
      generation_id: 'gen-standin-v1',
      chat_history: [],
      finish_reason: finishReason,
      meta: metaV1(count),
    });
    return;
  }
  if (path === '/v2/embed' || path === '/v1/embed') {
    const texts = Array.isArray(body.texts) ? body.texts : [];
    const dims = typeof body.output_dimension === 'number' ? Math.min(body.output_dimension, 8) : 4;
    const types = Array.isArray(body.embedding_types) ? body.embedding_types : undefined;
    const v2 = path === '/v2/embed';
    const byType = {};
    for (const t of types ?? ['float']) byType[t] = texts.map(() => embedding(dims));
    json(200, {
      id: `embed-standin-${v2 ? 'v2' : 'v1'}`,
      embeddings: v2 || types ? byType : texts.map(() => embedding(dims)),
      texts,
      meta: {
        api_version: { version: v2 ? '2' : '1' },
        billed_units: { input_tokens: 3 * texts.length },
      },
      response_type: v2 || types ? 'embeddings_by_type' : 'embeddings_floats',
    });
    return;
  }
  json(404, { id: 'err-standin', message: `no route ${path}` });
}

export { startCohereStandin };
