import { afterEach, describe, expect, it } from 'vitest';
import { configureProviderHosts, detectProvider, parseProviderHosts } from './detect.js';

function provider(host: string, port = 443): string | undefined {
  return detectProvider(host, port)?.provider;
}

describe('detectProvider built-ins', () => {
  it.each([
    ['api.openai.com', 'openai'],
    ['my-res.openai.azure.com', 'azure.ai.openai'],
    ['my-res.cognitiveservices.azure.com', 'azure.ai.openai'],
    ['my-res.services.ai.azure.com', 'azure.ai.openai'],
    ['eastus.api.cognitive.microsoft.com', 'azure.ai.openai'],
    ['models.inference.ai.azure.com', 'azure.ai.inference'],
    ['my-ep.eastus2.inference.ai.azure.com', 'azure.ai.inference'],
    ['api.anthropic.com', 'anthropic'],
    ['generativelanguage.googleapis.com', 'gcp.gemini'],
    ['us-central1-aiplatform.googleapis.com', 'gcp.vertex_ai'],
    ['aiplatform.googleapis.com', 'gcp.vertex_ai'],
    ['aiplatform.us.rep.googleapis.com', 'gcp.vertex_ai'],
    ['aiplatform.eu.rep.googleapis.com', 'gcp.vertex_ai'],
    ['bedrock-runtime.us-east-1.amazonaws.com', 'aws.bedrock'],
    ['bedrock-runtime-fips.us-gov-west-1.amazonaws.com', 'aws.bedrock'],
    ['vpce-0abc-xyz.bedrock-runtime.eu-west-1.vpce.amazonaws.com', 'aws.bedrock'],
    ['api.mistral.ai', 'mistral_ai'],
    ['api.eu.mistral.ai', 'mistral_ai'],
    ['api.us.mistral.ai', 'mistral_ai'],
    ['api.cohere.com', 'cohere'],
    ['api.cohere.ai', 'cohere'],
    ['api.groq.com', 'groq'],
    ['api.deepseek.com', 'deepseek'],
    ['api.together.xyz', 'together_ai'],
    ['api.fireworks.ai', 'fireworks'],
    ['api.x.ai', 'x_ai'],
    ['openrouter.ai', 'openrouter'],
    ['api.perplexity.ai', 'perplexity'],
    ['api.cerebras.ai', 'cerebras'],
    ['api.moonshot.ai', 'moonshot_ai'],
    ['api.moonshot.cn', 'moonshot_ai'],
    ['ollama.com', 'ollama'],
  ])('%s → %s', (host, expected) => {
    expect(provider(host)).toBe(expected);
  });

  it('recognizes a local Ollama only on its port', () => {
    expect(detectProvider('localhost', 11434)).toEqual({
      provider: 'ollama',
      families: ['ollama', 'openai'],
    });
    expect(provider('127.0.0.1', 11434)).toBe('ollama');
    expect(provider('localhost', 8080)).toBeUndefined();
    expect(provider('127.0.0.1', 80)).toBeUndefined();
  });

  it('returns the adapter families in order', () => {
    expect(detectProvider('generativelanguage.googleapis.com', 443)?.families).toEqual(['gemini', 'openai']);
    expect(detectProvider('europe-west4-aiplatform.googleapis.com', 443)?.families).toEqual([
      'gemini',
      'anthropic',
      'openai',
    ]);
    expect(detectProvider('bedrock-runtime.us-east-1.amazonaws.com', 443)?.families).toEqual(['bedrock']);
    expect(detectProvider('api.openai.com', 443)?.families).toEqual(['openai']);
    expect(detectProvider('ollama.com', 443)?.families).toEqual(['ollama', 'openai']);
  });

  it.each([
    'example.com',
    'openai.com',
    'api.openai.com.evil.net',
    'storage.googleapis.com',
    'aiplatform.googleapis.com.example',
    's3.us-east-1.amazonaws.com',
    'bedrock.us-east-1.amazonaws.com', // the control plane, not the runtime
    'management.azure.com',
    'localhost',
    '',
  ])('ignores %s', (host) => {
    expect(detectProvider(host, 443)).toBeUndefined();
  });

  it('returns the same route object on every call (nothing allocated per request)', () => {
    expect(detectProvider('api.openai.com', 443)).toBe(detectProvider('api.openai.com', 443));
    expect(detectProvider('a.openai.azure.com', 443)).toBe(detectProvider('b.openai.azure.com', 443));
  });
});

describe('parseProviderHosts', () => {
  it('parses host, host:port, wildcard and IPv6 entries with families from the provider name', () => {
    const m = parseProviderHosts(
      ' llm.internal:8000=vllm, Gateway.Corp=azure.ai.openai,*.claude.corp=anthropic,[::1]:9000=ollama,' +
        'bedrock.corp=aws.bedrock,vertex.corp=gcp.vertex_ai,,',
    );
    expect([...m.keys()]).toEqual([
      'llm.internal:8000',
      'gateway.corp',
      '*.claude.corp',
      '[::1]:9000',
      'bedrock.corp',
      'vertex.corp',
    ]);
    expect(m.get('llm.internal:8000')).toEqual({ provider: 'vllm', families: ['openai'] });
    expect(m.get('gateway.corp')).toEqual({ provider: 'azure.ai.openai', families: ['openai'] });
    expect(m.get('*.claude.corp')).toEqual({ provider: 'anthropic', families: ['anthropic'] });
    expect(m.get('[::1]:9000')).toEqual({ provider: 'ollama', families: ['ollama', 'openai'] });
    expect(m.get('bedrock.corp')?.families).toEqual(['bedrock']);
    expect(m.get('vertex.corp')?.families).toEqual(['gemini', 'anthropic', 'openai']);
  });

  it('returns an empty map for an empty value', () => {
    expect(parseProviderHosts('').size).toBe(0);
    expect(parseProviderHosts(' , ').size).toBe(0);
  });

  it.each([
    ['llm.internal', 'missing "="'],
    ['llm.internal=', 'invalid provider name'],
    ['llm.internal:99999=vllm', 'invalid port'],
    ['llm.internal:abc=vllm', 'invalid port'],
    ['=vllm', 'invalid host'],
    ['http://x/y=vllm', 'invalid'],
    ['*.corp:80=vllm', 'wildcard'],
    ['host=bad name', 'invalid provider name'],
  ])('rejects %s naming the entry', (entry, why) => {
    expect(() => parseProviderHosts(`ok.host=vllm,${entry}`)).toThrow(`bad entry "${entry}"`);
    expect(() => parseProviderHosts(entry)).toThrow(why);
  });
});

describe('configureProviderHosts', () => {
  afterEach(() => configureProviderHosts(undefined));

  it('adds user hosts, host:port before host, user before built-in', () => {
    configureProviderHosts(
      'llm.internal:8000=vllm,llm.internal=openai,api.openai.com=my_proxy,localhost=lmstudio,*.gw.corp=anthropic',
    );
    expect(provider('llm.internal', 8000)).toBe('vllm');
    expect(provider('llm.internal', 9000)).toBe('openai');
    expect(provider('api.openai.com')).toBe('my_proxy');
    expect(provider('localhost', 11434)).toBe('lmstudio');
    expect(detectProvider('eu.gw.corp', 443)).toEqual({ provider: 'anthropic', families: ['anthropic'] });
    expect(provider('gw.corp')).toBeUndefined();
    // Built-ins still apply where the user said nothing.
    expect(provider('api.anthropic.com')).toBe('anthropic');
  });

  it('a user host:port entry beats a built-in host:port entry only on that port', () => {
    configureProviderHosts('localhost:11434=vllm,[::1]:8000=vllm');
    expect(provider('localhost', 11434)).toBe('vllm');
    expect(provider('127.0.0.1', 11434)).toBe('ollama');
    expect(provider('::1', 8000)).toBe('vllm');
    expect(provider('[::1]', 8000)).toBe('vllm');
  });

  it('keeps the previous table when the new value is bad, and clears on undefined', () => {
    configureProviderHosts('llm.internal=vllm');
    expect(() => configureProviderHosts('llm.internal=vllm,oops')).toThrow('bad entry "oops"');
    expect(provider('llm.internal')).toBe('vllm');
    configureProviderHosts(undefined);
    expect(provider('llm.internal')).toBeUndefined();
  });
});
