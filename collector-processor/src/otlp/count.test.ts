import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
} from '@opentelemetry/otlp-transformer';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { OtlpDecodeError } from './codec.js';
import { countRawItems } from './count.js';

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

async function metrics(): Promise<ResourceMetrics> {
  class TestReader extends MetricReader {
    protected override async onForceFlush(): Promise<void> {}
    protected override async onShutdown(): Promise<void> {}
  }
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('count-test');
  const counter = meter.createCounter('calls');
  for (const model of ['a', 'b', 'c']) counter.add(1, { model });
  meter.createHistogram('latency').record(2, { route: '/x' });
  meter.createUpDownCounter('inflight').add(1);
  meter.createObservableGauge('temp').addCallback((r) => {
    r.observe(1, { room: '1' });
    r.observe(2, { room: '2' });
  });
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics;
}

function logs(n: number) {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('count-test');
  for (let i = 0; i < n; i++) logger.emit({ body: `line ${i}` });
  return exporter.getFinishedLogRecords();
}

describe('countRawItems', () => {
  it('counts metric data points in protobuf and JSON from the OpenTelemetry JS serializers', async () => {
    const rm = await metrics();
    // 3 counter series + 1 histogram + 1 up-down counter + 2 gauge series.
    expect(
      countRawItems('metrics', ProtobufMetricsSerializer.serializeRequest(rm) as Uint8Array, 'protobuf'),
    ).toBe(7);
    expect(countRawItems('metrics', JsonMetricsSerializer.serializeRequest(rm) as Uint8Array, 'json')).toBe(
      7,
    );
  });

  it('counts log records in protobuf and JSON', () => {
    const records = logs(4);
    expect(
      countRawItems('logs', ProtobufLogsSerializer.serializeRequest(records) as Uint8Array, 'protobuf'),
    ).toBe(4);
    expect(countRawItems('logs', JsonLogsSerializer.serializeRequest(records) as Uint8Array, 'json')).toBe(4);
  });

  it('counts every metric data kind and accepts snake_case JSON', () => {
    const body = {
      resource_metrics: [
        {
          scope_metrics: [
            {
              metrics: [
                { name: 'g', gauge: { data_points: [{}, {}] } },
                { name: 's', sum: { dataPoints: [{}] } },
                { name: 'h', histogram: { dataPoints: [{}] } },
                { name: 'e', exponential_histogram: { dataPoints: [{}, {}, {}] } },
                { name: 'q', summary: { dataPoints: [{}] } },
                { name: 'empty' },
              ],
            },
          ],
        },
      ],
    };
    expect(countRawItems('metrics', utf8(JSON.stringify(body)), 'json')).toBe(8);
    expect(
      countRawItems('logs', utf8('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{},{}]},{}]}]}'), 'json'),
    ).toBe(2);
    expect(countRawItems('logs', utf8('{}'), 'json')).toBe(0);
    expect(countRawItems('metrics', new Uint8Array(0), 'protobuf')).toBe(0);
  });

  it('rejects bodies that are not OTLP with OtlpDecodeError', () => {
    const records = ProtobufLogsSerializer.serializeRequest(logs(2)) as Uint8Array;
    for (const [body, enc] of [
      [records.subarray(0, records.length - 2), 'protobuf'],
      [new Uint8Array([0xff, 0xff]), 'protobuf'],
      [utf8('{"resourceLogs": ['), 'json'],
      [utf8('[1,2]'), 'json'],
    ] as const) {
      expect(() => countRawItems('logs', body, enc)).toThrow(OtlpDecodeError);
    }
  });
});
