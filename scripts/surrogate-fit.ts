// How well the built-in operator's linear surrogate ranks the live default ensemble on NB201 from n evaluated
// cells: Spearman ρ on 3,000 held-out cells, mean over 5 random draws, for the one-hot encoding alone and for
// the space's encoding (one-hot plus the dead-op-pruned cell's one-hot). Run: npx tsx scripts/surrogate-fit.ts
import { liveTableScores } from '../src/core/nb201/live-scores.js';
import { nb201Space } from '../src/core/nb201/space.js';
import { RidgeModel } from '../src/core/surrogate.js';
import { Rng } from '../src/core/rng.js';
import { spearman } from '../src/core/predictor.js';

const onehot = (i: number): number[] => nb201Space.encode(nb201Space.fromIndex(i)).slice(0, 30);
const encodings: Record<string, (i: number) => number[]> = {
  'one-hot': onehot,
  'one-hot + pruned one-hot (the space encoding)': (i) => nb201Space.encode(nb201Space.fromIndex(i)),
};

for (const dataset of ['cifar10', 'cifar100', 'ImageNet16-120']) {
  const s = liveTableScores(dataset);
  for (const n of [50, 100, 200])
    for (const [name, enc] of Object.entries(encodings)) {
      const rs: number[] = [];
      for (let seed = 0; seed < 5; seed++) {
        const idx = new Rng(seed).shuffle([...Array(nb201Space.size).keys()]);
        const train = idx.slice(0, n);
        const test = idx.slice(n, n + 3000);
        const m = RidgeModel.fit(
          train.map(enc),
          train.map((i) => s[i]!),
        );
        rs.push(
          spearman(
            test.map((i) => m.predict(enc(i))),
            test.map((i) => s[i]!),
          ),
        );
      }
      console.log(`${dataset}\tn=${n}\t${name}\tρ ${(rs.reduce((a, b) => a + b) / rs.length).toFixed(3)}`);
    }
}
