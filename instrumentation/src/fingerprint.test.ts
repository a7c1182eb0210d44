import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  apiKeyFingerprint,
  credentialOf,
  DEFAULT_API_KEY_SALT,
  FINGERPRINT_HEX_CHARS,
} from './fingerprint.js';

function facts(headers: Record<string, string>, query = '') {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { header: (name: string) => lower[name.toLowerCase()], query };
}

describe('apiKeyFingerprint', () => {
  it('is the first 12 hex characters of HMAC-SHA256(salt, credential)', () => {
    const expected = createHmac('sha256', DEFAULT_API_KEY_SALT)
      .update('sk-test-123')
      .digest('hex')
      .slice(0, 12);
    expect(apiKeyFingerprint('sk-test-123')).toBe(expected);
    expect(apiKeyFingerprint('sk-test-123')).toMatch(/^[0-9a-f]{12}$/);
    expect(FINGERPRINT_HEX_CHARS).toBe(12);
  });

  it('is stable for a key and salt, differs between keys and between salts', () => {
    expect(apiKeyFingerprint('k1')).toBe(apiKeyFingerprint('k1'));
    expect(apiKeyFingerprint('k1')).not.toBe(apiKeyFingerprint('k2'));
    expect(apiKeyFingerprint('k1', 'org-salt')).not.toBe(apiKeyFingerprint('k1'));
    expect(apiKeyFingerprint('k1', '')).toBe(apiKeyFingerprint('k1')); // an empty salt is the default
  });
});

describe('credentialOf', () => {
  it.each([
    ['OpenAI / Mistral / Cohere: Bearer token', { Authorization: 'Bearer sk-abc' }, '', 'sk-abc'],
    ['Anthropic: x-api-key', { 'x-api-key': 'sk-ant-1', 'anthropic-version': '2023-06-01' }, '', 'sk-ant-1'],
    ['Azure OpenAI: api-key', { 'api-key': 'azkey' }, '', 'azkey'],
    ['Gemini: x-goog-api-key', { 'x-goog-api-key': 'AIzaX' }, '', 'AIzaX'],
    ['Gemini: ?key=', {}, 'alt=sse&key=AIza%2BY', 'AIza+Y'],
    [
      'Bedrock: SigV4 access key id',
      {
        Authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc',
      },
      '',
      'AKIAIOSFODNN7EXAMPLE',
    ],
    ['Bedrock API key: Bearer', { Authorization: 'Bearer ABSKabc' }, '', 'ABSKabc'],
    ['a scheme-less Authorization', { Authorization: 'rawtoken' }, '', 'rawtoken'],
    ['Ollama: none', { 'content-type': 'application/json' }, '', undefined],
  ])('%s', (_name, headers, query, expected) => {
    expect(credentialOf(facts(headers, query))).toBe(expected);
  });

  it('prefers a provider key header over Authorization (a gateway token may sit beside it)', () => {
    expect(credentialOf(facts({ Authorization: 'Bearer gw', 'x-api-key': 'sk-ant-2' }))).toBe('sk-ant-2');
  });
});
