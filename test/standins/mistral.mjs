/**
 * A local stand-in for Mistral's HTTP API in its documented wire format: Chat Completions, FIM completions and
 * Agents completions (JSON and SSE; streams carry usage on the final chunk without any opt-in, each chunk has a
 * random-looking padding field `p`, and `data: [DONE]` ends the stream) and Embeddings. Errors use Mistral's
 * `{"object":"error",...}` body, and 422 validation errors `{"detail":[...]}`. Deterministic output so instrumented
 * and uninstrumented runs can be compared. Plain JavaScript so the demo can run it with node alone; types in
 * mistral.d.mts.
 *
 * Cache hits are reported under the three spellings seen on the wire: prompt_tokens_details.cached_tokens (chat),
 * num_cached_tokens (FIM) and the misspelled prompt_token_details.cached_tokens (agents).
 *
 * Path prefixes switch behaviours: /slow (stream chunks 20 ms apart), /hold (keep the connection open after
 * [DONE] until the client goes away), /ratelimited (429), /invalid (422 validation error).
 */
import { jsonBody, pathFlags, sseFrame, startServer, writeParts } from './server.mjs';

const CREATED = 1750000000;
const WORDS = ['Bonjour', ' le', ' monde', '!', ' Comment', ' puis', '-je', ' aider', ' aujourd', "'hui ?"];
const PROMPT_TOKENS = 12;
const CACHED_TOKENS = 4;
const PADDING = 'abcdefghijklmnopqrstuvwxyz';

/** "mistral-small-latest" resolves to a dated model, as the real API answers. */
function modelFor(requested) {
  if (requested === 'mistral-small-latest') return 'mistral-small-2506';
  if (requested === 'codestral-latest') return 'codestral-2508';
  if (requested === 'mistral-embed') return 'mistral-embed';
  return typeof requested === 'string' ? requested : 'mistral-medium-2508';
}

function usage(kind, completionTokens) {
  const base = {
    prompt_tokens: PROMPT_TOKENS,
    completion_tokens: completionTokens,
    total_tokens: PROMPT_TOKENS + completionTokens,
  };
  if (kind === 'fim') return { ...base, num_cached_tokens: CACHED_TOKENS };
  if (kind === 'agents') return { ...base, prompt_token_details: { cached_tokens: CACHED_TOKENS } };
  return { ...base, prompt_tokens_details: { cached_tokens: CACHED_TOKENS } };
}

function words(count) {
  return Array.from({ length: count }, (_, i) => WORDS[i % WORDS.length]);
}

function completionStream(kind, model, count, finishReason) {
  const base = { id: `cmpl-standin-${kind}`, object: 'chat.completion.chunk', created: CREATED, model };
  const out = [];
  out.push(
    sseFrame({
      ...base,
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
      p: PADDING.slice(0, 7),
    }),
  );
  const pieces = words(count);
  for (let i = 0; i < pieces.length; i++) {
    const last = i === pieces.length - 1;
    const chunk = {
      ...base,
      choices: [{ index: 0, delta: { content: pieces[i] }, finish_reason: last ? finishReason : null }],
      p: PADDING.slice(0, 3 + (i % 9)),
    };
    // Usage rides on the final chunk (the one with finish_reason); no include_usage needed.
    if (last) chunk.usage = usage(kind, count);
    out.push(sseFrame(chunk));
  }
  out.push(sseFrame('[DONE]'));
  return out;
}

function startMistralStandin() {
  return startServer(respond);
}

async function respond(req, res, rawBody) {
  const url = new URL(req.url ?? '/', 'http://standin');
  const { path, flags } = pathFlags(url.pathname, ['/slow', '/hold', '/ratelimited', '/invalid']);
  const body = jsonBody(rawBody);
  const json = (status, value) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  if (flags.has('ratelimited')) {
    json(429, {
      object: 'error',
      message: 'Requests rate limit exceeded',
      type: 'rate_limited',
      param: null,
      code: '1300',
    });
    return;
  }
  if (flags.has('invalid')) {
    json(422, {
      detail: [
        {
          type: 'missing',
          loc: ['body', 'messages'],
          msg: 'Field required',
          input: {},
        },
      ],
    });
    return;
  }
  const stream = async (parts) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    // /hold: the generation is over but the connection stays open; only the client's cancel ends it.
    await writeParts(res, parts, { slow: flags.has('slow'), hold: flags.has('hold') });
  };
  if (req.method !== 'POST') {
    json(404, { object: 'error', message: `no route ${path}`, type: 'not_found', param: null, code: null });
    return;
  }
  const model = modelFor(body.model ?? (body.agent_id ? 'mistral-medium-2508' : undefined));
  const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : 0;
  const count = maxTokens > 0 ? Math.min(maxTokens, 50) : 6;
  let kind;
  if (path.endsWith('/fim/completions')) kind = 'fim';
  else if (path.endsWith('/agents/completions')) kind = 'agents';
  else if (path.endsWith('/chat/completions')) kind = 'chat';
  if (kind !== undefined) {
    // FIM stops at max_tokens; chat reports the documented model_length when max_tokens is exactly 42.
    let finishReason = 'stop';
    if (kind === 'fim' && maxTokens > 0) finishReason = 'length';
    if (maxTokens === 42) finishReason = 'model_length';
    if (body.stream === true) {
      await stream(completionStream(kind, model, count, finishReason));
      return;
    }
    json(200, {
      id: `cmpl-standin-${kind}`,
      object: 'chat.completion',
      created: CREATED,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: words(count).join(''), tool_calls: null, prefix: false },
          finish_reason: finishReason,
        },
      ],
      usage: usage(kind, count),
    });
    return;
  }
  if (path.endsWith('/embeddings')) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const dims = typeof body.output_dimension === 'number' ? Math.min(body.output_dimension, 8) : 4;
    json(200, {
      id: 'embd-standin',
      object: 'list',
      model,
      data: inputs.map((_, index) => ({
        object: 'embedding',
        index,
        embedding: Array.from({ length: dims }, (_, i) => (i + 1) / 100),
      })),
      usage: { prompt_tokens: 7 * inputs.length, total_tokens: 7 * inputs.length, completion_tokens: 0 },
    });
    return;
  }
  json(404, { object: 'error', message: `no route ${path}`, type: 'not_found', param: null, code: null });
}

export { startMistralStandin };
