import type { ModelCall } from '../model-call.js';
import type { PriceInput } from './types.js';

/** The pricing input of a recorded call: priced at its start time, by the model that answered if known. */
export function priceInputFromCall(call: ModelCall): PriceInput {
  const input: PriceInput = { provider: call.provider, usage: call.usage, timestampMs: call.startTimeMs };
  if (call.request.model !== undefined) input.requestModel = call.request.model;
  if (call.response.model !== undefined) input.responseModel = call.response.model;
  const tier = call.response.serviceTier ?? call.request.serviceTier;
  if (tier !== undefined) input.serviceTier = tier;
  return input;
}
