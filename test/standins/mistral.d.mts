import type { Standin } from './openai.mjs';

export type { Standin };

export function startMistralStandin(): Promise<Standin>;
