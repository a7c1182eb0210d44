// Sample service "helpdesk-api": the support team's features on OpenAI through the official openai SDK. It names
// no team itself; the collector's rule `teams_by_service: { support: [helpdesk-api] }` does. withAttribution says
// which use case (and end user) each piece of work belongs to. No tracing code beyond that.
import { withAttribution } from '@ailedger/instrumentation';
import OpenAI from 'openai';

const openai = new OpenAI({
  baseURL: `${process.env.OPENAI_URL}/v1`,
  apiKey: 'sk-demo-not-a-real-key',
  maxRetries: 0,
});
const say = (line) => process.stdout.write(`${line}\n`);

async function draftReply(ticket) {
  await openai.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: `Draft a friendly reply to ticket ${ticket} about a refund.` }],
    max_tokens: 60,
  });
  say(`reply-drafter   chat gpt-4o (ticket ${ticket})`);
}

async function summarize(ticket) {
  // Streamed without stream_options.include_usage: OpenAI then reports no usage, so the tokens are counted
  // locally and the cost is marked estimated.
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: `Summarize ticket ${ticket} in one line.` }],
    stream: true,
  });
  for await (const _ of stream);
  say(`ticket-summary  chat gpt-4o-mini, streamed, usage estimated (ticket ${ticket})`);
}

async function classify(ticket) {
  // A fine-tuned model with no public price: recorded as unpriced, never as $0.
  await openai.chat.completions.create({
    model: 'ft:gpt-4o-mini:acme:triage-v2',
    messages: [{ role: 'user', content: `Route ticket ${ticket}: billing, bug or how-to?` }],
  });
  say(`triage          chat ft:gpt-4o-mini:acme:triage-v2 (no public price) (ticket ${ticket})`);
}

for (const ticket of [4101, 4102, 4103]) {
  await withAttribution({ useCase: 'reply-drafter', user: `agent-${ticket % 3}` }, () => draftReply(ticket));
  await withAttribution({ useCase: 'ticket-summary' }, () => summarize(ticket));
}
await withAttribution({ useCase: 'triage' }, () => classify(4104));
