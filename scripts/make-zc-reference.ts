// Scores a fixed random reference sample of a large space with its live zero-cost proxies, for the "rank-avg"
// predictor (a candidate's proxies become percentiles within this sample; no accuracy is used). Writes
// data/zcref-fbnet-<dataset>.json or data/zcref-autoformer-<t|s|b>.json.
//
//   nice -n 10 npx tsx scripts/make-zc-reference.ts fbnet cifar100 40
//   nice -n 10 npx tsx scripts/make-zc-reference.ts autoformer-t imagenet 30

import fs from 'node:fs';
import { fbnetReferenceFile } from '../src/core/fbnet/provider.js';
import { fbnetProxySettings, scoreFbnet } from '../src/core/fbnet/score.js';
import { fbnetSpace } from '../src/core/fbnet/space.js';
import { Rng } from '../src/core/rng.js';
import { vitReferenceFile } from '../src/core/vit/provider.js';
import { scoreVit, VIT_PROXY_DEFAULTS } from '../src/core/vit/scorer.js';
import { AUTOFORMER_NET, vitSpace, type VitVariant } from '../src/core/vit/space.js';

async function main(): Promise<void> {
  const [space = 'fbnet', dataset = 'cifar100', nArg = '40'] = process.argv.slice(2);
  const n = Number(nArg);
  const rng = new Rng(`${space}-${dataset}-zc-reference`);
  const rows: Record<string, number | null>[] = [];
  const t0 = Date.now();
  let file: string;
  let settings: string;
  if (space === 'fbnet') {
    const s = fbnetSpace(dataset);
    file = fbnetReferenceFile(dataset);
    const ps = fbnetProxySettings();
    settings = `fbnet;${dataset};b${ps.batch};zb${ps.zenBatch};za${ps.zenAlpha};s${ps.seed}`;
    for (let i = 0; i < n; i++) {
      const a = s.sample(rng);
      const sc = await scoreFbnet(a, dataset);
      rows.push({
        ...Object.fromEntries(Object.entries(sc).map(([k, v]) => [k, Number.isFinite(v) ? v : null])),
      });
      process.stderr.write(`${i + 1}/${n} ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    }
  } else {
    const v = space.replace('autoformer-', '').toUpperCase() as VitVariant;
    const s = vitSpace(v);
    file = vitReferenceFile(v);
    settings = `${space};b${VIT_PROXY_DEFAULTS.batch};s${VIT_PROXY_DEFAULTS.seed}`;
    for (let i = 0; i < n; i++) {
      rows.push(await scoreVit(s.sample(rng), AUTOFORMER_NET));
      process.stderr.write(`${i + 1}/${n} ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    }
  }
  fs.writeFileSync(
    file,
    JSON.stringify({ settings, n, seed: `${space}-${dataset}-zc-reference`, rows }) + '\n',
  );
  process.stderr.write(`wrote ${file} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
