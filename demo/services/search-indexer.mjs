// Sample service "search-indexer": the search team (AILEDGER_TEAM=search, AILEDGER_USE_CASE=doc-indexing set in
// its environment) embeds documents with OpenAI and writes summaries with Google Gemini, through the official
// openai and @google/genai SDKs.
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';

const openai = new OpenAI({
  baseURL: `${process.env.OPENAI_URL}/v1`,
  apiKey: 'sk-demo-not-a-real-key',
  maxRetries: 0,
});
const gemini = new GoogleGenAI({
  apiKey: 'demo-not-a-real-key',
  httpOptions: { baseUrl: process.env.GEMINI_URL },
});
const say = (line) => process.stdout.write(`${line}\n`);

const docs = ['refund-policy.md', 'shipping-times.md', 'warranty.md', 'api-limits.md'];
for (const doc of docs) {
  await openai.embeddings.create({ model: 'text-embedding-3-small', input: [`contents of ${doc}`] });
  say(`doc-indexing    embeddings text-embedding-3-small (${doc})`);
  await gemini.models.generateContent({
    model: 'gemini-2.5-flash',
    contents: `Summarize ${doc} for the index.`,
  });
  say(`doc-indexing    generateContent gemini-2.5-flash (${doc})`);
}
