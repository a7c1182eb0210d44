/**
 * Adapter registry: the host table names families in the order to try them; this maps each name to its
 * adapter. Families without an adapter are skipped by the caller, which then tries the next one.
 * One import and one entry per provider family, kept in alphabetical order.
 */
import { anthropicAdapter } from './anthropic.js';
import { bedrockAdapter } from './bedrock.js';
import { cohereAdapter } from './cohere.js';
import { geminiAdapter } from './gemini.js';
import { mistralAdapter } from './mistral.js';
import { ollamaAdapter } from './ollama.js';
import { openaiAdapter } from './openai.js';
import type { ProviderAdapter } from './types.js';

const ALL_ADAPTERS: readonly ProviderAdapter[] = [
  anthropicAdapter,
  bedrockAdapter,
  cohereAdapter,
  geminiAdapter,
  mistralAdapter,
  ollamaAdapter,
  openaiAdapter,
];

const adapters = new Map<string, ProviderAdapter>(ALL_ADAPTERS.map((a) => [a.family, a]));

export function adapterForFamily(family: string): ProviderAdapter | undefined {
  return adapters.get(family);
}
