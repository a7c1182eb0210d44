/**
 * Redaction of captured content before it leaves the process: API keys, bearer tokens and JWTs, AWS keys, private
 * keys, email addresses and payment card numbers, plus the user's own patterns (AILEDGER_REDACT_PATTERNS).
 *
 * Every built-in pattern is bounded or anchored by a literal so a pass over adversarial text stays linear (content
 * is model output, not trusted), and each rule is skipped outright when its literal is absent. A match becomes
 * `[REDACTED:<kind>]`, so a reader sees that something was removed and what kind of thing it was.
 */

export interface RedactionRule {
  kind: string;
  pattern: RegExp;
  /** Literal that every match contains (case-sensitive): the rule is skipped when the text lacks it. */
  gate?: string;
  /** Builds the replacement; returning the match unchanged keeps it (e.g. a digit run that fails the Luhn check). */
  replace?: (match: string, ...groups: string[]) => string;
}

const mark = (kind: string) => `[REDACTED:${kind}]`;

/** Luhn checksum over the digits of `s`. */
function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes of the card networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro). */
const CARD_PREFIX = /^(?:4|5[1-5]|2[2-7]|3[47]|3[068]|35|6(?:011|5|4[4-9]|2)|5[06-9]|6[0-9])/;

export function isCardNumber(candidate: string): boolean {
  const digits = candidate.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  return CARD_PREFIX.test(digits) && luhnValid(digits);
}

const KEY_NAMES =
  'api[_-]?key|apikey|x-api-key|api[_-]?secret|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|refresh[_-]?token|private[_-]?key|password|passwd';

export const BUILTIN_RULES: readonly RedactionRule[] = [
  {
    kind: 'private_key',
    // An unterminated block (cut by truncation) is redacted to the end.
    pattern:
      /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)/g,
    gate: 'PRIVATE KEY',
  },
  {
    kind: 'jwt',
    // Header and payload are enough: a token cut after its payload is still redacted.
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?/g,
    gate: 'eyJ',
  },
  {
    kind: 'bearer_token',
    // A token has at least one digit: "the bearer instruments" is not one.
    pattern: /\b(Bearer)(\s+)(?=[A-Za-z0-9\-._~+/]{0,512}[0-9])[A-Za-z0-9\-._~+/]{16,}=*/gi,
    replace: (_m, scheme, space) => `${scheme}${space}${mark('bearer_token')}`,
  },
  {
    kind: 'api_key',
    // OpenAI (sk-, sk-proj-), Anthropic (sk-ant-), OpenRouter (sk-or-), DeepSeek and most sk- keys.
    pattern: /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}/g,
    gate: 'sk-',
  },
  {
    kind: 'api_key',
    // Google (AIza), Groq (gsk_), xAI (xai-), Perplexity (pplx-), Hugging Face (hf_), Bedrock API keys (ABSK),
    // GitHub (ghp_ ...), Slack (xox?-), Stripe (sk_/rk_live|test).
    pattern:
      /(?<![A-Za-z0-9_-])(?:AIza[0-9A-Za-z_-]{35}|gsk_[A-Za-z0-9]{20,}|xai-[A-Za-z0-9]{20,}|pplx-[A-Za-z0-9]{20,}|hf_[A-Za-z0-9]{30,}|ABSK[A-Za-z0-9+/=]{20,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,}|xox[abposr]-[A-Za-z0-9-]{10,}|[rs]k_(?:live|test)_[A-Za-z0-9]{16,})/g,
  },
  {
    kind: 'aws_access_key',
    pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA|AGPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b/g,
  },
  {
    kind: 'aws_secret_key',
    pattern:
      /(aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key)(["']?\s{0,8}[:=]\s{0,8}["']?)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/gi,
    replace: (_m, name, sep) => `${name}${sep}${mark('aws_secret_key')}`,
  },
  {
    kind: 'api_key',
    // `api_key = "..."`, `"password": "..."` and the like: the name stays, the value goes.
    pattern: new RegExp(
      `\\b(${KEY_NAMES})(["']?\\s{0,8}[:=]\\s{0,8}["']?)(?!\\[REDACTED)[^\\s"',;]{8,}`,
      'gi',
    ),
    replace: (_m, name, sep) => `${name}${sep}${mark('api_key')}`,
  },
  {
    kind: 'email',
    // Starts only at the start of a local part, and every repetition is bounded, so a long run without '@' is linear.
    pattern:
      /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){0,8}\.[A-Za-z]{2,24}\b/g,
    gate: '@',
  },
  {
    kind: 'card_number',
    pattern: /(?<![0-9-])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])/g,
    replace: (m) => (isCardNumber(m) ? mark('card_number') : m),
  },
];

/** Applies the built-in rules and the user's patterns to strings. */
export class Redactor {
  private readonly rules: readonly RedactionRule[];

  constructor(extra: readonly RegExp[] = []) {
    const user = extra.map(
      (p): RedactionRule => ({
        kind: 'custom',
        pattern: p.global ? p : new RegExp(p.source, `${p.flags}g`),
        replace: () => '[REDACTED]',
      }),
    );
    this.rules = [...BUILTIN_RULES, ...user];
  }

  redact(text: string): string {
    let out = text;
    for (const rule of this.rules) {
      if (rule.gate !== undefined && !out.includes(rule.gate)) continue;
      rule.pattern.lastIndex = 0;
      const replace = rule.replace;
      out =
        replace === undefined
          ? out.replace(rule.pattern, mark(rule.kind))
          : out.replace(rule.pattern, (m: string, ...rest: unknown[]) => replace(m, ...groupsOf(rest)));
    }
    return out;
  }
}

/** The capture groups of a replace callback's arguments (they end where the numeric offset begins). */
function groupsOf(rest: readonly unknown[]): string[] {
  const end = rest.findIndex((r) => typeof r === 'number');
  return rest.slice(0, end === -1 ? rest.length : end).map((g) => (typeof g === 'string' ? g : ''));
}

/** Only the built-in rules. */
export const DEFAULT_REDACTOR = new Redactor();

/**
 * AILEDGER_REDACT_PATTERNS: a JSON array of patterns, or a single pattern. Each is `/source/flags` or a bare
 * source. Invalid patterns are reported and skipped, never fatal.
 */
export function parseRedactPatterns(value: string | undefined): { patterns: RegExp[]; errors: string[] } {
  const patterns: RegExp[] = [];
  const errors: string[] = [];
  const raw = value?.trim();
  if (!raw) return { patterns, errors };
  let items: unknown[];
  if (raw.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      items = Array.isArray(parsed) ? parsed : [raw];
    } catch {
      errors.push('not a JSON array of strings');
      return { patterns, errors };
    }
  } else {
    items = [raw];
  }
  for (const item of items) {
    if (typeof item !== 'string' || item.length === 0) {
      errors.push(`not a pattern: ${JSON.stringify(item)}`);
      continue;
    }
    try {
      const literal = /^\/(.+)\/([a-z]*)$/s.exec(item);
      patterns.push(literal ? new RegExp(literal[1]!, literal[2]) : new RegExp(item));
    } catch (err) {
      errors.push(`${item}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { patterns, errors };
}
