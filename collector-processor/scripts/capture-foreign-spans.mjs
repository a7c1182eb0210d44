#!/usr/bin/env node
/**
 * Captures the spans that real third-party GenAI instrumentations emit, as small JSON fixtures for the collector's
 * normalization tests (src/processors/__fixtures__/<instrumentation>.json).
 *
 *   node collector-processor/scripts/capture-foreign-spans.mjs [target ...]
 *
 * Targets (default: all):
 *   traceloop-instrumentation-openai       @traceloop/instrumentation-openai (OpenLLMetry) on the openai SDK
 *   opentelemetry-instrumentation-openai   @opentelemetry/instrumentation-openai (OTel contrib) on the openai SDK
 *   openinference-instrumentation-openai   @arizeai/openinference-instrumentation-openai on the openai SDK
 *   vercel-ai-sdk                          `ai` + @ai-sdk/openai with experimental_telemetry enabled
 *   anthropic-sdk                          @anthropic-ai/sdk tracing itself (scope com.anthropic.sdk.typescript)
 *
 * The parent starts the local stand-ins (test/standins) and forks one child per target: the openai
 * instrumentations patch `require('openai')` through require hooks, so each child registers its instrumentation
 * before it first requires the SDK, and no child sees another's patches. Each child runs the same scenarios
 * (chat, chat-stream with include_usage, embeddings where the API has them, chat-error against a 429/529) with an
 * InMemorySpanExporter and sends the finished spans back over IPC; the parent strips what churns between runs and
 * writes the fixture. A target that fails is reported and gets no fixture (nothing is faked).
 *
 * What the instrumentations did with openai 6.49.0 on Node 20 (recorded, not worked around):
 * - @traceloop/instrumentation-openai 0.27.0: no span for embeddings (it patches chat, completions, responses and
 *   images only); no span for a failed call (its promise wrapper has no rejection handler, so the span never
 *   ends); a streamed chat's span has no usage although the stream carried the include_usage chunk (it only
 *   counts tokens itself when `enrichTokens` is set).
 * - @opentelemetry/instrumentation-openai 0.21.0: works when registered through registerInstrumentations (as
 *   below). Constructed and enabled by hand it has no metric instruments and a streamed chat throws
 *   "Cannot read properties of undefined (reading 'record')" inside the app's for-await loop.
 * - @arizeai/openinference-instrumentation-openai 4.2.7: no span for a failed call (the span is ended only on
 *   success or a synchronous throw); no token counts on streamed chats or embeddings.
 *
 * What churns and is rewritten (listed per fixture under "rewritten"): the stand-in's random port (server.port
 * and inside URLs) becomes STANDIN_PORT; timings and timestamps become fixed values of the same type. Span and
 * trace ids are replaced by the span's index in the fixture ("parent" is that index, or null).
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const fixturesDir = join(here, '..', 'src', 'processors', '__fixtures__');
const standinsDir = join(repoRoot, 'test', 'standins');
const require = createRequire(import.meta.url);

/** The port every fixture shows for a stand-in, whatever port it really had. */
const STANDIN_PORT = 4010;
const FIXED_TIMESTAMP = '2026-01-01T00:00:00.000Z';
/** Timings become these (ms, or s for the OTel names), so a test can still check the unit conversion. */
const FIXED_TIMING_MS = 250;
const FIXED_TIMING_S = 0.25;

const TARGETS = {
  'traceloop-instrumentation-openai': { kind: 'openai', module: '@traceloop/instrumentation-openai' },
  'opentelemetry-instrumentation-openai': { kind: 'openai', module: '@opentelemetry/instrumentation-openai' },
  'openinference-instrumentation-openai': {
    kind: 'openai',
    module: '@arizeai/openinference-instrumentation-openai',
  },
  'vercel-ai-sdk': { kind: 'vercel' },
  'anthropic-sdk': { kind: 'anthropic' },
};

const MESSAGES = [{ role: 'user', content: 'Say hello' }];
const SPAN_KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

// ---------------------------------------------------------------------------------------------------------------
// Child: one target, in its own process.

function packageVersion(name) {
  // Some packages do not export ./package.json; find it next to the resolved entry point.
  let dir = dirname(require.resolve(name));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = require(join(dir, 'package.json'));
      if (pkg.name === name) return pkg.version;
    } catch {}
    dir = dirname(dir);
  }
  return 'unknown';
}

function setUpTracing() {
  const { trace, context } = require('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  const {
    BasicTracerProvider,
    InMemorySpanExporter,
    SimpleSpanProcessor,
  } = require('@opentelemetry/sdk-trace-base');
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  // Global, as an app's SDK would: the AI SDK and the Anthropic SDK look the tracer up through the API.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return { exporter, provider };
}

/** Waits until no new span has ended for a while (streamed calls end their spans after the app is done). */
async function settled(exporter) {
  let last = -1;
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const count = exporter.getFinishedSpans().length;
    if (count === last && count > 0) return;
    last = count;
  }
}

function plainSpan(span, scenario) {
  const attributes = {};
  for (const [key, value] of Object.entries(span.attributes)) {
    attributes[key] = Array.isArray(value) ? [...value] : value;
  }
  return {
    scenario,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? span.parentSpanId ?? null,
    name: span.name,
    kind: SPAN_KINDS[span.kind] ?? String(span.kind),
    scope: { name: span.instrumentationScope.name, version: span.instrumentationScope.version ?? null },
    status: span.status.message
      ? { code: span.status.code, message: span.status.message }
      : { code: span.status.code },
    attributes,
    ...(span.events.length > 0 ? { events: span.events.map((e) => e.name) } : {}),
  };
}

/** Runs each scenario, collecting the spans it produced; a failing call is expected only in `chat-error`. */
async function runScenarios(exporter, scenarios) {
  const spans = [];
  const notes = [];
  for (const [scenario, run] of Object.entries(scenarios)) {
    exporter.reset();
    try {
      await run();
      if (scenario.endsWith('-error')) notes.push(`${scenario}: the call unexpectedly succeeded`);
    } catch (error) {
      if (!scenario.endsWith('-error')) throw new Error(`${scenario}: ${error?.stack ?? error}`);
    }
    await settled(exporter);
    const finished = exporter.getFinishedSpans();
    if (finished.length === 0) notes.push(`${scenario}: no span`);
    for (const span of finished) spans.push(plainSpan(span, scenario));
  }
  return { spans, notes };
}

async function openaiTarget(target, openaiBase) {
  const { exporter, provider } = setUpTracing();
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');
  const { metrics } = require('@opentelemetry/api');
  const mod = require(TARGETS[target].module);
  // registerInstrumentations, as NodeSDK does, also hands over the meter provider. Without it
  // @opentelemetry/instrumentation-openai 0.21.0 has no metric instruments (its class fields reset what the base
  // constructor created) and a streamed chat throws "Cannot read properties of undefined (reading 'record')"
  // from inside the app's for-await loop.
  registerInstrumentations({
    instrumentations: [new mod.OpenAIInstrumentation()],
    tracerProvider: provider,
    meterProvider: metrics.getMeterProvider(),
  });
  // After the instrumentation: its require hook patches the SDK as it loads.
  const { OpenAI } = require('openai');
  const client = new OpenAI({ baseURL: `${openaiBase}/v1`, apiKey: 'sk-fixture-not-a-key', maxRetries: 0 });
  const failing = new OpenAI({
    baseURL: `${openaiBase}/ratelimited/v1`,
    apiKey: 'sk-fixture-not-a-key',
    maxRetries: 0,
  });
  const result = await runScenarios(exporter, {
    chat: () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 5 }),
    'chat-stream': async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: MESSAGES,
        max_tokens: 5,
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const _ of stream) {
      }
    },
    embeddings: () => client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' }),
    'chat-error': () =>
      failing.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 5 }),
  });
  return { ...result, versions: { [TARGETS[target].module]: packageVersion(TARGETS[target].module) } };
}

async function vercelTarget(openaiBase) {
  const { exporter } = setUpTracing();
  const { generateText, streamText, embed } = await import('ai');
  const { createOpenAI } = await import('@ai-sdk/openai');
  const openai = createOpenAI({ baseURL: `${openaiBase}/v1`, apiKey: 'sk-fixture-not-a-key' });
  const failing = createOpenAI({ baseURL: `${openaiBase}/ratelimited/v1`, apiKey: 'sk-fixture-not-a-key' });
  const telemetry = { isEnabled: true };
  const result = await runScenarios(exporter, {
    chat: () =>
      generateText({
        model: openai.chat('gpt-4o-mini'),
        prompt: 'Say hello',
        maxOutputTokens: 5,
        maxRetries: 0,
        experimental_telemetry: telemetry,
      }),
    'chat-stream': async () => {
      const result = streamText({
        model: openai.chat('gpt-4o-mini'),
        prompt: 'Say hello',
        maxOutputTokens: 5,
        maxRetries: 0,
        experimental_telemetry: telemetry,
      });
      for await (const _ of result.textStream) {
      }
      await result.usage;
    },
    embeddings: () =>
      embed({
        model: openai.embedding('text-embedding-3-small'),
        value: 'hello',
        maxRetries: 0,
        experimental_telemetry: telemetry,
      }),
    'chat-error': () =>
      generateText({
        model: failing.chat('gpt-4o-mini'),
        prompt: 'Say hello',
        maxOutputTokens: 5,
        maxRetries: 0,
        experimental_telemetry: telemetry,
      }),
  });
  return {
    ...result,
    versions: { ai: packageVersion('ai'), '@ai-sdk/openai': packageVersion('@ai-sdk/openai') },
  };
}

async function anthropicTarget(anthropicBase) {
  const { exporter } = setUpTracing();
  const { Anthropic } = require('@anthropic-ai/sdk');
  const client = new Anthropic({ baseURL: anthropicBase, apiKey: 'sk-ant-fixture-not-a-key', maxRetries: 0 });
  const failing = new Anthropic({
    baseURL: `${anthropicBase}/overloaded`,
    apiKey: 'sk-ant-fixture-not-a-key',
    maxRetries: 0,
  });
  // Not a model the SDK warns about as deprecated.
  const model = 'claude-sonnet-4-6';
  const result = await runScenarios(exporter, {
    chat: () => client.messages.create({ model, max_tokens: 64, messages: MESSAGES }),
    'chat-stream': async () => {
      const stream = await client.messages.create({
        model,
        max_tokens: 64,
        messages: MESSAGES,
        stream: true,
      });
      for await (const _ of stream) {
      }
    },
    'chat-error': () => failing.messages.create({ model, max_tokens: 64, messages: MESSAGES }),
  });
  return { ...result, versions: { '@anthropic-ai/sdk': packageVersion('@anthropic-ai/sdk') } };
}

async function child(target) {
  const { kind } = TARGETS[target];
  const openaiBase = process.env.CAPTURE_OPENAI_URL;
  const anthropicBase = process.env.CAPTURE_ANTHROPIC_URL;
  try {
    const result =
      kind === 'openai'
        ? await openaiTarget(target, openaiBase)
        : kind === 'vercel'
          ? await vercelTarget(openaiBase)
          : await anthropicTarget(anthropicBase);
    result.versions.openai = kind === 'anthropic' ? undefined : packageVersion('openai');
    process.send({ ok: true, result });
  } catch (error) {
    process.send({ ok: false, error: String(error?.stack ?? error) });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parent: stand-ins, children, fixtures.

const TIMING_MS_KEY = /(^|\.)(ms[A-Z]\w*|\w*PerSecond)$/;
const TIMING_S_KEY = /(^|\.)(time_to_first_\w+|duration\w*|latency\w*)$/;
const TIMESTAMP_KEY = /timestamp$/i;

/** Rewrites what changes from run to run; returns the keys it rewrote. */
function stabilize(spans, ports) {
  const rewritten = new Set();
  const portPattern = new RegExp(`(127\\.0\\.0\\.1|localhost):(${ports.join('|')})\\b`, 'g');
  const ids = new Map(spans.map((s, i) => [s.spanId, i]));
  return {
    spans: spans.map((s) => {
      const attributes = {};
      for (const [key, value] of Object.entries(s.attributes)) {
        let v = value;
        if (key === 'server.port' && ports.includes(Number(v))) v = STANDIN_PORT;
        else if (typeof v === 'string' && portPattern.test(v))
          v = v.replace(portPattern, `$1:${STANDIN_PORT}`);
        else if (TIMESTAMP_KEY.test(key)) v = typeof v === 'number' ? 0 : FIXED_TIMESTAMP;
        else if (TIMING_MS_KEY.test(key) && typeof v === 'number') v = FIXED_TIMING_MS;
        else if (TIMING_S_KEY.test(key) && typeof v === 'number') v = FIXED_TIMING_S;
        portPattern.lastIndex = 0;
        if (v !== value) rewritten.add(key);
        attributes[key] = v;
      }
      const { spanId, parentSpanId, ...rest } = s;
      return {
        ...rest,
        parent: parentSpanId === null ? null : (ids.get(parentSpanId) ?? 'outside'),
        attributes,
      };
    }),
    rewritten: [...rewritten].sort(),
  };
}

function runChild(target, env) {
  return new Promise((resolve) => {
    const proc = fork(fileURLToPath(import.meta.url), ['--child', target], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let message;
    proc.on('message', (m) => {
      message = m;
    });
    proc.on('exit', (code, signal) => {
      resolve(
        message ?? { ok: false, error: `child exited (code ${code}, signal ${signal}) without a result` },
      );
    });
  });
}

async function parent(requested) {
  const targets = requested.length > 0 ? requested : Object.keys(TARGETS);
  for (const t of targets) if (!TARGETS[t]) throw new Error(`unknown target ${t}`);
  const { startOpenAIStandin } = await import(pathToFileURL(join(standinsDir, 'openai.mjs')).href);
  const { startAnthropicStandin } = await import(pathToFileURL(join(standinsDir, 'anthropic.mjs')).href);
  const openai = await startOpenAIStandin();
  const anthropic = await startAnthropicStandin();
  let failures = 0;
  try {
    for (const target of targets) {
      const outcome = await runChild(target, {
        CAPTURE_OPENAI_URL: openai.url,
        CAPTURE_ANTHROPIC_URL: anthropic.url,
        // Keep the Anthropic SDK and the instrumentations on their defaults, whatever the shell says.
        OTEL_SEMCONV_STABILITY_OPT_IN: '',
      });
      if (!outcome.ok) {
        failures++;
        console.error(`${target}: FAILED, no fixture written\n${outcome.error}`);
        continue;
      }
      const { spans, rewritten } = stabilize(outcome.result.spans, [openai.port, anthropic.port]);
      const fixture = {
        captured: `node ${process.versions.node.split('.')[0]}; scripts/capture-foreign-spans.mjs`,
        versions: outcome.result.versions,
        standinPort: STANDIN_PORT,
        rewritten,
        notes: outcome.result.notes,
        spans,
      };
      const file = join(fixturesDir, `${target}.json`);
      writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
      console.log(`${target}: ${spans.length} spans -> ${file.slice(repoRoot.length + 1)}`);
      for (const note of outcome.result.notes) console.log(`  note: ${note}`);
    }
  } finally {
    await openai.close();
    await anthropic.close();
  }
  process.exitCode = failures > 0 ? 1 : 0;
}

const args = process.argv.slice(2);
if (args[0] === '--child') await child(args[1]);
else await parent(args);
