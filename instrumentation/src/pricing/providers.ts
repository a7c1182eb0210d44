/**
 * From what a span says (gen_ai.provider.name, model ids as the provider spells them) to what the catalogue
 * matches on. Model ids are changed only as far as matching needs: Bedrock's `us.`/`eu.`/`apac.`/`global.`
 * inference-profile prefixes stay, because genai-prices prices regional profiles (+10 % for recent Claude models)
 * apart from global ones.
 */

/** genai-prices provider id per gen_ai.provider.name (and older gen_ai.system values); null: never list-priced. */
const PROVIDER_IDS: ReadonlyMap<string, string | null> = new Map<string, string | null>([
  ['openai', 'openai'],
  ['azure.ai.openai', 'azure'],
  ['azure.ai.inference', 'azure'],
  ['az.ai.openai', 'azure'],
  ['az.ai.inference', 'azure'],
  ['anthropic', 'anthropic'],
  ['aws.bedrock', 'aws'],
  ['gcp.gemini', 'google'],
  ['gcp.vertex_ai', 'google'],
  ['gcp.gen_ai', 'google'],
  ['gemini', 'google'],
  ['vertex_ai', 'google'],
  ['mistral_ai', 'mistral'],
  ['mistralai', 'mistral'],
  ['cohere', 'cohere'],
  ['groq', 'groq'],
  ['deepseek', 'deepseek'],
  ['x_ai', 'x-ai'],
  ['xai', 'x-ai'],
  ['perplexity', 'perplexity'],
  ['openrouter', 'openrouter'],
  ['together_ai', 'together'],
  ['fireworks', 'fireworks'],
  ['cerebras', 'cerebras'],
  ['moonshot_ai', 'moonshotai'],
  // Self-hosted: what a call costs is the organisation's own hardware, priced only by an override.
  ['ollama', null],
  ['vllm', null],
]);

/**
 * The genai-prices provider for a gen_ai.provider.name: a known mapping, `null` for self-hosted runtimes, or
 * `undefined` to let the catalogue try the name itself.
 */
export function mappedProviderId(providerName: string): string | null | undefined {
  return PROVIDER_IDS.get(providerName.toLowerCase());
}

/**
 * OpenRouter model-id vendors whose own list applies when OpenRouter's list lacks the id (OpenRouter bills
 * inference at the vendor's price).
 */
const OPENROUTER_VENDORS: ReadonlyMap<string, string> = new Map([
  ['openai', 'openai'],
  ['anthropic', 'anthropic'],
  ['google', 'google'],
  ['mistralai', 'mistral'],
  ['x-ai', 'x-ai'],
  ['deepseek', 'deepseek'],
  ['cohere', 'cohere'],
  ['moonshotai', 'moonshotai'],
]);

/** `vendor/model` as the vendor's provider id and model, when OpenRouter's own list has no entry. */
export function openRouterVendorModel(model: string): { providerId: string; model: string } | undefined {
  const slash = model.indexOf('/');
  // Variants (`:free`, `:thinking`, `:extended`) have their own prices; never fall back for those.
  if (slash <= 0 || model.includes(':')) return undefined;
  const providerId = OPENROUTER_VENDORS.get(model.slice(0, slash).toLowerCase());
  return providerId === undefined ? undefined : { providerId, model: model.slice(slash + 1) };
}

const BEDROCK_ARN = /^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:([a-z-]+)\/(.+)$/i;
/** ARN kinds naming a public model or a shared inference profile; the others are account-private. */
const BEDROCK_PUBLIC_ARN_KINDS = new Set([
  'foundation-model',
  'inference-profile',
  'system-defined-inference-profile',
]);

/**
 * The model id the catalogue should match for one provider, or `undefined` when the id cannot carry a list price
 * (a Bedrock provisioned-throughput, custom-model or application-profile ARN: those bill otherwise or hide the
 * model; an override can still price them by the raw id).
 */
export function catalogModelId(priceProviderId: string, raw: string): string | undefined {
  let id = raw.trim();
  if (id.includes('%')) {
    try {
      // Bedrock model ids arrive URL-encoded when taken from the request path (`...-v1%3A0`).
      id = decodeURIComponent(id);
    } catch {
      // Not an encoding after all; match as is.
    }
  }
  if (id === '') return undefined;
  if (priceProviderId === 'aws') {
    const arn = BEDROCK_ARN.exec(id);
    if (arn) return BEDROCK_PUBLIC_ARN_KINDS.has(arn[1]!.toLowerCase()) ? arn[2] : undefined;
  } else if (priceProviderId === 'google') {
    // Vertex resource names (`projects/p/locations/l/publishers/google/models/gemini-2.5-pro`), Gemini API
    // names (`models/gemini-2.5-flash`) and Vertex's OpenAI-compatible ids (`google/gemini-2.0-flash-001`).
    const slash = id.lastIndexOf('/');
    if (slash !== -1) id = id.slice(slash + 1);
  }
  return id;
}
