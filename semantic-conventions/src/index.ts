/**
 * Every attribute, metric and enum name ailedger emits or reads.
 *
 * - `gen-ai.ts`: the OpenTelemetry GenAI semantic conventions (v1.41.1 names, plus the few later additions we read).
 * - `ailedger.ts`: our own `ailedger.*` namespace and Prometheus metric names.
 * - `aliases.ts`: older and foreign names mapped to the current ones, for normalizing other instrumentations' spans.
 *
 * Zero runtime dependencies on purpose: this module is bundled into the instrumentation that every app loads.
 */

export * from './ailedger.js';
export * from './aliases.js';
export * from './gen-ai.js';
