// Runs the loopback OpenAI-compatible test server standalone (for trying the CLI and the concurrency
// benchmark without any real model): prints its base URL, answers with the scripted model.
//   node --import tsx test/support/serve.ts [--delay MS] [--port N]
import { parseArgs } from 'node:util';
import { LlmTestServer } from './llm-server';

const { values } = parseArgs({ options: { delay: { type: 'string', default: '0' } } });
void LlmTestServer.start({ delayMs: Number(values.delay) }).then((srv) => {
  process.stdout.write(`${srv.url}\n`);
  process.on('SIGTERM', () => void srv.close().then(() => process.exit(0)));
});
