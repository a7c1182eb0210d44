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

export function startAnthropicStandin(): Promise<Standin>;

/** The raw counts the stand-in reports (Anthropic semantics: inputTokens excludes the cache counts). */
export const ANTHROPIC_STANDIN_USAGE: Readonly<{
  inputTokens: number;
  cacheReadInputTokens: number;
  cacheCreation5mInputTokens: number;
  cacheCreation1hInputTokens: number;
  outputTokens: number;
  thinkingTokens: number;
  text: string;
}>;
