#!/usr/bin/env node
// Converts the validated benchmark source tables (docs/data-provenance.md) into the compact files under data/ that
// ship with the extension; the product reads only data/ at run time. Run: node scripts/convert-data.mjs --from DIR
// Output: data/nb201.bin.gz — a packed column store:
//   [u32 LE header length][header JSON][column bytes...], gzip-compressed.
//   header = {format, n, ops_vocab, datasets, columns:[{name, dtype:'u8'|'f64', width, offset, bytes}]}
//   f64 columns keep the published values bit-exact; null (missing) is stored as NaN.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { fromDir } from './source-dir.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const src = fromDir('convert-data.mjs');
const out = path.join(root, 'data');
fs.mkdirSync(out, { recursive: true });

const bench = JSON.parse(fs.readFileSync(path.join(src, 'nb201_hwnas_full.json'), 'utf8'));
const zc = JSON.parse(fs.readFileSync(path.join(src, 'zc_proxies_nb201_full.json'), 'utf8'));
const archs = bench.archs;
const n = archs.length;
if (n !== 15625) throw new Error(`expected 15625 archs, got ${n}`);
const vocab = bench.meta.ops_vocab;
const datasets = bench.meta.datasets;
const hwMetrics = Object.keys(archs[0].hw.cifar10);

const columns = [];
const buffers = [];
let offset = 0;
function addColumn(name, dtype, width, typed) {
  const bytes = Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
  columns.push({ name, dtype, width, offset, bytes: bytes.length });
  buffers.push(bytes);
  offset += bytes.length;
}
function f64(get) {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = get(i);
    a[i] = v === null || v === undefined ? NaN : v;
  }
  return a;
}

const ops = new Uint8Array(n * 6);
archs.forEach((a, i) => {
  if (a.index !== i) throw new Error(`index mismatch at ${i}`);
  a.ops.forEach((op, j) => {
    const k = vocab.indexOf(op);
    if (k < 0) throw new Error(`unknown op ${op}`);
    ops[i * 6 + j] = k;
  });
});
addColumn('ops', 'u8', 6, ops);
for (const ds of datasets) {
  addColumn(
    `params_m/${ds}`,
    'f64',
    1,
    f64((i) => archs[i].params_m[ds]),
  );
  addColumn(
    `flops_m/${ds}`,
    'f64',
    1,
    f64((i) => archs[i].flops_m[ds]),
  );
  addColumn(
    `test_acc/${ds}`,
    'f64',
    1,
    f64((i) => archs[i].test_acc[ds]),
  );
  for (const m of hwMetrics)
    addColumn(
      `hw/${ds}/${m}`,
      'f64',
      1,
      f64((i) => archs[i].hw[ds][m]),
    );
}
// Published zero-cost proxies (labels such as val_accuracy and FreeREA's portion_skipped are left out).
for (const ds of datasets) {
  for (const p of ['naswot', 'logsynflow'])
    addColumn(
      `proxy/${ds}/freerea_${p}`,
      'f64',
      1,
      f64((i) => zc.freerea[ds][p][i]),
    );
  for (const [p, vals] of Object.entries(zc.nbsuitezero[ds] ?? {})) {
    if (p === 'val_accuracy') continue;
    addColumn(
      `proxy/${ds}/nbsz_${p}`,
      'f64',
      1,
      f64((i) => vals[i]),
    );
  }
}

const header = Buffer.from(
  JSON.stringify({
    format: 'llm-nas-nb201-v1',
    n,
    ops_vocab: vocab,
    datasets,
    hw_metrics: hwMetrics,
    columns,
  }),
);
const len = Buffer.alloc(4);
len.writeUInt32LE(header.length, 0);
const packed = zlib.gzipSync(Buffer.concat([len, header, ...buffers]), { level: 9 });
fs.writeFileSync(path.join(out, 'nb201.bin.gz'), packed);
const sha = crypto.createHash('sha256').update(packed).digest('hex');
console.log(
  `data/nb201.bin.gz: ${columns.length} columns, ${(packed.length / 1e6).toFixed(2)} MB, sha256 ${sha}`,
);

// Test fixtures copied verbatim (tests compare the packed table against them).
fs.mkdirSync(path.join(root, 'test', 'fixtures'), { recursive: true });
for (const f of ['hwnasbench_reference_examples.json', 'pareto_fronts_nb201_full.json']) {
  fs.writeFileSync(path.join(root, 'test', 'fixtures', f), fs.readFileSync(path.join(src, f)));
}
// Source checksums, recorded in data/SOURCES.md by hand when they change.
for (const f of ['nb201_hwnas_full.json', 'zc_proxies_nb201_full.json']) {
  const h = crypto
    .createHash('sha256')
    .update(fs.readFileSync(path.join(src, f)))
    .digest('hex');
  console.log(`source ${f}: sha256 ${h}`);
}
