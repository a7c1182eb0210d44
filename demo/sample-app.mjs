// A sample service: several teams' features calling models through the real openai SDK. Run under
// `node --import @ailedger/instrumentation/register`; it contains no tracing code of its own apart from
// withAttribution, which says which team and use case each piece of work belongs to.
import { withAttribution } from '@ailedger/instrumentation';
import OpenAI from 'openai';

const client = new OpenAI({
  baseURL: `${process.env.STANDIN_URL}/v1`,
  apiKey: 'sk-demo-not-a-real-key',
  maxRetries: 0,
});

async function draftReply() {
  const res = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Draft a friendly reply to a customer asking about refunds.' }],
    max_tokens: 40,
  });
  return res.choices[0]?.message.content;
}

async function summarizeTicket() {
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Summarize this ticket in one line.' }],
    max_tokens: 25,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}

async function indexDocs() {
  const res = await client.embeddings.create({
    model: 'text-embedding-3-small',
    input: ['refund policy', 'shipping times', 'warranty'],
  });
  return res.data.length;
}

async function researchAnswer() {
  const res = await client.responses.create({ model: 'o4-mini', input: 'Which plan fits a team of 12?' });
  return res.output_text;
}

for (let i = 0; i < 3; i++) {
  await withAttribution({ team: 'support', useCase: 'reply-drafter' }, draftReply);
  await withAttribution({ team: 'support', useCase: 'ticket-summary' }, summarizeTicket);
}
await withAttribution({ team: 'search', useCase: 'doc-indexing' }, indexDocs);
await withAttribution({ team: 'sales', useCase: 'plan-advisor', user: 'u-1042' }, researchAnswer);
await researchAnswer(); // no attribution in scope: falls back to AILEDGER_TEAM
process.stdout.write('sample app done\n');
