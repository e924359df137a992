// Writes a run folder holding every one of NAS-Bench-201's 15,625 cells, scored by the table evaluator, in ten
// generation-sized chunks with a pause between them — the way a long CLI run grows its folder. The E2E test
// opens it in the dashboard while it is written (appends at scale) and again when complete (a 15,625-point
// snapshot), and reads the render times the webview reports.
// Usage: node --import tsx test/e2e/make-full-space-run.ts RUN_DIR [DELAY_MS]

import { Nb201TableEvaluator } from '../../src/core/nb201/evaluator';
import { nb201NicheOf } from '../../src/core/nb201/partition';
import { nb201Space } from '../../src/core/nb201/space';
import { nonDominated } from '../../src/core/pareto';
import { RunStore } from '../../src/core/runstore';
import { nb201TestConfig } from '../support/config';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: make-full-space-run.ts RUN_DIR [DELAY_MS]');
  const delay = Number(process.argv[3] ?? 0);
  const generations = 10;
  const config = nb201TestConfig({
    id: 'full-space',
    createdAt: new Date().toISOString(),
    generations,
    budget: nb201Space.size,
    seed: 0,
  });
  const store = RunStore.create(dir, config);
  const ev = new Nb201TableEvaluator({
    dataset: 'cifar10',
    predictor: 'rank-avg',
    required: ['edgegpu_latency'],
  });
  store.append({ type: 'run/started', config });
  const n = nb201Space.size;
  const per = Math.ceil(n / generations);
  const members: { id: string; niche: number; vec: number[] }[] = [];
  for (let g = 0; g < generations; g++) {
    const lo = g * per;
    const hi = Math.min(n, lo + per);
    const children = [0, 0, 0, 0, 0, 0];
    const archs = [];
    for (let i = lo; i < hi; i++) {
      const a = nb201Space.parse({ index: i });
      children[nb201NicheOf(a)]!++;
      archs.push(a);
    }
    store.record({ type: 'generation/planned', generation: g, children }, config);
    for (const a of archs) {
      const evaluation = await ev.evaluate(a);
      const niche = nb201NicheOf(a);
      // the file id names the cell's isomorphism class; index-suffixed so every cell gets its own point
      const id = `${nb201Space.fileId(a)}-i${nb201Space.index(a)}`;
      store.record(
        {
          type: 'arch/evaluated',
          id,
          niche,
          generation: g,
          arch: nb201Space.format(a),
          spec: nb201Space.toJSON(a),
          operator: 'exhaustive',
          parents: [],
          rationale: 'every cell of the benchmark table',
          evaluation,
        },
        config,
      );
      members.push({ id, niche, vec: [-evaluation.predictedAccuracy, evaluation.hw['edgegpu_latency']!] });
    }
    for (let k = 0; k < 6; k++) {
      const mine = members.filter((m) => m.niche === k);
      const archive = nonDominated(mine.map((m) => m.vec)).map((i) => mine[i]!.id);
      store.record(
        {
          type: 'generation/completed',
          niche: k,
          generation: g,
          population: archive,
          archive,
          evaluations: mine.length,
          exhausted: false,
        },
        config,
      );
    }
    process.stdout.write(`generation ${g}: ${members.length} evaluated\n`);
    if (delay > 0 && g < generations - 1) await new Promise((r) => setTimeout(r, delay));
  }
  store.append({ type: 'search/completed', front: [], evaluations: members.length, wallMs: 0 });
  store.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
