/**
 * Host → provider table. `detectProvider` runs on every outgoing HTTP request of the app, so the common path
 * (a host that is no model provider) is two Map lookups and a handful of `endsWith` checks: no regex, no
 * string building, no allocation. Routes are shared constants, so a match allocates nothing either.
 */
import {
  GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC,
  GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_INFERENCE,
  GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  GEN_AI_PROVIDER_NAME_VALUE_COHERE,
  GEN_AI_PROVIDER_NAME_VALUE_DEEPSEEK,
  GEN_AI_PROVIDER_NAME_VALUE_FIREWORKS,
  GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  GEN_AI_PROVIDER_NAME_VALUE_GROQ,
  GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  GEN_AI_PROVIDER_NAME_VALUE_OLLAMA,
  GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  GEN_AI_PROVIDER_NAME_VALUE_OPENROUTER,
  GEN_AI_PROVIDER_NAME_VALUE_PERPLEXITY,
  GEN_AI_PROVIDER_NAME_VALUE_TOGETHER_AI,
  GEN_AI_PROVIDER_NAME_VALUE_X_AI,
} from '@ailedger/semantic-conventions';

/** Which provider a host belongs to, and the adapter families to try on its paths, in order. */
export interface ProviderRoute {
  provider: string;
  families: readonly string[];
}

/** Not (yet) in the shared constants; custom values per the GenAI conventions' lowercase snake-case advice. */
const PROVIDER_CEREBRAS = 'cerebras';
const PROVIDER_MOONSHOT = 'moonshot_ai';

const OPENAI_ONLY: readonly string[] = Object.freeze(['openai']);
const ANTHROPIC_ONLY: readonly string[] = Object.freeze(['anthropic']);
const BEDROCK_ONLY: readonly string[] = Object.freeze(['bedrock']);
const GOOGLE: readonly string[] = Object.freeze(['gemini', 'anthropic', 'openai']);
const GEMINI: readonly string[] = Object.freeze(['gemini', 'openai']);
const OLLAMA: readonly string[] = Object.freeze(['ollama', 'openai']);
const MISTRAL: readonly string[] = Object.freeze(['mistral', 'openai']);
const COHERE: readonly string[] = Object.freeze(['cohere', 'openai']);
// These also serve Anthropic-compatible /v1/messages next to their OpenAI-compatible API.
const OPENAI_OR_ANTHROPIC: readonly string[] = Object.freeze(['openai', 'anthropic']);

function route(provider: string, families: readonly string[]): ProviderRoute {
  return Object.freeze({ provider, families });
}

/** Adapter families for a provider name given in configuration. */
export function familiesForProvider(provider: string): readonly string[] {
  if (provider === GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC) return ANTHROPIC_ONLY;
  if (provider === GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK) return BEDROCK_ONLY;
  if (provider.startsWith('gcp.')) return GOOGLE;
  if (provider === GEN_AI_PROVIDER_NAME_VALUE_OLLAMA) return OLLAMA;
  if (provider === GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI) return MISTRAL;
  if (provider === GEN_AI_PROVIDER_NAME_VALUE_COHERE) return COHERE;
  return OPENAI_ONLY;
}

const R_OPENAI = route(GEN_AI_PROVIDER_NAME_VALUE_OPENAI, OPENAI_ONLY);
const R_AZURE_OPENAI = route(GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI, OPENAI_ONLY);
const R_AZURE_INFERENCE = route(GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_INFERENCE, OPENAI_ONLY);
const R_ANTHROPIC = route(GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC, ANTHROPIC_ONLY);
const R_GEMINI = route(GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI, GEMINI);
const R_VERTEX = route(GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI, GOOGLE);
const R_BEDROCK = route(GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK, BEDROCK_ONLY);
const R_MISTRAL = route(GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI, MISTRAL);
const R_COHERE = route(GEN_AI_PROVIDER_NAME_VALUE_COHERE, COHERE);
const R_OLLAMA = route(GEN_AI_PROVIDER_NAME_VALUE_OLLAMA, OLLAMA);

const BUILT_IN_HOSTS: ReadonlyMap<string, ProviderRoute> = new Map<string, ProviderRoute>([
  ['api.openai.com', R_OPENAI],
  ['api.anthropic.com', R_ANTHROPIC],
  ['generativelanguage.googleapis.com', R_GEMINI],
  ['aiplatform.googleapis.com', R_VERTEX],
  ['aiplatform.us.rep.googleapis.com', R_VERTEX],
  ['aiplatform.eu.rep.googleapis.com', R_VERTEX],
  ['api.mistral.ai', R_MISTRAL],
  ['api.eu.mistral.ai', R_MISTRAL],
  ['api.us.mistral.ai', R_MISTRAL],
  ['api.cohere.com', R_COHERE],
  ['api.cohere.ai', R_COHERE],
  ['api.groq.com', route(GEN_AI_PROVIDER_NAME_VALUE_GROQ, OPENAI_ONLY)],
  ['api.deepseek.com', route(GEN_AI_PROVIDER_NAME_VALUE_DEEPSEEK, OPENAI_OR_ANTHROPIC)],
  ['api.together.xyz', route(GEN_AI_PROVIDER_NAME_VALUE_TOGETHER_AI, OPENAI_ONLY)],
  ['api.together.ai', route(GEN_AI_PROVIDER_NAME_VALUE_TOGETHER_AI, OPENAI_ONLY)],
  ['api.fireworks.ai', route(GEN_AI_PROVIDER_NAME_VALUE_FIREWORKS, OPENAI_ONLY)],
  ['api.x.ai', route(GEN_AI_PROVIDER_NAME_VALUE_X_AI, OPENAI_OR_ANTHROPIC)],
  ['openrouter.ai', route(GEN_AI_PROVIDER_NAME_VALUE_OPENROUTER, OPENAI_ONLY)],
  ['api.perplexity.ai', route(GEN_AI_PROVIDER_NAME_VALUE_PERPLEXITY, OPENAI_ONLY)],
  ['api.cerebras.ai', route(PROVIDER_CEREBRAS, OPENAI_ONLY)],
  ['api.moonshot.ai', route(PROVIDER_MOONSHOT, OPENAI_ONLY)],
  ['api.moonshot.cn', route(PROVIDER_MOONSHOT, OPENAI_ONLY)],
  ['ollama.com', R_OLLAMA],
  ['models.inference.ai.azure.com', R_AZURE_INFERENCE],
]);

/** Hosts that are a provider only on one port (a local Ollama); keyed by host, then port. */
const BUILT_IN_HOST_PORTS: ReadonlyMap<string, ReadonlyMap<number, ProviderRoute>> = new Map([
  ['localhost', new Map([[11434, R_OLLAMA]])],
  ['127.0.0.1', new Map([[11434, R_OLLAMA]])],
  ['::1', new Map([[11434, R_OLLAMA]])],
  ['[::1]', new Map([[11434, R_OLLAMA]])],
]);

function builtInBySuffix(host: string): ProviderRoute | undefined {
  if (host.endsWith('.azure.com')) {
    if (host.endsWith('.openai.azure.com') || host.endsWith('.cognitiveservices.azure.com'))
      return R_AZURE_OPENAI;
    // Foundry serves OpenAI paths (/openai/…) and the model-inference API (/models/…); the adapter tells them apart.
    if (host.endsWith('.services.ai.azure.com')) return R_AZURE_OPENAI;
    if (host.endsWith('.inference.ai.azure.com')) return R_AZURE_INFERENCE;
    return undefined;
  }
  if (host.endsWith('.googleapis.com')) {
    return host.endsWith('-aiplatform.googleapis.com') ? R_VERTEX : undefined;
  }
  if (host.endsWith('.amazonaws.com') || host.endsWith('.amazonaws.com.cn')) {
    // bedrock-runtime.{region}…, bedrock-runtime-fips.{region}…, vpce-….bedrock-runtime.{region}.vpce…
    if (host.startsWith('bedrock-runtime.') || host.startsWith('bedrock-runtime-fips.')) return R_BEDROCK;
    if (host.includes('.bedrock-runtime.') || host.includes('.bedrock-runtime-fips.')) return R_BEDROCK;
    return undefined;
  }
  if (host.endsWith('.api.cognitive.microsoft.com')) return R_AZURE_OPENAI;
  return undefined;
}

// --- User configuration (AILEDGER_PROVIDER_HOSTS) ---------------------------------------------------------

interface HostEntry {
  /** Lower-case host; for `*.suffix` entries the suffix with its leading dot. */
  host: string;
  port: number | undefined;
  wildcard: boolean;
  route: ProviderRoute;
}

interface UserTable {
  hosts: Map<string, ProviderRoute>;
  hostPorts: Map<string, Map<number, ProviderRoute>>;
  /** `*.suffix` entries as [".suffix", route], longest first. */
  suffixes: Array<[string, ProviderRoute]>;
}

let user: UserTable | undefined;

function parseEntries(value: string): HostEntry[] {
  const entries: HostEntry[] = [];
  for (const rawEntry of value.split(',')) {
    const entry = rawEntry.trim();
    if (entry.length === 0) continue;
    const bad = (why: string) =>
      new Error(`AILEDGER_PROVIDER_HOSTS: bad entry "${entry}": ${why} (expected host[:port]=provider)`);
    const eq = entry.indexOf('=');
    if (eq === -1) throw bad('missing "="');
    const target = entry.slice(0, eq).trim().toLowerCase();
    const provider = entry.slice(eq + 1).trim();
    if (!/^[a-z0-9][a-z0-9_.-]*$/i.test(provider)) throw bad('invalid provider name');
    let host = target;
    let portText: string | undefined;
    if (target.startsWith('[')) {
      // [ipv6] or [ipv6]:port
      const close = target.indexOf(']');
      if (close === -1) throw bad('invalid host');
      host = target.slice(1, close);
      const rest = target.slice(close + 1);
      if (rest.length > 0) {
        if (!rest.startsWith(':')) throw bad('invalid host');
        portText = rest.slice(1);
      }
    } else {
      const colon = target.indexOf(':');
      // An unbracketed IPv6 address has several colons and cannot carry a port.
      if (colon !== -1 && colon === target.lastIndexOf(':')) {
        host = target.slice(0, colon);
        portText = target.slice(colon + 1);
      }
    }
    let port: number | undefined;
    if (portText !== undefined) {
      port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
      if (port < 1 || port > 65535) throw bad('invalid port');
    }
    const wildcard = host.startsWith('*.');
    const name = wildcard ? host.slice(2) : host;
    if (name.length === 0 || !/^[a-z0-9_.:-]+$/.test(name) || name.startsWith('.') || name.endsWith('.')) {
      throw bad('invalid host');
    }
    if (wildcard && port !== undefined) throw bad('a wildcard host cannot have a port');
    entries.push({
      host: wildcard ? `.${name}` : name,
      port,
      wildcard,
      route: route(provider, familiesForProvider(provider)),
    });
  }
  return entries;
}

/**
 * Parses `host[:port]=provider,...` (a host may also be `*.suffix` or a bracketed IPv6 address). Keys of the
 * result are the normalized `host`, `host:port` (IPv6 in brackets) or `*.suffix`. Throws an Error naming the first bad entry.
 */
export function parseProviderHosts(value: string): Map<string, ProviderRoute> {
  const out = new Map<string, ProviderRoute>();
  for (const e of parseEntries(value)) {
    const host = e.host.includes(':') ? `[${e.host}]` : e.host;
    const key = e.wildcard ? `*${e.host}` : e.port === undefined ? host : `${host}:${e.port}`;
    out.set(key, e.route);
  }
  return out;
}

/**
 * Installs user host entries (replacing earlier ones); `undefined` or '' removes them. User entries win over
 * built-ins, and a host:port entry wins over a host entry. Throws on a malformed value, keeping the old table.
 */
export function configureProviderHosts(value: string | undefined): void {
  const entries = value === undefined ? [] : parseEntries(value);
  if (entries.length === 0) {
    user = undefined;
    return;
  }
  const table: UserTable = { hosts: new Map(), hostPorts: new Map(), suffixes: [] };
  for (const e of entries) {
    if (e.wildcard) {
      table.suffixes.push([e.host, e.route]);
      continue;
    }
    // Taps may report an IPv6 host with or without brackets; accept both.
    const forms = e.host.includes(':') ? [e.host, `[${e.host}]`] : [e.host];
    for (const host of forms) {
      if (e.port === undefined) {
        table.hosts.set(host, e.route);
        continue;
      }
      let ports = table.hostPorts.get(host);
      if (ports === undefined) {
        ports = new Map();
        table.hostPorts.set(host, ports);
      }
      ports.set(e.port, e.route);
    }
  }
  // Longest suffix first so the most specific wildcard wins.
  table.suffixes.sort((a, b) => b[0].length - a[0].length);
  user = table;
}

/** The provider route for a lower-case host (no port), or undefined when the host is no known model provider. */
export function detectProvider(host: string, port: number): ProviderRoute | undefined {
  if (user !== undefined) {
    const byPort = user.hostPorts.get(host)?.get(port);
    if (byPort !== undefined) return byPort;
    const byHost = user.hosts.get(host);
    if (byHost !== undefined) return byHost;
    const suffixes = user.suffixes;
    for (let i = 0; i < suffixes.length; i++) {
      const entry = suffixes[i]!;
      if (host.endsWith(entry[0])) return entry[1];
    }
  }
  const builtIn = BUILT_IN_HOSTS.get(host);
  if (builtIn !== undefined) return builtIn;
  const byPort = BUILT_IN_HOST_PORTS.get(host)?.get(port);
  if (byPort !== undefined) return byPort;
  return builtInBySuffix(host);
}
