/**
 * A local stand-in for Google's Gemini API and Vertex AI (Google models) that speaks their documented wire
 * formats: generateContent, streamGenerateContent (SSE with `?alt=sse`, otherwise one JSON array sent element
 * by element, `[{…}\r\n,{…}]`), embedContent, batchEmbedContents and countTokens on Gemini API paths
 * (`/v1beta/models/{m}:…`), and the same plus `:predict` embeddings on Vertex paths
 * (`/v1/projects/{p}/locations/{l}/publishers/google/models/{m}:…`, express mode `/v1/publishers/google/…`).
 * Streams repeat cumulative usageMetadata on every chunk (the first with prompt counts only); usage carries
 * cachedContentTokenCount and, for 2.5+ models, thoughtsTokenCount. Deterministic output so instrumented and
 * uninstrumented runs can be compared exactly. Plain JavaScript so the demo can run it with node alone; types in
 * gemini.d.mts.
 *
 * Path prefixes switch behaviours: /ratelimited (429 RESOURCE_EXHAUSTED), /slow (chunks 20 ms apart),
 * /midstream-error (a bare {error} chunk after the first chunk of a stream).
 */
import { jsonBody, pathFlags, sleep, startServer } from './server.mjs';

const WORDS = ['Hello', ' from', ' the', ' Gemini', ' stand', '-in', '.'];
const PROMPT_TOKENS = 24;
const CACHED_TOKENS = 16;
const THOUGHTS_TOKENS = 30;
const RESPONSE_ID = 'gemini-standin-response';
const CREATE_TIME = '2025-06-01T12:00:00.000000Z';

/** Thinking models report thoughtsTokenCount; older ones do not. */
function thinks(model) {
  return !model.startsWith('gemini-1.') && !model.startsWith('gemini-2.0');
}

/** The "real" model behind the path: versioned, so tests can tell response.model from request.model. */
function modelVersion(model) {
  return `${model}-001`;
}

function parsePath(pathname) {
  const colon = pathname.lastIndexOf(':');
  if (colon === -1) return undefined;
  const method = pathname.slice(colon + 1);
  const resource = pathname.slice(0, colon);
  const vertex = resource.includes('/publishers/google/models/');
  const at = resource.lastIndexOf('/models/');
  if (at === -1) return undefined;
  return { method, model: decodeURIComponent(resource.slice(at + '/models/'.length)), vertex };
}

function usage(model, candidates, { final = true, promptOnly = false } = {}) {
  const u = {
    promptTokenCount: PROMPT_TOKENS,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: PROMPT_TOKENS }],
  };
  if (promptOnly) {
    u.totalTokenCount = PROMPT_TOKENS;
    return u;
  }
  const thoughts = thinks(model) ? THOUGHTS_TOKENS : 0;
  u.candidatesTokenCount = candidates;
  u.cachedContentTokenCount = CACHED_TOKENS;
  u.cacheTokensDetails = [{ modality: 'TEXT', tokenCount: CACHED_TOKENS }];
  if (thoughts > 0) u.thoughtsTokenCount = thoughts;
  u.totalTokenCount = PROMPT_TOKENS + candidates + thoughts;
  if (final) u.candidatesTokensDetails = [{ modality: 'TEXT', tokenCount: candidates }];
  return u;
}

function wordCount(body) {
  const config = body.generationConfig ?? {};
  const max = typeof config.maxOutputTokens === 'number' ? config.maxOutputTokens : WORDS.length;
  return Math.max(1, Math.min(max, WORDS.length));
}

function includeThoughts(body) {
  return body.generationConfig?.thinkingConfig?.includeThoughts === true;
}

function generateResponse(model, body, vertex) {
  const n = wordCount(body);
  const finishReason = n < WORDS.length ? 'MAX_TOKENS' : 'STOP';
  const candidateCount = body.generationConfig?.candidateCount ?? 1;
  const candidates = [];
  for (let index = 0; index < candidateCount; index++) {
    const parts = [];
    if (includeThoughts(body)) parts.push({ text: 'Considering a greeting.', thought: true });
    parts.push({ text: WORDS.slice(0, n).join('') });
    candidates.push({ content: { role: 'model', parts }, finishReason, index });
  }
  const json = {
    candidates,
    usageMetadata: usage(model, n * candidateCount),
    modelVersion: modelVersion(model),
    responseId: RESPONSE_ID,
  };
  if (vertex) json.createTime = CREATE_TIME;
  return json;
}

/** Stream chunks: cumulative usage on every chunk, the first with prompt counts only, the last with the finish. */
function streamChunks(model, body, vertex) {
  const n = wordCount(body);
  const chunks = [];
  for (let i = 0; i < n; i++) {
    const parts = [];
    if (i === 0 && includeThoughts(body)) parts.push({ text: 'Considering a greeting.', thought: true });
    parts.push({ text: WORDS[i] });
    const candidate = { content: { role: 'model', parts }, index: 0 };
    const last = i === n - 1;
    if (last) candidate.finishReason = n < WORDS.length ? 'MAX_TOKENS' : 'STOP';
    const chunk = {
      candidates: [candidate],
      usageMetadata: i === 0 ? usage(model, 0, { promptOnly: true }) : usage(model, i + 1, { final: last }),
      modelVersion: modelVersion(model),
      responseId: RESPONSE_ID,
    };
    if (vertex) chunk.createTime = CREATE_TIME;
    chunks.push(chunk);
  }
  return chunks;
}

function values(seed, dimensions) {
  const out = [];
  for (let i = 0; i < dimensions; i++) out.push(Math.round(Math.sin(seed * 7 + i) * 1e6) / 1e6);
  return out;
}

function textOf(content) {
  if (typeof content === 'string') return content;
  const parts = Array.isArray(content?.parts) ? content.parts : [];
  return parts.map((p) => (typeof p?.text === 'string' ? p.text : '')).join(' ');
}

function tokenCount(text) {
  return text.split(/\s+/).filter(Boolean).length + 1;
}

function googleError(code, status, message) {
  return { error: { code, message, status } };
}

function startGeminiStandin() {
  return startServer(respond);
}

const JSON_TYPE = 'application/json; charset=UTF-8';

async function respond(req, res, rawBody) {
  const url = new URL(req.url ?? '/', 'http://standin');
  const { path, flags } = pathFlags(url.pathname, ['/ratelimited', '/slow', '/midstream-error']);
  const body = jsonBody(rawBody);
  const sendJson = (status, json) => {
    res.writeHead(status, { 'content-type': JSON_TYPE });
    res.end(JSON.stringify(json, null, 2));
  };
  const target = req.method === 'POST' ? parsePath(path) : undefined;
  if (target === undefined) {
    sendJson(404, googleError(404, 'NOT_FOUND', `no route ${path}`));
    return;
  }
  const { method, model, vertex } = target;
  const sse = url.searchParams.get('alt') === 'sse';
  if (flags.has('ratelimited')) {
    const error = googleError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).');
    // Streaming methods wrap their error in an array unless the client asked for SSE.
    sendJson(429, method === 'streamGenerateContent' && !sse ? [error] : error);
    return;
  }
  const pause = () => (flags.has('slow') ? sleep(20) : Promise.resolve());

  switch (method) {
    case 'generateContent':
      sendJson(200, generateResponse(model, body, vertex));
      return;
    case 'streamGenerateContent': {
      const chunks = streamChunks(model, body, vertex);
      const error = googleError(500, 'INTERNAL', 'An internal error has occurred.');
      if (flags.has('midstream-error')) chunks.splice(1, chunks.length - 1, error);
      res.writeHead(200, { 'content-type': sse ? 'text/event-stream' : JSON_TYPE });
      for (let i = 0; i < chunks.length; i++) {
        if (sse) {
          res.write(`data: ${JSON.stringify(chunks[i])}\r\n\r\n`);
        } else {
          // Pretty-printed elements, each written in two pieces, as the API streams its array.
          const element = (i === 0 ? '[' : '\r\n,') + JSON.stringify(chunks[i], null, 2);
          const half = Math.floor(element.length / 2);
          res.write(element.slice(0, half));
          await pause();
          res.write(element.slice(half));
        }
        await pause();
      }
      res.end(sse ? undefined : ']');
      return;
    }
    case 'embedContent': {
      const dims = body.outputDimensionality ?? body.embedContentConfig?.outputDimensionality ?? 4;
      const json = { embedding: { values: values(1, dims) } };
      // Vertex's embedContent reports the prompt tokens; the Gemini API returns no usage for embeddings.
      if (vertex) json.usageMetadata = { promptTokenCount: tokenCount(textOf(body.content)) };
      sendJson(200, json);
      return;
    }
    case 'batchEmbedContents': {
      const list = Array.isArray(body.requests) ? body.requests : [];
      sendJson(200, {
        embeddings: list.map((r, i) => ({ values: values(i + 1, r?.outputDimensionality ?? 4) })),
      });
      return;
    }
    case 'predict': {
      const instances = Array.isArray(body.instances) ? body.instances : [];
      const dims = body.parameters?.outputDimensionality ?? 4;
      sendJson(200, {
        predictions: instances.map((inst, i) => ({
          embeddings: {
            statistics: { truncated: false, token_count: tokenCount(textOf(inst?.content)) },
            values: values(i + 1, dims),
          },
        })),
        metadata: {
          billableCharacterCount: instances.reduce((n, inst) => n + textOf(inst?.content).length, 0),
        },
      });
      return;
    }
    case 'countTokens':
      sendJson(200, {
        totalTokens: PROMPT_TOKENS,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 24 }],
      });
      return;
    default:
      sendJson(404, googleError(404, 'NOT_FOUND', `no method ${method}`));
  }
}

export { startGeminiStandin };
