/**
 * Test harness for provider adapters (imported only by *.test.ts): builds a call the way the recorder does and
 * feeds fixtures through the real decoders, so adapter unit tests share one definition of "how a call is driven".
 */
import { readFileSync } from 'node:fs';
import { NdjsonDecoder } from '../decode/ndjson.js';
import { SseDecoder } from '../decode/sse.js';
import { type ModelCall, newModelCall } from '../model-call.js';
import type { ProviderAdapter, RequestFacts, StreamEvent } from './types.js';

export interface AdapterHarnessOptions {
  adapter: ProviderAdapter;
  /** gen_ai.provider.name the host table would give. */
  provider: string;
  host: string;
  port: number;
  /** Folder name under __fixtures__. */
  fixtures: string;
}

export interface StreamResult {
  terminal: boolean;
  events: number;
}

export function adapterHarness(o: AdapterHarnessOptions) {
  const fixturesDir = new URL(`./__fixtures__/${o.fixtures}/`, import.meta.url);

  const fixture = (name: string): string => readFileSync(new URL(name, fixturesDir), 'utf8');

  const facts = (path: string, method = 'POST'): RequestFacts => ({
    method,
    host: o.host,
    port: o.port,
    path,
    query: '',
    header: () => undefined,
  });

  /** Classifies the path and applies the request body, including the stream default from the classification. */
  const start = (path: string, requestBody?: unknown): ModelCall => {
    const c = o.adapter.classify(facts(path), o.provider);
    if (c === undefined) throw new Error(`not classified: ${path}`);
    const call = newModelCall({
      provider: o.provider,
      operation: c.operation,
      serverAddress: o.host,
      serverPort: o.port,
      startTimeMs: 0,
    });
    if (c.streamFromPath !== undefined) call.request.stream = c.streamFromPath;
    if (requestBody !== undefined) o.adapter.onRequestBody(call, requestBody);
    return call;
  };

  /** Feeds a whole body through a decoder; events after the terminal one are counted but not applied. */
  const feed = (
    call: ModelCall,
    body: string,
    decoder: (emit: (event: StreamEvent) => void) => { push(b: Uint8Array): void; end(): void },
  ): StreamResult => {
    call.httpStatus = 200;
    let terminal = false;
    let events = 0;
    const d = decoder((event) => {
      events++;
      if (terminal) return;
      terminal = o.adapter.onStreamEvent(call, event);
    });
    d.push(new TextEncoder().encode(body));
    d.end();
    return { terminal, events };
  };

  const sse = (call: ModelCall, body: string): StreamResult =>
    feed(call, body, (emit) => new SseDecoder((event, data) => emit({ kind: 'sse', event, data })));

  const lines = (call: ModelCall, body: string): StreamResult =>
    feed(call, body, (emit) => new NdjsonDecoder((value) => emit({ kind: 'json', value })));

  const respond = (call: ModelCall, body: unknown, status = 200): void => {
    call.httpStatus = status;
    o.adapter.onResponseBody(call, body);
  };

  return { fixture, facts, start, sse, lines, respond };
}
