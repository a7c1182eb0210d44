import type { Standin } from './openai.mjs';

export type { Standin };

export function startCohereStandin(): Promise<Standin>;
