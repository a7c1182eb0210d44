import type { IncomingHttpHeaders } from 'node:http';
import type { IncomingHttpHeaders as Http2IncomingHttpHeaders } from 'node:http2';

export interface StandinRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders | Http2IncomingHttpHeaders;
  body: string;
}

export interface BedrockStandin {
  url: string;
  port: number;
  protocol: 'h2c' | 'http1';
  requests: StandinRequest[];
  close(): Promise<void>;
}

export function startBedrockStandin(options?: { protocol?: 'h2c' | 'http1' }): Promise<BedrockStandin>;

/** The exact counts the stand-in reports (raw provider semantics: input excludes cache counts). */
export const BEDROCK_STANDIN: Readonly<{
  text: string;
  converseUsage: Readonly<{
    inputTokens: number;
    outputTokens: number;
    cacheReadInputTokens: number;
    cacheWriteInputTokens: number;
  }>;
  anthropicUsage: Readonly<{
    input_tokens: number;
    cache_creation_input_tokens: number;
    cache_read_input_tokens: number;
    output_tokens: number;
  }>;
  claudeModel: string;
  requestId: string;
}>;
