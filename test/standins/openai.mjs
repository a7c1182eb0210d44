/**
 * A local stand-in for OpenAI's HTTP API that speaks its documented wire format: Chat Completions (JSON and SSE,
 * with the usage chunk when stream_options.include_usage is set), Responses (JSON and named SSE events),
 * legacy Completions, Embeddings, errors with OpenAI's error body and rate-limit headers. Deterministic output so
 * instrumented and uninstrumented runs can be compared byte for byte. Plain JavaScript so the demo can run it with
 * node alone; types in openai.d.mts.
 *
 * Path prefixes switch behaviours: /gzip (compress when the client accepts it), /slow (chunks 20 ms apart),
 * /reset (destroy the socket mid-stream), /ratelimited (429), /broken (truncated JSON). An Azure-shaped path
 * /openai/deployments/{name}/... answers with a different "real" model name.
 */
import zlib from 'node:zlib';
import { jsonBody, pathFlags, sleep, sseFrame, startServer } from './server.mjs';

const CREATED = 1750000000;
const WORDS = ['Hello', ' there', '!', ' How', ' can', ' I', ' help', ' you', ' today', '?'];
function rateLimitHeaders() {
  return {
    'x-request-id': 'req_standin_1',
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-remaining-requests': '9999',
    'x-ratelimit-remaining-tokens': '1999000',
  };
}
function chatUsage(promptTokens, completionTokens) {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 4, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 2, audio_tokens: 0 },
  };
}
const sse = sseFrame;
function chatStream(model, includeUsage, count) {
  const id = 'chatcmpl-standin';
  const base = {
    id,
    object: 'chat.completion.chunk',
    created: CREATED,
    model,
    system_fingerprint: 'fp_standin',
  };
  const out = [];
  out.push(
    sse({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
  );
  for (let i = 0; i < count; i++) {
    const word = WORDS[i % WORDS.length];
    out.push(sse({ ...base, choices: [{ index: 0, delta: { content: word }, finish_reason: null }] }));
  }
  out.push(sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
  if (includeUsage) out.push(sse({ ...base, choices: [], usage: chatUsage(12, count) }));
  out.push(sse('[DONE]'));
  return out;
}
function responsesStream(model) {
  const response = {
    id: 'resp_standin',
    object: 'response',
    created_at: CREATED,
    model,
    status: 'in_progress',
  };
  const usage = {
    input_tokens: 20,
    input_tokens_details: { cached_tokens: 8 },
    output_tokens: 40,
    output_tokens_details: { reasoning_tokens: 32 },
    total_tokens: 60,
  };
  const events = [
    [
      'response.created',
      { type: 'response.created', sequence_number: 0, response: { ...response, usage: null } },
    ],
    ['response.in_progress', { type: 'response.in_progress', sequence_number: 1, response }],
    [
      'response.output_text.delta',
      {
        type: 'response.output_text.delta',
        sequence_number: 2,
        item_id: 'msg_1',
        output_index: 0,
        delta: 'Hi',
      },
    ],
    [
      'response.output_text.delta',
      {
        type: 'response.output_text.delta',
        sequence_number: 3,
        item_id: 'msg_1',
        output_index: 0,
        delta: '!',
      },
    ],
    [
      'response.completed',
      {
        type: 'response.completed',
        sequence_number: 4,
        response: {
          ...response,
          status: 'completed',
          output: [
            {
              type: 'message',
              id: 'msg_1',
              role: 'assistant',
              status: 'completed',
              content: [{ type: 'output_text', text: 'Hi!', annotations: [] }],
            },
          ],
          usage,
        },
      },
    ],
  ];
  return events.map(([name, data]) => sse(data, name));
}
function modelFor(path, requested) {
  if (path.includes('/openai/deployments/')) return 'gpt-4o-2024-11-20';
  if (requested === 'gpt-4o-mini') return 'gpt-4o-mini-2024-07-18';
  if (requested === 'gpt-4o') return 'gpt-4o-2024-08-06';
  return typeof requested === 'string' ? requested : 'unknown';
}
function startOpenAIStandin() {
  return startServer(respond);
}
async function respond(req, res, rawBody) {
  const url = new URL(req.url ?? '/', 'http://standin');
  const { path, flags } = pathFlags(url.pathname, ['/gzip', '/slow', '/reset', '/ratelimited', '/broken']);
  const body = jsonBody(rawBody);
  const model = modelFor(path, body.model);
  const gzip = flags.has('gzip') && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (flags.has('ratelimited')) {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1', ...rateLimitHeaders() });
    res.end(
      JSON.stringify({
        error: {
          message: 'Rate limit reached (stand-in)',
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
      }),
    );
    return;
  }
  if (flags.has('broken')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"id":"chatcmpl-broken","choices":[{"message":');
    return;
  }
  const send = async (status, contentType, parts) => {
    const headers = { 'content-type': contentType, ...rateLimitHeaders() };
    if (gzip) headers['content-encoding'] = 'gzip';
    res.writeHead(status, headers);
    const out = gzip ? zlib.createGzip({ flush: zlib.constants.Z_SYNC_FLUSH }) : res;
    if (gzip) out.pipe(res);
    for (let i = 0; i < parts.length; i++) {
      if (flags.has('reset') && i === Math.floor(parts.length / 2)) {
        // Let what was written reach the client first, so it sees a partial stream and then the reset.
        await sleep(30);
        res.socket?.destroy();
        return;
      }
      out.write(parts[i]);
      if (flags.has('slow')) await sleep(20);
    }
    out.end();
  };
  const stream = body.stream === true;
  const includeUsage = body.stream_options?.include_usage === true;
  if (req.method === 'POST' && path.endsWith('/chat/completions')) {
    const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : 10;
    const count = Math.min(Math.max(1, maxTokens), 5e3);
    if (stream) {
      await send(200, 'text/event-stream', chatStream(model, includeUsage, count));
      return;
    }
    const text = Array.from({ length: Math.min(count, 50) }, (_, i) => WORDS[i % WORDS.length]).join('');
    const json = {
      id: 'chatcmpl-standin',
      object: 'chat.completion',
      created: CREATED,
      model,
      choices: [
        { index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop' },
      ],
      usage: chatUsage(12, count),
      service_tier: 'default',
      system_fingerprint: 'fp_standin',
    };
    await send(200, 'application/json', [JSON.stringify(json)]);
    return;
  }
  if (req.method === 'POST' && path.endsWith('/responses')) {
    if (stream) {
      await send(200, 'text/event-stream', responsesStream(model));
      return;
    }
    const json = {
      id: 'resp_standin',
      object: 'response',
      created_at: CREATED,
      status: 'completed',
      model,
      output: [
        {
          type: 'message',
          id: 'msg_1',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Hi!', annotations: [] }],
        },
      ],
      usage: {
        input_tokens: 20,
        input_tokens_details: { cached_tokens: 8 },
        output_tokens: 40,
        output_tokens_details: { reasoning_tokens: 32 },
        total_tokens: 60,
      },
    };
    await send(200, 'application/json', [JSON.stringify(json)]);
    return;
  }
  if (req.method === 'POST' && path.endsWith('/completions')) {
    const json = {
      id: 'cmpl-standin',
      object: 'text_completion',
      created: CREATED,
      model,
      choices: [{ text: ' world', index: 0, logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 2, completion_tokens: 16, total_tokens: 18 },
    };
    await send(200, 'application/json', [JSON.stringify(json)]);
    return;
  }
  if (req.method === 'POST' && path.endsWith('/embeddings')) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const json = {
      object: 'list',
      data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [0.0123, -0.0456, 0.0789] })),
      model,
      usage: { prompt_tokens: 5 * inputs.length, total_tokens: 5 * inputs.length },
    };
    await send(200, 'application/json', [JSON.stringify(json)]);
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({ error: { message: `no route ${path}`, type: 'invalid_request_error', code: null } }),
  );
}

export { startOpenAIStandin };
