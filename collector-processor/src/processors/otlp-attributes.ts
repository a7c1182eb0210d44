/**
 * OTLP KeyValue lists ↔ the flat attribute map the processors work on. Only GenAI candidate spans are
 * converted; every other span passes through as decoded.
 */
import type { AnyValue, KeyValue } from '../otlp/types.js';
import type { AttrMap, AttrValue } from './normalize.js';

function scalar(v: AnyValue): string | number | boolean | undefined {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return typeof v.intValue === 'number' ? v.intValue : v.intValue.toNumber();
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return undefined;
}

/** OTLP AnyValue → an OTel attribute value; kvlists and bytes (not attribute types) are skipped. */
export function fromAnyValue(v: AnyValue | undefined): AttrValue | undefined {
  if (v === undefined) return undefined;
  const s = scalar(v);
  if (s !== undefined) return s;
  const values = v.arrayValue?.values;
  if (values === undefined) return undefined;
  const items = values.map(scalar);
  if (items.every((i): i is string => typeof i === 'string')) return items;
  if (items.every((i): i is number => typeof i === 'number')) return items;
  if (items.every((i): i is boolean => typeof i === 'boolean')) return items;
  return undefined;
}

export function toAnyValue(value: AttrValue): AnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number')
    return Number.isInteger(value) ? { intValue: value } : { doubleValue: value };
  return { arrayValue: { values: (value as Array<string | number | boolean>).map((v) => toAnyValue(v)) } };
}

export function toAttrMap(kvs: readonly KeyValue[]): AttrMap {
  const out: AttrMap = {};
  for (const kv of kvs) {
    const v = fromAnyValue(kv.value);
    if (v !== undefined) out[kv.key] = v;
  }
  return out;
}

/** Appends `additions` whose keys the list does not already hold (what the app or its SDK set always wins). */
export function appendAttributes(kvs: KeyValue[], additions: AttrMap, present: AttrMap): void {
  for (const [key, value] of Object.entries(additions)) {
    if (value === undefined || present[key] !== undefined) continue;
    kvs.push({ key, value: toAnyValue(value) });
  }
}

export function stringAttribute(kvs: readonly KeyValue[] | undefined, key: string): string | undefined {
  if (kvs === undefined) return undefined;
  for (const kv of kvs) if (kv.key === key) return kv.value?.stringValue;
  return undefined;
}
