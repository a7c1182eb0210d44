export { type Attribution, withAttribution } from './attribution.js';
export { apiKeyFingerprint, DEFAULT_API_KEY_SALT } from './fingerprint.js';
export { AiLedgerInstrumentation, type AiLedgerInstrumentationConfig } from './instrumentation.js';
export type { ModelCall, TokenUsage } from './model-call.js';
export { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';
