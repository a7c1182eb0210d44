/**
 * The collector's own telemetry, in the OpenTelemetry Collector's vocabulary (accepted / refused / sent /
 * failed / dropped spans, queue size and capacity, export latency), so "was anything lost?" is answered by
 * arithmetic: accepted = sent + dropped + queued.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class SelfMetrics {
  /** Spans the receiver acknowledged (200). */
  readonly receiverAcceptedSpans: Counter<'signal'>;
  /** Spans refused with a retryable status (queue full, shutting down); the sender keeps them. */
  readonly receiverRefusedSpans: Counter<'signal' | 'reason'>;
  /** Requests rejected as malformed, too large, unauthorized or of an unsupported type. */
  readonly receiverRejectedRequests: Counter<'reason'>;
  /** Spans (items) a backend accepted. */
  readonly exporterSentItems: Counter<'exporter' | 'signal'>;
  /** Export attempts that failed and will be retried. */
  readonly exporterFailedItems: Counter<'exporter' | 'signal' | 'reason'>;
  /** Items given up on, with the reason (non-retryable status, retry budget exhausted). Never silent. */
  readonly exporterDroppedItems: Counter<'exporter' | 'signal' | 'reason'>;
  readonly exporterQueueSize: Gauge<'exporter'>;
  readonly exporterQueueCapacity: Gauge<'exporter'>;
  readonly exporterLatency: Histogram<'exporter' | 'outcome'>;
  /** Spans the processors could not enrich (they are forwarded unenriched, never dropped). */
  readonly processorErrors: Counter<'processor'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.receiverAcceptedSpans = new Counter({
      name: 'ailedger_collector_receiver_accepted_items_total',
      help: 'Items (spans, metric points, log records) acknowledged to senders.',
      labelNames: ['signal'],
      registers,
    });
    this.receiverRefusedSpans = new Counter({
      name: 'ailedger_collector_receiver_refused_items_total',
      help: 'Items refused with a retryable status (429/503); the sender keeps and retries them.',
      labelNames: ['signal', 'reason'],
      registers,
    });
    this.receiverRejectedRequests = new Counter({
      name: 'ailedger_collector_receiver_rejected_requests_total',
      help: 'Requests rejected as malformed (400), too large (413), unauthorized (401) or unsupported (404/405/415).',
      labelNames: ['reason'],
      registers,
    });
    this.exporterSentItems = new Counter({
      name: 'ailedger_collector_exporter_sent_items_total',
      help: 'Items a backend accepted.',
      labelNames: ['exporter', 'signal'],
      registers,
    });
    this.exporterFailedItems = new Counter({
      name: 'ailedger_collector_exporter_send_failed_items_total',
      help: 'Items in export attempts that failed and are retried.',
      labelNames: ['exporter', 'signal', 'reason'],
      registers,
    });
    this.exporterDroppedItems = new Counter({
      name: 'ailedger_collector_exporter_dropped_items_total',
      help: 'Items given up on, by reason (non-retryable response, retry time exhausted).',
      labelNames: ['exporter', 'signal', 'reason'],
      registers,
    });
    this.exporterQueueSize = new Gauge({
      name: 'ailedger_collector_exporter_queue_size',
      help: 'Items waiting to be exported.',
      labelNames: ['exporter'],
      registers,
    });
    this.exporterQueueCapacity = new Gauge({
      name: 'ailedger_collector_exporter_queue_capacity',
      help: 'Most items the exporter queue holds before the receiver refuses.',
      labelNames: ['exporter'],
      registers,
    });
    this.exporterLatency = new Histogram({
      name: 'ailedger_collector_exporter_request_duration_seconds',
      help: 'Time of one export request to a backend.',
      labelNames: ['exporter', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.processorErrors = new Counter({
      name: 'ailedger_collector_processor_errors_total',
      help: 'Spans a processor failed on; they are forwarded without that enrichment.',
      labelNames: ['processor'],
      registers,
    });
  }
}

/**
 * The spend ledger's writer, registered only when a ledger is configured. Nothing is lost silently:
 * rows queued = written + duplicate + dropped + queue size.
 */
export class LedgerMetrics {
  /** Rows new to the ledger. */
  readonly writtenRows: Counter;
  /** Rows already in the ledger (a retried or duplicated export): not counted twice. */
  readonly duplicateRows: Counter;
  /** Rows in write attempts that failed and are retried (the database is away or busy). */
  readonly failedRows: Counter<'reason'>;
  /** Rows given up on, with the reason (refused for good, unreadable queue file, shutdown of a memory queue). */
  readonly droppedRows: Counter<'reason'>;
  readonly queueSize: Gauge;
  readonly queueCapacity: Gauge;
  /** 1 while the last attempt reached the database. */
  readonly databaseUp: Gauge;
  readonly writeDuration: Histogram<'outcome'>;

  /** Without a registry the metrics are kept but served nowhere (in-process use). */
  constructor(registry?: Registry) {
    const registers = registry ? [registry] : [];
    this.writtenRows = new Counter({
      name: 'ailedger_collector_ledger_rows_written_total',
      help: 'Model-call rows written to the spend ledger.',
      registers,
    });
    this.duplicateRows = new Counter({
      name: 'ailedger_collector_ledger_rows_duplicate_total',
      help: 'Rows already in the ledger (same trace and span id), skipped so no call counts twice.',
      registers,
    });
    this.failedRows = new Counter({
      name: 'ailedger_collector_ledger_write_failed_rows_total',
      help: 'Rows in ledger writes that failed and are retried (database away, busy, refused connection).',
      labelNames: ['reason'],
      registers,
    });
    this.droppedRows = new Counter({
      name: 'ailedger_collector_ledger_rows_dropped_total',
      help: 'Rows given up on, by reason (refused for good by the database, unreadable queue file, shutdown).',
      labelNames: ['reason'],
      registers,
    });
    this.queueSize = new Gauge({
      name: 'ailedger_collector_ledger_queue_size',
      help: 'Rows waiting to be written to the ledger.',
      registers,
    });
    this.queueCapacity = new Gauge({
      name: 'ailedger_collector_ledger_queue_capacity',
      help: 'Most rows the ledger queue holds before the receiver refuses.',
      registers,
    });
    this.databaseUp = new Gauge({
      name: 'ailedger_collector_ledger_database_up',
      help: '1 when the last attempt reached the ledger database, else 0.',
      registers,
    });
    this.writeDuration = new Histogram({
      name: 'ailedger_collector_ledger_write_duration_seconds',
      help: 'Time of one ledger transaction (a batch of rows).',
      labelNames: ['outcome'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }
}
