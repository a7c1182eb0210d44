/**
 * `ailedger collector`: one pipeline, named and ordered like the OpenTelemetry Collector's —
 * receiver (OTLP/HTTP) → processors (normalize, count once, price, attribute, derive metrics) → exporters
 * (OTLP/HTTP with queue and retry), plus the spend ledger as one more consumer with its own queue. The receiver
 * acknowledges a request only once every exporter and the ledger have queued it; a full queue is answered with
 * 503 + Retry-After so the sender keeps the data.
 */
import fs from 'node:fs';
import { Pricer } from '@ailedger/instrumentation/core';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { AdminServer } from './admin/server.js';
import { type CollectorConfig, ConfigError } from './config/load.js';
import { OtlpHttpExporter } from './exporters/otlp-http.js';
import type { Exporter } from './exporters/types.js';
import { LedgerWriter } from './ledger/writer.js';
import { createLogger, type Logger } from './log.js';
import { encodeTraceRequest, protobufTracesToJson } from './otlp/codec.js';
import type { TraceRequest } from './otlp/types.js';
import { CountOnceIndex } from './processors/count-once.js';
import { type AccountedCall, Enricher } from './processors/enrich.js';
import { SpendMetrics } from './processors/spend-metrics.js';
import { TracesProcessor } from './processors/traces.js';
import { RefusedError, type TraceConsumer } from './receivers/consumer.js';
import { OtlpHttpReceiver } from './receivers/otlp-http.js';
import { LedgerMetrics, SelfMetrics } from './self-metrics.js';

/** How long a refused sender is asked to wait before retrying. */
const REFUSAL_RETRY_AFTER_S = 5;

export interface CollectorServiceOptions {
  logger?: Logger;
  /** Called for every model call counted (the ledger hooks in here). */
  onAccounted?: (calls: readonly AccountedCall[]) => void;
}

export class CollectorService implements TraceConsumer {
  readonly registry = new Registry();
  readonly log: Logger;
  private readonly selfMetrics: SelfMetrics;
  private readonly spendMetrics: SpendMetrics;
  private readonly pricer: Pricer;
  private readonly processor: TracesProcessor;
  private readonly exporters: Exporter[];
  /** The spend ledger, when `ledger.url` is set. */
  readonly ledger: LedgerWriter | undefined;
  private readonly receiver: OtlpHttpReceiver;
  private readonly admin: AdminServer;
  private state: 'new' | 'running' | 'draining' | 'stopped' = 'new';
  private watching: string | undefined;

  constructor(
    readonly config: CollectorConfig,
    private readonly options: CollectorServiceOptions = {},
  ) {
    this.log = options.logger ?? createLogger(config.logLevel);
    collectDefaultMetrics({ register: this.registry, prefix: 'ailedger_collector_' });
    this.selfMetrics = new SelfMetrics(this.registry);
    this.spendMetrics = new SpendMetrics({
      registry: this.registry,
      labels: config.metrics.labels,
      maxSeries: config.metrics.maxSeries,
    });
    try {
      this.pricer = new Pricer({
        overridesFile: config.pricing.overrides ?? false,
        priceData: config.pricing.data ?? false,
        strict: true,
        onWarning: (m) => this.log.warn(m),
      });
    } catch (e) {
      throw new ConfigError(`pricing.overrides: ${(e as Error).message}`);
    }
    this.processor = new TracesProcessor(
      new Enricher({ pricer: this.pricer, rules: config.attribution, countOnce: new CountOnceIndex() }),
      this.log,
      { count: (processor) => this.selfMetrics.processorErrors.inc({ processor }) },
    );
    this.exporters = config.exporters.map(
      (e) =>
        new OtlpHttpExporter({
          config: e,
          queue: config.queue,
          metrics: this.selfMetrics,
          log: this.log,
          tracesToJson: protobufTracesToJson,
        }),
    );
    if (config.ledger.url !== undefined) {
      try {
        this.ledger = new LedgerWriter({
          url: config.ledger.url,
          maxQueuedRows: config.ledger.queueMaxRows,
          batchMaxRows: config.ledger.batchMaxRows,
          retry: config.ledger.retry,
          fsync: config.queue.fsync,
          log: this.log,
          metrics: new LedgerMetrics(this.registry),
          ...(config.queue.directory === undefined ? {} : { queueDirectory: config.queue.directory }),
        });
      } catch (e) {
        throw new ConfigError(`ledger.url: ${(e as Error).message}`);
      }
    }
    this.receiver = new OtlpHttpReceiver({
      endpoint: config.receiver.endpoint,
      maxBodyBytes: config.receiver.maxBodyBytes,
      requestTimeoutMs: config.receiver.requestTimeoutMs,
      consumer: this,
      metrics: this.selfMetrics,
      log: this.log,
      ...(config.receiver.bearerToken === undefined ? {} : { bearerToken: config.receiver.bearerToken }),
    });
    this.admin = new AdminServer({
      endpoint: config.admin.endpoint,
      registry: this.registry,
      notReadyReason: () => this.notReadyReason(),
      log: this.log,
    });
  }

  /** Starts exporters (replaying a persistent queue), then the admin endpoint, then the receiver. */
  async start(): Promise<{
    receiver: { host: string; port: number };
    admin: { host: string; port: number };
  }> {
    await this.pricer.ready();
    for (const e of this.exporters) await e.start();
    await this.ledger?.start();
    const admin = await this.admin.start();
    const receiver = await this.receiver.start();
    this.state = 'running';
    this.watchOverrides();
    if (this.exporters.length === 0) {
      this.log.warn(
        this.ledger === undefined
          ? 'no exporters configured: spans are priced and counted in /metrics, then discarded'
          : 'no exporters configured: spans are priced, counted in /metrics and the ledger, then discarded',
      );
    }
    this.log.info('ailedger collector started', {
      receiver: `${receiver.host}:${receiver.port}`,
      admin: `${admin.host}:${admin.port}`,
      exporters: this.exporters.map((e) => e.name).join(',') || 'none',
      persistent_queue: this.config.queue.directory !== undefined,
      ledger: this.ledger?.location.description ?? 'none',
    });
    return { receiver, admin };
  }

  /** Receiver first (no new data), then exporters drain within the deadline, then the admin endpoint. */
  async shutdown(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'draining') return;
    this.state = 'draining';
    if (this.watching !== undefined) fs.unwatchFile(this.watching);
    await this.receiver.shutdown();
    // Exporters and the ledger take the drain time as a duration (an epoch value would overflow setTimeout).
    const drainMs = this.config.drainTimeoutMs;
    await Promise.all([...this.exporters.map((e) => e.shutdown(drainMs)), this.ledger?.shutdown(drainMs)]);
    await this.admin.shutdown();
    this.state = 'stopped';
    this.log.info('ailedger collector stopped');
  }

  async consumeTraces(
    req: TraceRequest,
    spanCount: number,
  ): Promise<{ rejectedSpans?: number; message?: string } | undefined> {
    this.refuseUnlessAccepting(spanCount);
    const accounted = this.processor.process(req);
    // Checked again with the exact count: the ledger queue bounds rows (counted calls), not spans.
    if (this.ledger !== undefined && !this.ledger.hasCapacity(accounted.length)) {
      throw new RefusedError('the ledger queue is full', 503, REFUSAL_RETRY_AFTER_S);
    }
    const queued: Array<Promise<void>> = [];
    if (this.ledger !== undefined && accounted.length > 0) queued.push(this.ledger.enqueue(accounted));
    if (this.exporters.length > 0) {
      const body = encodeTraceRequest(req);
      const item = {
        signal: 'traces' as const,
        body,
        contentType: 'application/x-protobuf',
        items: spanCount,
      };
      for (const e of this.exporters) queued.push(e.enqueue(item));
    }
    await Promise.all(queued);
    // Counted only once the data is accepted: a refused request comes back and would be counted twice.
    for (const a of accounted) {
      try {
        this.spendMetrics.record(a);
      } catch (err) {
        this.selfMetrics.processorErrors.inc({ processor: 'metrics' });
        this.log.warn('recording metrics failed', { error: String(err) });
      }
    }
    if (accounted.length > 0) this.options.onAccounted?.(accounted);
    return undefined;
  }

  async consumeRaw(
    signal: 'metrics' | 'logs',
    body: Uint8Array,
    contentType: string,
    items: number,
  ): Promise<void> {
    this.refuseUnlessAccepting(items);
    await Promise.all(this.exporters.map((e) => e.enqueue({ signal, body, contentType, items })));
  }

  private refuseUnlessAccepting(items: number): void {
    if (this.state !== 'running')
      throw new RefusedError('the collector is shutting down', 503, REFUSAL_RETRY_AFTER_S);
    for (const e of this.exporters) {
      if (!e.hasCapacity(items)) {
        throw new RefusedError(`the queue of exporter "${e.name}" is full`, 503, REFUSAL_RETRY_AFTER_S);
      }
    }
    if (this.ledger !== undefined && !this.ledger.hasCapacity(1)) {
      throw new RefusedError('the ledger queue is full', 503, REFUSAL_RETRY_AFTER_S);
    }
  }

  private notReadyReason(): string | undefined {
    if (this.state !== 'running') return this.state;
    for (const e of this.exporters) if (!e.hasCapacity(1)) return `queue of exporter "${e.name}" is full`;
    if (this.ledger !== undefined && !this.ledger.hasCapacity(1)) return 'ledger queue is full';
    return undefined;
  }

  private watchOverrides(): void {
    const file = this.config.pricing.overrides;
    if (file === undefined || !this.config.pricing.watch) return;
    this.watching = file;
    fs.watchFile(file, { interval: 2000, persistent: false }, (curr, prev) => {
      if (curr.mtimeMs === prev.mtimeMs) return;
      const result = this.pricer.reload();
      if (result.ok) this.log.info('pricing overrides reloaded', { file });
      else
        this.log.error('pricing overrides refused; previous overrides stay in force', {
          file,
          error: result.error,
        });
    });
  }
}
