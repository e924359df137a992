// The bench restricted to one dataset's six latency tasks (protocol v2, 300 evaluations, 10 seeds), for comparing
// predictors on the datasets whose tables are complete. Markdown on stdout, one table per predictor.
//   npx tsx scripts/bench-by-dataset.ts --dataset cifar10 [--searchers exhaustive,llm-nas-builtin] [--predictors live,live-az]
import { benchMarkdown, runBench } from '../src/core/nb201/bench.js';
import { latencyTasks } from '../src/core/nb201/benchmark.js';

const arg = (n: string, d: string): string => {
  const i = process.argv.indexOf(`--${n}`);
  return i >= 0 ? process.argv[i + 1]! : d;
};

async function main(): Promise<void> {
  const dataset = arg('dataset', 'cifar10');
  const tasks = latencyTasks().filter((t) => t.dataset === dataset);
  if (tasks.length === 0) throw new Error(`no latency tasks for dataset ${dataset}`);
  for (const predictor of arg('predictors', 'live,live-az,live-union').split(',')) {
    const rows = await runBench({
      budget: 300,
      seeds: 10,
      predictor,
      searchers: arg('searchers', 'exhaustive,llm-nas-builtin').split(','),
      tasks,
    });
    console.log(`${dataset}, predictor ${predictor}\n\n${benchMarkdown(rows)}\n`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
