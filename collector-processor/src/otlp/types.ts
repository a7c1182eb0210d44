/**
 * OTLP trace data as it flows through the collector: the decoded ExportTraceServiceRequest, field names as in
 * the OTLP protobuf (lowerCamelCase), ids as raw bytes and 64-bit integers as `long` values. Both the protobuf
 * and the JSON decoder produce exactly this shape, so processors never care how a request arrived. Fields the
 * collector does not read (events, links, trace state, flags, dropped counts, schema URLs) are carried along
 * untouched so forwarding loses nothing.
 */
import type Long from 'long';

/** int64 / fixed64 as decoded: a Long, or a plain number for small values built by code. */
export type Int64 = Long | number;

export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: Uint8Array;
}

export interface KeyValue {
  key: string;
  value?: AnyValue;
}

export interface OtlpStatus {
  message?: string;
  /** 0 unset, 1 ok, 2 error */
  code?: number;
}

export interface OtlpSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState?: string;
  /** Empty or absent for a root span. */
  parentSpanId?: Uint8Array;
  flags?: number;
  name: string;
  kind?: number;
  startTimeUnixNano?: Int64;
  endTimeUnixNano?: Int64;
  attributes: KeyValue[];
  droppedAttributesCount?: number;
  events?: unknown[];
  droppedEventsCount?: number;
  links?: unknown[];
  droppedLinksCount?: number;
  status?: OtlpStatus;
}

export interface InstrumentationScope {
  name?: string;
  version?: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
}

export interface ScopeSpans {
  scope?: InstrumentationScope;
  spans: OtlpSpan[];
  schemaUrl?: string;
}

/** A typed entity (service, host, …) whose identifying and descriptive keys live in Resource.attributes. */
export interface EntityRef {
  schemaUrl?: string;
  type?: string;
  idKeys?: string[];
  descriptionKeys?: string[];
}

export interface Resource {
  attributes: KeyValue[];
  droppedAttributesCount?: number;
  /** Development status in OTLP; carried so forwarding keeps it. */
  entityRefs?: EntityRef[];
}

export interface ResourceSpans {
  resource?: Resource;
  scopeSpans: ScopeSpans[];
  schemaUrl?: string;
}

export interface TraceRequest {
  resourceSpans: ResourceSpans[];
}

/** The two OTLP/HTTP encodings. */
export type OtlpEncoding = 'protobuf' | 'json';
