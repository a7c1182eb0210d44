/**
 * API-key fingerprints: which credential a call used, without the credential. HMAC-SHA256 keyed with a salt,
 * truncated to 12 hex characters (48 bits: no collision among any realistic number of keys, and far too little
 * to recover or test a high-entropy key from). The collector maps fingerprints to teams and flags unknown ones.
 *
 * The salt comes from AILEDGER_API_KEY_SALT. Without it a fixed, published default is used, so fingerprints are
 * the same in every process and the collector's `teams_by_key_fingerprint` matches them with no set-up; the
 * price is that anyone who holds a key can compute its fingerprint, and a low-entropy secret could be guessed
 * from it. Set the same private salt on every service (and use it when computing fingerprints for the collector)
 * to rule that out.
 */
import { createHmac } from 'node:crypto';
import type { RequestFacts } from './providers/types.js';

export const DEFAULT_API_KEY_SALT = 'ailedger.api_key.fingerprint/v1';
export const FINGERPRINT_HEX_CHARS = 12;

/** The fingerprint of `credential` (the key, token or AWS access key id exactly as the provider receives it). */
export function apiKeyFingerprint(credential: string, salt?: string): string {
  const key = salt !== undefined && salt.length > 0 ? salt : DEFAULT_API_KEY_SALT;
  return createHmac('sha256', key).update(credential, 'utf8').digest('hex').slice(0, FINGERPRINT_HEX_CHARS);
}

/** AWS SigV4: `AWS4-HMAC-SHA256 Credential=AKIA…/20250101/us-east-1/bedrock/aws4_request, …` → the key id. */
function sigV4KeyId(authorization: string): string | undefined {
  const at = authorization.indexOf('Credential=');
  if (at === -1) return undefined;
  const start = at + 'Credential='.length;
  let end = start;
  while (end < authorization.length) {
    const c = authorization.charCodeAt(end);
    if (c === 47 /* / */ || c === 44 /* , */ || c === 32) break;
    end++;
  }
  return end > start ? authorization.slice(start, end) : undefined;
}

function queryParam(query: string, name: string): string | undefined {
  if (query.length === 0) return undefined;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq) !== name) continue;
    const raw = pair.slice(eq + 1);
    try {
      return decodeURIComponent(raw.replace(/\+/g, ' '));
    } catch {
      return raw;
    }
  }
  return undefined;
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t !== undefined && t.length > 0 ? t : undefined;
}

/**
 * The credential a request carries: x-api-key (Anthropic), api-key (Azure OpenAI), x-goog-api-key or `?key=`
 * (Gemini), else Authorization — the token of `Bearer …` (OpenAI, Mistral, Cohere, OpenAI-compatible servers,
 * Bedrock API keys), the access key id of AWS SigV4. Ollama usually has none.
 */
export function credentialOf(facts: Pick<RequestFacts, 'header' | 'query'>): string | undefined {
  const direct =
    nonEmpty(facts.header('x-api-key')) ??
    nonEmpty(facts.header('api-key')) ??
    nonEmpty(facts.header('x-goog-api-key'));
  if (direct !== undefined) return direct;
  const auth = nonEmpty(facts.header('authorization'));
  if (auth !== undefined) {
    if (auth.startsWith('AWS4-')) return sigV4KeyId(auth);
    const space = auth.indexOf(' ');
    return space === -1 ? auth : nonEmpty(auth.slice(space + 1));
  }
  return nonEmpty(queryParam(facts.query, 'key'));
}
