/** Kept in step with package.json by a test; used as the instrumentation scope version. */
export const PACKAGE_NAME = '@ailedger/instrumentation';
export const PACKAGE_VERSION = '0.1.0';
