// Compares built-in operator settings on the 18 latency tasks (protocol v2, 300 evaluations) by two scores:
//   pred HV — label-free: the search's reported front against the predictor's own exhaustive front, both in
//             (predicted accuracy, true latency) space: how much of what the predictor would pick the search found;
//   true HV — the bench's score (true accuracy), printed for reference, not used to choose.
//   npx tsx scripts/search-tune.ts [--predictor live] [--seeds 5] --variant 'name={"poolFactor":50}' ...
import { latencyTasks, scoreSearch, taskIndices, type Nb201Task } from '../src/core/nb201/benchmark.js';
import { Nb201TableEvaluator, tablePredictorScores } from '../src/core/nb201/evaluator.js';
import { nb201Partition } from '../src/core/nb201/partition.js';
import { nb201Space, type Nb201Arch } from '../src/core/nb201/space.js';
import { loadNb201Table } from '../src/core/nb201/table.js';
import { BuiltinOperator, type BuiltinOptions } from '../src/core/operator.js';
import { reportedFront } from '../src/core/pareto.js';
import { scoreFront } from '../src/core/metrics.js';
import { runSearch } from '../src/core/search.js';

const args = process.argv.slice(2);
const arg = (n: string, d: string): string => {
  const i = args.indexOf(`--${n}`);
  return i >= 0 ? args[i + 1]! : d;
};
const variants: [string, Partial<BuiltinOptions> & { generations?: number; initial?: number }][] = [];
for (let i = 0; i < args.length; i++)
  if (args[i] === '--variant') {
    const v = args[i + 1]!;
    const eq = v.indexOf('=');
    variants.push([v.slice(0, eq), JSON.parse(v.slice(eq + 1)) as Partial<BuiltinOptions>]);
  }
if (variants.length === 0) variants.push(['default', {}]);

function predictedFront(task: Nb201Task, idx: readonly number[], pred: ArrayLike<number>): number[][] {
  const t = loadNb201Table();
  const cols = task.metrics.map((m) => t.hw(task.dataset, m));
  const uniq = [...new Set(idx)];
  const r = reportedFront(uniq.map((i) => ({ predicted: pred[i]!, costs: cols.map((c) => c[i]!), key: i })));
  return r.members.map((k) => [-pred[uniq[k]!]!, ...cols.map((c) => c[uniq[k]!]!)]);
}

async function main(): Promise<void> {
  const predictor = arg('predictor', 'live');
  const seeds = Number(arg('seeds', '5'));
  const budget = Number(arg('budget', '300'));
  const tasks = latencyTasks();
  for (const [name, v] of variants) {
    const t0 = Date.now();
    let sumTrue = 0;
    let sumPred = 0;
    let n = 0;
    const { generations, initial, ...ops } = v;
    for (const task of tasks) {
      const pred = tablePredictorScores(task.dataset, predictor);
      const ceiling = predictedFront(task, taskIndices(task), pred);
      for (let seed = 0; seed < seeds; seed++) {
        const r = await runSearch({
          space: nb201Space,
          partition: nb201Partition('raw'),
          evaluator: new Nb201TableEvaluator({
            dataset: task.dataset,
            predictor,
            metrics: task.metrics,
            required: task.metrics,
          }),
          operator: new BuiltinOperator<Nb201Arch>(ops),
          costMetrics: task.metrics,
          generations: generations ?? 10,
          ...(initial !== undefined ? { initial } : {}),
          budget,
          seed,
        });
        const idx = r.members.map((m) => nb201Space.index(m.arch));
        sumTrue += scoreSearch(task, idx, pred).hvRatio;
        sumPred += scoreFront(ceiling, predictedFront(task, idx, pred)).hvRatio;
        n++;
      }
    }
    console.log(
      `${name.padEnd(20)} pred HV ${(sumPred / n).toFixed(6)}  true HV ${(sumTrue / n).toFixed(6)}  (${n} runs, ${((Date.now() - t0) / 1000).toFixed(0)} s)`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
