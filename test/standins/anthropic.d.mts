import type { Standin, StandinRequest } from './server.mjs';

export type { Standin, StandinRequest };

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
