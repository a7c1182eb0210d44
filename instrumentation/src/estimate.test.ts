import { Tiktoken } from 'js-tiktoken/lite';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { describe, expect, it, vi } from 'vitest';
import { encodingForModel, estimateTokens, estimateUsage } from './estimate.js';
import { type ModelCall, newModelCall } from './model-call.js';
import { openaiAdapter } from './providers/openai.js';

function chatCall(model: string, messages: unknown[]): ModelCall {
  const call = newModelCall({
    provider: 'openai',
    operation: 'chat',
    serverAddress: 'api.openai.com',
    serverPort: 443,
    startTimeMs: 0,
  });
  call.apiType = 'chat_completions';
  openaiAdapter.onRequestBody(call, { model, messages });
  return call;
}

// The example conversation of OpenAI's cookbook "How to count tokens with tiktoken", for which the API reported
// 124 prompt tokens on gpt-4o / gpt-4o-mini (o200k_base) and 129 on gpt-4 / gpt-3.5-turbo (cl100k_base).
const COOKBOOK_MESSAGES = [
  {
    role: 'system',
    content:
      'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.',
  },
  { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  {
    role: 'system',
    name: 'example_assistant',
    content: 'Things working well together will increase revenue.',
  },
  {
    role: 'system',
    name: 'example_user',
    content:
      "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
  },
  {
    role: 'system',
    name: 'example_assistant',
    content: "Let's talk later when we're less busy about how to do better.",
  },
  {
    role: 'user',
    content: "This late pivot means we don't have time to boil the ocean for the client deliverable.",
  },
];

const CODE = `export function fib(n: number): number {
  if (n < 2) return n;
  let [a, b] = [0, 1];
  for (let i = 1; i < n; i++) [a, b] = [b, a + b];
  return b;
}
// Prints the first ten Fibonacci numbers: 0 1 1 2 3 5 8 13 21 34
console.log(Array.from({ length: 10 }, (_, i) => fib(i)).join(' '));
`;

describe('encodingForModel', () => {
  it.each([
    ['gpt-4o-2024-08-06', 'o200k_base'],
    ['gpt-4o-mini', 'o200k_base'],
    ['chatgpt-4o-latest', 'o200k_base'],
    ['gpt-4.1-nano', 'o200k_base'],
    ['gpt-4.5-preview', 'o200k_base'],
    ['gpt-5.4-2026-03-05', 'o200k_base'],
    ['o1', 'o200k_base'],
    ['o3-mini-2025-01-31', 'o200k_base'],
    ['o4-mini', 'o200k_base'],
    ['openai/gpt-4o', 'o200k_base'],
    ['ft:gpt-4o-mini-2024-07-18:org::abc', 'o200k_base'],
    ['gpt-4-0613', 'cl100k_base'],
    ['gpt-4-turbo', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['text-embedding-3-small', 'cl100k_base'],
    ['o1x', 'cl100k_base'],
    ['llama-3.3-70b', 'cl100k_base'],
    [undefined, 'cl100k_base'],
  ])('%s → %s', (model, encoding) => {
    expect(encodingForModel(model)).toBe(encoding);
  });
});

describe('estimateTokens', () => {
  it('matches the counts OpenAI documents for short strings', async () => {
    // Cookbook: "tiktoken is great!" is 6 tokens in both encodings; "hello world" is 2.
    expect(await estimateTokens('gpt-4', 'tiktoken is great!')).toBe(6);
    expect(await estimateTokens('gpt-4o', 'tiktoken is great!')).toBe(6);
    expect(await estimateTokens('gpt-4o', 'hello world')).toBe(2);
    expect(await estimateTokens('gpt-4o', '')).toBe(0);
  });

  it('is within the chat formatting overhead of the prompt tokens the API reported', async () => {
    // Tolerance: the estimate counts message text only. The API adds, per the cookbook, 3 tokens per message
    // plus the role (1 token), 1 per `name` plus the name itself (2-3 tokens here), and 3 to prime the reply:
    // at most 4 per message + 4 per named message + 3 = 43 here. The estimate must never exceed the truth.
    const named = COOKBOOK_MESSAGES.filter((m) => m.name !== undefined).length;
    const tolerance = 4 * COOKBOOK_MESSAGES.length + 4 * named + 3;
    for (const [model, reported] of [
      ['gpt-4o', 124],
      ['gpt-4-0613', 129],
    ] as const) {
      const call = chatCall(model, COOKBOOK_MESSAGES);
      const estimate = await estimateTokens(model, call.estimation?.input ?? '');
      expect(estimate).toBeLessThanOrEqual(reported);
      expect(reported - estimate).toBeLessThanOrEqual(tolerance);
    }
  });

  it('handles code, multi-byte text and special-token strings without throwing', async () => {
    const code = await estimateTokens('gpt-4o', CODE);
    // Code tokenizes at roughly 3-4 characters per token.
    expect(code).toBeGreaterThan(CODE.length / 5);
    expect(code).toBeLessThan(CODE.length / 2);
    expect(await estimateTokens('gpt-4o', 'こんにちは世界 👋')).toBeGreaterThan(0);
    expect(await estimateTokens('gpt-4o', 'a <|endoftext|> b')).toBeGreaterThan(3);
  });

  it('slices long text without changing the count by more than one token per slice', async () => {
    // Here the truth is the same encoder on the whole text: this measures only the error of slicing (done so a
    // 1 MiB text does not block the event loop in one piece), not the tokenizer.
    const text = `${CODE}\nThe quick brown fox jumps over the lazy dog. `.repeat(1500);
    const whole = new Tiktoken(o200k).encode(text, [], []).length;
    const sliced = await estimateTokens('gpt-4o', text);
    const slices = Math.ceil(text.length / (16 * 1024));
    expect(Math.abs(sliced - whole)).toBeLessThanOrEqual(slices);
  });
});

describe('estimateUsage', () => {
  it('fills missing counts and flags the usage as estimated', async () => {
    const call = chatCall('gpt-4o', [{ role: 'user', content: 'hello world' }]);
    openaiAdapter.onStreamEvent(call, {
      kind: 'json',
      value: { choices: [{ index: 0, delta: { content: 'tiktoken is great!' } }] },
    });
    call.httpStatus = 200;
    expect(await estimateUsage(call)).toBe(true);
    expect(call.usage).toEqual({ inputTokens: 2, outputTokens: 6 });
    expect(call.usageEstimated).toBe(true);
  });

  it('fills only what the provider did not report', async () => {
    const call = chatCall('gpt-4o', [{ role: 'user', content: 'hello world' }]);
    call.estimation = { input: 'hello world', output: 'tiktoken is great!' };
    call.usage = { inputTokens: 11, cacheReadInputTokens: 0 };
    expect(await estimateUsage(call)).toBe(true);
    expect(call.usage).toEqual({ inputTokens: 11, cacheReadInputTokens: 0, outputTokens: 6 });
  });

  it('does nothing when usage is complete, there is no text, or the call failed', async () => {
    const full = chatCall('gpt-4o', [{ role: 'user', content: 'hi' }]);
    full.usage = { inputTokens: 1, outputTokens: 1 };
    expect(await estimateUsage(full)).toBe(false);
    expect(full.usageEstimated).toBe(false);

    const empty = chatCall('gpt-4o', []);
    expect(empty.estimation).toBeUndefined();
    expect(await estimateUsage(empty)).toBe(false);

    const failed = chatCall('gpt-4o', [{ role: 'user', content: 'hi' }]);
    failed.httpStatus = 429;
    expect(await estimateUsage(failed)).toBe(false);
    expect(failed.usage).toBeUndefined();
  });

  it('estimates only input for embeddings (no output text)', async () => {
    const call = chatCall('text-embedding-3-small', []);
    call.estimation = { input: 'hello world', output: '' };
    expect(await estimateUsage(call)).toBe(true);
    expect(call.usage).toEqual({ inputTokens: 2 });
  });
});

describe('lazy loading', () => {
  it('imports the tokenizer on first use only, once per encoding', async () => {
    vi.resetModules();
    let loads = 0;
    vi.doMock('js-tiktoken/lite', () => {
      loads++;
      return {
        Tiktoken: class {
          encode(text: string): number[] {
            return text.split(' ').map(() => 0);
          }
        },
      };
    });
    vi.doMock('js-tiktoken/ranks/cl100k_base', () => ({ default: {} }));
    try {
      const fresh = await import('./estimate.js');
      expect(loads).toBe(0);
      const [a, b] = await Promise.all([
        fresh.estimateTokens('gpt-4', 'a b c'),
        fresh.estimateTokens('gpt-4', 'd e'),
      ]);
      expect([a, b]).toEqual([3, 2]);
      expect(await fresh.estimateTokens('llama', 'x')).toBe(1);
      expect(loads).toBe(1);
    } finally {
      vi.doUnmock('js-tiktoken/lite');
      vi.doUnmock('js-tiktoken/ranks/cl100k_base');
      vi.resetModules();
    }
  });
});
