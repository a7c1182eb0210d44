import type { Standin } from './openai.mjs';

export type { Standin };

/** `port` 11434 stands in for a local Ollama at its default address (the default `ollama` instance's). */
export function startOllamaStandin(options?: { port?: number }): Promise<Standin>;
