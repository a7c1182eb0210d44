import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Http2Server, ServerHttp2Stream } from 'node:http2';

export interface StandinRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Standin {
  url: string;
  port: number;
  requests: StandinRequest[];
  close(): Promise<void>;
}

export function readBody(source: IncomingMessage | ServerHttp2Stream, onBody: (body: string) => void): void;

export function listen(server: Server | Http2Server, port?: number): Promise<void>;

export function startServer(
  respond: (req: IncomingMessage, res: ServerResponse, body: string) => unknown,
  options?: { port?: number },
): Promise<Standin>;

export function pathFlags(pathname: string, names: readonly string[]): { path: string; flags: Set<string> };

export function jsonBody(raw: string): Record<string, unknown>;

export function sseFrame(data: unknown, event?: string): string;

export function sleep(ms: number): Promise<void>;

export function writeParts(
  res: ServerResponse,
  parts: Iterable<string>,
  options?: { slow?: boolean; hold?: boolean },
): Promise<void>;
