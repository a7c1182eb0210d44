/**
 * Content capture through every adapter: request bodies and whole or streamed responses (the recorded fixtures)
 * become gen_ai.system_instructions / gen_ai.input.messages / gen_ai.output.messages in the conventions' shapes.
 */
import { describe, expect, it } from 'vitest';
import { newCapturedContent } from '../content/messages.js';
import { contentAttributes, DEFAULT_CONTENT_OPTIONS } from '../content/serialize.js';
import type { ModelCall } from '../model-call.js';
import { type AdapterHarnessOptions, adapterHarness } from './adapter-harness.js';
import { anthropicAdapter } from './anthropic.js';
import { bedrockAdapter } from './bedrock.js';
import { cohereAdapter } from './cohere.js';
import { geminiAdapter } from './gemini.js';
import { mistralAdapter } from './mistral.js';
import { ollamaAdapter } from './ollama.js';
import { openaiAdapter } from './openai.js';

/** A harness whose calls capture content, as the recorder makes them when capture is on. */
function capturing(o: AdapterHarnessOptions) {
  const h = adapterHarness(o);
  const begin = (path: string, body?: unknown, capture = true): ModelCall => {
    const call = h.start(path);
    if (capture) call.content = newCapturedContent(64 * 1024);
    if (body !== undefined) o.adapter.onRequestBody(call, body);
    return call;
  };
  return { ...h, begin };
}

interface Captured {
  system?: unknown;
  input?: unknown;
  output?: unknown;
}

function captured(call: ModelCall): Captured {
  const a = contentAttributes(call, DEFAULT_CONTENT_OPTIONS);
  const parse = (s: string | undefined) => (s === undefined ? undefined : JSON.parse(s));
  return {
    system: parse(a['gen_ai.system_instructions']),
    input: parse(a['gen_ai.input.messages']),
    output: parse(a['gen_ai.output.messages']),
  };
}

const text = (content: string) => ({ type: 'text', content });

describe('OpenAI', () => {
  const h = capturing({
    adapter: openaiAdapter,
    provider: 'openai',
    host: 'api.openai.com',
    port: 443,
    fixtures: 'openai',
  });
  const begin = (path: string, body: unknown, capture = true) => {
    const call = h.begin(path, undefined, capture);
    if (path.endsWith('/responses')) call.apiType = 'responses';
    openaiAdapter.onRequestBody(call, body);
    return call;
  };

  it('chat: system, user parts, assistant tool calls and tool results; streamed output', () => {
    const call = begin('/v1/chat/completions', {
      model: 'gpt-4o',
      stream: true,
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"a"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'found' },
      ],
    });
    h.sse(call, h.fixture('chat-stream-include-usage.sse'));
    expect(captured(call)).toEqual({
      system: undefined,
      input: [
        { role: 'system', parts: [text('Be brief.')] },
        {
          role: 'user',
          parts: [
            text('What is this?'),
            { type: 'uri', modality: 'image', uri: 'https://example.com/a.png' },
          ],
        },
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', id: 'call_1', name: 'lookup', arguments: { q: 'a' } }],
        },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'found' }] },
      ],
      output: [{ role: 'assistant', parts: [text('Hello there!')], finish_reason: 'stop' }],
    });
  });

  it('chat: a whole response with a tool call', () => {
    const call = begin('/v1/chat/completions', {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    h.respond(call, {
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
    });
    expect(captured(call).output).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'c', name: 'f', arguments: { x: 1 } }],
        finish_reason: 'tool_calls',
      },
    ]);
  });

  it('chat: streamed tool-call arguments are assembled from their fragments', () => {
    const call = begin('/v1/chat/completions', { model: 'gpt-4o', stream: true, messages: [] });
    const chunk = (delta: unknown, finish: string | null = null) =>
      `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    h.sse(
      call,
      chunk({
        role: 'assistant',
        tool_calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '' } }],
      }) +
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }) +
        chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Oslo"}' } }] }) +
        chunk({}, 'tool_calls') +
        'data: [DONE]\n\n',
    );
    expect(captured(call).output).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'c1', name: 'f', arguments: { city: 'Oslo' } }],
        finish_reason: 'tool_calls',
      },
    ]);
  });

  it('Responses: instructions are system instructions; input items; streamed function call', () => {
    const call = begin('/v1/responses', {
      model: 'gpt-5',
      stream: true,
      instructions: 'You are terse.',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'Weather?' }] },
        { type: 'function_call', call_id: 'fc_0', name: 'get_weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'fc_0', output: 'sunny' },
      ],
    });
    h.sse(call, h.fixture('responses-stream.sse'));
    const c = captured(call);
    expect(c.system).toEqual([text('You are terse.')]);
    expect(c.input).toEqual([
      { role: 'user', parts: [text('Weather?')] },
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'fc_0', name: 'get_weather', arguments: { city: 'Rome' } }],
      },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'fc_0', response: 'sunny' }] },
    ]);
    const output = c.output as Array<{
      parts: Array<{ type: string; name?: string }>;
      finish_reason: string;
    }>;
    expect(output).toHaveLength(1);
    expect(output[0]!.finish_reason).toBe('tool_call');
    expect(output[0]!.parts.map((p) => p.type)).toEqual(['tool_call']);
  });

  it('Responses: a whole body', () => {
    const call = begin('/v1/responses', { model: 'gpt-5', input: 'Say hi' });
    h.respond(call, JSON.parse(h.fixture('responses.json')));
    expect(captured(call)).toEqual({
      system: undefined,
      input: [{ role: 'user', parts: [text('Say hi')] }],
      output: [{ role: 'assistant', parts: [text('Hi!')], finish_reason: 'stop' }],
    });
  });

  it('embeddings: the inputs as one user message, no output', () => {
    const call = begin('/v1/embeddings', { model: 'text-embedding-3-small', input: ['a', 'b'] });
    h.respond(call, JSON.parse(h.fixture('embeddings.json')));
    expect(captured(call)).toEqual({
      system: undefined,
      input: [{ role: 'user', parts: [text('a'), text('b')] }],
      output: undefined,
    });
  });

  it('capture off: nothing is kept', () => {
    const call = begin(
      '/v1/chat/completions',
      { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'x' }] },
      false,
    );
    h.sse(call, h.fixture('chat-stream-include-usage.sse'));
    expect(call.content).toBeUndefined();
    expect(contentAttributes(call, DEFAULT_CONTENT_OPTIONS)).toEqual({});
  });
});

describe('Anthropic', () => {
  const h = capturing({
    adapter: anthropicAdapter,
    provider: 'anthropic',
    host: 'api.anthropic.com',
    port: 443,
    fixtures: 'anthropic',
  });

  it('system, image, tool use and tool result in; thinking, text and a streamed tool call out', () => {
    const call = h.begin('/v1/messages', {
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      stream: true,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'text', text: 'Weather in Paris?' },
          ],
        },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_0', name: 'get_weather', input: { city: 'Paris' } }],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_0', content: [{ type: 'text', text: 'rain' }] },
          ],
        },
      ],
    });
    h.sse(call, h.fixture('stream.sse'));
    expect(captured(call)).toEqual({
      system: [text('Be brief.')],
      input: [
        {
          role: 'user',
          parts: [
            { type: 'blob', modality: 'image', mime_type: 'image/png', content: '…[truncated 12 bytes]' },
            text('Weather in Paris?'),
          ],
        },
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', id: 'toolu_0', name: 'get_weather', arguments: { city: 'Paris' } }],
        },
        { role: 'user', parts: [{ type: 'tool_call_response', id: 'toolu_0', response: 'rain' }] },
      ],
      output: [
        {
          role: 'assistant',
          parts: [
            { type: 'reasoning', content: 'Hmm.' },
            text('Hello!'),
            { type: 'tool_call', id: 'toolu_01', name: 'get_weather', arguments: { city: 'Paris' } },
          ],
          finish_reason: 'tool_use',
        },
      ],
    });
  });

  it('a whole message', () => {
    const call = h.begin('/v1/messages', {
      model: 'm',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'hi' }],
    });
    h.respond(call, JSON.parse(h.fixture('message.json')));
    const output = captured(call).output as Array<{ role: string; finish_reason: string }>;
    expect(output).toHaveLength(1);
    expect(output[0]!.role).toBe('assistant');
    expect(output[0]!.finish_reason).toBe(JSON.parse(h.fixture('message.json')).stop_reason);
  });
});

describe('Bedrock', () => {
  const h = capturing({
    adapter: bedrockAdapter,
    provider: 'aws.bedrock',
    host: 'bedrock-runtime.us-east-1.amazonaws.com',
    port: 443,
    fixtures: 'bedrock',
  });
  const encoder = new TextEncoder();

  it('Converse: system, tool result in; ConverseStream reasoning, text and tool use out', () => {
    const call = h.begin('/model/anthropic.claude-3-haiku/converse-stream', {
      system: [{ text: 'Be brief.' }],
      messages: [
        { role: 'user', content: [{ text: 'Weather?' }] },
        {
          role: 'assistant',
          content: [{ toolUse: { toolUseId: 't0', name: 'weather', input: { city: 'Rome' } } }],
        },
        { role: 'user', content: [{ toolResult: { toolUseId: 't0', content: [{ json: { temp: 20 } }] } }] },
      ],
    });
    call.httpStatus = 200;
    const events = JSON.parse(h.fixture('converse-stream.json')) as [Record<string, string>, unknown][];
    for (const [headers, payload] of events) {
      bedrockAdapter.onStreamEvent(call, {
        kind: 'aws-eventstream',
        headers,
        payload: encoder.encode(JSON.stringify(payload)),
      });
    }
    const c = captured(call);
    expect(c.system).toEqual([text('Be brief.')]);
    expect(c.input).toEqual([
      { role: 'user', parts: [text('Weather?')] },
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 't0', name: 'weather', arguments: { city: 'Rome' } }],
      },
      { role: 'user', parts: [{ type: 'tool_call_response', id: 't0', response: [{ temp: 20 }] }] },
    ]);
    const output = c.output as Array<{ parts: unknown[] }>;
    expect(output[0]!.parts).toEqual([
      { type: 'reasoning', content: 'Thinking.' },
      text('Hello world'),
      { type: 'tool_call', id: 't1', name: 'weather', arguments: { city: 'Paris' } },
    ]);
  });

  it('InvokeModel with a native prompt body (Llama)', () => {
    const call = h.begin('/model/meta.llama3-8b-instruct-v1%3A0/invoke', {
      prompt: 'Tell me a joke',
      max_gen_len: 20,
    });
    h.respond(call, JSON.parse(h.fixture('invoke-llama.json')));
    const c = captured(call);
    expect(c.input).toEqual([{ role: 'user', parts: [text('Tell me a joke')] }]);
    const output = c.output as Array<{ parts: Array<{ type: string }> }>;
    expect(output[0]!.parts[0]!.type).toBe('text');
  });
});

describe('Gemini', () => {
  const h = capturing({
    adapter: geminiAdapter,
    provider: 'gcp.gemini',
    host: 'generativelanguage.googleapis.com',
    port: 443,
    fixtures: 'gemini',
  });

  it('system instruction, function call and response, inline data in; streamed candidate out', () => {
    const call = h.begin('/v1beta/models/gemini-2.0-flash:streamGenerateContent', {
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        {
          role: 'user',
          parts: [{ text: 'Describe' }, { inlineData: { mimeType: 'image/jpeg', data: 'AAAA' } }],
        },
        { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { q: 'x' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { result: 'y' } } }] },
      ],
    });
    call.httpStatus = 200;
    for (const value of JSON.parse(h.fixture('stream-array.json')) as unknown[]) {
      geminiAdapter.onStreamEvent(call, { kind: 'json', value });
    }
    expect(captured(call)).toEqual({
      system: [text('Be brief.')],
      input: [
        {
          role: 'user',
          parts: [
            text('Describe'),
            { type: 'blob', modality: 'image', mime_type: 'image/jpeg', content: '…[truncated 4 bytes]' },
          ],
        },
        { role: 'assistant', parts: [{ type: 'tool_call', name: 'lookup', arguments: { q: 'x' } }] },
        { role: 'user', parts: [{ type: 'tool_call_response', id: 'lookup', response: { result: 'y' } }] },
      ],
      output: [{ role: 'assistant', parts: [text('Once upon a time')], finish_reason: 'MAX_TOKENS' }],
    });
  });
});

describe('Mistral', () => {
  const h = capturing({
    adapter: mistralAdapter,
    provider: 'mistral_ai',
    host: 'api.mistral.ai',
    port: 443,
    fixtures: 'mistral',
  });

  it('chat stream', () => {
    const call = h.begin('/v1/chat/completions', {
      model: 'mistral-small',
      stream: true,
      messages: [{ role: 'user', content: 'Salut' }],
    });
    h.sse(call, h.fixture('chat-stream.sse'));
    expect(captured(call)).toEqual({
      system: undefined,
      input: [{ role: 'user', parts: [text('Salut')] }],
      output: [{ role: 'assistant', parts: [text('Bonjour le monde')], finish_reason: 'stop' }],
    });
  });

  it('FIM: the code before and after the gap', () => {
    const call = h.begin('/v1/fim/completions', { model: 'codestral', prompt: 'def f(', suffix: 'return x' });
    expect(captured(call).input).toEqual([{ role: 'user', parts: [text('def f('), text('return x')] }]);
  });
});

describe('Cohere', () => {
  const h = capturing({
    adapter: cohereAdapter,
    provider: 'cohere',
    host: 'api.cohere.com',
    port: 443,
    fixtures: 'cohere',
  });

  it('v2: tool messages in; streamed tool plan and tool call out', () => {
    const call = h.begin('/v2/chat', {
      model: 'command-r',
      stream: true,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Toronto?' },
        { role: 'tool', tool_call_id: 'w0', content: [{ type: 'text', text: 'cold' }] },
      ],
    });
    h.sse(call, h.fixture('chat-v2-stream-tool.sse'));
    const c = captured(call);
    expect(c.input).toEqual([
      { role: 'system', parts: [text('Be brief.')] },
      { role: 'user', parts: [text('Weather in Toronto?')] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'w0', response: 'cold' }] },
    ]);
    const output = c.output as Array<{ parts: unknown[] }>;
    expect(output[0]!.parts).toEqual([
      { type: 'reasoning', content: 'I will look up the weather.' },
      { type: 'tool_call', id: 'get_weather_1', name: 'get_weather', arguments: { location: 'Toronto' } },
    ]);
  });

  it('v2 whole response and v1 stream (preamble as system instructions)', () => {
    const whole = h.begin('/v2/chat', { model: 'command-r', messages: [{ role: 'user', content: 'LLMs?' }] });
    h.respond(whole, JSON.parse(h.fixture('chat-v2.json')));
    expect(captured(whole).output).toEqual([
      {
        role: 'assistant',
        parts: [text('LLMs are neural networks trained on text.')],
        finish_reason: 'COMPLETE',
      },
    ]);
    const v1 = h.begin('/v1/chat', {
      model: 'command',
      stream: true,
      preamble: 'Be kind.',
      chat_history: [
        { role: 'USER', message: 'hi' },
        { role: 'CHATBOT', message: 'hello' },
      ],
      message: 'and now?',
    });
    h.lines(v1, h.fixture('chat-v1-stream.jsonl'));
    expect(captured(v1)).toEqual({
      system: [text('Be kind.')],
      input: [
        { role: 'user', parts: [text('hi')] },
        { role: 'assistant', parts: [text('hello')] },
        { role: 'user', parts: [text('and now?')] },
      ],
      output: [{ role: 'assistant', parts: [text('Hello!')], finish_reason: 'COMPLETE' }],
    });
  });
});

describe('Ollama', () => {
  const h = capturing({
    adapter: ollamaAdapter,
    provider: 'ollama',
    host: 'localhost',
    port: 11434,
    fixtures: 'ollama',
  });

  it('chat: images and tool results in; streamed lines out', () => {
    const call = h.begin('/api/chat', {
      model: 'llama3.2',
      messages: [
        { role: 'user', content: 'What is in this?', images: ['AAAA'] },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ function: { name: 'look', arguments: { at: 'it' } } }],
        },
        { role: 'tool', tool_name: 'look', content: 'a cat' },
      ],
    });
    h.lines(call, h.fixture('chat-stream.ndjson'));
    expect(captured(call)).toEqual({
      system: undefined,
      input: [
        {
          role: 'user',
          parts: [
            text('What is in this?'),
            { type: 'blob', modality: 'image', content: '…[truncated 4 bytes]' },
          ],
        },
        { role: 'assistant', parts: [{ type: 'tool_call', name: 'look', arguments: { at: 'it' } }] },
        {
          role: 'tool',
          name: 'look',
          parts: [{ type: 'tool_call_response', id: 'look', response: 'a cat' }],
        },
      ],
      output: [{ role: 'assistant', parts: [text('Hi!')], finish_reason: 'stop' }],
    });
  });

  it('generate: system as system instructions, prompt as the user message', () => {
    const call = h.begin('/api/generate', {
      model: 'llama3.2',
      system: 'Be brief.',
      prompt: 'Why?',
      stream: false,
    });
    h.respond(call, {
      model: 'llama3.2',
      response: 'Because.',
      done: true,
      done_reason: 'stop',
      eval_count: 2,
    });
    expect(captured(call)).toEqual({
      system: [text('Be brief.')],
      input: [{ role: 'user', parts: [text('Why?')] }],
      output: [{ role: 'assistant', parts: [text('Because.')], finish_reason: 'stop' }],
    });
  });
});
