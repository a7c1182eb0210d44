import {
  type Attributes,
  createTraceState,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
} from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import type Long from 'long';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  countSpans,
  decodeTraceRequest,
  encodeExportTraceResponse,
  encodeRpcStatus,
  encodeTraceRequest,
  encodeTraceRequestJson,
  hex,
  int64ToNumber,
  OtlpDecodeError,
  protobufTracesToJson,
  type SpanEvent,
  type SpanLink,
} from './codec.js';
import { otlpTraceSchema } from './schema.js';
import type { AnyValue, Int64, KeyValue, OtlpSpan, TraceRequest } from './types.js';

// ---------------------------------------------------------------------------------------------------------
// fixtures

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const PARENT_ID = '00f067aa0ba902b7';
const LINK_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const LINK_SPAN_ID = '53995c3f42cd8ad8';
// Both beyond 2^53 ns: a double would round them.
const START: [number, number] = [1_800_000_000, 123_456_789];
const END: [number, number] = [1_800_000_001, 987_654_321];
const EVENT_TIME: [number, number] = [1_800_000_000, 500_000_001];
const nanos = (t: [number, number]) => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

/** A span using every OTLP field the JS SDK can express, including AnyValue kinds beyond the attribute API. */
function richSpan(): ReadableSpan {
  const ctx: SpanContext = {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
    traceState: createTraceState('vendor=a,other=b'),
  };
  const attributes = {
    str: 'value',
    empty: '',
    bool: true,
    falsy: false,
    int: 42,
    zero: 0,
    negative: -7,
    double: 3.25,
    strArr: ['a', 'b'],
    intArr: [1, 2, 3],
    boolArr: [true, false],
    bytes: new Uint8Array([0, 1, 2, 254, 255]),
    kv: { nested: { deep: 'x' }, n: 1 },
  } as unknown as Attributes;
  return {
    name: 'chat gpt-4o',
    kind: SpanKind.CLIENT,
    spanContext: () => ctx,
    parentSpanContext: {
      traceId: TRACE_ID,
      spanId: PARENT_ID,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    },
    startTime: START,
    endTime: END,
    status: { code: SpanStatusCode.ERROR, message: 'upstream 500' },
    attributes,
    links: [
      {
        context: {
          traceId: LINK_TRACE_ID,
          spanId: LINK_SPAN_ID,
          traceFlags: TraceFlags.NONE,
          isRemote: true,
          traceState: createTraceState('l=1'),
        },
        attributes: { 'link.attr': 'y' },
        droppedAttributesCount: 2,
      },
    ],
    events: [
      { name: 'gen_ai.choice', time: EVENT_TIME, attributes: { 'ev.attr': 1.5 }, droppedAttributesCount: 1 },
      { name: 'bare', time: START },
    ],
    duration: [1, 864_197_532],
    ended: true,
    resource: resourceFromAttributes(
      { 'service.name': 'checkout', 'host.cores': 8 },
      { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' },
    ),
    instrumentationScope: {
      name: '@ailedger/instrumentation',
      version: '0.1.0',
      schemaUrl: 'https://opentelemetry.io/schemas/1.29.0',
      attributes: { 'scope.attr': 'z' },
    } as ReadableSpan['instrumentationScope'],
    droppedAttributesCount: 3,
    droppedEventsCount: 4,
    droppedLinksCount: 5,
  };
}

function sdkSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('sdk-scope', '9.9.9');
  const root = tracer.startSpan('root', { kind: SpanKind.SERVER, attributes: { 'http.route': '/chat' } });
  root.addEvent('started', { step: 1 });
  root.setStatus({ code: SpanStatusCode.OK });
  root.end();
  const other = tracer.startSpan('internal');
  other.end();
  return exporter.getFinishedSpans();
}

function serializeProto(spans: ReadableSpan[]): Uint8Array {
  const body = ProtobufTraceSerializer.serializeRequest(spans);
  if (body === undefined) throw new Error('serializer returned nothing');
  return body;
}

function serializeJson(spans: ReadableSpan[]): Uint8Array {
  const body = JsonTraceSerializer.serializeRequest(spans);
  if (body === undefined) throw new Error('serializer returned nothing');
  return body;
}

const big = (v: Int64 | undefined): bigint | undefined =>
  v === undefined ? undefined : BigInt(v.toString());
const bytesOf = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

function firstSpan(req: TraceRequest): OtlpSpan {
  const span = req.resourceSpans[0]?.scopeSpans[0]?.spans[0];
  if (span === undefined) throw new Error('no span');
  return span;
}

function attr(kvs: readonly KeyValue[] | undefined, key: string): AnyValue | undefined {
  return kvs?.find((kv) => kv.key === key)?.value;
}

/** A plain-data view (Long → decimal string, bytes → hex) so requests compare independently of classes. */
function plain(v: unknown): unknown {
  if (v === null || v === undefined) return v;
  if (v instanceof Uint8Array) return `hex:${hex(v)}`;
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('low' in o && 'high' in o && 'unsigned' in o) return `long:${(o as unknown as Long).toString()}`;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o)) if (o[k] !== undefined) out[k] = plain(o[k]);
    return out;
  }
  return v;
}

function expectDecodeError(
  body: Uint8Array,
  encoding: 'protobuf' | 'json',
  message: RegExp,
): OtlpDecodeError {
  let caught: unknown;
  try {
    decodeTraceRequest(body, encoding);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(OtlpDecodeError);
  expect((caught as Error).message).toMatch(message);
  return caught as OtlpDecodeError;
}

/** Protobuf framing helpers for hand-built bodies. */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}
const ld = (field: number, bytes: readonly number[]): number[] => [
  ...varint((field << 3) | 2),
  ...varint(bytes.length),
  ...bytes,
];

// ---------------------------------------------------------------------------------------------------------

describe('decodeTraceRequest: protobuf from the OpenTelemetry JS serializer', () => {
  const req = decodeTraceRequest(serializeProto([richSpan()]), 'protobuf');
  const rs = req.resourceSpans[0];
  const ss = rs?.scopeSpans[0];
  const span = firstSpan(req);

  it('keeps resource, resource schema URL and scope', () => {
    expect(req.resourceSpans).toHaveLength(1);
    expect(rs?.schemaUrl).toBe('https://opentelemetry.io/schemas/1.30.0');
    expect(attr(rs?.resource?.attributes, 'service.name')).toEqual({ stringValue: 'checkout' });
    expect(big(attr(rs?.resource?.attributes, 'host.cores')?.intValue)).toBe(8n);
    expect(ss?.scope?.name).toBe('@ailedger/instrumentation');
    expect(ss?.scope?.version).toBe('0.1.0');
    expect(ss?.schemaUrl).toBe('https://opentelemetry.io/schemas/1.29.0');
    expect(attr(ss?.scope?.attributes, 'scope.attr')).toEqual({ stringValue: 'z' });
  });

  it('keeps ids, trace state, flags, name, kind and status', () => {
    expect(hex(span.traceId)).toBe(TRACE_ID);
    expect(hex(span.spanId)).toBe(SPAN_ID);
    expect(span.parentSpanId && hex(span.parentSpanId)).toBe(PARENT_ID);
    expect(span.traceState).toBe('vendor=a,other=b');
    // sampled | HAS_IS_REMOTE (0x100) | IS_REMOTE (0x200): the parent is remote.
    expect(span.flags).toBe(0x301);
    expect(span.name).toBe('chat gpt-4o');
    expect(span.kind).toBe(3);
    expect(span.status).toEqual({ code: 2, message: 'upstream 500' });
  });

  it('keeps 64-bit nanosecond timestamps exactly', () => {
    expect(nanos(START)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(big(span.startTimeUnixNano)).toBe(nanos(START));
    expect(big(span.endTimeUnixNano)).toBe(nanos(END));
    expect((span.startTimeUnixNano as Long).unsigned).toBe(true);
  });

  it('decodes every AnyValue kind', () => {
    const a = span.attributes;
    expect(attr(a, 'str')).toEqual({ stringValue: 'value' });
    expect(attr(a, 'empty')).toEqual({ stringValue: '' });
    expect(attr(a, 'bool')).toEqual({ boolValue: true });
    expect(attr(a, 'falsy')).toEqual({ boolValue: false });
    expect(big(attr(a, 'int')?.intValue)).toBe(42n);
    expect(big(attr(a, 'zero')?.intValue)).toBe(0n);
    expect(big(attr(a, 'negative')?.intValue)).toBe(-7n);
    expect(attr(a, 'double')).toEqual({ doubleValue: 3.25 });
    expect(attr(a, 'strArr')?.arrayValue?.values).toEqual([{ stringValue: 'a' }, { stringValue: 'b' }]);
    expect(attr(a, 'intArr')?.arrayValue?.values?.map((v) => big(v.intValue))).toEqual([1n, 2n, 3n]);
    expect(attr(a, 'boolArr')?.arrayValue?.values).toEqual([{ boolValue: true }, { boolValue: false }]);
    expect(hex(attr(a, 'bytes')?.bytesValue ?? new Uint8Array())).toBe('000102feff');
    const kv = attr(a, 'kv')?.kvlistValue?.values;
    expect(kv?.map((e) => e.key)).toEqual(['nested', 'n']);
    expect(attr(attr(kv, 'nested')?.kvlistValue?.values, 'deep')).toEqual({ stringValue: 'x' });
    // Only the set member of the oneof is visible (no "" / 0 defaults leaking through).
    const s = attr(a, 'str') as AnyValue;
    expect([s.intValue, s.boolValue, s.doubleValue, s.arrayValue, s.kvlistValue, s.bytesValue]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('keeps events, links and dropped counts', () => {
    const events = span.events as SpanEvent[];
    expect(events).toHaveLength(2);
    expect(events[0]?.name).toBe('gen_ai.choice');
    expect(big(events[0]?.timeUnixNano)).toBe(nanos(EVENT_TIME));
    expect(attr(events[0]?.attributes, 'ev.attr')).toEqual({ doubleValue: 1.5 });
    expect(events[0]?.droppedAttributesCount).toBe(1);
    expect(events[1]).toMatchObject({ name: 'bare', attributes: [] });
    const links = span.links as SpanLink[];
    expect(links).toHaveLength(1);
    expect(hex(links[0]?.traceId as Uint8Array)).toBe(LINK_TRACE_ID);
    expect(hex(links[0]?.spanId as Uint8Array)).toBe(LINK_SPAN_ID);
    expect(links[0]?.traceState).toBe('l=1');
    expect(links[0]?.flags).toBe(0x300);
    expect(links[0]?.droppedAttributesCount).toBe(2);
    expect(attr(links[0]?.attributes, 'link.attr')).toEqual({ stringValue: 'y' });
    expect([span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount]).toEqual([3, 4, 5]);
  });

  it('gives absent optional fields as undefined, never null, and repeated fields as arrays', () => {
    const sdk = decodeTraceRequest(serializeProto(sdkSpans()), 'protobuf');
    const internal = sdk.resourceSpans[0]?.scopeSpans[0]?.spans.find(
      (s) => s.name === 'internal',
    ) as OtlpSpan;
    expect(internal.parentSpanId).toBeUndefined();
    expect(internal.traceState).toBeUndefined();
    expect(internal.droppedAttributesCount).toBeUndefined();
    expect(internal.attributes).toEqual([]);
    expect(internal.events).toEqual([]);
    expect(internal.links).toEqual([]);
    expect(sdk.resourceSpans[0]?.resource?.entityRefs).toEqual([]);
    // A request without resource/scope/status: undefined, not protobufjs' null default.
    const bare = decodeTraceRequest(
      encodeTraceRequest({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [{ traceId: bytesOf(TRACE_ID), spanId: bytesOf(SPAN_ID), name: 'x', attributes: [] }],
              },
            ],
          },
        ],
      }),
      'protobuf',
    );
    expect(bare.resourceSpans[0]?.resource).toBeUndefined();
    expect(bare.resourceSpans[0]?.scopeSpans[0]?.scope).toBeUndefined();
    expect(firstSpan(bare).status).toBeUndefined();
    expect(firstSpan(bare).kind).toBeUndefined();
  });

  it('decodes spans made by the SDK tracer', () => {
    const sdk = decodeTraceRequest(serializeProto(sdkSpans()), 'protobuf');
    expect(countSpans(sdk)).toBe(2);
    const root = sdk.resourceSpans[0]?.scopeSpans[0]?.spans.find((s) => s.name === 'root') as OtlpSpan;
    expect(root.kind).toBe(2);
    expect(root.status?.code).toBe(1);
    expect(attr(root.attributes, 'http.route')).toEqual({ stringValue: '/chat' });
    expect((root.events as SpanEvent[])[0]?.name).toBe('started');
    expect(sdk.resourceSpans[0]?.scopeSpans[0]?.scope?.version).toBe('9.9.9');
  });
});

describe('decodeTraceRequest: OTLP/JSON from the OpenTelemetry JS serializer', () => {
  it('decodes to the same request as the protobuf encoding', () => {
    for (const spans of [[richSpan()], sdkSpans()]) {
      const fromJson = decodeTraceRequest(serializeJson(spans), 'json');
      const fromProto = decodeTraceRequest(serializeProto(spans), 'protobuf');
      expect(plain(fromJson)).toEqual(plain(fromProto));
    }
  });

  it('keeps 64-bit timestamps and ids exactly', () => {
    const span = firstSpan(decodeTraceRequest(serializeJson([richSpan()]), 'json'));
    expect(big(span.startTimeUnixNano)).toBe(nanos(START));
    expect(big(span.endTimeUnixNano)).toBe(nanos(END));
    expect(hex(span.traceId)).toBe(TRACE_ID);
    expect(hex(span.parentSpanId as Uint8Array)).toBe(PARENT_ID);
    expect(hex(attr(span.attributes, 'bytes')?.bytesValue as Uint8Array)).toBe('000102feff');
  });
});

describe('round trips', () => {
  const inputs: Array<[string, TraceRequest]> = [
    ['protobuf (rich span)', decodeTraceRequest(serializeProto([richSpan()]), 'protobuf')],
    ['json (rich span)', decodeTraceRequest(serializeJson([richSpan()]), 'json')],
    ['protobuf (sdk spans)', decodeTraceRequest(serializeProto(sdkSpans()), 'protobuf')],
  ];

  it.each(inputs)('decode(encode(x)) equals x: %s', (_name, req) => {
    expect(plain(decodeTraceRequest(encodeTraceRequest(req), 'protobuf'))).toEqual(plain(req));
    expect(plain(decodeTraceRequest(encodeTraceRequestJson(req), 'json'))).toEqual(plain(req));
  });

  it('re-encoding a decoded body is byte-stable', () => {
    const once = encodeTraceRequest(inputs[0]?.[1] as TraceRequest);
    expect(Buffer.from(encodeTraceRequest(decodeTraceRequest(once, 'protobuf')))).toEqual(Buffer.from(once));
  });

  it('JSON → protobuf → JSON gives the same JSON', () => {
    const json = encodeTraceRequestJson(decodeTraceRequest(serializeJson([richSpan()]), 'json'));
    const viaProto = protobufTracesToJson(encodeTraceRequest(decodeTraceRequest(json, 'json')));
    expect(text(viaProto)).toBe(text(json));
  });

  it('writes OTLP/JSON: hex ids, int64 as strings, integer enums, defaults left out', () => {
    const out = JSON.parse(
      text(encodeTraceRequestJson(decodeTraceRequest(serializeProto([richSpan()]), 'protobuf'))),
    );
    const span = out.resourceSpans[0].scopeSpans[0].spans[0];
    expect(span.traceId).toBe(TRACE_ID);
    expect(span.spanId).toBe(SPAN_ID);
    expect(span.parentSpanId).toBe(PARENT_ID);
    expect(span.startTimeUnixNano).toBe(nanos(START).toString());
    expect(span.kind).toBe(3);
    expect(span.status).toEqual({ message: 'upstream 500', code: 2 });
    expect(span.attributes.find((a: KeyValue) => a.key === 'int').value).toEqual({ intValue: '42' });
    expect(span.attributes.find((a: KeyValue) => a.key === 'bytes').value).toEqual({
      bytesValue: 'AAEC/v8=',
    });
    expect(span.events[1]).toEqual({ timeUnixNano: nanos(START).toString(), name: 'bare' });
    const bare = JSON.parse(
      text(
        encodeTraceRequestJson({
          resourceSpans: [
            {
              scopeSpans: [
                {
                  spans: [
                    {
                      traceId: bytesOf(TRACE_ID),
                      spanId: bytesOf(SPAN_ID),
                      name: 'n',
                      attributes: [],
                      kind: 0,
                    },
                  ],
                },
              ],
            },
          ],
        }),
      ),
    );
    expect(bare).toEqual({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, name: 'n' }] }] }],
    });
  });

  it('encodes plain objects built by code (numbers for 64-bit fields, Uint8Array bytes)', () => {
    const req: TraceRequest = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: bytesOf(TRACE_ID),
                  spanId: bytesOf(SPAN_ID),
                  name: 'made by code',
                  startTimeUnixNano: 1_700_000_000_000_000_000,
                  attributes: [{ key: 'n', value: { intValue: 5 } }],
                },
              ],
            },
          ],
        },
      ],
    };
    const back = firstSpan(decodeTraceRequest(encodeTraceRequest(req), 'protobuf'));
    expect(back.name).toBe('made by code');
    expect(big(back.startTimeUnixNano)).toBe(1_700_000_000_000_000_000n);
    expect(big(attr(back.attributes, 'n')?.intValue)).toBe(5n);
    const json = JSON.parse(text(encodeTraceRequestJson(req)));
    expect(json.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano).toBe('1700000000000000000');
  });

  it('keeps protobuf fields this schema does not describe (profiling strindex, future fields)', () => {
    // The same schema plus KeyValue.key_strindex (3), AnyValue.string_value_strindex (8) and a made-up Span field.
    const extended = structuredClone(otlpTraceSchema) as {
      nested: Record<string, { nested: Record<string, unknown> }>;
    };
    const v1 = (
      (extended.nested.opentelemetry as { nested: Record<string, { nested: Record<string, unknown> }> })
        .nested.proto as {
        nested: Record<string, { nested: Record<string, { nested: Record<string, unknown> }> }>;
      }
    ).nested as Record<
      string,
      { nested: Record<string, { nested: Record<string, { fields: Record<string, unknown> }> }> }
    >;
    const common = v1.common?.nested.v1?.nested as Record<
      string,
      { fields: Record<string, unknown>; oneofs?: unknown }
    >;
    (common.KeyValue as { fields: Record<string, unknown> }).fields.keyStrindex = { type: 'int32', id: 3 };
    const anyValue = common.AnyValue as {
      fields: Record<string, unknown>;
      oneofs: { value: { oneof: string[] } };
    };
    anyValue.fields.stringValueStrindex = { type: 'int32', id: 8 };
    anyValue.oneofs.value.oneof.push('stringValueStrindex');
    const trace = v1.trace?.nested.v1?.nested as Record<string, { fields: Record<string, unknown> }>;
    (trace.Span as { fields: Record<string, unknown> }).fields.futureField = { type: 'string', id: 99 };
    const Req = protobuf.Root.fromJSON(extended as protobuf.INamespace).lookupType(
      'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
    );
    const original = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: bytesOf(TRACE_ID),
                  spanId: bytesOf(SPAN_ID),
                  name: 's',
                  futureField: 'from a newer SDK',
                  attributes: [{ key: '', keyStrindex: 7, value: { stringValueStrindex: 9 } }],
                },
              ],
            },
          ],
        },
      ],
    };
    const body = Req.encode(original).finish();
    const decoded = decodeTraceRequest(body, 'protobuf');
    expect(firstSpan(decoded).name).toBe('s');
    const again = Req.toObject(Req.decode(encodeTraceRequest(decoded)), {
      defaults: false,
    }) as typeof original;
    const span = again.resourceSpans[0]?.scopeSpans[0]?.spans[0];
    expect(span?.futureField).toBe('from a newer SDK');
    expect(span?.attributes[0]).toEqual({ keyStrindex: 7, value: { stringValueStrindex: 9 } });
  });
});

describe('decodeTraceRequest: OTLP/JSON leniency (as the Collector accepts)', () => {
  const span = (extra: Record<string, unknown>) =>
    utf8(
      JSON.stringify({
        resourceSpans: [
          { scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, name: 's', ...extra }] }] },
        ],
      }),
    );

  it('accepts snake_case keys, enum names, int64 as numbers, upper-case hex and ignores unknown fields', () => {
    const body = utf8(
      JSON.stringify({
        resource_spans: [
          {
            resource: {
              attributes: [{ key: 'k', value: { string_value: 'v' } }],
              dropped_attributes_count: 1,
            },
            scope_spans: [
              {
                scope: { name: 'sc' },
                schema_url: 'https://schema',
                spans: [
                  {
                    trace_id: TRACE_ID.toUpperCase(),
                    span_id: SPAN_ID.toUpperCase(),
                    parent_span_id: '',
                    name: 'snake',
                    kind: 'SPAN_KIND_CLIENT',
                    start_time_unix_nano: 1_700_000_000_000,
                    end_time_unix_nano: '1700000000000000123',
                    attributes: [
                      { key: 'i', value: { int_value: 12 } },
                      { key: 'd', value: { double_value: 'NaN' } },
                      {
                        key: 'kv',
                        value: { kvlist_value: { values: [{ key: 'a', value: { bool_value: true } }] } },
                      },
                    ],
                    status: { code: 'STATUS_CODE_ERROR', message: 'm' },
                    dropped_events_count: '2',
                    somethingNew: { ignored: true },
                  },
                ],
              },
            ],
          },
        ],
        futureTopLevel: 1,
      }),
    );
    const req = decodeTraceRequest(body, 'json');
    const s = firstSpan(req);
    expect(hex(s.traceId)).toBe(TRACE_ID);
    expect(s.parentSpanId).toBeUndefined();
    expect(s.kind).toBe(3);
    expect(s.status).toEqual({ code: 2, message: 'm' });
    expect(big(s.startTimeUnixNano)).toBe(1_700_000_000_000n);
    expect(big(s.endTimeUnixNano)).toBe(1_700_000_000_000_000_123n);
    expect(big(attr(s.attributes, 'i')?.intValue)).toBe(12n);
    expect(Number.isNaN(attr(s.attributes, 'd')?.doubleValue)).toBe(true);
    expect(attr(s.attributes, 'kv')?.kvlistValue?.values?.[0]).toEqual({
      key: 'a',
      value: { boolValue: true },
    });
    expect(s.droppedEventsCount).toBe(2);
    expect(req.resourceSpans[0]?.resource?.droppedAttributesCount).toBe(1);
    expect(req.resourceSpans[0]?.scopeSpans[0]?.schemaUrl).toBe('https://schema');
  });

  it('keeps the full 64-bit ranges (uint64 timestamps, int64 values)', () => {
    const s = firstSpan(
      decodeTraceRequest(
        span({
          startTimeUnixNano: '18446744073709551615',
          attributes: [
            { key: 'max', value: { intValue: '9223372036854775807' } },
            { key: 'min', value: { intValue: '-9223372036854775808' } },
          ],
        }),
        'json',
      ),
    );
    expect(big(s.startTimeUnixNano)).toBe(18_446_744_073_709_551_615n);
    expect(big(attr(s.attributes, 'max')?.intValue)).toBe(9_223_372_036_854_775_807n);
    expect(big(attr(s.attributes, 'min')?.intValue)).toBe(-9_223_372_036_854_775_808n);
    const back = firstSpan(
      decodeTraceRequest(
        encodeTraceRequest({ resourceSpans: [{ scopeSpans: [{ spans: [s] }] }] }),
        'protobuf',
      ),
    );
    expect(big(back.startTimeUnixNano)).toBe(18_446_744_073_709_551_615n);
    expect(big(attr(back.attributes, 'min')?.intValue)).toBe(-9_223_372_036_854_775_808n);
    const json = JSON.parse(
      text(encodeTraceRequestJson({ resourceSpans: [{ scopeSpans: [{ spans: [s] }] }] })),
    );
    expect(json.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano).toBe('18446744073709551615');
  });

  it('treats null as absent and accepts an empty object as an empty request', () => {
    expect(decodeTraceRequest(utf8('{}'), 'json')).toEqual({ resourceSpans: [] });
    expect(decodeTraceRequest(utf8('{"resourceSpans":null}'), 'json')).toEqual({ resourceSpans: [] });
    const s = firstSpan(decodeTraceRequest(span({ status: null, traceState: null, kind: null }), 'json'));
    expect(s.status).toBeUndefined();
    expect(s.kind).toBeUndefined();
  });

  it('round-trips non-finite doubles through OTLP/JSON', () => {
    const s = firstSpan(
      decodeTraceRequest(
        span({
          attributes: [
            { key: 'inf', value: { doubleValue: 'Infinity' } },
            { key: 'ninf', value: { doubleValue: '-Infinity' } },
          ],
        }),
        'json',
      ),
    );
    const out = JSON.parse(
      text(encodeTraceRequestJson({ resourceSpans: [{ scopeSpans: [{ spans: [s] }] }] })),
    );
    expect(out.resourceSpans[0].scopeSpans[0].spans[0].attributes).toEqual([
      { key: 'inf', value: { doubleValue: 'Infinity' } },
      { key: 'ninf', value: { doubleValue: '-Infinity' } },
    ]);
  });

  it('carries resource entity refs both ways', () => {
    const body = utf8(
      JSON.stringify({
        resourceSpans: [
          {
            resource: {
              attributes: [{ key: 'service.name', value: { stringValue: 's' } }],
              entityRefs: [{ type: 'service', idKeys: ['service.name'], schemaUrl: 'https://e' }],
            },
            scopeSpans: [],
          },
        ],
      }),
    );
    const req = decodeTraceRequest(body, 'json');
    expect(req.resourceSpans[0]?.resource?.entityRefs).toEqual([
      { type: 'service', idKeys: ['service.name'], descriptionKeys: [], schemaUrl: 'https://e' },
    ]);
    expect(plain(decodeTraceRequest(encodeTraceRequest(req), 'protobuf'))).toEqual(plain(req));
  });
});

describe('decodeTraceRequest: malformed input → OtlpDecodeError with a useful message', () => {
  const good = serializeProto([richSpan()]);
  const json = (v: unknown) => utf8(JSON.stringify(v));
  const spanJson = (s: Record<string, unknown>) =>
    json({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, name: 'x', ...s }] }] }],
    });
  const at = 'resourceSpans\\[0\\]\\.scopeSpans\\[0\\]\\.spans\\[0\\]';

  it('truncated protobuf', () => {
    expectDecodeError(good.subarray(0, good.length - 7), 'protobuf', /^protobuf: index out of range/);
  });

  it('garbage protobuf', () => {
    expectDecodeError(
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
      'protobuf',
      /^protobuf: /,
    );
    expectDecodeError(new Uint8Array([0x0f]), 'protobuf', /^protobuf: invalid wire type 7/);
  });

  it('protobuf ids of the wrong length name the span', () => {
    const body = encodeTraceRequest({
      resourceSpans: [
        {
          scopeSpans: [
            { spans: [{ traceId: new Uint8Array(5), spanId: bytesOf(SPAN_ID), name: 'x', attributes: [] }] },
          ],
        },
      ],
    });
    expectDecodeError(body, 'protobuf', new RegExp(`^${at}\\.traceId: expected 16 bytes, got 5$`));
    const noSpanId = encodeTraceRequest({
      resourceSpans: [
        {
          scopeSpans: [
            { spans: [{ traceId: bytesOf(TRACE_ID), spanId: new Uint8Array(0), name: 'x', attributes: [] }] },
          ],
        },
      ],
    });
    expectDecodeError(noSpanId, 'protobuf', /spans\[0\]\.spanId: expected 8 bytes, got 0$/);
  });

  it('protobuf nested deeper than the recursion limit', () => {
    let av = [...ld(1, [...utf8('x')])]; // AnyValue{stringValue}
    for (let i = 0; i < 120; i++) av = ld(5, ld(1, av)); // AnyValue{arrayValue{values:[av]}}
    const kv = [...ld(1, [...utf8('k')]), ...ld(2, av)];
    const span = [...ld(1, [...bytesOf(TRACE_ID)]), ...ld(2, [...bytesOf(SPAN_ID)]), ...ld(9, kv)];
    const body = new Uint8Array(ld(1, ld(2, ld(2, span))));
    expectDecodeError(body, 'protobuf', /^protobuf: messages nested more than 100 levels deep$/);
  });

  it('protobuf strings that are not UTF-8', () => {
    const span = [...ld(1, [...bytesOf(TRACE_ID)]), ...ld(2, [...bytesOf(SPAN_ID)]), ...ld(5, [0xc3, 0x28])];
    expectDecodeError(
      new Uint8Array(ld(1, ld(2, ld(2, span)))),
      'protobuf',
      /^protobuf: a string field is not valid UTF-8$/,
    );
  });

  it('invalid JSON names the position', () => {
    expectDecodeError(utf8('{"resourceSpans": [1,}'), 'json', /^invalid JSON at position 21: /);
    expectDecodeError(utf8('{"resourceSpans": [1 2]}'), 'json', /^invalid JSON at position 21: /);
    expectDecodeError(utf8('{"a": tru}'), 'json', /^invalid JSON at position 6: /);
    expectDecodeError(utf8('{"a": "x\\q"}'), 'json', /^invalid JSON at position 9: /);
    expectDecodeError(utf8('{"a": 1} x'), 'json', /^invalid JSON at position 9: /);
    expectDecodeError(utf8('{"a": [{"b": {}}, {"c" 1}]}'), 'json', /^invalid JSON at position 23: /);
    expectDecodeError(utf8(''), 'json', /^invalid JSON at position 0: /);
    expectDecodeError(utf8(`${'['.repeat(100_000)}x`), 'json', /^invalid JSON at position 100000: /);
    expectDecodeError(
      new Uint8Array([0x7b, 0xff, 0x7d]),
      'json',
      /^invalid JSON: the body is not valid UTF-8$/,
    );
  });

  it('wrong JSON types name the path', () => {
    expectDecodeError(json([1]), 'json', /^expected an object, got an array$/);
    expectDecodeError(
      json({ resourceSpans: {} }),
      'json',
      /^resourceSpans: expected an array, got an object$/,
    );
    expectDecodeError(
      json({ resourceSpans: [{ scopeSpans: [{ spans: [7] }] }] }),
      'json',
      new RegExp(`^${at}: expected an object, got a number$`),
    );
    expectDecodeError(
      spanJson({ name: 5 }),
      'json',
      new RegExp(`^${at}\\.name: expected a string, got a number$`),
    );
    expectDecodeError(
      spanJson({ kind: 'SIDEWAYS' }),
      'json',
      new RegExp(`^${at}\\.kind: expected an enum integer, got "SIDEWAYS"$`),
    );
    expectDecodeError(
      spanJson({ startTimeUnixNano: '12abc' }),
      'json',
      /spans\[0\]\.startTimeUnixNano: expected a decimal integer string/,
    );
    expectDecodeError(
      spanJson({ startTimeUnixNano: -1 }),
      'json',
      /startTimeUnixNano: expected a non-negative integer/,
    );
    expectDecodeError(spanJson({ startTimeUnixNano: '18446744073709551616' }), 'json', /out of 64-bit range/);
    expectDecodeError(
      spanJson({ droppedAttributesCount: 1.5 }),
      'json',
      /droppedAttributesCount: expected an unsigned 32-bit integer/,
    );
    expectDecodeError(
      spanJson({ attributes: [{ key: 'a', value: { intValue: '9223372036854775808' } }] }),
      'json',
      new RegExp(
        `^${at}\\.attributes\\[0\\]\\.value\\.intValue: integer "9223372036854775808" out of 64-bit range$`,
      ),
    );
    expectDecodeError(
      spanJson({ attributes: [{ key: 'a', value: { arrayValue: { values: [{ boolValue: 'yes' }] } } }] }),
      'json',
      /attributes\[0\]\.value\.arrayValue\.values\[0\]\.boolValue: expected true or false, got "yes"$/,
    );
    expectDecodeError(
      spanJson({ attributes: [{ key: 'b', value: { bytesValue: 'not base64!' } }] }),
      'json',
      /bytesValue: expected a base64 string/,
    );
    expectDecodeError(
      spanJson({ events: [{ name: 1 }] }),
      'json',
      /spans\[0\]\.events\[0\]\.name: expected a string/,
    );
    expectDecodeError(
      spanJson({ status: 'ok' }),
      'json',
      /spans\[0\]\.status: expected an object, got a string$/,
    );
  });

  it('bad hex and wrong id lengths name the field', () => {
    expectDecodeError(
      spanJson({ traceId: 'z'.repeat(32) }),
      'json',
      new RegExp(`^${at}\\.traceId: expected 32 hex characters, got "z+" \\(not hex\\)$`),
    );
    expectDecodeError(
      spanJson({ traceId: TRACE_ID.slice(0, 30) }),
      'json',
      new RegExp(`^${at}\\.traceId: expected 32 hex characters, got 30$`),
    );
    expectDecodeError(
      spanJson({ spanId: '' }),
      'json',
      new RegExp(`^${at}\\.spanId: expected 16 hex characters, got an empty string$`),
    );
    expectDecodeError(
      spanJson({ traceId: undefined }),
      'json',
      /traceId: expected 32 hex characters, got nothing$/,
    );
    expectDecodeError(
      spanJson({ parentSpanId: 'abc' }),
      'json',
      /parentSpanId: expected 16 hex characters, got 3$/,
    );
    expectDecodeError(
      spanJson({ spanId: 12345678 }),
      'json',
      /spanId: expected 16 hex characters, got a number$/,
    );
    expectDecodeError(
      spanJson({ links: [{ traceId: TRACE_ID, spanId: 'x1' }] }),
      'json',
      /spans\[0\]\.links\[0\]\.spanId: expected 16 hex characters, got 2$/,
    );
    // A base64 id (a common client mistake) is rejected, not misread.
    expectDecodeError(
      spanJson({ traceId: Buffer.from(bytesOf(TRACE_ID)).toString('base64') }),
      'json',
      /traceId: expected 32 hex characters/,
    );
  });

  it('deeply nested AnyValue in JSON', () => {
    // Built as text: JSON.stringify itself would overflow the stack at this depth.
    const n = 100_000;
    const deep = `${'{"arrayValue":{"values":['.repeat(n)}{"stringValue":"leaf"}${']}}'.repeat(n)}`;
    const body = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE_ID}","spanId":"${SPAN_ID}","attributes":[{"key":"deep","value":${deep}}]}]}]}]}`;
    expectDecodeError(utf8(body), 'json', /values nested more than 100 levels deep$/);
    let kv: unknown = { stringValue: 'leaf' };
    for (let i = 0; i < 40; i++) kv = { kvlistValue: { values: [{ key: 'k', value: kv }] } };
    expectDecodeError(
      spanJson({ attributes: [{ key: 'deep', value: kv }] }),
      'json',
      /kvlistValue\.values\[0\]\.value: values nested/,
    );
  });

  it('JSON and protobuf share one nesting limit, so whatever decodes also encodes', () => {
    // A span attribute's AnyValue is message level 5; each array level adds 2 (ArrayValue, AnyValue).
    const nestedJson = (levels: number) => {
      let v: unknown = { stringValue: 'leaf' };
      for (let i = 0; i < levels; i++) v = { arrayValue: { values: [v] } };
      return spanJson({ attributes: [{ key: 'deep', value: v }] });
    };
    const nestedProto = (levels: number) => {
      let av = ld(1, [...utf8('leaf')]);
      for (let i = 0; i < levels; i++) av = ld(5, ld(1, av));
      const span = [
        ...ld(1, [...bytesOf(TRACE_ID)]),
        ...ld(2, [...bytesOf(SPAN_ID)]),
        ...ld(5, [...utf8('x')]),
        ...ld(9, [...ld(1, [...utf8('deep')]), ...ld(2, av)]),
      ];
      return new Uint8Array(ld(1, ld(2, ld(2, span))));
    };
    const atLimit = decodeTraceRequest(nestedJson(47), 'json');
    const encoded = encodeTraceRequest(atLimit);
    expect(Buffer.from(encoded)).toEqual(Buffer.from(nestedProto(47)));
    expect(plain(decodeTraceRequest(encoded, 'protobuf'))).toEqual(plain(atLimit));
    expectDecodeError(nestedJson(48), 'json', /nested more than 100 levels/);
    expectDecodeError(nestedProto(48), 'protobuf', /nested more than 100 levels/);
  });

  it('never throws anything but OtlpDecodeError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const enc of ['protobuf', 'json'] as const) {
          try {
            decodeTraceRequest(bytes, enc);
          } catch (e) {
            if (!(e instanceof OtlpDecodeError)) throw e;
          }
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('never throws anything but OtlpDecodeError on mutated valid bodies', () => {
    const jsonBody = serializeJson([richSpan()]);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (pos, byte, useJson) => {
        const body = Uint8Array.from(useJson ? jsonBody : good);
        body[pos % body.length] = byte;
        try {
          const req = decodeTraceRequest(body, useJson ? 'json' : 'protobuf');
          // Whatever decodes must also encode.
          encodeTraceRequest(req);
          encodeTraceRequestJson(req);
        } catch (e) {
          if (!(e instanceof OtlpDecodeError)) throw e;
        }
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('responses and helpers', () => {
  it('full success is an empty message', () => {
    expect(encodeExportTraceResponse('protobuf')).toHaveLength(0);
    expect(text(encodeExportTraceResponse('json'))).toBe('{}');
    expect(ProtobufTraceSerializer.deserializeResponse(encodeExportTraceResponse('protobuf'))).toEqual({});
  });

  it('partial success is read back by the OpenTelemetry JS deserializers', () => {
    const partial = { rejectedSpans: 3, errorMessage: '3 spans had no trace id' };
    const proto = ProtobufTraceSerializer.deserializeResponse(encodeExportTraceResponse('protobuf', partial));
    expect(Number(proto.partialSuccess?.rejectedSpans)).toBe(3);
    expect(proto.partialSuccess?.errorMessage).toBe('3 spans had no trace id');
    const json = JsonTraceSerializer.deserializeResponse(encodeExportTraceResponse('json', partial));
    expect(json).toEqual({ partialSuccess: { rejectedSpans: '3', errorMessage: '3 spans had no trace id' } });
    // A warning with nothing rejected is allowed.
    expect(
      JSON.parse(text(encodeExportTraceResponse('json', { rejectedSpans: 0, errorMessage: 'w' }))),
    ).toEqual({
      partialSuccess: { errorMessage: 'w' },
    });
  });

  it('encodes google.rpc.Status in both encodings', () => {
    const Status = protobuf.Root.fromJSON({
      nested: {
        Status: {
          fields: {
            code: { type: 'int32', id: 1 },
            message: { type: 'string', id: 2 },
            details: { rule: 'repeated', type: 'bytes', id: 3 },
          },
        },
      },
    }).lookupType('Status');
    const decoded = Status.toObject(Status.decode(encodeRpcStatus('protobuf', 3, 'bad traceId')));
    expect(decoded).toEqual({ code: 3, message: 'bad traceId' });
    expect(JSON.parse(text(encodeRpcStatus('json', 14, 'retry later')))).toEqual({
      code: 14,
      message: 'retry later',
    });
  });

  it('countSpans, int64ToNumber and hex', () => {
    const req = decodeTraceRequest(serializeProto([...sdkSpans(), richSpan()]), 'protobuf');
    expect(countSpans(req)).toBe(3);
    expect(countSpans({ resourceSpans: [] })).toBe(0);
    expect(int64ToNumber(undefined)).toBeUndefined();
    expect(int64ToNumber(12)).toBe(12);
    expect(
      int64ToNumber(
        firstSpan(decodeTraceRequest(serializeProto([richSpan()]), 'protobuf')).startTimeUnixNano,
      ),
    ).toBe(Number(nanos(START)));
    expect(hex(new Uint8Array([0, 15, 16, 255]))).toBe('000f10ff');
    expect(hex(new Uint8Array(0))).toBe('');
  });
});
