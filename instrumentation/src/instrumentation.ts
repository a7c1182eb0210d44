/**
 * AiLedgerInstrumentation: the taps as an OpenTelemetry Instrumentation, for apps that build their own NodeSDK.
 * Inert until enabled. Builtins (fetch, http, https, http2) are patched in place at enable time, so registration
 * order relative to SDK imports does not matter as long as it runs before clients are constructed (openai,
 * @anthropic-ai/sdk and ollama capture fetch then). The `undici` package is patched when it is loaded. HTTP servers
 * are tapped too, only to take in attribution baggage from upstream services.
 */
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import type { TracerProvider } from '@opentelemetry/api';
import {
  InstrumentationBase,
  type InstrumentationConfig,
  InstrumentationNodeModuleDefinition,
} from '@opentelemetry/instrumentation';
import { contain } from './call-recorder.js';
import { type ContentConfig, contentSettings } from './content/config.js';
import { configureProviderHosts } from './detect.js';
import type { ModelCall } from './model-call.js';
import type { CallCost } from './pricing/index.js';
import { runtime } from './runtime.js';
import { wrapFetch } from './taps/fetch.js';
import { patchHttpModule } from './taps/http.js';
import { patchHttp2Module } from './taps/http2.js';
import { patchServerPrototype } from './taps/server.js';
import { patchUndiciModule } from './taps/undici.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

export interface AiLedgerInstrumentationConfig extends InstrumentationConfig, ContentConfig {
  /**
   * Extra provider hosts, `host[:port]=provider,...` (vLLM, a LiteLLM proxy, a gateway in front of Azure OpenAI).
   * Defaults to the AILEDGER_PROVIDER_HOSTS environment variable.
   */
  providerHosts?: string;
  /** A streamed response idle this long is ended as abandoned. Default 5 minutes. */
  streamIdleTimeoutMs?: number;
  /** Salt of ailedger.api_key.fingerprint. Defaults to AILEDGER_API_KEY_SALT, else a fixed documented salt. */
  apiKeySalt?: string;
}

const FETCH_PATCHED = Symbol.for('ailedger.fetch.patched');
const BUILTINS_PATCHED = Symbol.for('ailedger.builtins.patched');

type GlobalWithMarks = typeof globalThis & { [BUILTINS_PATCHED]?: boolean };

/** Installs the builtin taps once per process. They stay installed and become pass-through when disabled. */
function installBuiltinTaps(): void {
  const g = globalThis as GlobalWithMarks;
  if (g[BUILTINS_PATCHED]) return;
  g[BUILTINS_PATCHED] = true;
  try {
    const currentFetch = globalThis.fetch as typeof fetch & { [FETCH_PATCHED]?: boolean };
    if (typeof currentFetch === 'function' && !currentFetch[FETCH_PATCHED]) {
      const wrapped = wrapFetch(currentFetch) as typeof fetch & { [FETCH_PATCHED]?: boolean };
      wrapped[FETCH_PATCHED] = true;
      globalThis.fetch = wrapped;
    }
    patchHttpModule(http as unknown as Parameters<typeof patchHttpModule>[0], 80);
    patchHttpModule(https as unknown as Parameters<typeof patchHttpModule>[0], 443);
    patchHttp2Module(http2 as unknown as Parameters<typeof patchHttp2Module>[0]);
    patchServerPrototype(http.Server.prototype as unknown as Parameters<typeof patchServerPrototype>[0]);
    patchServerPrototype(https.Server.prototype as unknown as Parameters<typeof patchServerPrototype>[0]);
    // ESM named imports of builtins ({ request } from 'node:http') are live only after this.
    syncBuiltinESMExports();
  } catch (err) {
    contain('install taps', err);
  }
}

let pricing: Promise<(call: ModelCall) => CallCost> | undefined;

/**
 * Prices a finished call with the shared pricing module. Loaded on the first model call (the price database
 * takes tens of milliseconds to load), after the app already has its response.
 */
function priceCall(call: ModelCall): Promise<CallCost> {
  pricing ??= import('./pricing/index.js').then(({ Pricer, priceInputFromCall }) => {
    const pricer = new Pricer({
      onWarning: (message) => process.emitWarning(`@ailedger/instrumentation: ${message}`),
    });
    return (c: ModelCall) => pricer.price(priceInputFromCall(c));
  });
  return pricing.then((price) => price(call));
}

export class AiLedgerInstrumentation extends InstrumentationBase<AiLedgerInstrumentationConfig> {
  constructor(config: AiLedgerInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        'undici',
        ['>=5.0.0 <10'],
        (moduleExports) => patchUndiciModule(moduleExports),
        (moduleExports) => moduleExports,
      ),
    ];
  }

  override enable(): void {
    super.enable();
    const config = this.getConfig();
    try {
      configureProviderHosts(config.providerHosts ?? process.env.AILEDGER_PROVIDER_HOSTS);
    } catch (err) {
      // A bad AILEDGER_PROVIDER_HOSTS is a configuration error the user must see, but never a crash of their app.
      contain('AILEDGER_PROVIDER_HOSTS', err);
    }
    if (config.streamIdleTimeoutMs !== undefined) runtime.streamIdleTimeoutMs = config.streamIdleTimeoutMs;
    try {
      const { settings, warnings } = contentSettings(config);
      runtime.content = settings;
      // A bad pattern or limit must be seen (the user relies on it), but it is skipped, never fatal.
      for (const warning of warnings) process.emitWarning(`@ailedger/instrumentation: ${warning}`);
    } catch (err) {
      contain('content settings', err);
    }
    runtime.apiKeySalt = config.apiKeySalt ?? process.env.AILEDGER_API_KEY_SALT;
    runtime.tracer = this.tracer;
    runtime.price = priceCall;
    installBuiltinTaps();
    runtime.active = true;
  }

  override disable(): void {
    super.disable();
    runtime.active = false;
  }

  override setTracerProvider(tracerProvider: TracerProvider): void {
    super.setTracerProvider(tracerProvider);
    runtime.tracer = this.tracer;
  }
}
