import { describe, expect, it } from 'vitest';
import {
  AGGREGATE_OPERATION_NAMES,
  ATTRIBUTE_ALIASES,
  type AttributeAlias,
  FOREIGN_CONTENT_ATTRIBUTES,
  FOREIGN_COST_ATTRIBUTES,
  NON_LEAF_SPAN_VALUES,
  normalizeProviderName,
  OPERATION_VALUE_ALIASES,
  OUTPUT_TYPE_VALUE_ALIASES,
  PROVIDER_VALUE_ALIASES,
  TOTAL_TOKENS_ATTRIBUTES,
} from './aliases.js';
import * as genAi from './gen-ai.js';
import * as ours from './index.js';

const ourAttributeNames = new Set(
  Object.entries(ours)
    .filter(([name, value]) => name.startsWith('ATTR_') && typeof value === 'string')
    .map(([, value]) => value as string),
);
const operationValues = new Set(
  Object.entries(genAi)
    .filter(([name]) => name.startsWith('GEN_AI_OPERATION_NAME_VALUE_'))
    .map(([, value]) => value as string),
);
const froms = ATTRIBUTE_ALIASES.map((alias) => alias.from);

function aliasFrom(from: string): AttributeAlias {
  const alias = ATTRIBUTE_ALIASES.find((a) => a.from === from);
  if (!alias) throw new Error(`no alias from ${from}`);
  return alias;
}

function indexOfFrom(from: string): number {
  return froms.indexOf(from);
}

type Attrs = Record<string, string | number | boolean | string[]>;

/** The application rules written at the top of aliases.ts, as the collector is meant to apply them. */
function normalize(attrs: Readonly<Attrs>): Attrs {
  const out: Attrs = { ...attrs };
  for (const alias of ATTRIBUTE_ALIASES) {
    const value = attrs[alias.from];
    if (value === undefined || out[alias.to] !== undefined) continue;
    switch (alias.transform) {
      case 'ms-to-s':
        out[alias.to] = Number(value) / 1000;
        break;
      case 'to-array':
        out[alias.to] = Array.isArray(value) ? value : [String(value)];
        break;
      case 'provider-name':
        out[alias.to] = normalizeProviderName(String(value));
        break;
      case 'operation-name': {
        const operation = OPERATION_VALUE_ALIASES[alias.from]?.[String(value)];
        if (operation !== undefined) out[alias.to] = operation;
        break;
      }
      case 'output-type': {
        const type = OUTPUT_TYPE_VALUE_ALIASES[String(value)];
        if (type !== undefined) out[alias.to] = type;
        break;
      }
      default:
        out[alias.to] = value;
    }
  }
  return out;
}

describe('ATTRIBUTE_ALIASES', () => {
  it('targets only current attribute names we export', () => {
    const unknown = ATTRIBUTE_ALIASES.filter((a) => !ourAttributeNames.has(a.to)).map((a) => a.to);
    expect(unknown).toEqual([]);
  });

  it('never targets a name that is itself an alias (no chains, no legacy targets)', () => {
    const chained = ATTRIBUTE_ALIASES.filter((a) => froms.includes(a.to)).map((a) => `${a.from} -> ${a.to}`);
    expect(chained).toEqual([]);
    for (const alias of ATTRIBUTE_ALIASES) expect(alias.from).not.toBe(alias.to);
  });

  it('lists each foreign name once, so it has exactly one target', () => {
    const duplicates = froms.filter((from, i) => froms.indexOf(from) !== i);
    expect(duplicates).toEqual([]);
  });

  it('maps the older and foreign names to the right current names', () => {
    const expected: Record<string, string> = {
      'gen_ai.system': 'gen_ai.provider.name',
      'gen_ai.usage.prompt_tokens': 'gen_ai.usage.input_tokens',
      'gen_ai.usage.completion_tokens': 'gen_ai.usage.output_tokens',
      'llm.token_count.prompt': 'gen_ai.usage.input_tokens',
      'llm.token_count.completion': 'gen_ai.usage.output_tokens',
      'llm.token_count.prompt_details.cache_read': 'gen_ai.usage.cache_read.input_tokens',
      'llm.token_count.prompt_details.cache_write': 'gen_ai.usage.cache_creation.input_tokens',
      'llm.token_count.completion_details.reasoning': 'gen_ai.usage.reasoning.output_tokens',
      'llm.model_name': 'gen_ai.request.model',
      'llm.request.model_name': 'gen_ai.request.model',
      'llm.response.model_name': 'gen_ai.response.model',
      'embedding.model_name': 'gen_ai.request.model',
      'llm.provider': 'gen_ai.provider.name',
      'llm.system': 'gen_ai.provider.name',
      'ai.usage.promptTokens': 'gen_ai.usage.input_tokens',
      'ai.usage.completionTokens': 'gen_ai.usage.output_tokens',
      'ai.usage.inputTokens': 'gen_ai.usage.input_tokens',
      'ai.usage.outputTokens': 'gen_ai.usage.output_tokens',
      'ai.usage.cachedInputTokens': 'gen_ai.usage.cache_read.input_tokens',
      'ai.usage.reasoningTokens': 'gen_ai.usage.reasoning.output_tokens',
      'ai.usage.inputTokenDetails.cacheReadTokens': 'gen_ai.usage.cache_read.input_tokens',
      'ai.usage.inputTokenDetails.cacheWriteTokens': 'gen_ai.usage.cache_creation.input_tokens',
      'ai.usage.outputTokenDetails.reasoningTokens': 'gen_ai.usage.reasoning.output_tokens',
      'ai.model.id': 'gen_ai.request.model',
      'ai.model.provider': 'gen_ai.provider.name',
      'ai.response.model': 'gen_ai.response.model',
      'ai.response.id': 'gen_ai.response.id',
      'ai.response.finishReason': 'gen_ai.response.finish_reasons',
      'ai.response.msToFirstChunk': 'gen_ai.response.time_to_first_chunk',
      'gen_ai.usage.cache_read_input_tokens': 'gen_ai.usage.cache_read.input_tokens',
      'gen_ai.usage.cache_creation_input_tokens': 'gen_ai.usage.cache_creation.input_tokens',
      'gen_ai.usage.reasoning_tokens': 'gen_ai.usage.reasoning.output_tokens',
      'llm.usage.reasoning_tokens': 'gen_ai.usage.reasoning.output_tokens',
      'gen_ai.usage.cache_write.input_tokens': 'gen_ai.usage.cache_creation.input_tokens',
      'gen_ai.openai.request.seed': 'gen_ai.request.seed',
      'gen_ai.openai.request.response_format': 'gen_ai.output.type',
      'gen_ai.openai.request.service_tier': 'openai.request.service_tier',
      'gen_ai.openai.response.service_tier': 'openai.response.service_tier',
      'gen_ai.openai.response.system_fingerprint': 'openai.response.system_fingerprint',
      'llm.request.type': 'gen_ai.operation.name',
      'openinference.span.kind': 'gen_ai.operation.name',
      'ai.operationId': 'gen_ai.operation.name',
    };
    for (const [from, to] of Object.entries(expected)) expect(aliasFrom(from).to, from).toBe(to);
  });

  it('orders aliases so the most precise name wins', () => {
    expect(indexOfFrom('gen_ai.system')).toBe(
      ATTRIBUTE_ALIASES.findIndex((a) => a.to === 'gen_ai.provider.name'),
    );
    expect(indexOfFrom('llm.provider')).toBeLessThan(indexOfFrom('llm.system'));
    expect(indexOfFrom('llm.request.model_name')).toBeLessThan(indexOfFrom('llm.model_name'));
    expect(indexOfFrom('ai.usage.inputTokens')).toBeLessThan(indexOfFrom('ai.usage.promptTokens'));
    expect(indexOfFrom('ai.usage.inputTokenDetails.cacheReadTokens')).toBeLessThan(
      indexOfFrom('ai.usage.cachedInputTokens'),
    );
    expect(indexOfFrom('ai.usage.outputTokenDetails.reasoningTokens')).toBeLessThan(
      indexOfFrom('ai.usage.reasoningTokens'),
    );
    expect(indexOfFrom('gen_ai.usage.cache_write.input_tokens')).toBeLessThan(
      indexOfFrom('gen_ai.usage.cache_creation_input_tokens'),
    );
  });

  it('declares the value conversions a plain copy would get wrong', () => {
    expect(aliasFrom('ai.response.msToFirstChunk').transform).toBe('ms-to-s');
    expect(aliasFrom('ai.stream.msToFirstChunk').transform).toBe('ms-to-s');
    for (const from of [
      'llm.response.finish_reason',
      'llm.finish_reason',
      'ai.response.finishReason',
      'anthropic.message.stop_reason',
    ]) {
      expect(aliasFrom(from).transform, from).toBe('to-array');
    }
    for (const alias of ATTRIBUTE_ALIASES) {
      if (alias.to === genAi.ATTR_GEN_AI_PROVIDER_NAME)
        expect(alias.transform, alias.from).toBe('provider-name');
      if (alias.to === genAi.ATTR_GEN_AI_OPERATION_NAME) {
        expect(alias.transform, alias.from).toBe('operation-name');
        expect(OPERATION_VALUE_ALIASES[alias.from], alias.from).toBeDefined();
      }
      if (alias.to === genAi.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK)
        expect(alias.transform).toBe('ms-to-s');
    }
    expect(aliasFrom('gen_ai.openai.request.response_format').transform).toBe('output-type');
  });

  it('normalizes a Vercel AI SDK doStream span', () => {
    const normalized = normalize({
      'ai.operationId': 'ai.streamText.doStream',
      'ai.model.provider': 'anthropic.messages',
      'ai.model.id': 'claude-sonnet-4-5',
      'ai.response.model': 'claude-sonnet-4-5-20250929',
      'ai.response.finishReason': 'stop',
      'ai.response.msToFirstChunk': 412,
      'ai.usage.inputTokens': 1200,
      'ai.usage.outputTokens': 80,
      'ai.usage.inputTokenDetails.cacheReadTokens': 1000,
      'ai.usage.cachedInputTokens': 999,
    });
    expect(normalized).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.time_to_first_chunk': 0.412,
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 80,
      'gen_ai.usage.cache_read.input_tokens': 1000,
    });
    // Evidence stays: the foreign attributes are kept.
    expect(normalized['ai.usage.inputTokens']).toBe(1200);
  });

  it('normalizes OpenLLMetry and OpenInference spans, and lets current names win', () => {
    expect(
      normalize({
        'gen_ai.system': 'MistralAI',
        'llm.request.type': 'completion',
        'gen_ai.usage.prompt_tokens': 10,
        'gen_ai.usage.completion_tokens': 5,
        'llm.usage.total_tokens': 15,
      }),
    ).toMatchObject({
      'gen_ai.provider.name': 'mistral_ai',
      'gen_ai.operation.name': 'text_completion',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 5,
    });
    const openInference = normalize({
      'openinference.span.kind': 'LLM',
      'llm.provider': 'azure',
      'llm.system': 'openai',
      'llm.model_name': 'gpt-4o-2024-08-06',
      'llm.token_count.prompt': 30,
      'gen_ai.usage.input_tokens': 31,
    });
    expect(openInference['gen_ai.provider.name']).toBe('azure.ai.openai');
    expect(openInference['gen_ai.operation.name']).toBe('chat');
    expect(openInference['gen_ai.request.model']).toBe('gpt-4o-2024-08-06');
    expect(openInference['gen_ai.usage.input_tokens']).toBe(31);
    expect(normalize({ 'llm.request.type': 'rerank' })['gen_ai.operation.name']).toBeUndefined();
  });
});

describe('foreign attribute lists', () => {
  it('keeps totals, costs and content apart from the aliases and from our names', () => {
    for (const { name } of [
      ...TOTAL_TOKENS_ATTRIBUTES,
      ...FOREIGN_COST_ATTRIBUTES,
      ...FOREIGN_CONTENT_ATTRIBUTES,
    ]) {
      expect(froms, name).not.toContain(name);
    }
    for (const { name } of [...TOTAL_TOKENS_ATTRIBUTES, ...FOREIGN_COST_ATTRIBUTES]) {
      expect(ourAttributeNames.has(name), name).toBe(false);
    }
    expect(TOTAL_TOKENS_ATTRIBUTES.map((a) => a.name)).toEqual(
      expect.arrayContaining(['llm.usage.total_tokens', 'llm.token_count.total', 'ai.usage.totalTokens']),
    );
  });

  it('lists the flattened content attributes of older instrumentations', () => {
    const indexed = FOREIGN_CONTENT_ATTRIBUTES.filter((a) => a.indexed).map((a) => a.name);
    expect(indexed).toEqual(
      expect.arrayContaining(['gen_ai.prompt', 'gen_ai.completion', 'llm.input_messages']),
    );
    const names = FOREIGN_CONTENT_ATTRIBUTES.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('PROVIDER_VALUE_ALIASES and normalizeProviderName', () => {
  it('maps only to current provider values, from lower-case keys that are not current values', () => {
    for (const [key, value] of Object.entries(PROVIDER_VALUE_ALIASES)) {
      expect(genAi.GEN_AI_PROVIDER_NAME_VALUES, key).toContain(value);
      expect(key).toBe(key.trim().toLowerCase());
      expect(genAi.GEN_AI_PROVIDER_NAME_VALUES, key).not.toContain(key);
    }
  });

  it('maps the values older and foreign instrumentations emit', () => {
    const cases: Record<string, string> = {
      // gen_ai.system renames
      xai: 'x_ai',
      'az.ai.openai': 'azure.ai.openai',
      'az.ai.inference': 'azure.ai.inference',
      vertex_ai: 'gcp.vertex_ai',
      gemini: 'gcp.gemini',
      // capitalized OpenLLMetry values
      Anthropic: 'anthropic',
      MistralAI: 'mistral_ai',
      TogetherAI: 'together_ai',
      Watsonx: 'ibm.watsonx.ai',
      AWS: 'aws.bedrock',
      Google: 'gcp.gen_ai',
      OpenAI: 'openai',
      // OpenInference llm.provider / llm.system
      mistralai: 'mistral_ai',
      vertexai: 'gcp.vertex_ai',
      google: 'gcp.gen_ai',
      azure: 'azure.ai.openai',
      aws: 'aws.bedrock',
      together: 'together_ai',
      moonshot: 'moonshot_ai',
      deepseek: 'deepseek',
      // Vercel ai.model.provider
      'openai.chat': 'openai',
      'openai.responses': 'openai',
      'anthropic.messages': 'anthropic',
      'google.generative-ai': 'gcp.gemini',
      'google.vertex.chat': 'gcp.vertex_ai',
      'vertex.anthropic.messages': 'gcp.vertex_ai',
      'amazon-bedrock': 'aws.bedrock',
      'mistral.chat': 'mistral_ai',
      'cohere.chat': 'cohere',
      'azure.responses': 'azure.ai.openai',
      'xai.chat': 'x_ai',
      // current values map to themselves
      'azure.ai.openai': 'azure.ai.openai',
      'gcp.vertex_ai': 'gcp.vertex_ai',
      x_ai: 'x_ai',
      ollama: 'ollama',
    };
    for (const [input, expected] of Object.entries(cases))
      expect(normalizeProviderName(input), input).toBe(expected);
  });

  it('strips Vercel API suffixes the table does not list, and trims', () => {
    expect(normalizeProviderName('ollama.chat')).toBe('ollama');
    expect(normalizeProviderName('openrouter.chat')).toBe('openrouter');
    expect(normalizeProviderName('perplexity.chat')).toBe('perplexity');
    expect(normalizeProviderName('  OpenAI ')).toBe('openai');
  });

  it('returns unknown values unchanged, including object-prototype names', () => {
    expect(normalizeProviderName('SomeLab')).toBe('SomeLab');
    expect(normalizeProviderName('somelab.chat')).toBe('somelab.chat');
    expect(normalizeProviderName('constructor')).toBe('constructor');
    expect(normalizeProviderName('__proto__')).toBe('__proto__');
    expect(normalizeProviderName('')).toBe('');
  });
});

describe('operations and counting', () => {
  it('maps foreign operation values to GenAI operation names', () => {
    for (const table of Object.values(OPERATION_VALUE_ALIASES)) {
      for (const [key, value] of Object.entries(table)) expect(operationValues.has(value), key).toBe(true);
    }
    const openllmetry = OPERATION_VALUE_ALIASES['llm.request.type'];
    expect(openllmetry).toEqual({ chat: 'chat', completion: 'text_completion', embedding: 'embeddings' });
    expect(OPERATION_VALUE_ALIASES['openinference.span.kind']).toMatchObject({
      LLM: 'chat',
      EMBEDDING: 'embeddings',
    });
    expect(OPERATION_VALUE_ALIASES['ai.operationId']).toMatchObject({
      'ai.generateText.doGenerate': 'chat',
      'ai.streamText.doStream': 'chat',
      'ai.embed.doEmbed': 'embeddings',
      'ai.embedMany.doEmbed': 'embeddings',
    });
  });

  it('never counts Vercel root spans, which carry usage summed over steps', () => {
    const vercel = NON_LEAF_SPAN_VALUES['ai.operationId'];
    expect(vercel).toEqual(expect.arrayContaining(['ai.generateText', 'ai.streamText', 'ai.embedMany']));
    expect(NON_LEAF_SPAN_VALUES['openinference.span.kind']).toEqual(
      expect.arrayContaining(['CHAIN', 'AGENT']),
    );
  });

  it('never marks a span kind both a model call and an aggregate', () => {
    for (const [attribute, values] of Object.entries(NON_LEAF_SPAN_VALUES)) {
      for (const value of values) {
        const operation = OPERATION_VALUE_ALIASES[attribute]?.[value];
        if (operation !== undefined) {
          expect(genAi.GEN_AI_MODEL_CALL_OPERATION_NAMES, `${attribute}=${value}`).not.toContain(operation);
        }
      }
    }
    for (const name of AGGREGATE_OPERATION_NAMES) {
      expect(operationValues.has(name)).toBe(true);
      expect(genAi.GEN_AI_MODEL_CALL_OPERATION_NAMES).not.toContain(name);
    }
  });

  it('maps the old OpenAI response_format values to gen_ai.output.type', () => {
    expect(OUTPUT_TYPE_VALUE_ALIASES).toEqual({ text: 'text', json_object: 'json', json_schema: 'json' });
  });
});
