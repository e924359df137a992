// Concurrency benchmark of the LLM operator (docs/llm.md): a full partitioned search (6 niches) against the
// loopback OpenAI-compatible server answering every request after a fixed delay, through the real `openai`
// client, with --max-inflight 6 and 1. Generation 0 is sampled, so LLM generations = generations − 1, each with
// stage 1 (knowledge-base update) and stage 2 (evolution) per niche: the ideal wall time with 6 requests in
// flight is (generations − 1) × 2 × delay, and six times that when the calls are serialised.
//   node --import tsx scripts/bench-llm-concurrency.ts [--delay 1000] [--generations 5] [--caps 6,1]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readLlmLog } from '../src/core/llm/index';
import { SearchRun } from '../src/core/run';
import { LlmTestServer } from '../test/support/llm-server';
import { llmConfig } from '../test/support/llm-run';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      delay: { type: 'string', default: '1000' },
      generations: { type: 'string', default: '5' },
      caps: { type: 'string', default: '6,1' },
    },
  });
  const delay = Number(values.delay);
  const generations = Number(values.generations);
  const rows: string[] = [
    '| max in-flight | LLM generations | calls | rounds (calls / 6) | ideal (gens × 2 × delay) | wall | wall / ideal |',
    '|---|---|---|---|---|---|---|',
  ];
  // warm-up (benchmark tables, module loading) so the timed runs measure the search and its LLM calls
  const warm = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llm-nas-conc-')), 'run');
  await SearchRun.start(warm, {
    ...llmConfig('http://127.0.0.1:9/v1', { generations: 1, budget: 6 }),
    operator: 'builtin',
  }).done;
  for (const cap of values.caps.split(',').map(Number)) {
    const srv = await LlmTestServer.start({ delayMs: delay });
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llm-nas-conc-')), 'run');
    // 3 children per niche per generation: few duplicates, so few re-asks beyond the two stages
    const config = llmConfig(
      srv.url,
      { generations, budget: 6 * 3 * generations, adaptive: false, children: 3 },
      { maxInflight: cap, timeoutMs: 60_000 },
    );
    const t0 = performance.now();
    const run = SearchRun.start(dir, config);
    await run.done;
    const wall = (performance.now() - t0) / 1000;
    await srv.close();
    const calls = readLlmLog(path.join(dir, 'llm.jsonl')).length;
    const ideal = ((generations - 1) * 2 * delay) / 1000;
    rows.push(
      `| ${cap} | ${generations - 1} | ${calls} | ${(calls / 6).toFixed(1)} | ${ideal.toFixed(1)} s | ${wall.toFixed(2)} s | ${(wall / ideal).toFixed(2)} |`,
    );
    process.stderr.write(
      `max in-flight ${cap}: ${calls} calls, wall ${wall.toFixed(2)} s (server max in flight ${srv.maxInflight})\n`,
    );
  }
  process.stdout.write(
    `${rows.join('\n')}\n\nserver delay ${delay} ms, 6 niches, ${generations} generations\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
