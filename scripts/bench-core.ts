// Core speed benchmark (not a test): table load time, and wall time / RSS of full 10-generation × 6-niche
// searches with the built-in operator on the table evaluator. Run: node --import tsx scripts/bench-core.ts
import { loadNb201Table } from '../src/core/nb201/table';
import { Nb201TableEvaluator } from '../src/core/nb201/evaluator';
import { nb201Partition } from '../src/core/nb201/partition';
import { nb201Space } from '../src/core/nb201/space';
import { BuiltinOperator } from '../src/core/operator';
import { runSearch } from '../src/core/search';

async function main(): Promise<void> {
  const t0 = performance.now();
  loadNb201Table();
  const loadMs = performance.now() - t0;
  const walls: number[] = [];
  for (let seed = 0; seed < 10; seed++) {
    const t1 = performance.now();
    await runSearch({
      space: nb201Space,
      partition: nb201Partition(),
      evaluator: new Nb201TableEvaluator({ dataset: 'cifar10', required: ['edgegpu_latency'] }),
      operator: new BuiltinOperator(),
      costMetrics: ['edgegpu_latency'],
      generations: 10,
      budget: 300,
      seed,
    });
    walls.push(performance.now() - t1);
  }
  walls.sort((a, b) => a - b);
  const rss = process.memoryUsage().rss / 2 ** 20;
  console.log(`table load: ${loadMs.toFixed(0)} ms (first load in this process)`);
  console.log(
    `search (10 gen × 6 niches, 300 evals, 10 seeds): median ${walls[5]!.toFixed(0)} ms, max ${walls[9]!.toFixed(0)} ms; RSS ${rss.toFixed(0)} MiB`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
