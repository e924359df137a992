// Computes the live evaluator's proxies for the whole NAS-Bench-201 space, one architecture per isomorphism class
// (6,466 canonical cells; the first index of each class represents it), appending one JSON line per class to
// data/live-nb201-<dataset>.jsonl. Resumable: classes already in the file are skipped. Run it niced:
//   nice -n 10 npx tsx scripts/live-table.ts --dataset cifar10 [--workers 2] [--limit N] [--part az|jacov]
//   [--seed S]: the default proxy set at weight seed S (S ≥ 1) into data/live-nb201-<dataset>.seedS.jsonl, the
//   second repeat that `bench --predictor live-r2` averages with the seed-0 table (spaceOptions.liveRepeats 2)
//   [--image-offset N]: NASWOT (the default set's one image-dependent proxy) on the image batch from image N on,
//   into data/live-nb201-<dataset>.ioN.jsonl, the second input batch that `bench --predictor live-b2` averages
//   [--batch N]: NASWOT with N images in the data pass (32 by default; NASWOT's paper uses 128) into the bN part,
//   which `bench --predictor live-n128` reads in place of the main table's
//   [--az-batch N]: AZ-NAS's three terms in the paper's own settings (N Gaussian-noise inputs, the paper: 64;
//   Kaiming-normal weights; the stem's output included) into the azN part, which `bench --predictor live-az-paper`
//   reads
import fs from 'node:fs';
import path from 'node:path';
import { nb201Space } from '../src/core/nb201/space.js';
import { WorkerPool } from '../src/core/engine/pool.js';
import {
  AZ_TERMS,
  DEFAULT_PROXIES,
  DEFAULT_SETTINGS,
  settingsKey,
  TABLE_PROXIES,
  type LiveProxy,
} from '../src/core/engine/settings.js';
import { liveTableFile, readLiveTable } from '../src/core/nb201/live-table.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}

async function main(): Promise<void> {
  const dataset = arg('dataset', 'cifar10');
  const workers = Number(arg('workers', '2'));
  const limit = Number(arg('limit', 'Infinity'));
  // --part az: AZ-NAS's expressivity, progressivity and trainability into data/live-nb201-<dataset>.az.jsonl
  // (merged into the main table by class key; same settings otherwise)
  const seed = Number(arg('seed', '0'));
  if (!Number.isInteger(seed) || seed < 0)
    throw new Error(`--seed must be a whole number ≥ 0, got ${arg('seed', '0')}`);
  if (seed > 0 && process.argv.includes('--part'))
    throw new Error('--seed S writes its own part (seedS): no --part');
  const imageOffset = Number(arg('image-offset', '0'));
  if (!Number.isInteger(imageOffset) || imageOffset < 0)
    throw new Error(`--image-offset must be a whole number ≥ 0, got ${arg('image-offset', '0')}`);
  if (imageOffset > 0 && (seed > 0 || process.argv.includes('--part')))
    throw new Error('--image-offset N writes its own part (ioN): no --seed, no --part');
  const batch = Number(arg('batch', String(DEFAULT_SETTINGS.batch)));
  if (!Number.isInteger(batch) || batch < 2)
    throw new Error(`--batch must be a whole number ≥ 2, got ${arg('batch', '')}`);
  const other = batch !== DEFAULT_SETTINGS.batch;
  if (other && (seed > 0 || imageOffset > 0 || process.argv.includes('--part')))
    throw new Error('--batch N writes its own part (bN): no --seed, --image-offset or --part');
  const azBatch = Number(arg('az-batch', '0'));
  if (!Number.isInteger(azBatch) || azBatch < 0 || azBatch === 1)
    throw new Error(`--az-batch must be a whole number ≥ 2, got ${arg('az-batch', '')}`);
  if (azBatch > 0 && (seed > 0 || imageOffset > 0 || other || process.argv.includes('--part')))
    throw new Error('--az-batch N writes its own part (azN): no --seed, --image-offset, --batch or --part');
  const part =
    seed > 0
      ? `seed${seed}`
      : imageOffset > 0
        ? `io${imageOffset}`
        : other
          ? `b${batch}`
          : azBatch > 0
            ? `az${azBatch}`
            : arg('part', '');
  const parts: Record<string, readonly LiveProxy[]> = {
    '': TABLE_PROXIES,
    az: AZ_TERMS,
    // --part jacov: jacov (reverse mode) into data/live-nb201-<dataset>.jacov.jsonl
    jacov: ['jacov'],
    ...(seed > 0 ? { [`seed${seed}`]: DEFAULT_PROXIES } : {}),
    ...(imageOffset > 0 ? { [`io${imageOffset}`]: ['naswot'] as const } : {}),
    ...(other ? { [`b${batch}`]: ['naswot'] as const } : {}),
    ...(azBatch > 0 ? { [`az${azBatch}`]: AZ_TERMS } : {}),
  };
  const proxies = parts[part];
  if (!proxies)
    throw new Error(`unknown --part ${part}; valid: ${Object.keys(parts).filter(Boolean).join(', ')}`);
  const file = liveTableFile(dataset, path.resolve(__dirname, '..', 'data'), part);
  const settings = {
    ...DEFAULT_SETTINGS,
    seed,
    imageOffset,
    batch,
    proxies,
    ...(azBatch > 0 ? { azBatch } : {}),
  };
  const sk = settingsKey(dataset, settings);
  if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify({ settings: sk }) + '\n');
  const done = readLiveTable(file, sk).rows;
  // one representative (the first index) per isomorphism class, largest classes first, so that a partial run
  // covers as many of the 15,625 cells as possible
  const first = new Map<string, { i: number; size: number }>();
  for (let i = 0; i < nb201Space.size; i++) {
    const key = nb201Space.canonicalKey(nb201Space.fromIndex(i));
    const c = first.get(key);
    if (c) c.size++;
    else first.set(key, { i, size: 1 });
  }
  const seen = new Set(first.keys());
  const todo = [...first.entries()]
    .filter(([key]) => !done.has(key))
    .sort((a, b) => b[1].size - a[1].size || a[1].i - b[1].i)
    .map(([, c]) => c.i);
  const work = todo.slice(0, limit);
  console.log(`${dataset}: ${seen.size} classes, ${done.size} done, computing ${work.length}`);
  const pool = new WorkerPool({
    size: workers,
    onCrash: ({ attempt, reason }) => console.error(`worker crash (attempt ${attempt}): ${reason}`),
  });
  const t0 = Date.now();
  let n = 0;
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < work.length) {
      const i = work[next++]!;
      const arch = nb201Space.fromIndex(i);
      const scores = await pool.score({ space: 'nb201', dataset, ops: [...arch], settings });
      const row = { i, key: nb201Space.canonicalKey(arch), ...scores };
      fs.appendFileSync(file, JSON.stringify(row) + '\n');
      n++;
      if (n % 50 === 0) {
        const rate = n / ((Date.now() - t0) / 60000);
        console.log(`${n}/${work.length} (${rate.toFixed(1)} archs/min)`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: workers }, one));
  } finally {
    await pool.close();
  }
  console.log(`done ${n} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
