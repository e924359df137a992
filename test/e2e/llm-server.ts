// Starts the repository's OpenAI-compatible test server (test/support/llm-server.ts: a scripted model that reads
// the prompt and answers with valid proposals and knowledge-base revisions) on 127.0.0.1 for the E2E test, and
// prints its base URL. Stops on SIGTERM.
// Usage: node --import tsx test/e2e/llm-server.ts [DELAY_MS]

import { LlmTestServer } from '../support/llm-server';

async function main(): Promise<void> {
  const server = await LlmTestServer.start({ delayMs: Number(process.argv[2] ?? 0) });
  process.stdout.write(`${server.url}\n`);
  process.on('SIGTERM', () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
