/**
 * `ailedger report --focus`: the ledger in the FinOps FOCUS 1.2 column layout, for finance tools that ingest
 * cloud bills. Granularity: one usage row per UTC day × provider × model × service × environment × team × use
 * case × estimated flag, from the daily rollup. Each row's cost is the exact sum of its calls' nano-USD, so the
 * export's BilledCost adds up to the report's total to the last nano-dollar.
 *
 * Mapping choices (documented in the collector README):
 * - BilledCost = EffectiveCost = ListCost = ContractedCost: the ledger holds what ailedger priced (list prices,
 *   or your overrides), not the provider's invoice; there are no commitments or amortization to split.
 * - ConsumedQuantity / PricingQuantity: tokens (input including cache, plus output), unit "Tokens"; the split
 *   by token type is in x_ columns.
 * - Billing account: the model provider (the ledger does not know your account ids); the billing period is the
 *   calendar month of the charge day.
 * - Tags: team, use_case, service and environment (absent ones left out).
 * - Unpriced calls are left out (FOCUS has no "unknown cost"; a $0 row would be a guessed price); the command
 *   says how many on stderr.
 */

import { nanosToDecimal } from '../ledger/money.js';
import type { LedgerStore } from '../ledger/store.js';
import { csvRows } from './format.js';
import { toBig } from './report.js';

export const FOCUS_VERSION = '1.2';

export const FOCUS_COLUMNS = [
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ContractedCost',
  'EffectiveCost',
  'InvoiceIssuerName',
  'ListCost',
  'PricingCategory',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'ServiceCategory',
  'ServiceName',
  'ServiceSubcategory',
  'SkuId',
  'Tags',
  'x_Calls',
  'x_InputTokens',
  'x_CacheReadTokens',
  'x_CacheWriteTokens',
  'x_OutputTokens',
  'x_UsageEstimated',
  'x_BilledCostNanoUsd',
  'x_Team',
  'x_UseCase',
  'x_Service',
  'x_Environment',
] as const;

export type FocusColumn = (typeof FOCUS_COLUMNS)[number];
export type FocusRow = Record<FocusColumn, string | null>;

/** gen_ai.provider.name → [company, service] as a bill would name them. Unknown providers keep their id. */
const PROVIDERS: Readonly<Record<string, readonly [string, string]>> = {
  openai: ['OpenAI', 'OpenAI API'],
  anthropic: ['Anthropic', 'Anthropic API'],
  'aws.bedrock': ['Amazon Web Services', 'Amazon Bedrock'],
  'azure.ai.openai': ['Microsoft', 'Azure OpenAI'],
  'azure.ai.inference': ['Microsoft', 'Azure AI Inference'],
  'gcp.gemini': ['Google', 'Gemini API'],
  'gcp.vertex_ai': ['Google Cloud', 'Vertex AI'],
  'gcp.gen_ai': ['Google', 'Google Gen AI'],
  mistral_ai: ['Mistral AI', 'Mistral AI API'],
  cohere: ['Cohere', 'Cohere API'],
  groq: ['Groq', 'GroqCloud'],
  deepseek: ['DeepSeek', 'DeepSeek API'],
  perplexity: ['Perplexity', 'Perplexity API'],
  x_ai: ['xAI', 'xAI API'],
  ollama: ['Ollama', 'Ollama'],
};

function providerNames(provider: string): readonly [string, string] {
  return PROVIDERS[provider] ?? [provider, provider];
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function monthOf(day: string): { start: string; end: string } {
  const d = new Date(`${day}T00:00:00Z`);
  const start = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  const end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  return { start: start.toISOString().replace('.000', ''), end: end.toISOString().replace('.000', '') };
}

const at = (day: string) => `${day}T00:00:00Z`;

export interface FocusExport {
  rows: FocusRow[];
  /** Exact sum of BilledCost. */
  totalNanos: bigint;
  /** Calls left out because they have no price. */
  unpricedCalls: bigint;
}

export async function buildFocus(
  store: LedgerStore,
  options: { since: string; until: string },
): Promise<FocusExport> {
  const params = [options.since, options.until];
  const rows = await store.select(
    `SELECT CAST(day AS TEXT) AS day, provider, model, service, environment, team, use_case, usage_estimated,
       SUM(calls) AS calls, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
       SUM(cache_read_tokens) AS cache_read_tokens, SUM(cache_write_tokens) AS cache_write_tokens,
       SUM(cost_nanos) AS cost_nanos
     FROM ledger_daily WHERE day >= ? AND day < ? AND pricing_status = 'priced'
     GROUP BY CAST(day AS TEXT), provider, model, service, environment, team, use_case, usage_estimated`,
    params,
  );
  const unpriced = await store.select(
    `SELECT SUM(calls) AS calls FROM ledger_daily WHERE day >= ? AND day < ? AND pricing_status <> 'priced'`,
    params,
  );
  const out: FocusRow[] = [];
  let totalNanos = 0n;
  for (const r of rows) {
    const day = String(r.day);
    const provider = String(r.provider);
    const model = String(r.model);
    const team = String(r.team);
    const useCase = String(r.use_case ?? '');
    const service = String(r.service ?? '');
    const environment = String(r.environment ?? '');
    const estimated = r.usage_estimated === true || r.usage_estimated === 1n || r.usage_estimated === 1;
    const nanos = toBig(r.cost_nanos);
    totalNanos += nanos;
    const calls = toBig(r.calls);
    const input = toBig(r.input_tokens);
    const output = toBig(r.output_tokens);
    const cost = nanosToDecimal(nanos);
    const [company, serviceName] = providerNames(provider);
    const month = monthOf(day);
    const tags: Record<string, string> = { team };
    if (useCase !== '') tags.use_case = useCase;
    if (service !== '') tags.service = service;
    if (environment !== '') tags.environment = environment;
    const where = [team, useCase, service].filter((v) => v !== '').join(', ');
    out.push({
      BilledCost: cost,
      BillingAccountId: provider,
      BillingAccountName: company,
      BillingCurrency: 'USD',
      BillingPeriodEnd: month.end,
      BillingPeriodStart: month.start,
      ChargeCategory: 'Usage',
      ChargeClass: null,
      ChargeDescription: `${calls} calls to ${model} (${serviceName}) for ${where}${estimated ? '; tokens estimated locally' : ''}`,
      ChargeFrequency: 'Usage-Based',
      ChargePeriodEnd: at(nextDay(day)),
      ChargePeriodStart: at(day),
      ConsumedQuantity: String(input + output),
      ConsumedUnit: 'Tokens',
      ContractedCost: cost,
      EffectiveCost: cost,
      InvoiceIssuerName: company,
      ListCost: cost,
      PricingCategory: 'Standard',
      PricingQuantity: String(input + output),
      PricingUnit: 'Tokens',
      ProviderName: company,
      PublisherName: company,
      ResourceId: `${provider}/${model}`,
      ResourceName: model,
      ResourceType: 'Model',
      ServiceCategory: 'AI and Machine Learning',
      ServiceName: serviceName,
      ServiceSubcategory: 'Generative AI',
      SkuId: `${provider}/${model}`,
      Tags: JSON.stringify(tags),
      x_Calls: String(calls),
      x_InputTokens: String(input),
      x_CacheReadTokens: String(toBig(r.cache_read_tokens)),
      x_CacheWriteTokens: String(toBig(r.cache_write_tokens)),
      x_OutputTokens: String(output),
      x_UsageEstimated: estimated ? 'true' : 'false',
      x_BilledCostNanoUsd: String(nanos),
      x_Team: team,
      x_UseCase: useCase === '' ? null : useCase,
      x_Service: service === '' ? null : service,
      x_Environment: environment === '' ? null : environment,
    });
  }
  // Stable order for diffs and tests: by charge day, then resource, then tags.
  out.sort((a, b) => {
    const ka = [a.ChargePeriodStart, a.ResourceId, a.Tags, a.x_UsageEstimated].join('\u0000');
    const kb = [b.ChargePeriodStart, b.ResourceId, b.Tags, b.x_UsageEstimated].join('\u0000');
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return { rows: out, totalNanos, unpricedCalls: toBig(unpriced[0]?.calls) };
}

/** FOCUS CSV: the column IDs as header, null as an empty field. */
export function focusCsv(rows: readonly FocusRow[]): string {
  return csvRows([[...FOCUS_COLUMNS], ...rows.map((r) => FOCUS_COLUMNS.map((c) => r[c] ?? ''))]);
}

/** FOCUS JSON: an array of rows; amounts and quantities as decimal strings (exact), Tags as an object. */
export function focusJson(rows: readonly FocusRow[]): string {
  const out = rows.map((r) => ({ ...r, Tags: r.Tags === null ? null : (JSON.parse(r.Tags) as unknown) }));
  return `${JSON.stringify(out, null, 2)}\n`;
}
