/**
 * Content-capture settings from the instrumentation config and the environment:
 * OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT (off unless `true`, or the newer `SPAN_ONLY` /
 * `SPAN_AND_EVENT` values), AILEDGER_CONTENT_MAX_BYTES and AILEDGER_REDACT_PATTERNS.
 */
import { parseRedactPatterns, Redactor } from './redact.js';
import { type ContentOptions, DEFAULT_CONTENT_MAX_BYTES, MIN_CONTENT_MAX_BYTES } from './serialize.js';

export interface ContentSettings extends ContentOptions {
  capture: boolean;
}

export interface ContentConfig {
  captureMessageContent?: boolean;
  contentMaxBytes?: number;
  /** Added to the built-in rules and to AILEDGER_REDACT_PATTERNS. */
  redactPatterns?: readonly RegExp[];
}

const ON_VALUES = new Set(['true', 'span_only', 'span_and_event']);

export function captureSwitch(value: string | undefined): boolean {
  return value !== undefined && ON_VALUES.has(value.trim().toLowerCase());
}

function maxBytesOf(value: number | string | undefined, warnings: string[]): number {
  if (value === undefined || value === '') return DEFAULT_CONTENT_MAX_BYTES;
  const n = typeof value === 'number' ? value : Number(value.trim());
  if (!Number.isInteger(n) || n <= 0) {
    warnings.push(`AILEDGER_CONTENT_MAX_BYTES: not a positive integer: ${String(value)}`);
    return DEFAULT_CONTENT_MAX_BYTES;
  }
  return Math.max(n, MIN_CONTENT_MAX_BYTES);
}

export function contentSettings(
  config: ContentConfig,
  env: NodeJS.ProcessEnv = process.env,
): { settings: ContentSettings; warnings: string[] } {
  const warnings: string[] = [];
  const { patterns, errors } = parseRedactPatterns(env.AILEDGER_REDACT_PATTERNS);
  for (const e of errors) warnings.push(`AILEDGER_REDACT_PATTERNS: ${e}`);
  return {
    settings: {
      capture:
        config.captureMessageContent ?? captureSwitch(env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT),
      maxBytes: maxBytesOf(config.contentMaxBytes ?? env.AILEDGER_CONTENT_MAX_BYTES, warnings),
      redactor: new Redactor([...patterns, ...(config.redactPatterns ?? [])]),
    },
    warnings,
  };
}
