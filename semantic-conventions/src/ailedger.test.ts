import { describe, expect, it } from 'vitest';
import * as ailedger from './ailedger.js';

const PROMETHEUS_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const PROMETHEUS_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const metricNames = Object.entries(ailedger)
  .filter(([name]) => name.startsWith('METRIC_AILEDGER_'))
  .map(([, value]) => value as string);

describe('ailedger namespace', () => {
  it('keeps every attribute under ailedger.', () => {
    const attributes = Object.entries(ailedger).filter(([name]) => name.startsWith('ATTR_AILEDGER_'));
    expect(attributes.length).toBeGreaterThanOrEqual(16);
    for (const [name, value] of attributes) {
      expect(value, name).toMatch(/^ailedger\.[a-z0-9_.]+$/);
    }
  });

  it('has the count-once marks and the scope name', () => {
    expect(ailedger.ATTR_AILEDGER_ACCOUNTED_BY).toBe('ailedger.accounted_by');
    expect(ailedger.ATTR_AILEDGER_BILLABLE).toBe('ailedger.billable');
    expect(ailedger.AILEDGER_INSTRUMENTATION_SCOPE_NAME).toBe('@ailedger/instrumentation');
  });

  it('names cost components after the token types they price', () => {
    const components = [
      ailedger.ATTR_AILEDGER_COST_INPUT_USD,
      ailedger.ATTR_AILEDGER_COST_CACHE_READ_USD,
      ailedger.ATTR_AILEDGER_COST_CACHE_WRITE_USD,
      ailedger.ATTR_AILEDGER_COST_OUTPUT_USD,
    ].map((name) => name.replace('ailedger.cost.', '').replace('_usd', ''));
    expect(components).toEqual([
      ailedger.AILEDGER_TOKEN_TYPE_VALUE_INPUT,
      ailedger.AILEDGER_TOKEN_TYPE_VALUE_CACHE_READ,
      ailedger.AILEDGER_TOKEN_TYPE_VALUE_CACHE_WRITE,
      ailedger.AILEDGER_TOKEN_TYPE_VALUE_OUTPUT,
    ]);
  });
});

describe('Prometheus metrics', () => {
  it('has the six metrics with valid names and conventional suffixes', () => {
    expect([...metricNames].sort()).toEqual([
      'ailedger_cost_usd_total',
      'ailedger_request_duration_seconds',
      'ailedger_requests_total',
      'ailedger_time_to_first_token_seconds',
      'ailedger_tokens_total',
      'ailedger_unpriced_requests_total',
    ]);
    for (const name of metricNames) {
      expect(name).toMatch(PROMETHEUS_NAME);
      expect(name.endsWith('_total') || name.endsWith('_seconds'), name).toBe(true);
    }
  });

  it('gives every metric a label set of valid, unique, bounded labels', () => {
    expect(Object.keys(ailedger.AILEDGER_METRIC_LABELS).sort()).toEqual([...metricNames].sort());
    const allowed = new Set<string>(
      Object.entries(ailedger)
        .filter(([name]) => name.startsWith('AILEDGER_METRIC_LABEL_'))
        .map(([, value]) => String(value)),
    );
    expect([...allowed].sort()).toEqual([
      'model',
      'operation',
      'provider',
      'service',
      'status',
      'team',
      'type',
      'use_case',
    ]);
    for (const [metric, labels] of Object.entries(ailedger.AILEDGER_METRIC_LABELS)) {
      expect(new Set(labels).size, metric).toBe(labels.length);
      for (const label of labels) {
        expect(label).toMatch(PROMETHEUS_LABEL);
        expect(allowed.has(label), `${metric}: ${label}`).toBe(true);
      }
      expect(labels).toEqual(expect.arrayContaining(['team', 'use_case', 'provider', 'model', 'service']));
    }
    expect(ailedger.AILEDGER_METRIC_LABELS[ailedger.METRIC_AILEDGER_TOKENS_TOTAL]).toContain('type');
    expect(ailedger.AILEDGER_METRIC_LABELS[ailedger.METRIC_AILEDGER_COST_USD_TOTAL]).not.toContain('type');
    expect(ailedger.AILEDGER_METRIC_LABELS[ailedger.METRIC_AILEDGER_REQUESTS_TOTAL]).toContain('status');
  });
});
