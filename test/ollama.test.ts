/**
 * The real ollama SDK against the Ollama stand-in (native API), taps in-process. Each scenario runs with the
 * taps passing through and active: the app-visible results must be equal, and exactly one span of ours per call
 * must carry prompt_eval_count / eval_count, done_reason, the model and the stream flag.
 *
 * The SDK stops reading a stream at the done:true line WITHOUT cancelling: the /hold stand-in keeps the connection
 * open after that line, so only the terminal event can end the span (otherwise it would wait for the idle timeout).
 *
 * The default `ollama` export is built at import and captures fetch then, so it is observed only when the taps
 * were installed first. This file therefore imports the SDK dynamically, after the tracing setup, as an app that
 * loads the register before its own code does.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configureProviderHosts } from '../instrumentation/src/detect.js';
import { type Standin, startOllamaStandin } from './standins/ollama.mjs';
import { attrs, onlyOurClientSpans } from './support/assertions.js';
import { setupTracing } from './support/tracing.js';

const FAKE_KEY = 'ollama-test-FAKEKEY0123456789abcdefFAKE';
const tracing = setupTracing();
// Only now, with the taps installed: the default instance captures fetch at import.
const sdk = await import('ollama');
type Client = InstanceType<typeof sdk.Ollama>;

let standin: Standin;

beforeAll(async () => {
  standin = await startOllamaStandin();
  configureProviderHosts(`127.0.0.1:${standin.port}=ollama`);
});
afterAll(async () => {
  await standin.close();
  configureProviderHosts(undefined);
});
beforeEach(() => tracing.reset());

/** A client as for ollama.com: with a bearer key, which must never reach a span. */
function client(prefix = ''): Client {
  return new sdk.Ollama({
    host: `${standin.url}${prefix}`,
    headers: { Authorization: `Bearer ${FAKE_KEY}` },
  });
}

const ours = (count: number) => onlyOurClientSpans(tracing, count, [FAKE_KEY, 'Bearer']);

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const part of stream) out.push(part);
  return out;
}

describe('ollama SDK (new Ollama({ host }))', () => {
  it('chat, not streamed: counts, done_reason, options and think', async () => {
    const { plain, traced } = await tracing.both(() =>
      client().chat({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: false,
        think: 'low',
        format: 'json',
        options: { num_predict: 3, temperature: 0.4, top_p: 0.8, top_k: 20, seed: 9, stop: ['###'] },
      }),
    );
    expect(traced).toEqual(plain);
    const [span] = await ours(1);
    expect(span!.name).toBe('chat llama3.2');
    expect(attrs(span!)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'ollama',
      'gen_ai.request.model': 'llama3.2',
      'gen_ai.request.max_tokens': 3,
      'gen_ai.request.temperature': 0.4,
      'gen_ai.request.top_p': 0.8,
      'gen_ai.request.top_k': 20,
      'gen_ai.request.seed': 9,
      'gen_ai.request.stop_sequences': ['###'],
      'gen_ai.request.reasoning.level': 'low',
      'gen_ai.output.type': 'json',
      'gen_ai.response.model': 'llama3.2',
      'gen_ai.response.finish_reasons': ['length'],
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 3,
      'ailedger.usage.estimated': false,
      'server.port': standin.port,
    });
    expect(attrs(span!)['gen_ai.request.stream']).toBeUndefined();
    expect(attrs(span!)['gen_ai.response.id']).toBeUndefined();
  });

  it('chat, streamed: the span ends at done:true although the SDK never cancels or reads to EOF', async () => {
    const run = async () =>
      collect(
        await client('/hold').chat({
          model: 'llama3.2',
          messages: [{ role: 'user', content: 'Hi' }],
          stream: true,
        }),
      );
    const { plain, traced } = await tracing.both(run);
    expect(traced).toEqual(plain);
    expect(traced).toHaveLength(6);
    const [span] = await ours(1);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.model': 'llama3.2',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 5,
      'ailedger.usage.estimated': false,
    });
    expect(attrs(span!)['error.type']).toBeUndefined();
    expect(span!.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('a slow stream with the connection held open: ends at the done line, promptly', async () => {
    const started = Date.now();
    const parts = await collect(
      await client('/slow/hold').chat({
        model: 'llama3.2',
        messages: [],
        stream: true,
        options: { num_predict: 2 },
      }),
    );
    expect(parts).toHaveLength(3);
    const [span] = await ours(1);
    expect(Date.now() - started).toBeLessThan(2000); // far below the idle timeout a missed terminal would need
    expect(attrs(span!)).toMatchObject({
      'gen_ai.usage.output_tokens': 2,
      'gen_ai.response.finish_reasons': ['length'],
    });
  });

  it('generate, streamed and not; a fully cached prompt (prompt_eval_count omitted) counts 0 input', async () => {
    const { plain, traced } = await tracing.both(async () => {
      const whole = await client().generate({
        model: 'qwen3:8b',
        prompt: 'Why?',
        system: 'Be brief.',
        stream: false,
      });
      const parts = await collect(
        await client('/cached').generate({ model: 'qwen3:8b', prompt: 'Why?', stream: true }),
      );
      return { whole, parts };
    });
    expect(traced).toEqual(plain);
    const spans = await ours(2);
    expect(spans.map((s) => s.name)).toEqual(['text_completion qwen3:8b', 'text_completion qwen3:8b']);
    expect(attrs(spans[0]!)).toMatchObject({
      'gen_ai.operation.name': 'text_completion',
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(attrs(spans[1]!)).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.usage.input_tokens': 0,
      'gen_ai.usage.output_tokens': 5,
      'ailedger.usage.estimated': false,
    });
  });

  it('embed (prompt_eval_count) and the legacy embeddings endpoint (estimated)', async () => {
    const { plain, traced } = await tracing.both(async () => ({
      embed: await client().embed({ model: 'all-minilm', input: ['first', 'second'], dimensions: 4 }),
      legacy: await client().embeddings({ model: 'all-minilm', prompt: 'hello world' }),
    }));
    expect(traced).toEqual(plain);
    const spans = await ours(2);
    expect(attrs(spans[0]!)).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.request.model': 'all-minilm',
      'gen_ai.response.model': 'all-minilm',
      'gen_ai.embeddings.dimension.count': 4,
      'gen_ai.usage.input_tokens': 8,
      'ailedger.usage.estimated': false,
    });
    expect(attrs(spans[0]!)['gen_ai.usage.output_tokens']).toBeUndefined();
    // No counts in the legacy response: the input is estimated locally and flagged.
    expect(attrs(spans[1]!)).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'ailedger.usage.estimated': true,
    });
    expect(attrs(spans[1]!)['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
  });

  it('a mid-stream error line: the same error for the app; the span ends there with error.type _OTHER', async () => {
    const run = () =>
      client('/midstream-error')
        .chat({ model: 'llama3.2', messages: [], stream: true })
        .then(collect)
        .then(
          () => 'no error',
          (err: Error) => ({ name: err.name, message: err.message }),
        );
    const { plain, traced } = await tracing.both(run);
    expect(traced).toEqual(plain);
    expect(traced).toMatchObject({ message: expect.stringContaining('unexpected EOF') });
    const [span] = await ours(1);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(attrs(span!)['error.type']).toBe('_OTHER');
  });

  it('404 for an unknown model: the same ResponseError; error.type is the status', async () => {
    const run = () =>
      client('/notfound')
        .chat({ model: 'llama9', messages: [] })
        .then(
          () => 'no error',
          (err: Error & { status_code?: number }) => ({
            name: err.name,
            message: err.message,
            status: err.status_code,
          }),
        );
    const { plain, traced } = await tracing.both(run);
    expect(traced).toEqual(plain);
    expect(traced).toMatchObject({ name: 'ResponseError', status: 404 });
    const [span] = await ours(1);
    expect(attrs(span!)).toMatchObject({ 'error.type': '404', 'http.response.status_code': 404 });
  });
});

describe('raw fetch to the native API', () => {
  it('an omitted "stream" streams by default, even with an application/json content type', async () => {
    const run = async () => {
      const r = await fetch(`${standin.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] }),
      });
      return { contentType: r.headers.get('content-type'), text: await r.text() };
    };
    const { plain, traced } = await tracing.both(run);
    expect(traced).toEqual(plain);
    expect(traced.text.trim().split('\n')).toHaveLength(6);
    const [span] = await ours(1);
    expect(attrs(span!)).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 5,
    });
  });
});

describe('the default `ollama` instance (fetch captured at import)', () => {
  it('is observed when the taps were installed before the import (redirected to the stand-in)', async () => {
    // The default instance talks to 127.0.0.1:11434; its host is a runtime field, so point it at the stand-in to
    // exercise the fetch it captured at import without depending on that port.
    const instance = sdk.default as unknown as { config: { host: string } };
    const original = instance.config.host;
    expect(original).toBe('http://127.0.0.1:11434');
    instance.config.host = standin.url;
    try {
      const parts = await collect(await sdk.default.chat({ model: 'llama3.2', messages: [], stream: true }));
      expect(parts.at(-1)).toMatchObject({ done: true });
    } finally {
      instance.config.host = original;
    }
    const [span] = await ours(1);
    expect(attrs(span!)).toMatchObject({ 'gen_ai.usage.input_tokens': 11, 'gen_ai.request.stream': true });
  });

  it('at its real address, 127.0.0.1:11434 (built-in host entry), when that port is free', async (ctx) => {
    let local: Standin;
    try {
      local = await startOllamaStandin({ port: 11434 });
    } catch (err) {
      // A real Ollama (or another test) holds the port: the redirected test above covers the capture.
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') ctx.skip();
      throw err;
    }
    // No configured host: 127.0.0.1:11434 is an Ollama by the built-in table.
    configureProviderHosts(undefined);
    try {
      const { plain, traced } = await tracing.both(async () => ({
        chat: await sdk.default.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] }),
        stream: await collect(await sdk.default.generate({ model: 'llama3.2', prompt: 'Hi', stream: true })),
      }));
      expect(traced).toEqual(plain);
      const spans = await ours(2);
      for (const span of spans) {
        expect(attrs(span)).toMatchObject({
          'gen_ai.provider.name': 'ollama',
          'server.address': '127.0.0.1',
          'server.port': 11434,
          'gen_ai.usage.input_tokens': 11,
          'gen_ai.usage.output_tokens': 5,
        });
      }
      expect(spans.map((s) => attrs(s)['gen_ai.request.stream'])).toEqual([undefined, true]);
    } finally {
      configureProviderHosts(`127.0.0.1:${standin.port}=ollama`);
      await local.close();
    }
  });
});
