/**
 * Adapter registry: the host table names families in the order to try them; this maps each name to its
 * adapter. Families without an adapter yet are skipped by the caller, which then tries the next one.
 */
import { openaiAdapter } from './openai.js';
import type { ProviderAdapter } from './types.js';

const adapters = new Map<string, ProviderAdapter>([[openaiAdapter.family, openaiAdapter]]);

export function adapterForFamily(family: string): ProviderAdapter | undefined {
  return adapters.get(family);
}
