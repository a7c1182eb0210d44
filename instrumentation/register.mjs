// `node --import @ailedger/instrumentation/register app.mjs`: load the same CommonJS register as --require does
// (one copy of the taps), then let ESM apps' named imports of builtins see the patched functions, and hook ESM
// imports of the `undici` package.
import { createRequire, register, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);
require('./dist/register.cjs');
syncBuiltinESMExports();
try {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
} catch {
  // Older Node without module.register: CommonJS loads of undici are still patched.
}
