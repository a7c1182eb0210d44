import {
  AILEDGER_PRICING_STATUS_VALUE_NO_USAGE,
  AILEDGER_PRICING_STATUS_VALUE_PRICED,
  AILEDGER_PRICING_STATUS_VALUE_UNKNOWN_MODEL,
} from '@ailedger/semantic-conventions';
import type { TokenUsage } from '../model-call.js';

export const PRICING_STATUS_PRICED = AILEDGER_PRICING_STATUS_VALUE_PRICED;
export const PRICING_STATUS_UNKNOWN_MODEL = AILEDGER_PRICING_STATUS_VALUE_UNKNOWN_MODEL;
export const PRICING_STATUS_NO_USAGE = AILEDGER_PRICING_STATUS_VALUE_NO_USAGE;
/**
 * Usage that cannot be right (negative or non-finite counts, cache reads above the input total, reasoning above
 * the output total). Kept apart from `no_usage` because the fix is in the adapter, not in the provider's reply.
 */
export const PRICING_STATUS_INVALID_USAGE = 'invalid_usage' as const;

export type PricingStatus =
  | typeof PRICING_STATUS_PRICED
  | typeof PRICING_STATUS_UNKNOWN_MODEL
  | typeof PRICING_STATUS_NO_USAGE
  | typeof PRICING_STATUS_INVALID_USAGE;

export interface PriceInput {
  /** gen_ai.provider.name (older gen_ai.system values are accepted too). */
  provider: string;
  /** The model as requested (for Azure: the deployment name). */
  requestModel?: string;
  /** The model that answered; preferred, since it names the real model and dated snapshot. */
  responseModel?: string;
  usage: TokenUsage | undefined;
  /** When the call was made (epoch ms); prices are taken as they stood then. */
  timestampMs: number;
  /** The service tier the provider reported (OpenAI flex/priority, Anthropic priority/batch ...). */
  serviceTier?: string;
}

export interface CallCost {
  status: PricingStatus;
  /** Sum of the components below. Present only when status is `priced`. */
  totalUsd?: number;
  /** Uncached input (text and audio). */
  inputUsd?: number;
  cacheReadUsd?: number;
  /** Cache writes, 5-minute and 1-hour lifetimes together. */
  cacheWriteUsd?: number;
  /** Output including reasoning. */
  outputUsd?: number;
  /** A flat per-request fee, only for prices that have one. */
  requestUsd?: number;
  /** The total before a discount override, present only when one applied. */
  listTotalUsd?: number;
  discountPercent?: number;
  /** `<price-provider>:<entry id>` of the catalogue entry, or `<gen_ai.provider.name>:<model>` for an override. */
  matchedModel?: string;
  /** The price data and its version, plus each override applied, joined by `+`. */
  source: string;
  /** The long-context tier applied to the whole request, e.g. `input_tokens>200000`. */
  tier?: string;
  /** Assumptions behind the number (a derived rate, a service tier priced at standard rates). */
  notes?: string[];
  /** Why the call is not priced. */
  detail?: string;
}
