import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonArrayDecoder } from '../decode/json-array.js';
import { SseDecoder } from '../decode/sse.js';
import { type ModelCall, newModelCall } from '../model-call.js';
import { geminiAdapter as adapter } from './gemini.js';
import { adapterForFamily } from './index.js';
import type { RequestFacts } from './types.js';

const FIXTURES = new URL('./__fixtures__/gemini/', import.meta.url);
const GEMINI_HOST = 'generativelanguage.googleapis.com';
const VERTEX_HOST = 'us-central1-aiplatform.googleapis.com';
const VERTEX_MODEL = '/v1/projects/my-proj/locations/us-central1/publishers/google/models/';

function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

function json(name: string): unknown {
  return JSON.parse(fixture(name));
}

function facts(path: string, method = 'POST', host = GEMINI_HOST, query = ''): RequestFacts {
  return { method, host, port: 443, path, query, header: () => undefined };
}

/** Builds the call the way the recorder does: classify, then the request body. */
function start(path: string, requestBody?: unknown, provider = 'gcp.gemini', host = GEMINI_HOST): ModelCall {
  const c = adapter.classify(facts(path, 'POST', host), provider);
  if (c === undefined) throw new Error(`not classified: ${path}`);
  const call = newModelCall({
    provider: c.provider ?? provider,
    operation: c.operation,
    serverAddress: host,
    serverPort: 443,
    startTimeMs: 0,
  });
  if (c.modelFromPath !== undefined) call.request.model = c.modelFromPath;
  if (c.streamFromPath !== undefined) call.request.stream = c.streamFromPath;
  if (requestBody !== undefined) adapter.onRequestBody(call, requestBody);
  return call;
}

function respond(call: ModelCall, body: unknown, status = 200): void {
  call.httpStatus = status;
  adapter.onResponseBody(call, body);
}

/** Feeds an SSE body through the real decoder; returns whether any event was terminal and how many events. */
function sse(call: ModelCall, body: string): { terminal: boolean; events: number } {
  call.httpStatus = 200;
  let terminal = false;
  let events = 0;
  const d = new SseDecoder((event, data) => {
    events++;
    terminal = adapter.onStreamEvent(call, { kind: 'sse', event, data }) || terminal;
  });
  d.push(new TextEncoder().encode(body));
  d.end();
  return { terminal, events };
}

/** Feeds a streamed JSON array through the real decoder in small pieces. */
function jsonArray(call: ModelCall, body: string, pieceSize = 7): { terminal: boolean; events: number } {
  call.httpStatus = 200;
  let terminal = false;
  let events = 0;
  const d = new JsonArrayDecoder((value) => {
    events++;
    terminal = adapter.onStreamEvent(call, { kind: 'json', value }) || terminal;
  });
  const bytes = new TextEncoder().encode(body);
  for (let i = 0; i < bytes.length; i += pieceSize) d.push(bytes.subarray(i, i + pieceSize));
  d.end();
  return { terminal, events };
}

describe('registry', () => {
  it('has the gemini family', () => {
    expect(adapterForFamily('gemini')).toBe(adapter);
    expect(adapter.family).toBe('gemini');
  });
});

describe('classify', () => {
  it.each([
    ['/v1beta/models/gemini-2.5-flash:generateContent', 'generate_content', 'gemini-2.5-flash', undefined],
    ['/v1/models/gemini-2.0-flash:generateContent', 'generate_content', 'gemini-2.0-flash', undefined],
    ['/v1beta/models/gemini-2.5-pro:streamGenerateContent', 'generate_content', 'gemini-2.5-pro', true],
    [
      '/v1beta/tunedModels/my-tune-123:generateContent',
      'generate_content',
      'tunedModels/my-tune-123',
      undefined,
    ],
    ['/v1beta/models/gemini-embedding-001:embedContent', 'embeddings', 'gemini-embedding-001', undefined],
    ['/v1beta/models/text-embedding-004:batchEmbedContents', 'embeddings', 'text-embedding-004', undefined],
    ['/v1beta/models/gemini-2.5-flash%3AgenerateContent', 'generate_content', 'gemini-2.5-flash', undefined],
    ['/v1beta/models/gemini-2.5-flash:generateContent/', 'generate_content', 'gemini-2.5-flash', undefined],
  ])('Gemini API POST %s', (path, operation, model, stream) => {
    expect(adapter.classify(facts(path), 'gcp.gemini')).toEqual({
      operation,
      modelFromPath: model,
      ...(stream ? { streamFromPath: true } : {}),
    });
  });

  it.each([
    [`${VERTEX_MODEL}gemini-2.5-flash:generateContent`, 'generate_content', 'gemini-2.5-flash'],
    [
      '/v1beta1/projects/p/locations/global/publishers/google/models/gemini-2.5-pro:streamGenerateContent',
      'generate_content',
      'gemini-2.5-pro',
    ],
    ['/v1/publishers/google/models/gemini-2.5-flash:generateContent', 'generate_content', 'gemini-2.5-flash'], // express
    [`${VERTEX_MODEL}text-embedding-005:predict`, 'embeddings', 'text-embedding-005'],
    [`${VERTEX_MODEL}gemini-embedding-001:predict`, 'embeddings', 'gemini-embedding-001'],
    [`${VERTEX_MODEL}gemini-embedding-2-preview:embedContent`, 'embeddings', 'gemini-embedding-2-preview'],
    [
      '/v1/projects/p/locations/us-central1/endpoints/4567:generateContent',
      'generate_content',
      'endpoints/4567',
    ],
  ])('Vertex POST %s', (path, operation, model) => {
    const c = adapter.classify(facts(path, 'POST', VERTEX_HOST), 'gcp.vertex_ai');
    expect(c?.operation).toBe(operation);
    expect(c?.modelFromPath).toBe(model);
    expect(c?.provider).toBeUndefined(); // the host table already says gcp.vertex_ai
  });

  it.each([
    ['POST', '/v1beta/models/gemini-2.5-flash:countTokens'],
    ['POST', '/v1beta/models/gemini-2.5-flash:batchGenerateContent'],
    ['GET', '/v1beta/models/gemini-2.5-flash'],
    ['GET', '/v1beta/models/gemini-2.5-flash:generateContent'],
    ['POST', '/v1beta/openai/chat/completions'],
    ['POST', '/v1beta/cachedContents'],
    ['POST', '/upload/v1beta/files'],
    ['POST', `${VERTEX_MODEL}imagen-3.0-generate-002:predict`],
    ['POST', `${VERTEX_MODEL}veo-3.0-generate-001:predictLongRunning`],
    ['POST', `${VERTEX_MODEL}gemini-2.5-flash:countTokens`],
    ['POST', '/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5:rawPredict'],
    [
      'POST',
      '/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5:streamRawPredict',
    ],
    [
      'POST',
      '/v1/projects/p/locations/us-central1/publishers/mistralai/models/mistral-small-2503:rawPredict',
    ],
    ['POST', '/v1/projects/p/locations/us-central1/publishers/anthropic/models/claude-x:generateContent'],
    ['POST', '/v1/projects/p/locations/us-central1/endpoints/openapi/chat/completions'],
  ])('leaves %s %s to others', (method, path) => {
    expect(adapter.classify(facts(path, method, VERTEX_HOST), 'gcp.vertex_ai')).toBeUndefined();
  });
});

describe('framing', () => {
  it('SSE by content type; a JSON array for streamGenerateContent without it; JSON otherwise', () => {
    const streamed = start('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    expect(adapter.framing(streamed, 'text/event-stream')).toBe('sse');
    expect(adapter.framing(streamed, 'Text/Event-Stream; charset=UTF-8')).toBe('sse');
    expect(adapter.framing(streamed, 'application/json; charset=UTF-8')).toBe('json-array');
    expect(adapter.framing(streamed, undefined)).toBe('json-array');
    const whole = start('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(adapter.framing(whole, 'application/json; charset=UTF-8')).toBe('json');
    expect(adapter.framing(whole, undefined)).toBe('json');
  });
});

describe('generateContent', () => {
  const request = {
    systemInstruction: { parts: [{ text: 'You are a poet.' }] },
    contents: [
      {
        role: 'user',
        parts: [{ text: 'Write a haiku.' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }],
      },
      { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { q: 'autumn' } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { season: 'fall' } } }] },
    ],
    generationConfig: {
      temperature: 0.7,
      topP: 0.95,
      topK: 40,
      maxOutputTokens: 1024,
      stopSequences: ['END'],
      candidateCount: 1,
      seed: 5,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      responseMimeType: 'application/json',
      responseSchema: { type: 'OBJECT' },
      thinkingConfig: { thinkingBudget: 1024, includeThoughts: true },
    },
    safetySettings: [],
    tools: [],
  };

  it('reads parameters and the text for estimation; the model comes from the path', () => {
    const call = start('/v1beta/models/gemini-2.5-flash:generateContent', request);
    expect(call.operation).toBe('generate_content');
    expect(call.request).toEqual({
      model: 'gemini-2.5-flash',
      stream: false,
      temperature: 0.7,
      topP: 0.95,
      topK: 40,
      maxTokens: 1024,
      stopSequences: ['END'],
      choiceCount: 1,
      seed: 5,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      outputType: 'json',
      reasoningLevel: '1024',
    });
    expect(call.estimation).toEqual({
      input: 'You are a poet.\nWrite a haiku.\n{"q":"autumn"}\n{"season":"fall"}',
      output: '',
    });
  });

  it('accepts snake_case and a thinking level', () => {
    const call = start('/v1beta/models/gemini-3-pro-preview:generateContent', {
      system_instruction: { parts: [{ text: 'Terse.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      generation_config: {
        max_output_tokens: 64,
        top_p: 0.5,
        top_k: 3,
        stop_sequences: ['x', 7],
        candidate_count: 2,
        presence_penalty: 0,
        frequency_penalty: 1,
        response_mime_type: 'text/plain',
        thinking_config: { thinking_level: 'low', thinking_budget: 99 },
      },
    });
    expect(call.request).toEqual({
      model: 'gemini-3-pro-preview',
      stream: false,
      maxTokens: 64,
      topP: 0.5,
      topK: 3,
      stopSequences: ['x'],
      choiceCount: 2,
      presencePenalty: 0,
      frequencyPenalty: 1,
      outputType: 'text',
      reasoningLevel: 'low',
    });
    expect(call.estimation?.input).toBe('Terse.\nHi');
  });

  it('maps usage: input adds tool-use prompt tokens, output adds thoughts, cache and audio subsets', () => {
    const call = start('/v1beta/models/gemini-2.5-flash:generateContent', request);
    respond(call, json('generate-content.json'));
    expect(call.response).toEqual({
      id: 'bk5Gaf3tLOu4z7IPrqW0oAk',
      model: 'gemini-2.5-flash',
      finishReasons: ['STOP'],
    });
    expect(call.usage).toEqual({
      inputTokens: 2088,
      outputTokens: 277,
      cacheReadInputTokens: 1536,
      reasoningOutputTokens: 260,
      audioInputTokens: 200,
    });
    expect(call.error).toBeUndefined();
    // Usage was reported, so no output text is collected.
    expect(call.estimation?.output).toBe('');
  });

  it('without usage keeps answer text (not thought summaries) for estimation', () => {
    const call = start('/v1beta/models/gemini-2.5-flash:generateContent', request);
    const body = json('generate-content.json') as Record<string, unknown>;
    delete body.usageMetadata;
    respond(call, body);
    expect(call.usage).toBeUndefined();
    expect(call.estimation?.output).toBe('Autumn moonlight—\na worm digs silently\ninto the chestnut.');
  });

  it('reads finish reasons by candidate index (a missing index is 0) and function-call output', () => {
    const call = start(
      `${VERTEX_MODEL}gemini-2.0-flash-001:generateContent`,
      { contents: [{ role: 'user', parts: [{ text: 'Colors?' }] }], generationConfig: { candidateCount: 3 } },
      'gcp.vertex_ai',
      VERTEX_HOST,
    );
    respond(call, json('multi-candidate.json'));
    expect(call.response).toEqual({
      id: 'vtx-abc',
      model: 'gemini-2.0-flash-001',
      finishReasons: ['STOP', 'MAX_TOKENS', 'STOP'],
    });
    expect(call.usage).toEqual({ inputTokens: 12, outputTokens: 15 });
    expect(call.request.choiceCount).toBe(3);
  });

  it('maps response modalities to the output type', () => {
    const audio = start('/v1beta/models/gemini-2.5-flash-preview-tts:generateContent', {
      generationConfig: { responseModalities: ['AUDIO'] },
    });
    expect(audio.request.outputType).toBe('speech');
    const image = start('/v1beta/models/gemini-2.5-flash-image:generateContent', {
      generationConfig: { responseModalities: ['TEXT', 'IMAGE'] },
    });
    expect(image.request.outputType).toBe('image');
  });
});

describe('streamGenerateContent', () => {
  it('SSE: keeps the LAST cumulative usage (never a sum), never terminal, collects the text', () => {
    const call = start('/v1beta/models/gemini-2.5-flash:streamGenerateContent', {
      contents: [{ role: 'user', parts: [{ text: 'Fox?' }] }],
    });
    expect(call.request.stream).toBe(true);
    expect(sse(call, fixture('stream-cumulative.sse'))).toEqual({ terminal: false, events: 3 });
    expect(call.response).toEqual({
      id: 'Pk9GaeCEGoDSz7IP2KfLqAg',
      model: 'gemini-2.5-flash',
      finishReasons: ['STOP'],
    });
    expect(call.usage).toEqual({ inputTokens: 9, outputTokens: 35, reasoningOutputTokens: 28 });
    expect(call.estimation).toEqual({ input: 'Fox?', output: 'The quick brown fox jumps.' });
  });

  it('an early chunk with only promptTokenCount gives input; output stays for estimation', () => {
    const call = start('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    const first = fixture('stream-cumulative.sse').split('\n\n')[0]!;
    sse(call, `${first}\n\n`);
    expect(call.usage).toEqual({ inputTokens: 9 });
    expect(call.estimation?.output).toBe('The');
  });

  it('JSON array (no alt=sse), split in small pieces with \\r\\n between elements', () => {
    const call = start('/v1/models/gemini-2.0-flash:streamGenerateContent', {
      contents: [{ role: 'user', parts: [{ text: 'Story' }] }],
    });
    expect(jsonArray(call, fixture('stream-array.json'))).toEqual({ terminal: false, events: 2 });
    expect(call.response).toEqual({ id: 'arr-1', model: 'gemini-2.0-flash', finishReasons: ['MAX_TOKENS'] });
    expect(call.usage).toEqual({ inputTokens: 5, outputTokens: 4 });
    expect(call.estimation?.output).toBe('Once upon a time');
  });

  it('a bare {error} chunk mid-stream sets error.type from status, keeps what came before, and is terminal', () => {
    const call = start('/v1beta/models/gemini-2.5-pro:streamGenerateContent', {
      contents: [{ parts: [{ text: 'x' }] }],
    });
    expect(sse(call, fixture('stream-mid-error.sse'))).toEqual({ terminal: true, events: 2 });
    expect(call.error?.type).toBe('INTERNAL');
    expect(call.error?.message).toMatch(/^An internal error has occurred/);
    expect(call.usage).toEqual({ inputTokens: 6 });
    expect(call.response.id).toBe('mid-1');
    expect(call.estimation?.output).toBe('Partial');
  });

  it('an error in a 200 stream without status or code is _OTHER', () => {
    const call = start('/v1beta/models/gemini-2.5-pro:streamGenerateContent');
    expect(sse(call, 'data: {"error": {"message": "boom"}}\n\n').terminal).toBe(true);
    expect(call.error).toEqual({ type: '_OTHER', message: 'boom' });
    const array = start('/v1beta/models/gemini-2.5-pro:streamGenerateContent');
    expect(jsonArray(array, fixture('stream-error-array.json')).terminal).toBe(true);
    expect(array.error?.type).toBe('RESOURCE_EXHAUSTED');
  });
});

describe('errors', () => {
  it('error.type is the status', () => {
    const call = start('/v1beta/models/gemini-2.5-flash:generateContent');
    respond(call, json('error-429.json'), 429);
    expect(call.error).toEqual({
      type: 'RESOURCE_EXHAUSTED',
      message: 'You exceeded your current quota, please check your plan and billing details.',
    });
    expect(call.usage).toBeUndefined();
  });

  it('reads an error body wrapped in an array (streaming methods)', () => {
    const call = start('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    respond(call, json('stream-error-array.json'), 429);
    expect(call.error).toEqual({
      type: 'RESOURCE_EXHAUSTED',
      message: 'Resource exhausted. Please try again later.',
    });
  });

  it('falls back to the numeric code, then to an empty type for the recorder to fill', () => {
    const a = start('/v1beta/models/gemini-2.5-flash:generateContent');
    respond(a, { error: { code: 503, message: 'overloaded' } }, 503);
    expect(a.error).toEqual({ type: '503', message: 'overloaded' });
    const b = start('/v1beta/models/gemini-2.5-flash:generateContent');
    respond(b, { error: 'plain' }, 500);
    expect(b.error).toEqual({ type: '', message: 'plain' });
  });
});

describe('embeddings', () => {
  it('embedContent: dimensions and input text; no usage is returned', () => {
    const call = start('/v1beta/models/gemini-embedding-001:embedContent', {
      model: 'models/gemini-embedding-001',
      content: { parts: [{ text: 'What is the meaning of life?' }] },
      taskType: 'RETRIEVAL_QUERY',
      outputDimensionality: 768,
    });
    expect(call.operation).toBe('embeddings');
    expect(call.request).toEqual({ model: 'gemini-embedding-001', stream: false, dimensions: 768 });
    respond(call, json('embed-content.json'));
    expect(call.usage).toBeUndefined();
    expect(call.estimation).toEqual({ input: 'What is the meaning of life?', output: '' });
  });

  it('batchEmbedContents: every request text, dimensions from the requests', () => {
    const call = start('/v1beta/models/text-embedding-004:batchEmbedContents', {
      requests: [
        {
          model: 'models/text-embedding-004',
          content: { parts: [{ text: 'first' }] },
          output_dimensionality: 3,
        },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'second' }] } },
      ],
    });
    expect(call.request.dimensions).toBe(3);
    respond(call, json('batch-embed-contents.json'));
    expect(call.usage).toBeUndefined();
    expect(call.estimation?.input).toBe('first\nsecond');
    expect(call.response.finishReasons).toEqual([]);
  });

  it('Vertex predict: sums statistics.token_count; instances and parameters read', () => {
    const call = start(
      `${VERTEX_MODEL}text-embedding-005:predict`,
      {
        instances: [
          { content: 'hello world', task_type: 'RETRIEVAL_DOCUMENT' },
          { content: 'second text here' },
        ],
        parameters: { outputDimensionality: 256, autoTruncate: true },
      },
      'gcp.vertex_ai',
      VERTEX_HOST,
    );
    expect(call.request).toEqual({ model: 'text-embedding-005', stream: false, dimensions: 256 });
    expect(call.estimation?.input).toBe('hello world\nsecond text here');
    respond(call, json('vertex-predict.json'));
    expect(call.usage).toEqual({ inputTokens: 14 });
  });

  it('Vertex embedContent: usageMetadata.promptTokenCount, embedContentConfig dimensions', () => {
    const call = start(
      `${VERTEX_MODEL}gemini-embedding-2-preview:embedContent`,
      { content: { parts: [{ text: 'hi there' }] }, embedContentConfig: { outputDimensionality: 128 } },
      'gcp.vertex_ai',
      VERTEX_HOST,
    );
    expect(call.request.dimensions).toBe(128);
    respond(call, json('vertex-embed-content.json'));
    expect(call.usage).toEqual({ inputTokens: 7 });
  });
});

describe('robustness', () => {
  it('tolerates garbage, nulls and wrong types without throwing', () => {
    const call = start('/v1beta/models/gemini-2.5-flash:streamGenerateContent', {
      contents: 'just a string',
      generationConfig: {
        temperature: 'hot',
        topK: null,
        maxOutputTokens: -5,
        stopSequences: 'STOP',
        thinkingConfig: [],
      },
    });
    expect(call.request).toEqual({ model: 'gemini-2.5-flash', stream: true, stopSequences: ['STOP'] });
    expect(call.estimation?.input).toBe('just a string');
    for (const body of [
      null,
      undefined,
      'text',
      42,
      [],
      [null, 3],
      { candidates: 'x', usageMetadata: 'y' },
    ]) {
      adapter.onRequestBody(call, body);
      adapter.onResponseBody(call, body);
      adapter.onStreamEvent(call, { kind: 'json', value: body });
    }
    adapter.onResponseBody(call, { candidates: [null, { index: 1e9, finishReason: 'STOP' }] });
    adapter.onResponseBody(call, { usageMetadata: { promptTokenCount: 'many', candidatesTokenCount: null } });
    expect(call.usage).toBeUndefined();
    expect(sse(call, 'data: {"candidates": [\n\ndata: \n\n').terminal).toBe(false);
    adapter.onStreamEvent(call, { kind: 'aws-eventstream', headers: {}, payload: new Uint8Array() });
    expect(call.response.finishReasons).toEqual([]);
    expect(call.error).toBeUndefined();
  });

  it('never throws on arbitrary JSON values in any position', () => {
    const paths = [
      '/v1beta/models/m:generateContent',
      '/v1beta/models/m:streamGenerateContent',
      '/v1beta/models/m:embedContent',
      '/v1beta/models/m:batchEmbedContents',
      `${VERTEX_MODEL}text-embedding-005:predict`,
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...paths),
        fc.jsonValue(),
        fc.jsonValue(),
        fc.string(),
        (path, req, res, raw) => {
          const call = start(path);
          adapter.onRequestBody(call, req);
          adapter.onResponseBody(call, res);
          adapter.onResponseBody(call, { candidates: [res], usageMetadata: res, error: null });
          adapter.onStreamEvent(call, { kind: 'json', value: res });
          adapter.onStreamEvent(call, { kind: 'sse', event: undefined, data: raw });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary paths', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('POST', 'GET', 'post'), (path, method) => {
        adapter.classify(facts(path, method), 'gcp.gemini');
        adapter.classify(facts(`/v1/publishers/${path}:generateContent`, method), 'gcp.vertex_ai');
      }),
      { numRuns: 500 },
    );
  });

  it('caps the estimation text at 1 MiB', () => {
    const big = 'x'.repeat(700_000);
    const call = start('/v1beta/models/m:streamGenerateContent', {
      contents: [{ parts: [{ text: big }] }, { parts: [{ text: big }] }],
    });
    expect(call.estimation?.input.length).toBe(1024 * 1024);
    for (let i = 0; i < 3; i++) {
      adapter.onStreamEvent(call, {
        kind: 'json',
        value: { candidates: [{ content: { parts: [{ text: big }] } }] },
      });
    }
    expect(call.estimation?.output.length).toBe(1024 * 1024);
  });
});
