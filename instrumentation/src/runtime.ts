/**
 * Process-wide state shared by the taps. Kept on a global symbol so that if both the ESM and the CJS build of this
 * package get loaded, there is still one set of taps, one tracer and one in-flight registry.
 */
import type { Tracer } from '@opentelemetry/api';
import type { ContentSettings } from './content/config.js';
import { DEFAULT_REDACTOR } from './content/redact.js';
import { DEFAULT_CONTENT_MAX_BYTES } from './content/serialize.js';
import type { ModelCall } from './model-call.js';
import type { CostAttributesInput } from './to-attributes.js';

export interface InFlightCall {
  /** Ends the call's span with what is known; used at shutdown so no span is lost. */
  abandon(reason: string): void;
}

export interface Runtime {
  /** Taps pass everything straight through while false (instrumentation disabled). */
  active: boolean;
  tracer: Tracer | undefined;
  /** Prices a finished call; installed by the instrumentation so taps stay independent of pricing. */
  price:
    | ((call: ModelCall) => CostAttributesInput | undefined | Promise<CostAttributesInput | undefined>)
    | undefined;
  inFlight: Set<InFlightCall>;
  /** A streamed response with no activity for this long is ended as abandoned. */
  streamIdleTimeoutMs: number;
  /** Counts of contained internal failures, for tests and diagnostics. */
  internalErrors: number;
  /** Content capture (off by default), its byte limit and redaction rules. */
  content: ContentSettings;
  /** Salt of API-key fingerprints (AILEDGER_API_KEY_SALT); undefined means the documented default. */
  apiKeySalt: string | undefined;
  /**
   * Set once attribution has been scoped (withAttribution) or received (baggage) in this process. Until then the
   * taps skip every baggage check, so apps that never attribute pay nothing per request.
   */
  attributionSeen: boolean;
}

const RUNTIME_KEY = Symbol.for('ailedger.runtime');

type GlobalWithRuntime = typeof globalThis & { [RUNTIME_KEY]?: Runtime };

const holder = globalThis as GlobalWithRuntime;
holder[RUNTIME_KEY] ??= {
  active: false,
  tracer: undefined,
  price: undefined,
  inFlight: new Set(),
  streamIdleTimeoutMs: 5 * 60_000,
  internalErrors: 0,
  content: { capture: false, maxBytes: DEFAULT_CONTENT_MAX_BYTES, redactor: DEFAULT_REDACTOR },
  apiKeySalt: undefined,
  attributionSeen: false,
};
export const runtime: Runtime = holder[RUNTIME_KEY];

/** Epoch milliseconds with sub-millisecond precision (Date.now() is too coarse for time to first chunk). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
