import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', core: 'src/core.ts', register: 'src/register.ts' },
    format: ['esm', 'cjs'],
    dts: { entry: { index: 'src/index.ts', core: 'src/core.ts' } },
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    // Our own workspace package is bundled so register works from any install layout.
    noExternal: ['@ailedger/semantic-conventions'],
    // import.meta.url in the CommonJS build (used to require lazily-loaded dependencies).
    shims: true,
  },
]);
