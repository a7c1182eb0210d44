// Sample service "sales-assistant": the sales team's plan advisor on Anthropic Claude and Mistral, through the
// official @anthropic-ai/sdk and @mistralai/mistralai SDKs; withAttribution names the team, use case and user.
import { withAttribution } from '@ailedger/instrumentation';
import Anthropic from '@anthropic-ai/sdk';
import { Mistral } from '@mistralai/mistralai';

const anthropic = new Anthropic({
  baseURL: process.env.ANTHROPIC_URL,
  apiKey: 'sk-ant-demo-not-a-real-key',
  maxRetries: 0,
});
const mistral = new Mistral({ apiKey: 'demo-not-a-real-key', serverURL: process.env.MISTRAL_URL });
const say = (line) => process.stdout.write(`${line}\n`);

for (const customer of ['acme', 'globex', 'initech']) {
  await withAttribution({ team: 'sales', useCase: 'plan-advisor', user: customer }, async () => {
    await anthropic.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 200,
      messages: [{ role: 'user', content: `Which plan fits ${customer}, a team of 12?` }],
    });
    say(`plan-advisor    messages claude-sonnet-5-5 (${customer})`);
  });
  await withAttribution({ team: 'sales', useCase: 'email-translation', user: customer }, async () => {
    await mistral.chat.complete({
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: `Translate the offer for ${customer} into French.` }],
    });
    say(`email-translation chat mistral-small-latest (${customer})`);
  });
}
