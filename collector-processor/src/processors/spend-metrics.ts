/**
 * Metrics derived from counted model calls, in Prometheus form. Each call is seen here once (the enricher
 * decides which span counts it). Labels come from a configurable allow-list and the number of label sets per
 * metric is capped, so a runaway label (a model name per request, a team per user) cannot exhaust memory: past
 * the cap, new label sets are folded into one series whose labels read `other`.
 */
import {
  AILEDGER_REQUEST_STATUS_VALUE_ERROR,
  AILEDGER_REQUEST_STATUS_VALUE_OK,
  AILEDGER_TOKEN_TYPE_VALUE_CACHE_READ,
  AILEDGER_TOKEN_TYPE_VALUE_CACHE_WRITE,
  AILEDGER_TOKEN_TYPE_VALUE_INPUT,
  AILEDGER_TOKEN_TYPE_VALUE_OUTPUT,
  METRIC_AILEDGER_COST_USD_TOTAL,
  METRIC_AILEDGER_REQUEST_DURATION_SECONDS,
  METRIC_AILEDGER_REQUESTS_TOTAL,
  METRIC_AILEDGER_TIME_TO_FIRST_TOKEN_SECONDS,
  METRIC_AILEDGER_TOKENS_TOTAL,
  METRIC_AILEDGER_UNPRICED_REQUESTS_TOTAL,
} from '@ailedger/semantic-conventions';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { MetricLabel } from '../config/load.js';
import type { AccountedCall } from './enrich.js';

const OVERFLOW = 'other';
const UNKNOWN = 'unknown';

const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300];
const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30];

type Labels = Record<string, string>;

interface CounterChild {
  inc(value?: number): void;
}

/**
 * A counter child whose increments are summed here and handed to prom-client when Prometheus scrapes: a
 * prom-client child still hashes its labels on every inc(), which cost more than the rest of a call's metrics.
 */
class PendingCounter {
  private pending = 0;
  constructor(private readonly child: CounterChild) {}
  inc(n = 1): void {
    this.pending += n;
  }
  flush(): void {
    if (this.pending === 0) return;
    this.child.inc(this.pending);
    this.pending = 0;
  }
}
interface HistogramChild {
  observe(value: number): void;
}

/** The metric children of one label set. */
interface Series {
  labels: Labels;
  cost: PendingCounter;
  tokensInput: PendingCounter;
  tokensCacheRead: PendingCounter;
  tokensCacheWrite: PendingCounter;
  tokensOutput: PendingCounter;
  requestsOk: PendingCounter;
  requestsError: PendingCounter;
  durationOk: HistogramChild;
  durationError: HistogramChild;
  ttft: HistogramChild;
  unpriced: Map<string, CounterChild>;
}

function addTokens(child: PendingCounter, n: number): void {
  if (n > 0 && Number.isFinite(n)) child.inc(n);
}

export interface SpendMetricsOptions {
  registry: Registry;
  labels: readonly MetricLabel[];
  maxSeries: number;
}

export class SpendMetrics {
  private readonly labels: readonly MetricLabel[];
  private readonly maxSeries: number;
  private readonly series = new Map<string, Series>();
  private overflow: Series | undefined;
  private readonly cost: Counter<string>;
  private readonly tokens: Counter<string>;
  private readonly requests: Counter<string>;
  private readonly duration: Histogram<string>;
  private readonly ttft: Histogram<string>;
  private readonly unpriced: Counter<string>;
  private readonly overflowed: Counter<string>;
  /** Every pending counter, flushed before a scrape reads the counters. */
  private readonly pending: PendingCounter[] = [];
  private readonly flushAll = (): void => {
    for (const p of this.pending) p.flush();
  };

  constructor(options: SpendMetricsOptions) {
    this.labels = options.labels;
    this.maxSeries = options.maxSeries;
    const registers = [options.registry];
    const base = [...options.labels];
    this.cost = new Counter({
      name: METRIC_AILEDGER_COST_USD_TOTAL,
      collect: this.flushAll,
      help: 'Cost of priced model calls, USD (each call counted once).',
      labelNames: base,
      registers,
    });
    this.tokens = new Counter({
      name: METRIC_AILEDGER_TOKENS_TOTAL,
      collect: this.flushAll,
      help: 'Tokens of model calls by disjoint type: input (uncached), cache_read, cache_write, output.',
      labelNames: [...base, 'type'],
      registers,
    });
    this.requests = new Counter({
      name: METRIC_AILEDGER_REQUESTS_TOTAL,
      collect: this.flushAll,
      help: 'Model calls by outcome (ok or error).',
      labelNames: [...base, 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: METRIC_AILEDGER_REQUEST_DURATION_SECONDS,
      help: 'Model call duration, request to end of response (stream end for streams), seconds.',
      labelNames: [...base, 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.ttft = new Histogram({
      name: METRIC_AILEDGER_TIME_TO_FIRST_TOKEN_SECONDS,
      help: 'Streamed model calls: request to first chunk, seconds.',
      labelNames: base,
      buckets: TTFT_BUCKETS,
      registers,
    });
    this.unpriced = new Counter({
      name: METRIC_AILEDGER_UNPRICED_REQUESTS_TOTAL,
      help: 'Model calls that could not be priced, by pricing status (unknown_model, no_usage, invalid_usage).',
      labelNames: [...base, 'status'],
      registers,
    });
    this.overflowed = new Counter({
      name: 'ailedger_collector_metric_series_overflow_total',
      help: 'Model calls recorded under the "other" label set because metrics.max_series was reached.',
      registers,
    });
  }

  record(a: AccountedCall): void {
    const series = this.seriesFor(a);
    const call = a.call;
    const failed = call.error !== undefined;
    (failed ? series.requestsError : series.requestsOk).inc();
    if (call.endTimeMs !== undefined && call.endTimeMs >= call.startTimeMs) {
      (failed ? series.durationError : series.durationOk).observe((call.endTimeMs - call.startTimeMs) / 1000);
    }
    if (
      call.request.stream &&
      call.firstChunkTimeMs !== undefined &&
      call.firstChunkTimeMs >= call.startTimeMs
    ) {
      series.ttft.observe((call.firstChunkTimeMs - call.startTimeMs) / 1000);
    }
    const usage = call.usage;
    if (usage !== undefined) {
      const cacheRead = usage.cacheReadInputTokens ?? 0;
      const cacheWrite = usage.cacheCreationInputTokens ?? 0;
      const input = Math.max(0, (usage.inputTokens ?? 0) - cacheRead - cacheWrite);
      addTokens(series.tokensInput, input);
      addTokens(series.tokensCacheRead, cacheRead);
      addTokens(series.tokensCacheWrite, cacheWrite);
      addTokens(series.tokensOutput, usage.outputTokens ?? 0);
    }
    const total = a.cost.totalUsd;
    if (a.cost.status === 'priced') {
      if (total !== undefined && Number.isFinite(total) && total >= 0) series.cost.inc(total);
    } else {
      let unpriced = series.unpriced.get(a.cost.status);
      if (unpriced === undefined) {
        unpriced = this.unpriced.labels({ ...series.labels, status: a.cost.status });
        series.unpriced.set(a.cost.status, unpriced);
      }
      unpriced.inc();
    }
  }

  /**
   * The children of every metric for the call's label set, created once per label set: prom-client validates and
   * hashes a label object on every inc(), which is most of the cost of a metric update.
   */
  private seriesFor(a: AccountedCall): Series {
    const values: string[] = [];
    for (const name of this.labels) values.push(this.value(name, a));
    const key = values.join('\u0000');
    const known = this.series.get(key);
    if (known !== undefined) return known;
    if (this.series.size >= this.maxSeries) {
      this.overflowed.inc();
      return this.overflowSeries();
    }
    const labels: Labels = {};
    this.labels.forEach((name, i) => {
      labels[name] = values[i] as string;
    });
    const created = this.createSeries(labels);
    this.series.set(key, created);
    return created;
  }

  private overflowSeries(): Series {
    if (this.overflow === undefined) {
      const labels: Labels = {};
      for (const name of this.labels) labels[name] = OVERFLOW;
      this.overflow = this.createSeries(labels);
    }
    return this.overflow;
  }

  private createSeries(labels: Labels): Series {
    const pending = (child: CounterChild) => {
      const p = new PendingCounter(child);
      this.pending.push(p);
      return p;
    };
    return {
      labels,
      cost: pending(this.cost.labels(labels)),
      tokensInput: pending(this.tokens.labels({ ...labels, type: AILEDGER_TOKEN_TYPE_VALUE_INPUT })),
      tokensCacheRead: pending(this.tokens.labels({ ...labels, type: AILEDGER_TOKEN_TYPE_VALUE_CACHE_READ })),
      tokensCacheWrite: pending(
        this.tokens.labels({ ...labels, type: AILEDGER_TOKEN_TYPE_VALUE_CACHE_WRITE }),
      ),
      tokensOutput: pending(this.tokens.labels({ ...labels, type: AILEDGER_TOKEN_TYPE_VALUE_OUTPUT })),
      requestsOk: pending(this.requests.labels({ ...labels, status: AILEDGER_REQUEST_STATUS_VALUE_OK })),
      requestsError: pending(
        this.requests.labels({ ...labels, status: AILEDGER_REQUEST_STATUS_VALUE_ERROR }),
      ),
      durationOk: this.duration.labels({ ...labels, status: AILEDGER_REQUEST_STATUS_VALUE_OK }),
      durationError: this.duration.labels({ ...labels, status: AILEDGER_REQUEST_STATUS_VALUE_ERROR }),
      ttft: this.ttft.labels(labels),
      unpriced: new Map(),
    };
  }

  private value(name: MetricLabel, a: AccountedCall): string {
    switch (name) {
      case 'team':
        return a.team;
      case 'use_case':
        return a.useCase ?? UNKNOWN;
      case 'provider':
        return a.call.provider || UNKNOWN;
      case 'model':
        return a.call.response.model ?? a.call.request.model ?? UNKNOWN;
      case 'operation':
        return a.call.operation || UNKNOWN;
      case 'service':
        return a.service ?? UNKNOWN;
      case 'environment':
        return a.environment ?? UNKNOWN;
    }
  }
}
