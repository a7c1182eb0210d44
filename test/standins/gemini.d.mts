import type { IncomingHttpHeaders } from 'node:http';

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

export function startGeminiStandin(): Promise<Standin>;
