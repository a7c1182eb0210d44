/**
 * A local stand-in for Ollama's native HTTP API in its documented wire format: /api/chat and /api/generate
 * (streamed by default when the body has no `"stream": false`: JSON lines, application/x-ndjson, partial objects
 * with done:false and a last line with done:true, done_reason and the counts; or one JSON object), /api/embed
 * (with prompt_eval_count) and the legacy /api/embeddings (no counts). Errors are `{"error": "..."}`.
 * Deterministic output (fixed created_at and durations) so instrumented and uninstrumented runs can be compared.
 * Plain JavaScript so the demo can run it with node alone; types in ollama.d.mts.
 *
 * Path prefixes switch behaviours: /slow (stream lines 20 ms apart), /hold (keep the connection open after the
 * done line; the SDK stops reading there without cancelling), /cached (the final line omits prompt_eval_count,
 * as Go's omitempty does for a fully cached prompt), /midstream-error (an error line after two chunks),
 * /notfound (404 for an unknown model).
 */
import { jsonBody, pathFlags, sleep, startServer } from './server.mjs';

const CREATED_AT = '2026-08-01T12:00:00.000Z';
const WORDS = ['Hi', ' there', '!', ' How', ' can', ' I', ' help', '?'];
const PROMPT_EVAL_COUNT = 11;

function words(count) {
  return Array.from({ length: count }, (_, i) => WORDS[i % WORDS.length]);
}

function finalFields(count, doneReason, cached) {
  const fields = {
    done: true,
    done_reason: doneReason,
    total_duration: 174560334,
    load_duration: 101397084,
    prompt_eval_count: PROMPT_EVAL_COUNT,
    prompt_eval_duration: 13074791,
    eval_count: count,
    eval_duration: 52479709,
  };
  if (cached) delete fields.prompt_eval_count;
  return fields;
}

function generationLines(kind, model, count, doneReason, cached) {
  const piece = (text) =>
    kind === 'chat' ? { message: { role: 'assistant', content: text } } : { response: text };
  const lines = words(count).map((text) => ({ model, created_at: CREATED_AT, ...piece(text), done: false }));
  const final = { model, created_at: CREATED_AT, ...piece(''), ...finalFields(count, doneReason, cached) };
  if (kind === 'generate') final.context = [1, 2, 3];
  lines.push(final);
  return lines;
}

function startOllamaStandin(options = {}) {
  return startServer(respond, { port: options.port ?? 0 });
}

async function respond(req, res, rawBody) {
  const url = new URL(req.url ?? '/', 'http://standin');
  const { path, flags } = pathFlags(url.pathname, [
    '/slow',
    '/hold',
    '/cached',
    '/midstream-error',
    '/notfound',
  ]);
  const body = jsonBody(rawBody);
  const json = (status, value) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(value));
  };
  const model = typeof body.model === 'string' ? body.model : '';
  if (flags.has('notfound')) {
    json(404, { error: `model '${model}' not found` });
    return;
  }
  if (req.method !== 'POST') {
    json(404, { error: `no route ${path}` });
    return;
  }
  const kind = path === '/api/chat' ? 'chat' : path === '/api/generate' ? 'generate' : undefined;
  if (kind !== undefined) {
    const numPredict = typeof body.options?.num_predict === 'number' ? body.options.num_predict : 0;
    const count = numPredict > 0 ? Math.min(numPredict, 50) : 5;
    const doneReason = numPredict > 0 ? 'length' : 'stop';
    const lines = generationLines(kind, model, count, doneReason, flags.has('cached'));
    if (body.stream === false) {
      const text = words(count).join('');
      const final = lines[lines.length - 1];
      if (kind === 'chat') final.message = { role: 'assistant', content: text };
      else final.response = text;
      json(200, final);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (let i = 0; i < lines.length; i++) {
      if (flags.has('midstream-error') && i === 2) {
        res.end(
          `${JSON.stringify({ error: 'an error was encountered while running the model: unexpected EOF' })}\n`,
        );
        return;
      }
      res.write(`${JSON.stringify(lines[i])}\n`);
      if (flags.has('slow')) await sleep(20);
    }
    // /hold: the generation is over but the connection stays open, as after a client that stops reading.
    if (!flags.has('hold')) res.end();
    return;
  }
  if (path === '/api/embed') {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const dims = typeof body.dimensions === 'number' ? Math.min(body.dimensions, 8) : 4;
    json(200, {
      model,
      embeddings: inputs.map(() => Array.from({ length: dims }, (_, i) => (i + 1) / 100)),
      total_duration: 14143917,
      load_duration: 1019500,
      prompt_eval_count: 4 * inputs.length,
    });
    return;
  }
  if (path === '/api/embeddings') {
    json(200, { embedding: [0.01, 0.02, 0.03, 0.04] });
    return;
  }
  json(404, { error: `no route ${path}` });
}

export { startOllamaStandin };
