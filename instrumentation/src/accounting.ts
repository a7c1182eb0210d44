/**
 * Count each model call once. SDKs that trace themselves (the Anthropic SDK) and other instrumentations record
 * the same call as their own GenAI span, and our wire-level span runs inside it. Ours is the one priced and
 * counted; the enclosing foreign span is left intact but marked with our span id, so a collector can skip it
 * without holding any state.
 */
import {
  AILEDGER_INSTRUMENTATION_SCOPE_NAME,
  ATTR_AILEDGER_ACCOUNTED_BY,
  GENAI_SPAN_MARKER_KEYS,
} from '@ailedger/semantic-conventions';
import type { Attributes, Span } from '@opentelemetry/api';

/** The parts of an SDK span (sdk-trace-base Span) we read; absent on API-only or foreign span implementations. */
interface InspectableSpan {
  attributes?: Attributes;
  instrumentationScope?: { name?: string };
  instrumentationLibrary?: { name?: string };
}

function scopeName(span: InspectableSpan): string | undefined {
  return span.instrumentationScope?.name ?? span.instrumentationLibrary?.name;
}

/** Marks `parent` as accounted for by `ours` when it is another instrumentation's live GenAI span. */
export function markForeignGenAiParent(parent: Span | undefined, ours: Span): void {
  if (parent === undefined || !parent.isRecording()) return;
  const inspectable = parent as unknown as InspectableSpan;
  if (scopeName(inspectable) === AILEDGER_INSTRUMENTATION_SCOPE_NAME) return;
  const attributes = inspectable.attributes;
  if (attributes === undefined) return;
  if (!GENAI_SPAN_MARKER_KEYS.some((key) => attributes[key] !== undefined)) return;
  parent.setAttribute(ATTR_AILEDGER_ACCOUNTED_BY, ours.spanContext().spanId);
}
