export { type CollectorConfig, ConfigError, type LoadOptions, loadConfig } from './config/load.js';
export { nanosToDecimal, usdToNanos } from './ledger/money.js';
export { type LedgerRow, toLedgerRow } from './ledger/row.js';
export {
  type InsertResult,
  LedgerError,
  type LedgerLocation,
  type LedgerStore,
  openLedgerStore,
  parseLedgerLocation,
} from './ledger/store.js';
export { DEFAULT_LEDGER_RETRY, LedgerWriter, type LedgerWriterOptions } from './ledger/writer.js';
export { createLogger, type Logger, silentLogger } from './log.js';
export { CountOnceIndex } from './processors/count-once.js';
export { type AccountedCall, type AttributionRules, Enricher, resolveTeam } from './processors/enrich.js';
export { normalizeGenAiSpan } from './processors/normalize.js';
export { buildFocus, FOCUS_COLUMNS, type FocusRow, focusCsv, focusJson } from './report/focus.js';
export { formatCsv, formatJson, formatTable } from './report/format.js';
export {
  buildReport,
  REPORT_DIMENSIONS,
  type Report,
  type ReportDimension,
  type ReportLine,
  type ReportOptions,
} from './report/report.js';
export { LedgerMetrics } from './self-metrics.js';
export { CollectorService, type CollectorServiceOptions } from './service.js';
export { AiLedgerSpanProcessor, type AiLedgerSpanProcessorOptions } from './span-processor.js';
export { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';
