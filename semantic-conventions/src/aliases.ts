/** Older and foreign attribute names mapped to the current ones (filled in by the foundation work). */
export {};
