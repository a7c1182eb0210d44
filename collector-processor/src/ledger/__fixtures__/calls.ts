/**
 * Test support for the ledger and report tests: AccountedCall records as the enricher produces them, a ledger
 * row builder, and a logger that keeps its lines.
 */
import { newModelCall } from '@ailedger/instrumentation/core';
import type { LogFields, Logger } from '../../log.js';
import type { AccountedCall } from '../../processors/enrich.js';
import { type LedgerRow, toLedgerRow } from '../row.js';

let seq = 0;

export function hexId(n: number, length: number): string {
  return n.toString(16).padStart(length, '0');
}

export interface CallSpec {
  team?: string;
  useCase?: string;
  user?: string;
  service?: string;
  environment?: string;
  provider?: string;
  model?: string;
  /** Epoch ms of the call start. */
  at?: number;
  inputTokens?: number;
  outputTokens?: number;
  cacheRead?: number;
  /** USD; with `status` priced (default). */
  costUsd?: number;
  status?: string;
  estimated?: boolean;
  error?: string;
  traceId?: string;
  spanId?: string;
  attributes?: Record<string, string>;
}

export function accountedCall(spec: CallSpec = {}): AccountedCall {
  seq++;
  const call = newModelCall({
    provider: spec.provider ?? 'openai',
    operation: 'chat',
    serverAddress: 'api.openai.com',
    serverPort: 443,
    startTimeMs: spec.at ?? Date.UTC(2026, 9, 15, 12),
  });
  call.request.model = spec.model ?? 'gpt-4o';
  call.response.model = spec.model ?? 'gpt-4o';
  call.endTimeMs = call.startTimeMs + 800;
  call.usage = {
    inputTokens: spec.inputTokens ?? 100,
    outputTokens: spec.outputTokens ?? 20,
    ...(spec.cacheRead === undefined ? {} : { cacheReadInputTokens: spec.cacheRead }),
  };
  call.usageEstimated = spec.estimated === true;
  if (spec.error !== undefined) call.error = { type: spec.error };
  const status = spec.status ?? 'priced';
  const cost =
    status === 'priced'
      ? {
          status,
          totalUsd: spec.costUsd ?? 0.00123,
          inputUsd: (spec.costUsd ?? 0.00123) * 0.25,
          outputUsd: (spec.costUsd ?? 0.00123) * 0.75,
          cacheReadUsd: 0,
          cacheWriteUsd: 0,
          matchedModel: `openai:${spec.model ?? 'gpt-4o'}`,
          source: 'genai-prices@test',
        }
      : { status, source: 'genai-prices@test' };
  const a: AccountedCall = {
    call,
    cost,
    team: spec.team ?? 'support',
    teamSource: 'app',
    traceId: spec.traceId ?? hexId(seq, 32),
    spanId: spec.spanId ?? hexId(seq, 16),
    foreign: false,
    attributes: spec.attributes ?? {},
  };
  if (spec.useCase !== undefined) a.useCase = spec.useCase;
  if (spec.user !== undefined) a.user = spec.user;
  if (spec.service !== undefined) a.service = spec.service;
  if (spec.environment !== undefined) a.environment = spec.environment;
  return a;
}

export function ledgerRow(spec: CallSpec = {}): LedgerRow {
  return toLedgerRow(accountedCall(spec));
}

export interface CapturedLogger extends Logger {
  lines: Array<{ level: string; msg: string; fields?: LogFields }>;
}

export function capturingLogger(): CapturedLogger {
  const lines: CapturedLogger['lines'] = [];
  const push = (level: string) => (msg: string, fields?: LogFields) => lines.push({ level, msg, fields });
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}
