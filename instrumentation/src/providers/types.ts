/**
 * The contract between the transport taps and a provider family. An adapter is pure: it reads JSON (or decoded
 * stream events) and writes into the ModelCall record. It never touches spans, sockets or timers.
 */
import type { ModelCall } from '../model-call.js';

/** What a tap knows about an outgoing request before any body is read. */
export interface RequestFacts {
  method: string;
  /** Lower-case host name without port. */
  host: string;
  port: number;
  /** Path without the query string, as sent (still URL-encoded). */
  path: string;
  /** Raw query string without the leading '?', or ''. */
  query: string;
  /** Case-insensitive header lookup; undefined when absent. */
  header(name: string): string | undefined;
}

/** Decided from the request line alone (no body), cheaply. */
export interface CallClassification {
  operation: string;
  apiType?: string;
  /** Model known from the URL (Azure deployment, Gemini/Vertex/Bedrock path). */
  modelFromPath?: string;
  /** Streaming known from the URL (Gemini :streamGenerateContent, Bedrock *-stream). */
  streamFromPath?: boolean;
  /** Overrides the host table's provider for this path (e.g. Anthropic-on-Vertex stays gcp.vertex_ai). */
  provider?: string;
}

/** How a response body is framed; the recorder picks the decoder, the adapter interprets what comes out. */
export type BodyFraming = 'json' | 'sse' | 'ndjson' | 'json-array' | 'aws-eventstream';

/** One decoded unit of a streamed response. */
export type StreamEvent =
  | { kind: 'sse'; event: string | undefined; data: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'aws-eventstream'; headers: Record<string, string | number | boolean>; payload: Uint8Array };

export interface ProviderAdapter {
  /** Family name for logs and tests, e.g. 'openai'. */
  readonly family: string;
  /**
   * Returns the classification when this request is a model call this family understands, else undefined
   * (the request then passes through untouched). `provider` is the host table's gen_ai.provider.name.
   */
  classify(req: RequestFacts, provider: string): CallClassification | undefined;
  /** Applies the parsed JSON request body (model, parameters, stream flag, text for estimation). */
  onRequestBody(call: ModelCall, body: unknown): void;
  /** Lets the adapter read response headers (e.g. Bedrock token-count headers). Optional. */
  onResponseHeaders?(call: ModelCall, header: (name: string) => string | undefined): void;
  /** Which decoder the response body needs, from status, content type and what the request said. */
  framing(call: ModelCall, contentType: string | undefined): BodyFraming;
  /** A whole (non-streamed) response body, parsed as JSON; also used for error bodies. */
  onResponseBody(call: ModelCall, body: unknown): void;
  /**
   * One stream event. Returns true when it is the protocol's terminal event ([DONE], message_stop, done:true,
   * response.completed, ...): the call is then complete even if the app never reads to EOF.
   */
  onStreamEvent(call: ModelCall, event: StreamEvent): boolean;
}
