// Spearman ρ vs NB201 test accuracy of a predictor before and after calibration on K labelled architectures
// (src/core/nb201/calibrate.ts), over the whole space; the labels are drawn at random, one draw per K.
//   npx tsx scripts/calibration-rho.ts [--dataset cifar10] [--predictors rank-avg,live] [--ks 10,30,100]
import { calibrate } from '../src/core/nb201/calibrate.js';
import { tablePredictorScores } from '../src/core/nb201/evaluator.js';
import { loadNb201Table, type Nb201Dataset } from '../src/core/nb201/table.js';
import { spearman } from '../src/core/predictor.js';
import { Rng } from '../src/core/rng.js';

const arg = (n: string, d: string): string => {
  const i = process.argv.indexOf(`--${n}`);
  return i >= 0 ? process.argv[i + 1]! : d;
};

const ds = arg('dataset', 'cifar10') as Nb201Dataset;
const ks = arg('ks', '10,30,100').split(',').map(Number);
const acc = loadNb201Table().testAccuracy(ds);
console.log(`| predictor (${ds}) | zero labels | ${ks.map((k) => `K = ${k}`).join(' | ')} |`);
console.log(`|---|---|${ks.map(() => '---|').join('')}`);
for (const p of arg('predictors', 'rank-avg,live').split(',')) {
  const cells = ks.map((k) => {
    const labelled = new Rng(`calibration-rho/${k}`).shuffle([...Array(acc.length).keys()]).slice(0, k);
    return spearman(calibrate(ds, p, labelled).scores, acc).toFixed(3);
  });
  console.log(`| ${p} | ${spearman(tablePredictorScores(ds, p), acc).toFixed(3)} | ${cells.join(' | ')} |`);
}
