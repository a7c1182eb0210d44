// A CommonJS app for the dashboards test, through the real openai SDK against the OpenAI stand-in: chat calls,
// one streamed chat, one embedding, optionally calls that fail (429) and calls to a model with no known price.
// Counts come from the environment: CHATS, ERRORS, UNPRICED. The chats ask gpt-4o for long completions (the
// stand-in answers max_tokens output tokens), so the spend adds up to cents.
const OpenAI = require('openai');

async function main() {
  const base = process.env.STANDIN_URL;
  const apiKey = process.env.FAKE_KEY;
  const client = new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0 });
  const limited = new OpenAI({ baseURL: `${base}/ratelimited/v1`, apiKey, maxRetries: 0 });
  const messages = [{ role: 'user', content: 'hi' }];
  for (let i = 0; i < Number(process.env.CHATS ?? 1); i++) {
    await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 1500 + 250 * i });
  }
  const stream = await client.chat.completions.create({
    model: 'gpt-4o',
    messages,
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: 6,
  });
  for await (const _chunk of stream) {
    // Read the whole stream.
  }
  await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
  let failed = 0;
  for (let i = 0; i < Number(process.env.ERRORS ?? 0); i++) {
    try {
      await limited.chat.completions.create({ model: 'gpt-4o-mini', messages });
    } catch {
      failed++;
    }
  }
  for (let i = 0; i < Number(process.env.UNPRICED ?? 0); i++) {
    await client.chat.completions.create({ model: 'acme-private-7b', messages });
  }
  process.stdout.write(`${JSON.stringify({ failed })}\n`);
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
