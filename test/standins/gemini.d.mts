import type { Standin, StandinRequest } from './server.mjs';

export type { Standin, StandinRequest };

export function startGeminiStandin(): Promise<Standin>;
