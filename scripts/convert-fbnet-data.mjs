// Converts the FBNet (HW-NAS-Bench) lookup tables and the AutoFormer ViT search spaces from the source folder into
// compact gzipped JSON files shipped in data/ (the product reads only data/), plus the 5,000 HELP FBNet
// latencies as a test fixture. Provenance: data/SOURCES-fbnet-autoformer.md.
//
//   node scripts/convert-fbnet-data.mjs --from DIR

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fromDir } from './source-dir.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const shared = fromDir('convert-fbnet-data.mjs');
const read = (f) => JSON.parse(fs.readFileSync(path.join(shared, f), 'utf8'));
const writeGz = (f, obj) => {
  const buf = zlib.gzipSync(Buffer.from(JSON.stringify(obj)), { level: 9 });
  fs.writeFileSync(path.join(root, 'data', f), buf);
  console.log(`data/${f}: ${buf.length} bytes`);
};

// FBNet LUTs: keep tables, space definition and summation rule; values unchanged (exact float64 via JSON).
const lut = read('fbnet_hwnasbench_lut.json');
const metrics = lut.meta.metrics;
for (const m of metrics) if (!lut.lut[m]) throw new Error(`LUT lacks metric ${m}`);
writeGz('fbnet-lut.json.gz', {
  format: 'llm-nas-fbnet-lut-v1',
  source: lut.meta.source,
  units: 'latency ms, energy mJ',
  summationRule: lut.meta.summation_rule,
  space: lut.meta.space,
  metrics,
  lut: lut.lut,
});

// AutoFormer search spaces (T/S/B), searched subnets and model-zoo rows, as in the source.
const af = read('autoformer_search_space.json');
writeGz('autoformer-space.json.gz', {
  format: 'llm-nas-autoformer-space-v1',
  source: 'microsoft/Cream AutoFormer/experiments/{supernet,subnet}/*.yaml, AutoFormer/README.md model zoo',
  meta: af.meta,
  supernet: af.supernet,
  subnets: af.subnet_configs,
  modelZoo: af.model_zoo_imagenet,
});

// Test fixture: the 5,000 HELP latencies (op indices + 4 devices), unchanged.
const help = read('fbnet_help_sample_latency.json');
const fx = path.join(root, 'test', 'fixtures', 'fbnet');
fs.mkdirSync(fx, { recursive: true });
const rows = help.archs.map((a) => [
  a.op_idx_list,
  a.eyeriss_latency,
  a.fpga_latency,
  a.pixel3_latency,
  a.raspi4_latency,
]);
const out = zlib.gzipSync(
  Buffer.from(
    JSON.stringify({
      meta: help.meta,
      columns: ['ops', 'eyeriss_latency', 'fpga_latency', 'pixel3_latency', 'raspi4_latency'],
      rows,
    }),
  ),
  { level: 9 },
);
fs.writeFileSync(path.join(fx, 'help-latency.json.gz'), out);
console.log(`test/fixtures/fbnet/help-latency.json.gz: ${out.length} bytes, ${rows.length} archs`);
