import * as upstream from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import * as genAi from './gen-ai.js';
import * as ours from './index.js';

const upstreamExports = upstream as unknown as Readonly<Record<string, unknown>>;
const ourExports = ours as unknown as Readonly<Record<string, unknown>>;

// Upstream name families that make up the GenAI conventions (plus the OpenAI refinement).
const GEN_AI_FAMILY = /^(ATTR_GEN_AI_|METRIC_GEN_AI_|EVENT_GEN_AI_|GEN_AI_|ATTR_OPENAI_|OPENAI_)/;

describe('drift against @opentelemetry/semantic-conventions/incubating', () => {
  it('every constant we share a name with has the same value there', () => {
    const compared: string[] = [];
    const mismatches: string[] = [];
    for (const [name, value] of Object.entries(ourExports)) {
      const theirs = upstreamExports[name];
      if (typeof value !== 'string' || typeof theirs !== 'string') continue;
      compared.push(name);
      if (value !== theirs) mismatches.push(`${name}: ours ${value}, upstream ${theirs}`);
    }
    expect(mismatches).toEqual([]);
    // Guards against a vacuous pass (e.g. the upstream import resolving to an empty module).
    expect(compared.length).toBeGreaterThanOrEqual(100);
    expect(compared).toEqual(
      expect.arrayContaining([
        'ATTR_GEN_AI_USAGE_INPUT_TOKENS',
        'ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS',
        'ATTR_GEN_AI_PROVIDER_NAME',
        'GEN_AI_PROVIDER_NAME_VALUE_X_AI',
        'METRIC_GEN_AI_CLIENT_TOKEN_USAGE',
        'ATTR_SERVER_ADDRESS',
        'ERROR_TYPE_VALUE_OTHER',
      ]),
    );
  });

  it('defines every GenAI name upstream defines, except deprecated duplicates of current values', () => {
    const currentProviders = new Set(genAi.GEN_AI_PROVIDER_NAME_VALUES);
    const missing: string[] = [];
    for (const [name, value] of Object.entries(upstreamExports)) {
      if (!GEN_AI_FAMILY.test(name) || name in ourExports) continue;
      // Deprecated alias of GEN_AI_TOKEN_TYPE_VALUE_OUTPUT ('output'); a misleading name to re-export.
      if (name === 'GEN_AI_TOKEN_TYPE_VALUE_COMPLETION' && value === genAi.GEN_AI_TOKEN_TYPE_VALUE_OUTPUT)
        continue;
      // Old gen_ai.system values we skip only because they equal a current gen_ai.provider.name value.
      if (
        name.startsWith('GEN_AI_SYSTEM_VALUE_') &&
        typeof value === 'string' &&
        currentProviders.has(value)
      ) {
        continue;
      }
      missing.push(name);
    }
    expect(missing).toEqual([]);
  });

  it('records response headers under the prefix the HTTP conventions build', () => {
    const build = upstreamExports.ATTR_HTTP_RESPONSE_HEADER as (key: string) => string;
    expect(genAi.ATTR_HTTP_RESPONSE_HEADER_PREFIX + 'x-ratelimit-remaining-tokens').toBe(
      build('x-ratelimit-remaining-tokens'),
    );
  });
});

describe('GenAI constants', () => {
  it('uses the histogram buckets of the spec', () => {
    expect(genAi.GEN_AI_TOKEN_BUCKETS).toEqual(Array.from({ length: 14 }, (_, i) => 4 ** i));
    expect(genAi.GEN_AI_TOKEN_BUCKETS.at(-1)).toBe(67108864);
    expect(genAi.GEN_AI_DURATION_BUCKETS).toHaveLength(14);
    genAi.GEN_AI_DURATION_BUCKETS.forEach((bound, i) => {
      expect(bound).toBeCloseTo(0.01 * 2 ** i, 10);
    });
    expect(genAi.GEN_AI_DURATION_BUCKETS[0]).toBe(0.01);
    expect(genAi.GEN_AI_DURATION_BUCKETS.at(-1)).toBe(81.92);
    expect(genAi.GEN_AI_SERVER_TIME_PER_OUTPUT_TOKEN_BUCKETS).toHaveLength(13);
    expect(genAi.GEN_AI_SERVER_TIME_TO_FIRST_TOKEN_BUCKETS).toHaveLength(16);
  });

  it('freezes the bucket arrays so no caller can change them for everyone', () => {
    for (const buckets of [
      genAi.GEN_AI_TOKEN_BUCKETS,
      genAi.GEN_AI_DURATION_BUCKETS,
      genAi.GEN_AI_SERVER_TIME_PER_OUTPUT_TOKEN_BUCKETS,
      genAi.GEN_AI_SERVER_TIME_TO_FIRST_TOKEN_BUCKETS,
    ]) {
      expect(Object.isFrozen(buckets)).toBe(true);
      expect([...buckets]).toEqual([...buckets].sort((a, b) => a - b));
    }
  });

  it('lists every provider value constant exactly once, all lower case', () => {
    const constants = Object.entries(genAi)
      .filter(([name]) => name.startsWith('GEN_AI_PROVIDER_NAME_VALUE_'))
      .map(([, value]) => value);
    expect(new Set(genAi.GEN_AI_PROVIDER_NAME_VALUES)).toEqual(new Set(constants));
    expect(genAi.GEN_AI_PROVIDER_NAME_VALUES).toHaveLength(constants.length);
    for (const value of genAi.GEN_AI_PROVIDER_NAME_VALUES) expect(value).toBe(value.toLowerCase());
    expect(genAi.GEN_AI_PROVIDER_NAME_VALUES).toContain('moonshot_ai');
    expect(genAi.GEN_AI_PROVIDER_NAME_VALUES).toContain('x_ai');
  });

  it('counts only the four model-call operations', () => {
    expect([...genAi.GEN_AI_MODEL_CALL_OPERATION_NAMES].sort()).toEqual([
      'chat',
      'embeddings',
      'generate_content',
      'text_completion',
    ]);
  });

  it('lists the opt-in content attributes', () => {
    expect(genAi.GEN_AI_CONTENT_ATTRIBUTES).toEqual(
      expect.arrayContaining([
        'gen_ai.input.messages',
        'gen_ai.output.messages',
        'gen_ai.system_instructions',
      ]),
    );
    for (const name of genAi.GEN_AI_CONTENT_ATTRIBUTES) expect(name.startsWith('gen_ai.')).toBe(true);
  });

  it('exports no two attribute constants with the same name string', () => {
    const seen = new Map<string, string>();
    const duplicates: string[] = [];
    for (const [name, value] of Object.entries(ourExports)) {
      if (!name.startsWith('ATTR_') || typeof value !== 'string') continue;
      const other = seen.get(value);
      if (other !== undefined) duplicates.push(`${other} and ${name} are both ${value}`);
      seen.set(value, name);
    }
    expect(duplicates).toEqual([]);
  });
});
