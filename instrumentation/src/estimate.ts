/**
 * Local token counting for calls whose provider reported no usage (streams without include_usage, servers that
 * omit it, calls cut short). Only runs after the app has its data. The tokenizer costs ~600 ms to load, so
 * each encoding is imported on first use and cached; nothing loads at module load.
 *
 * Counts are of the text alone: chat formatting adds a few tokens per message that the text does not show,
 * and non-OpenAI models use other tokenizers, so the result is flagged as an estimate (usageEstimated).
 */
import type { ModelCall } from './model-call.js';

export type EncodingName = 'o200k_base' | 'cl100k_base';

interface Encoder {
  encode(text: string, allowedSpecial?: string[] | 'all', disallowedSpecial?: string[] | 'all'): number[];
}

const O200K_PREFIXES = ['gpt-4o', 'chatgpt-4o', 'gpt-4.1', 'gpt-4.5', 'gpt-5', 'gpt-oss', 'codex-'];
const O_SERIES = ['o1', 'o3', 'o4'];

/** The tiktoken encoding of an OpenAI model family; cl100k_base for everything else (a rough stand-in). */
export function encodingForModel(model: string | undefined): EncodingName {
  if (!model) return 'cl100k_base';
  let m = model.toLowerCase();
  // "openai/gpt-4o" (OpenRouter), "ft:gpt-4o-mini:org::id" (fine-tunes), "azure/gpt-4.1" and the like.
  const slash = m.lastIndexOf('/');
  if (slash !== -1) m = m.slice(slash + 1);
  if (m.startsWith('ft:')) m = m.slice(3);
  for (const p of O200K_PREFIXES) if (m.startsWith(p)) return 'o200k_base';
  for (const p of O_SERIES) {
    if (m === p || m.startsWith(`${p}-`)) return 'o200k_base';
  }
  return 'cl100k_base';
}

const encoders = new Map<EncodingName, Promise<Encoder>>();

function loadEncoder(name: EncodingName): Promise<Encoder> {
  let pending = encoders.get(name);
  if (pending === undefined) {
    pending = (async () => {
      // Literal specifiers so bundlers can see them; each rank file is ~2-4 MB and loaded only when needed.
      const [lite, ranks] = await Promise.all([
        import('js-tiktoken/lite'),
        name === 'o200k_base'
          ? import('js-tiktoken/ranks/o200k_base')
          : import('js-tiktoken/ranks/cl100k_base'),
      ]);
      return new lite.Tiktoken(ranks.default);
    })();
    encoders.set(name, pending);
  }
  return pending;
}

/** Text is encoded in slices of about this many characters, yielding to the event loop in between. */
const SLICE_CHARS = 32 * 1024;

/** Cuts at a whitespace boundary near `SLICE_CHARS` so slicing changes the count by little or nothing. */
function nextCut(text: string, from: number): number {
  const limit = from + SLICE_CHARS;
  if (limit >= text.length) return text.length;
  const nl = text.lastIndexOf('\n', limit);
  if (nl > from + SLICE_CHARS / 2) return nl;
  const sp = text.lastIndexOf(' ', limit);
  if (sp > from + SLICE_CHARS / 2) return sp;
  return limit;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Token count of `text` with the encoding of `model`'s family. Loads the encoder on first use. */
export async function estimateTokens(model: string | undefined, text: string): Promise<number> {
  if (text.length === 0) return 0;
  const encoder = await loadEncoder(encodingForModel(model));
  // Special-token strings in user text are ordinary text here; the default would throw on them.
  if (text.length <= SLICE_CHARS) return encoder.encode(text, [], []).length;
  // ~1.5 MB/s: a 1 MiB text would block the app's event loop for most of a second in one piece.
  let total = 0;
  let from = 0;
  while (from < text.length) {
    const cut = nextCut(text, from);
    total += encoder.encode(text.slice(from, cut), [], []).length;
    from = cut;
    if (from < text.length) await yieldToEventLoop();
  }
  return total;
}

/**
 * Fills missing input/output counts from the text kept for estimation; returns whether it filled any. Error
 * responses (HTTP >= 400) are not billed, so nothing is estimated for them. Never rejects.
 */
export async function estimateUsage(call: ModelCall): Promise<boolean> {
  const text = call.estimation;
  if (text === undefined) return false;
  if (call.httpStatus !== undefined && call.httpStatus >= 400) return false;
  const usage = call.usage ?? {};
  const needInput = usage.inputTokens === undefined && text.input.length > 0;
  const needOutput = usage.outputTokens === undefined && text.output.length > 0;
  if (!needInput && !needOutput) return false;
  const model = call.response.model ?? call.request.model;
  try {
    const input = needInput ? await estimateTokens(model, text.input) : undefined;
    const output = needOutput ? await estimateTokens(model, text.output) : undefined;
    if (input !== undefined) usage.inputTokens = input;
    if (output !== undefined) usage.outputTokens = output;
  } catch {
    return false; // tokenizer unavailable: the call stays without counts rather than with wrong ones
  }
  call.usage = usage;
  call.usageEstimated = true;
  return true;
}
