/**
 * An OTLP/HTTP trace receiver for tests: accepts http/protobuf and http/json (optionally gzip) on /v1/traces
 * and flattens what arrives into simple span records. The protobuf schema is described here from the OTLP
 * specification (opentelemetry-proto trace/v1, common/v1, resource/v1) and decoded with protobufjs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import protobuf from 'protobufjs';

const KV = { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } };
const schema = {
  nested: {
    AnyValue: {
      oneofs: {
        value: {
          oneof: [
            'stringValue',
            'boolValue',
            'intValue',
            'doubleValue',
            'arrayValue',
            'kvlistValue',
            'bytesValue',
          ],
        },
      },
      fields: {
        stringValue: { type: 'string', id: 1 },
        boolValue: { type: 'bool', id: 2 },
        intValue: { type: 'int64', id: 3 },
        doubleValue: { type: 'double', id: 4 },
        arrayValue: { type: 'ArrayValue', id: 5 },
        kvlistValue: { type: 'KeyValueList', id: 6 },
        bytesValue: { type: 'bytes', id: 7 },
      },
    },
    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
    KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    KeyValue: KV,
    Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } } },
    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        parentSpanId: { type: 'bytes', id: 4 },
        name: { type: 'string', id: 5 },
        kind: { type: 'int32', id: 6 },
        startTimeUnixNano: { type: 'fixed64', id: 7 },
        endTimeUnixNano: { type: 'fixed64', id: 8 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
        status: { type: 'Status', id: 15 },
      },
    },
    ScopeSpans: {
      fields: {
        scope: { type: 'InstrumentationScope', id: 1 },
        spans: { rule: 'repeated', type: 'Span', id: 2 },
      },
    },
    ResourceSpans: {
      fields: {
        resource: { type: 'Resource', id: 1 },
        scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
      },
    },
    ExportTraceServiceRequest: {
      fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } },
    },
  },
};
const ExportTraceServiceRequest = protobuf.Root.fromJSON(schema).lookupType('ExportTraceServiceRequest');

export interface ReceivedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  scope: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  statusCode: number;
  protocol: 'protobuf' | 'json';
}

export interface Receiver {
  url: string;
  spans: ReceivedSpan[];
  requests: number;
  /** Every raw request body as text (protobuf bodies as latin1), for secret scans. */
  rawBodies: string[];
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number | { toNumber(): number };
  doubleValue?: number;
  arrayValue?: { values?: JsonAnyValue[] };
}
interface JsonKeyValue {
  key: string;
  value?: JsonAnyValue;
}

function toValue(v: JsonAnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined)
    return Number(typeof v.intValue === 'object' ? v.intValue.toNumber() : v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(toValue);
  return undefined;
}

function toRecord(kvs: JsonKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs ?? []) out[kv.key] = toValue(kv.value);
  return out;
}

function hex(id: unknown): string {
  if (id instanceof Uint8Array) return Buffer.from(id).toString('hex');
  return typeof id === 'string' ? id : '';
}

interface JsonRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: JsonKeyValue[] };
    scopeSpans?: Array<{
      scope?: { name?: string };
      spans?: Array<{
        name: string;
        kind?: number;
        traceId: unknown;
        spanId: unknown;
        parentSpanId?: unknown;
        attributes?: JsonKeyValue[];
        status?: { code?: number };
      }>;
    }>;
  }>;
}

function flatten(req: JsonRequest, protocol: 'protobuf' | 'json'): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of req.resourceSpans ?? []) {
    const resource = toRecord(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          name: s.name,
          kind: s.kind ?? 0,
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId),
          scope: ss.scope?.name ?? '',
          attributes: toRecord(s.attributes),
          resource,
          statusCode: s.status?.code ?? 0,
          protocol,
        });
      }
    }
  }
  return out;
}

/** A failure a backend answers with instead of accepting (fault injection). */
export interface BackendFault {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface ReceiverOptions {
  /** Asked for every request; a fault is answered instead of accepting, and nothing is recorded. */
  fault?: (path: string) => BackendFault | undefined;
  /** Port to listen on (default: any free port); lets a test stop a backend and bring it back. */
  port?: number;
}

export async function startOtlpReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const spans: ReceivedSpan[] = [];
  const rawBodies: string[] = [];
  let requests = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const fault = options.fault?.(req.url ?? '');
      if (fault !== undefined) {
        res.writeHead(fault.status, fault.headers).end(fault.body ?? '');
        return;
      }
      requests++;
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
        rawBodies.push(body.toString('latin1'));
        const type = String(req.headers['content-type'] ?? '');
        if (req.url !== '/v1/traces') {
          res.writeHead(200).end();
          return;
        }
        if (type.includes('json')) {
          spans.push(...flatten(JSON.parse(body.toString('utf8')) as JsonRequest, 'json'));
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } else {
          const decoded = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), {
            longs: Number,
          }) as JsonRequest;
          spans.push(...flatten(decoded, 'protobuf'));
          res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        }
      } catch (err) {
        res.writeHead(400).end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    rawBodies,
    get requests() {
      return requests;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (spans.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} spans, received ${spans.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return spans.slice();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
