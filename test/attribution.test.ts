/**
 * Team and use-case attribution end to end: nested withAttribution through the real openai SDK, hundreds of
 * interleaved calls each keeping its own team, W3C baggage added to the app's outgoing non-provider requests
 * (never to a model provider), and attribution following a request across two real processes started with
 * `node --require @ailedger/instrumentation/register`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { context, propagation } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withAttribution } from '../instrumentation/src/attribution.js';
import { configureProviderHosts } from '../instrumentation/src/detect.js';
import { patchUndiciModule } from '../instrumentation/src/taps/undici.js';
import { type Standin, startOpenAIStandin } from './standins/openai.mjs';
import { attrs, oursOf } from './support/assertions.js';
import { type Receiver, startOtlpReceiver } from './support/otlp-receiver.js';
import { setupTracing } from './support/tracing.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FAKE_KEY = 'sk-test-ATTRIBFAKEKEY0123456789abcdefFAKE';
const tracing = setupTracing();
const require = createRequire(import.meta.url);
const undici = require('undici') as typeof import('undici');
patchUndiciModule(undici as unknown as Parameters<typeof patchUndiciModule>[0]);

let standin: Standin;
let openai: OpenAI;
/** A service of the app's own (not a model provider) that records the headers it receives. */
let service: http.Server;
let serviceUrl = '';
const received: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  standin = await startOpenAIStandin();
  configureProviderHosts(`127.0.0.1:${standin.port}=openai`);
  openai = new OpenAI({ baseURL: `${standin.url}/v1`, apiKey: FAKE_KEY, maxRetries: 0 });
  service = http.createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await standin.close();
  service.closeAllConnections();
  await new Promise((resolve) => service.close(resolve));
  configureProviderHosts(undefined);
});
beforeEach(() => {
  tracing.reset();
  received.length = 0;
});

const chat = (content = 'hi') =>
  openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });

function httpGet(url: string, headers: http.OutgoingHttpHeaders = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      })
      .on('error', reject);
  });
}

/** Every request the app makes to its own services, one per client style. */
async function callService(): Promise<void> {
  await fetch(`${serviceUrl}/a`).then((r) => r.text());
  await fetch(new URL(`${serviceUrl}/b`), { method: 'POST', headers: { 'x-app': '1' }, body: 'x' }).then(
    (r) => r.text(),
  );
  await httpGet(`${serviceUrl}/c`);
  await new Promise<void>((resolve, reject) => {
    const req = http.request(`${serviceUrl}/d`, { method: 'POST' }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end('body');
  });
  await undici.request(`${serviceUrl}/e`).then((r) => r.body.text());
  await undici.fetch(`${serviceUrl}/f`).then((r) => r.text());
}

describe('withAttribution', () => {
  it('nests field by field, and holds across await, timers and streams', async () => {
    await withAttribution({ team: 'search', useCase: 'ranking' }, async () => {
      await chat('outer');
      await withAttribution({ useCase: 'query-rewrite', user: 'bob' }, async () => {
        await sleep(2);
        await new Promise<void>((resolve, reject) =>
          setTimeout(() => chat('inner').then(() => resolve(), reject), 1),
        );
        const stream = await openai.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'streamed' }],
          stream: true,
        });
        for await (const _ of stream) await sleep(0);
      });
      await chat('outer again');
    });
    const spans = oursOf(await tracing.spans(4, 15_000));
    const byPrompt = (await Promise.all(spans.map((s) => attrs(s)))).map((a) => ({
      team: a['ailedger.team'],
      useCase: a['ailedger.use_case'],
      user: a['ailedger.user'],
    }));
    expect(byPrompt).toEqual(
      expect.arrayContaining([
        { team: 'search', useCase: 'ranking', user: undefined },
        { team: 'search', useCase: 'query-rewrite', user: 'bob' },
        { team: 'search', useCase: 'query-rewrite', user: 'bob' },
        { team: 'search', useCase: 'ranking', user: undefined },
      ]),
    );
    expect(spans).toHaveLength(4);
  });

  it('hundreds of interleaved calls each keep their own team', async () => {
    const N = 300;
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        withAttribution({ team: `team-${i % 7}`, user: `user-${i}` }, async () => {
          // Interleave: different delays, timers and awaits before and around each call.
          await sleep((i * 7) % 13);
          if (i % 3 === 0) await new Promise((r) => setImmediate(r));
          return withAttribution({ useCase: `case-${i % 5}` }, () => chat(`call ${i}`));
        }),
      ),
    );
    const spans = await tracing.spans(N, 30_000);
    expect(spans).toHaveLength(N);
    const users = new Set<string>();
    for (const span of spans) {
      const a = attrs(span);
      const i = Number(String(a['ailedger.user']).slice('user-'.length));
      users.add(String(a['ailedger.user']));
      expect(a['ailedger.team']).toBe(`team-${i % 7}`);
      expect(a['ailedger.use_case']).toBe(`case-${i % 5}`);
    }
    expect(users.size).toBe(N);
  });
});

describe('W3C baggage on outgoing requests', () => {
  it('no attribution in scope: the app’s requests are sent exactly as written', async () => {
    await callService();
    expect(received).toHaveLength(6);
    for (const headers of received) expect(headers.baggage).toBeUndefined();
  });

  it('requests to the app’s own services carry the attribution (fetch, http, undici)', async () => {
    await withAttribution({ team: 'payments', useCase: 'fraud check', user: 'u-7' }, callService);
    expect(received).toHaveLength(6);
    for (const headers of received) {
      expect(headers.baggage).toBe(
        'ailedger.team=payments,ailedger.use_case=fraud%20check,ailedger.user=u-7',
      );
    }
    expect(received[1]!['x-app']).toBe('1'); // the app's own headers are kept
  });

  it('a baggage header the app set itself is left as it is', async () => {
    await withAttribution({ team: 'payments' }, async () => {
      await fetch(serviceUrl, { headers: { baggage: 'tenant.id=t1' } }).then((r) => r.text());
      await httpGet(serviceUrl, { baggage: 'tenant.id=t2' });
    });
    expect(received.map((h) => h.baggage)).toEqual(['tenant.id=t1', 'tenant.id=t2']);
  });

  it('never to a model provider: not by us, nor by another propagator, nor from an app-set header', async () => {
    // Stands in for an instrumentation that injects the context's baggage into every undici request (as the
    // OpenTelemetry undici instrumentation does), with the standard W3C baggage propagator.
    propagation.setGlobalPropagator(new W3CBaggagePropagator());
    const onCreate = (message: unknown) => {
      const request = (message as { request: { addHeader(k: string, v: string): void } }).request;
      const carrier: Record<string, string> = {};
      propagation.inject(context.active(), carrier);
      for (const [k, v] of Object.entries(carrier)) request.addHeader(k, v);
    };
    diagnosticsChannel.subscribe('undici:request:create', onCreate);
    const before = standin.requests.length;
    try {
      let tenant = propagation.createBaggage({ 'tenant.id': { value: 't9' } });
      tenant = tenant.setEntry('region', { value: 'eu' });
      await context.with(propagation.setBaggage(context.active(), tenant), () =>
        withAttribution({ team: 'payments', user: 'u-7' }, async () => {
          await chat(); // a model call (openai SDK over fetch)
          await fetch(`${standin.url}/v1/models`).then((r) => r.text()); // not a model call, same provider host
          await new Promise<void>((resolve, reject) => {
            // An app (or an outer instrumentation) that put the attribution in the header itself.
            const req = http.request(
              `${standin.url}/v1/chat/completions`,
              {
                method: 'POST',
                headers: {
                  'content-type': 'application/json',
                  baggage: 'ailedger.team=payments,tenant.id=t9',
                },
              },
              (res) => {
                res.resume();
                res.on('end', () => resolve());
              },
            );
            req.on('error', reject);
            req.end(JSON.stringify({ model: 'gpt-4o-mini', messages: [] }));
          });
        }),
      );
    } finally {
      diagnosticsChannel.unsubscribe('undici:request:create', onCreate);
      propagation.disable();
    }
    const sent = standin.requests.slice(before);
    expect(sent).toHaveLength(3);
    for (const r of sent) {
      expect(String(r.headers.baggage ?? '')).not.toContain('ailedger.');
    }
    // What is not ours still travels.
    expect(sent[0]!.headers.baggage).toContain('tenant.id=t9');
    expect(sent[2]!.headers.baggage).toBe('tenant.id=t9');
    await tracing.spans(2);
  });
});

// --- Two real processes --------------------------------------------------------------------------------------

interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(app: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--require', '@ailedger/instrumentation/register', app], {
    cwd: here,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  child.stderr!.on('data', (c: Buffer) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitForLine(p: Proc, prefix: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = p
      .stdout()
      .split('\n')
      .find((l) => l.startsWith(prefix));
    if (line !== undefined) return line;
    if (p.child.exitCode !== null) break;
    await sleep(20);
  }
  throw new Error(`no "${prefix}" line; stderr: ${p.stderr()}`);
}

describe('across two processes over HTTP (node --require @ailedger/instrumentation/register)', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  async function run(service: string, extraB: Record<string, string> = {}) {
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    };
    const b = start('fixtures/attribution-service-b.cjs', {
      ...otel,
      ...extraB,
      OTEL_SERVICE_NAME: service,
      STANDIN_URL: standin.url,
      FAKE_KEY,
      REQUESTS: '2',
      AILEDGER_PROVIDER_HOSTS: `127.0.0.1:${standin.port}=openai`,
      AILEDGER_TEAM: 'service-b-default',
    });
    const port = (await waitForLine(b, 'listening ')).slice('listening '.length);
    const before = standin.requests.length;
    const a = start('fixtures/attribution-service-a.cjs', {
      ...otel,
      OTEL_SERVICE_NAME: `${service}-caller`,
      SERVICE_B_URL: `http://127.0.0.1:${port}`,
    });
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
    expect(a.stderr()).toBe('');
    expect(b.stderr()).toBe('');
    const deadline = Date.now() + 10_000;
    let spans = receiver.spans.filter((s) => s.resource['service.name'] === service);
    while (spans.length < 2 && Date.now() < deadline) {
      await sleep(20);
      spans = receiver.spans.filter((s) => s.resource['service.name'] === service);
    }
    return { a, spans, sentToProvider: standin.requests.slice(before) };
  }

  it('B’s model calls carry the team A set; the provider never sees it', async () => {
    const { a, spans, sentToProvider } = await run('attribution-b');
    const answers = JSON.parse(a.stdout()) as { viaFetch: string; viaHttp: string };
    expect(answers.viaFetch.length).toBeGreaterThan(0);
    expect(answers.viaHttp).toBe(answers.viaFetch);
    expect(spans).toHaveLength(2); // one per request A made (fetch, then http.get)
    for (const span of spans) {
      expect(span.scope).toBe('@ailedger/instrumentation');
      expect(span.attributes).toMatchObject({
        'gen_ai.provider.name': 'openai',
        'ailedger.team': 'checkout', // A's attribution wins over B's own AILEDGER_TEAM
        'ailedger.use_case': 'order-summary',
        'ailedger.user': 'alice',
        'ailedger.api_key.fingerprint': expect.stringMatching(/^[0-9a-f]{12}$/),
        'ailedger.content.request_sha256': expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    }
    expect(sentToProvider).toHaveLength(2);
    for (const r of sentToProvider) expect(r.headers.baggage).toBeUndefined();
    // A made no model call, so it exported nothing.
    expect(receiver.spans.filter((s) => s.resource['service.name'] === 'attribution-b-caller')).toEqual([]);
  });

  it('with content capture on, secrets in the prompt never reach the exported data', async () => {
    const secrets = [
      'sk-proj-TWOPROCFAKE0123456789abcdefghijKLMN',
      'AKIATWOPROCFAKE12345',
      'carol@example.net',
    ];
    const { spans } = await run('attribution-capture', {
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
      PROMPT: `keys: ${secrets.join(' ')}`,
    });
    expect(spans).toHaveLength(2);
    const input = String(spans[0]!.attributes['gen_ai.input.messages']);
    expect(input).toContain('[REDACTED:api_key]');
    expect(input).toContain('[REDACTED:aws_access_key]');
    expect(input).toContain('[REDACTED:email]');
    expect(String(spans[0]!.attributes['gen_ai.output.messages'])).toContain('"role":"assistant"');
    for (const body of receiver.rawBodies) {
      for (const secret of [...secrets, FAKE_KEY]) expect(body).not.toContain(secret);
    }
  });
});
