/**
 * Incoming side of cross-service attribution: an HTTP server's 'request' event runs in a context holding the
 * ailedger.* entries of the request's W3C `baggage` header, so model calls made while handling it are attributed
 * to the upstream team. Wraps `emit` on the Server prototypes of node:http and node:https; a request without such
 * entries costs one header read, and every other event one comparison.
 */
import type { IncomingMessage } from 'node:http';
import { context } from '@opentelemetry/api';
import { contextWithReceivedBaggage } from '../attribution.js';
import { contain } from '../call-recorder.js';
import { runtime } from '../runtime.js';

type Emit = (event: string | symbol, ...args: unknown[]) => boolean;

const PATCHED = Symbol.for('ailedger.server.patched');

export function patchServerPrototype(proto: { emit: Emit }): void {
  const marked = proto as { emit: Emit; [PATCHED]?: boolean };
  if (marked[PATCHED]) return;
  marked[PATCHED] = true;
  const original = proto.emit;
  proto.emit = function emit(this: unknown, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request' && runtime.active) {
      let ctx: ReturnType<typeof contextWithReceivedBaggage>;
      try {
        const header = (args[0] as IncomingMessage | undefined)?.headers?.baggage;
        if (typeof header === 'string') ctx = contextWithReceivedBaggage(context.active(), header);
      } catch (err) {
        contain('server baggage', err);
      }
      if (ctx !== undefined) return context.with(ctx, () => original.apply(this, [event, ...args]));
    }
    return original.apply(this, [event, ...args]);
  };
}
