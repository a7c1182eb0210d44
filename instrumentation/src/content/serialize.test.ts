import { describe, expect, it } from 'vitest';
import { newModelCall } from '../model-call.js';
import {
  type ChatMessage,
  CLIP_SLACK,
  captureDelta,
  captureInput,
  captureOutput,
  capturePart,
  captureToolCall,
  chatMessage,
  newCapturedContent,
  textPart,
  toolCallPart,
  urlPart,
} from './messages.js';
import { DEFAULT_REDACTOR, Redactor } from './redact.js';
import { contentAttributes, fitJson } from './serialize.js';

const KEY = 'sk-proj-FAKE0TEST0KEY0NOT0REAL0abcdefghij0123456789';

function call(maxBytes = 2048) {
  const c = newModelCall({
    provider: 'openai',
    operation: 'chat',
    serverAddress: 'h',
    serverPort: 443,
    startTimeMs: 0,
  });
  c.content = newCapturedContent(maxBytes);
  return c;
}

const opts = (maxBytes: number) => ({ maxBytes, redactor: DEFAULT_REDACTOR });
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('fitJson', () => {
  it('small content: the conventions JSON unchanged, with every string redacted', () => {
    const messages: ChatMessage[] = [
      chatMessage('user', [{ type: 'text', content: `my key ${KEY}` }]),
      chatMessage('assistant', [
        {
          type: 'tool_call',
          id: 'c1',
          name: 'send',
          arguments: { to: 'a@example.com', n: 4111111111111111 },
        },
      ]),
    ];
    const json = fitJson(messages, opts(4096));
    expect(JSON.parse(json)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'my key [REDACTED:api_key]' }] },
      {
        role: 'assistant',
        parts: [
          {
            type: 'tool_call',
            id: 'c1',
            name: 'send',
            arguments: { to: '[REDACTED:email]', n: '[REDACTED:card_number]' },
          },
        ],
      },
    ]);
    // The record itself is never changed.
    expect((messages[0]!.parts[0] as { content: string }).content).toContain(KEY);
  });

  it('cuts the longest strings first, with a visible marker, and stays valid JSON within the limit', () => {
    const long = 'x'.repeat(50_000);
    const messages = [
      chatMessage('system', [{ type: 'text', content: long }]),
      chatMessage('user', [{ type: 'text', content: 'What does the document say?' }]),
    ];
    const json = fitJson(messages, opts(4096));
    expect(bytes(json)).toBeLessThanOrEqual(4096);
    const parsed = JSON.parse(json) as Array<{ parts: Array<{ content: string }> }>;
    expect(parsed[1]!.parts[0]!.content).toBe('What does the document say?');
    const cut = parsed[0]!.parts[0]!.content;
    expect(cut).toMatch(/^x+…\[truncated (\d+) bytes\]$/);
    const removed = Number(/truncated (\d+) bytes/.exec(cut)![1]);
    expect(removed + cut.indexOf('…')).toBe(50_000); // the marker counts exactly what was removed
  });

  it('never splits a multi-byte character, and counts bytes not characters', () => {
    const text = '€'.repeat(10_000); // 3 bytes each
    for (const limit of [600, 1000, 1001, 1002, 4096]) {
      const json = fitJson([chatMessage('user', [{ type: 'text', content: text }])], opts(limit));
      expect(bytes(json)).toBeLessThanOrEqual(limit);
      const content = (JSON.parse(json) as Array<{ parts: Array<{ content: string }> }>)[0]!.parts[0]!
        .content;
      expect(content).toMatch(/^€*…\[truncated \d+ bytes\]$/);
      expect(content).not.toContain('\uFFFD');
    }
    const emoji = '😀'.repeat(5_000); // surrogate pairs
    const json = fitJson([chatMessage('user', [{ type: 'text', content: emoji }])], opts(999));
    expect(json).not.toContain('\uFFFD');
    expect(bytes(json)).toBeLessThanOrEqual(999);
  });

  it('redacts before cutting: a secret straddling the cut is never left half visible', () => {
    for (let offset = 1500; offset < 1700; offset += 7) {
      const text = `${'a '.repeat(offset / 2)}${KEY} ${'b'.repeat(4000)}`;
      const json = fitJson([chatMessage('user', [{ type: 'text', content: text }])], opts(1700));
      expect(json).not.toContain('sk-proj-FAKE0TEST');
      expect(bytes(json)).toBeLessThanOrEqual(1700);
    }
  });

  it('drops whole messages from the front, behind one marker, when cutting strings is not enough', () => {
    const many = Array.from({ length: 2_000 }, (_, i) =>
      chatMessage('user', [{ type: 'text', content: `m${i}` }]),
    );
    const json = fitJson(many, opts(2048));
    expect(bytes(json)).toBeLessThanOrEqual(2048);
    const parsed = JSON.parse(json) as Array<{ role: string; parts: Array<{ content: string }> }>;
    expect(parsed[0]!.parts[0]!.content).toMatch(/^…\[truncated \d+ bytes\]$/);
    expect(parsed[0]!.role).toBe('user');
    expect(parsed.length).toBeGreaterThan(10);
  });

  it('applies user patterns', () => {
    const json = fitJson([chatMessage('user', [{ type: 'text', content: 'ticket-123456' }])], {
      maxBytes: 1024,
      redactor: new Redactor([/ticket-\d+/]),
    });
    expect(json).toContain('[REDACTED]');
    expect(json).not.toContain('123456');
  });
});

describe('capture into the record', () => {
  it('does nothing when capture is off (no content object)', () => {
    const c = newModelCall({
      provider: 'openai',
      operation: 'chat',
      serverAddress: 'h',
      serverPort: 1,
      startTimeMs: 0,
    });
    captureInput(c, [chatMessage('user', [{ type: 'text', content: 'hi' }])]);
    captureDelta(c, 0, 'text', 'hello');
    captureToolCall(c, 0, 0, { name: 'f', argsDelta: '{}' });
    expect(c.content).toBeUndefined();
    expect(contentAttributes(c, opts(1024))).toEqual({});
  });

  it('assembles streamed text, reasoning and tool calls by choice, with finish reasons', () => {
    const c = call();
    captureDelta(c, 0, 'reasoning', 'think ');
    captureDelta(c, 0, 'reasoning', 'more');
    captureDelta(c, 0, 'text', 'Hel');
    captureDelta(c, 0, 'text', 'lo');
    captureToolCall(c, 0, 0, { id: 'call_1', name: 'get_weather' });
    captureToolCall(c, 0, 0, { argsDelta: '{"city":' });
    captureToolCall(c, 0, 0, { argsDelta: '"Paris"}' });
    captureDelta(c, 1, 'text', 'Second');
    c.response.finishReasons = ['tool_calls'];
    const out = JSON.parse(contentAttributes(c, opts(2048))['gen_ai.output.messages']!);
    expect(out).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'think more' },
          { type: 'text', content: 'Hello' },
          { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } },
        ],
        finish_reason: 'tool_calls',
      },
      // A choice that never finished is an unfinished generation.
      { role: 'assistant', parts: [{ type: 'text', content: 'Second' }], finish_reason: 'error' },
    ]);
  });

  it('keeps streamed output within the memory budget and marks what was dropped', () => {
    const c = call(1024);
    const piece = 'y'.repeat(100);
    for (let i = 0; i < 1_000; i++) captureDelta(c, 0, 'text', piece); // 100 KB streamed
    expect(c.content!.streamed!.kept).toBeLessThanOrEqual(1024 + CLIP_SLACK);
    const json = contentAttributes(c, opts(1024))['gen_ai.output.messages']!;
    expect(bytes(json)).toBeLessThanOrEqual(1024);
    const content = JSON.parse(json)[0].parts[0].content as string;
    const removed = Number(/truncated (\d+) bytes/.exec(content)![1]);
    expect(removed + content.indexOf('…')).toBe(100_000);
  });

  it('a secret cut by the memory budget is dropped with the cut region, not exported in part', () => {
    const c = call(1024);
    captureDelta(c, 0, 'text', 'z'.repeat(1024 + CLIP_SLACK - 20));
    captureDelta(c, 0, 'text', ` ${KEY} and more`); // only its first characters fit the budget
    const json = contentAttributes(c, opts(1024))['gen_ai.output.messages']!;
    expect(json).not.toContain('sk-p');
  });

  it('a whole part beyond the budget is counted, not kept', () => {
    const c = call(512);
    capturePart(c, 0, toolCallPart('id', 'f', { blob: 'q'.repeat(5000) }));
    const json = contentAttributes(c, opts(512))['gen_ai.output.messages']!;
    expect(json).not.toContain('qqq');
    expect(json).toMatch(/truncated \d+ bytes/);
  });

  it('whole output messages replace streamed ones', () => {
    const c = call();
    captureDelta(c, 0, 'text', 'partial');
    captureOutput(c, [
      { role: 'assistant', parts: [{ type: 'text', content: 'whole' }], finish_reason: 'stop' },
    ]);
    captureDelta(c, 0, 'text', 'late');
    expect(JSON.parse(contentAttributes(c, opts(1024))['gen_ai.output.messages']!)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'whole' }], finish_reason: 'stop' },
    ]);
  });

  it('system instructions are a list of parts', () => {
    const c = call();
    captureInput(
      c,
      [chatMessage('user', [{ type: 'text', content: 'hi' }])],
      [{ type: 'text', content: 'Be brief.' }],
    );
    expect(contentAttributes(c, opts(1024))).toEqual({
      'gen_ai.system_instructions': '[{"type":"text","content":"Be brief."}]',
      'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]',
    });
  });
});

describe('parts', () => {
  it('inline data is recorded by kind and size, never its bytes; URLs as uri parts', () => {
    expect(urlPart('image', 'data:image/png;base64,iVBORw0KGgo=')).toEqual({
      type: 'blob',
      modality: 'image',
      mime_type: 'image/png',
      content: '…[truncated 12 bytes]',
    });
    expect(urlPart('image', 'https://example.com/cat.png')).toEqual({
      type: 'uri',
      modality: 'image',
      uri: 'https://example.com/cat.png',
    });
    expect(textPart('')).toBeUndefined();
    expect(toolCallPart('x', 'f', '{"a":1}')).toEqual({
      type: 'tool_call',
      id: 'x',
      name: 'f',
      arguments: { a: 1 },
    });
    expect(toolCallPart('x', 'f', '{"a":')).toEqual({
      type: 'tool_call',
      id: 'x',
      name: 'f',
      arguments: '{"a":',
    });
  });
});
