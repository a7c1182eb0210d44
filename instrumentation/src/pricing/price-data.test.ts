/**
 * Newer genai-prices data without upgrading (AILEDGER_PRICES_DATA). The data set is process-wide, so this file
 * runs its steps in order; vitest gives each test file its own module state.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Provider, waitForUpdate } from '@pydantic/genai-prices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_SOURCE } from './catalog.js';
import { Pricer } from './pricer.js';
import type { PriceInput } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'ailedger-price-data-'));
let bundled: Provider[];

/** The bundled data with gpt-4o's input price set to `input` (a fictitious newer price, to see it take effect). */
function dataWithGpt4oInput(input: number): string {
  const copy = JSON.parse(JSON.stringify(bundled)) as Provider[];
  const model = copy.find((p) => p.id === 'openai')!.models.find((m) => m.id === 'gpt-4o')!;
  model.prices = { input_mtok: input, cache_read_mtok: 1.25, output_mtok: 10 };
  return JSON.stringify(copy);
}

const GPT4O: PriceInput = {
  provider: 'openai',
  responseModel: 'gpt-4o-2024-08-06',
  usage: { inputTokens: 1_000_000, outputTokens: 0 },
  timestampMs: Date.parse('2025-11-03T12:00:00Z'),
};

let served = { status: 200, body: '', delayMs: 0 };
let server: Server;
let base: string;

beforeAll(async () => {
  bundled = (await waitForUpdate()) as Provider[];
  server = createServer((_req, res) => {
    const { status, body, delayMs } = served;
    // unref: the never-answering case must not keep the worker alive.
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    }, delayMs).unref();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('AILEDGER_PRICES_DATA', () => {
  it('starts with the bundled data', () => {
    const cost = new Pricer({ overridesFile: false, priceData: false }).price(GPT4O);
    expect(cost.totalUsd).toBeCloseTo(2.5, 12);
    expect(cost.source).toBe(BUNDLED_SOURCE);
  });

  it('loads a data file before the first call, and every pricer drops its cached match', async () => {
    const earlier = new Pricer({ overridesFile: false, priceData: false });
    expect(earlier.price(GPT4O).totalUsd).toBeCloseTo(2.5, 12);

    const file = join(dir, 'data.json');
    writeFileSync(file, dataWithGpt4oInput(3));
    const pricer = new Pricer({ overridesFile: false, env: { AILEDGER_PRICES_DATA: file } });
    const cost = pricer.price(GPT4O);
    expect(cost.totalUsd).toBeCloseTo(3, 12);
    expect(cost.source).toMatch(/^genai-prices-data@sha256:[0-9a-f]{12}$/);
    expect(pricer.priceData()).toMatchObject({ origin: 'data.json', source: cost.source });
    expect(pricer.priceData().error).toBeUndefined();
    expect(earlier.price(GPT4O).totalUsd).toBeCloseTo(3, 12);
  });

  it('keeps the data in force when a file is missing, not JSON or not price data', () => {
    const inForce = new Pricer({ overridesFile: false, priceData: false }).priceData().source;
    const bad: Array<[string, string | undefined, string]> = [
      ['missing.json', undefined, 'ENOENT'],
      ['garbage.json', 'not json at all', 'not JSON'],
      ['object.json', '{"providers": []}', 'expected a JSON array of providers'],
      ['empty.json', '[]', 'the provider list is empty'],
      ['shape.json', '[{"id": "openai"}]', 'provider [0] needs an id and a models list'],
    ];
    for (const [name, text, reason] of bad) {
      const file = join(dir, name);
      if (text !== undefined) writeFileSync(file, text);
      const warnings: string[] = [];
      const pricer = new Pricer({
        overridesFile: false,
        priceData: file,
        onWarning: (m) => warnings.push(m),
      });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`price data ${name}: `);
      expect(warnings[0]).toContain(reason);
      expect(warnings[0]).toContain(`keeping ${inForce}`);
      expect(pricer.priceData().error).toContain(reason);
      const cost = pricer.price(GPT4O);
      expect(cost.totalUsd).toBeCloseTo(3, 12);
      expect(cost.source).toBe(inForce);
    }
  });

  it('fetches a URL in the background: calls never wait for it', async () => {
    served = { status: 200, body: dataWithGpt4oInput(4), delayMs: 300 };
    const pricer = new Pricer({ overridesFile: false, priceData: `${base}/data.json?token=secret` });
    const started = performance.now();
    expect(pricer.price(GPT4O).totalUsd).toBeCloseTo(3, 12);
    expect(performance.now() - started).toBeLessThan(100);
    await pricer.ready();
    expect(pricer.price(GPT4O).totalUsd).toBeCloseTo(4, 12);
    // The origin drops the query, which may carry a credential.
    expect(pricer.priceData().origin).toBe(`${base}/data.json`);
  });

  it('keeps the data in force when the download fails, and refreshes from the same URL', async () => {
    served = { status: 404, body: 'not found', delayMs: 0 };
    const warnings: string[] = [];
    const pricer = new Pricer({
      overridesFile: false,
      priceData: `${base}/data.json`,
      onWarning: (m) => warnings.push(m),
    });
    await pricer.ready();
    expect(warnings[0]).toContain(`price data ${base}/data.json: HTTP 404`);
    expect(pricer.price(GPT4O).totalUsd).toBeCloseTo(4, 12);

    served = { status: 200, body: dataWithGpt4oInput(5), delayMs: 0 };
    const status = await pricer.refreshPriceData();
    expect(status.error).toBeUndefined();
    expect(pricer.price(GPT4O).totalUsd).toBeCloseTo(5, 12);
  });

  it('gives up on a server that does not answer, without blocking calls', async () => {
    served = { status: 200, body: '[]', delayMs: 60_000 };
    const { loadPriceData } = await import('./catalog.js');
    const status = await loadPriceData(`${base}/slow.json`, 200);
    expect(status.error).toMatch(/price data .*slow\.json: .*(abort|timeout)/i);
    expect(new Pricer({ overridesFile: false, priceData: false }).price(GPT4O).totalUsd).toBeCloseTo(5, 12);
  });
});
