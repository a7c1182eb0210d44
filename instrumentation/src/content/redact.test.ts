import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACTOR, isCardNumber, parseRedactPatterns, Redactor } from './redact.js';

const redact = (s: string) => DEFAULT_REDACTOR.redact(s);

/** Text that must lose `secret` and show the kind of thing removed. */
const POSITIVE: ReadonlyArray<{ text: string; secret: string; kind: string }> = [
  {
    text: 'my key is sk-proj-FAKE0TEST0KEY0NOT0REAL0abcdefghij0123456789 ok',
    secret: 'sk-proj-FAKE0TEST0KEY0NOT0REAL0abcdefghij0123456789',
    kind: 'api_key',
  },
  {
    text: 'OPENAI_API_KEY=sk-FAKEtestKEYnotREAL0123456789ab',
    secret: 'sk-FAKEtestKEYnotREAL0123456789ab',
    kind: 'api_key',
  },
  {
    text: 'anthropic: sk-ant-api03-FAKEFAKEFAKE0123456789abcdefFAKE-xyz',
    secret: 'sk-ant-api03-FAKEFAKEFAKE0123456789abcdefFAKE',
    kind: 'api_key',
  },
  {
    text: 'key=AIzaFAKE0TEST0KEY0NOT0REAL0000000000000',
    secret: 'AIzaFAKE0TEST0KEY0NOT0REAL0000000000000',
    kind: 'api_key',
  },
  {
    text: 'groq gsk_FAKE0TEST0KEY0NOT0REAL00 here',
    secret: 'gsk_FAKE0TEST0KEY0NOT0REAL00',
    kind: 'api_key',
  },
  {
    text: 'token ghp_FAKE0TEST0KEY0NOT0REAL0000000000',
    secret: 'ghp_FAKE0TEST0KEY0NOT0REAL0000000000',
    kind: 'api_key',
  },
  { text: 'stripe rk_live_FAKE0TEST0NOT0REAL', secret: 'rk_live_FAKE0TEST0NOT0REAL', kind: 'api_key' },
  {
    text: 'Authorization: Bearer abcDEF123456ghiJKL789mno.pqr-stu_vwx',
    secret: 'abcDEF123456ghiJKL789mno.pqr-stu_vwx',
    kind: 'bearer_token',
  },
  {
    text: 'curl -H "authorization: bearer 9f8e7d6c5b4a39281716"',
    secret: '9f8e7d6c5b4a39281716',
    kind: 'bearer_token',
  },
  {
    text: 'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    secret: 'eyJzdWIiOiIxMjM0NTY3ODkwIn0',
    kind: 'jwt',
  },
  {
    text: 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
    secret: 'AKIAIOSFODNN7EXAMPLE',
    kind: 'aws_access_key',
  },
  { text: 'temp creds ASIAFAKETESTNOTREAL0 in use', secret: 'ASIAFAKETESTNOTREAL0', kind: 'aws_access_key' },
  {
    text: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    kind: 'aws_secret_key',
  },
  {
    text: '{"secretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}',
    secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    kind: 'aws_secret_key',
  },
  {
    text: 'here:\n-----BEGIN RSA PRIVATE KEY-----\nFAKEPRIVATEKEYBODYnotREAL\nq8Zz==\n-----END RSA PRIVATE KEY-----\nthanks',
    secret: 'FAKEPRIVATEKEYBODYnotREAL',
    kind: 'private_key',
  },
  {
    text: '-----BEGIN OPENSSH PRIVATE KEY-----\nFAKEOPENSSHKEYBODYnotREAL (cut off',
    secret: 'FAKEOPENSSHKEYBODYnotREAL',
    kind: 'private_key',
  },
  { text: 'mail jane.doe+ai@example.co.uk today', secret: 'jane.doe+ai@example.co.uk', kind: 'email' },
  { text: '<bob@corp.example.com>', secret: 'bob@corp.example.com', kind: 'email' },
  { text: 'card 4111 1111 1111 1111 exp 12/29', secret: '4111 1111 1111 1111', kind: 'card_number' },
  { text: 'amex 3782-822463-10005', secret: '3782-822463-10005', kind: 'card_number' },
  { text: 'mc:5555555555554444.', secret: '5555555555554444', kind: 'card_number' },
  { text: 'api_key: "Zx81KqLm0PaT55rW"', secret: 'Zx81KqLm0PaT55rW', kind: 'api_key' },
  { text: '"password":"hunter2hunter2"', secret: 'hunter2hunter2', kind: 'api_key' },
  { text: 'client_secret=9a8b7c6d5e4f3a2b1c0d', secret: '9a8b7c6d5e4f3a2b1c0d', kind: 'api_key' },
];

/** Text that must come back unchanged. */
const NEGATIVE: readonly string[] = [
  'Please summarise the risk-assessment-framework-document for the board.',
  'The task-management-system-overview is attached.',
  'Bearer bonds were common in the 19th century; the bearer instruments were unregistered.',
  'A token limit of 128000 applies to the whole conversation.',
  'Order number 1234567890123456 shipped.', // 16 digits, no card prefix and Luhn-invalid
  'Call +1 415 555 0100 or 020 7946 0958.',
  'The commit 3f9a1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c fixed it.',
  'Timestamps: 1750000000000, 1750000000001.',
  'user@localhost is not routable; @mention the team.',
  'Use AKIA as a prefix example only.',
  'The ssh-key setup guide: run ssh-keygen -t ed25519.',
  'password policy: at least 12 characters',
  'Set api_key in the config file.',
  'eyJ is how base64 JSON starts.',
  'ISBN 978-3-16-148410-0 and UUID 123e4567-e89b-12d3-a456-426614174000.',
];

describe('built-in rules', () => {
  it.each(POSITIVE)('redacts $kind: $text', ({ text, secret, kind }) => {
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(`[REDACTED:${kind}]`);
  });

  it.each(NEGATIVE)('leaves ordinary text alone: %s', (text) => {
    expect(redact(text)).toBe(text);
  });

  it('keeps the surrounding text and the header or key name', () => {
    expect(redact('Authorization: Bearer abcDEF123456ghiJKL789mno')).toBe(
      'Authorization: Bearer [REDACTED:bearer_token]',
    );
    expect(redact('api_key = "Zx81KqLm0PaT55rW" rest')).toBe('api_key = "[REDACTED:api_key]" rest');
    expect(redact('write to jane@example.com please')).toBe('write to [REDACTED:email] please');
  });

  it('recognises card numbers by issuer prefix and Luhn checksum', () => {
    expect(isCardNumber('4111111111111111')).toBe(true);
    expect(isCardNumber('4111111111111112')).toBe(false); // checksum
    expect(isCardNumber('1234567812345670')).toBe(false); // Luhn-valid, no issuer prefix
    expect(isCardNumber('411111111111')).toBe(false); // too short
  });

  it('stays linear on adversarial input (no catastrophic backtracking)', () => {
    const inputs = [
      'a'.repeat(200_000), // long local part, no '@'
      `${'a.'.repeat(50_000)}@`, // dots before an '@'
      `x@${'a-'.repeat(50_000)}`, // a domain that never ends in a TLD
      '1 '.repeat(100_000), // digits and separators
      `Bearer ${'A'.repeat(200_000)}`, // a token with no digit
      `-----BEGIN PRIVATE KEY-----${'x'.repeat(200_000)}`,
      `sk-${'-'.repeat(200_000)}`,
      `api_key=${'='.repeat(100_000)}`,
    ];
    for (const input of inputs) {
      const started = performance.now();
      redact(input);
      expect(performance.now() - started, input.slice(0, 20)).toBeLessThan(500);
    }
  });
});

describe('user patterns', () => {
  it('AILEDGER_REDACT_PATTERNS: a JSON array of sources or /source/flags, or one pattern', () => {
    const { patterns, errors } = parseRedactPatterns('["ticket-[0-9]{6}", "/acme-[a-z]+/i"]');
    expect(errors).toEqual([]);
    const r = new Redactor(patterns);
    expect(r.redact('see ticket-123456 and ACME-secret')).toBe('see [REDACTED] and [REDACTED]');
    expect(parseRedactPatterns('EMP[0-9]{5}').patterns.map((p) => p.source)).toEqual(['EMP[0-9]{5}']);
    expect(parseRedactPatterns(undefined)).toEqual({ patterns: [], errors: [] });
  });

  it('reports invalid patterns and keeps the valid ones', () => {
    const { patterns, errors } = parseRedactPatterns('["(unclosed", "ok-[0-9]+", 42]');
    expect(patterns.map((p) => p.source)).toEqual(['ok-[0-9]+']);
    expect(errors).toHaveLength(2);
    expect(parseRedactPatterns('[not json').errors).toHaveLength(1);
  });

  it('apply after the built-in rules, to every match', () => {
    const r = new Redactor([/internal-[a-z]+/]);
    expect(r.redact('internal-alpha, internal-beta, sk-FAKEtestKEYnotREAL0123456789ab')).toBe(
      '[REDACTED], [REDACTED], [REDACTED:api_key]',
    );
  });
});
