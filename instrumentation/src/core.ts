/**
 * The shared core for the collector and other consumers: the normalized record, the one attribute mapping and
 * (as they land) pricing. No taps, no SDK start-up.
 */

export { markForeignGenAiParent } from './accounting.js';
export * from './model-call.js';
export * from './pricing/index.js';
export {
  type CostAttributesInput,
  costAttributes,
  modelCallAttributes,
  spanName,
  startAttributes,
} from './to-attributes.js';
export { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';
