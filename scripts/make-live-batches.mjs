// Builds the live evaluator's image batches in data/ from the CIFAR sample files of the source folder
// (`node scripts/make-live-batches.mjs --from DIR`; the product reads only data/): 256 CIFAR-10 test images, 256 CIFAR-100 training images, and the same
// CIFAR-100 images box-downsampled 2x2 to 16x16 as an ImageNet16-120 stand-in (no ImageNet16 images are shipped).
import fs from 'node:fs';
import path from 'node:path';
import { fromDir } from './source-dir.mjs';

const root = path.resolve(import.meta.dirname, '..');
const shared = fromDir('make-live-batches.mjs');
const N = 256;
const REC = 3073;

function take(file) {
  const buf = fs.readFileSync(path.join(shared, file));
  if (buf.length < N * REC) throw new Error(`${file}: fewer than ${N} records`);
  return buf.subarray(0, N * REC);
}

const c10 = take('cifar10_sample.bin');
const c100 = take('cifar100_sample_augtrain.bin');
fs.writeFileSync(path.join(root, 'data', 'live-cifar10.bin'), c10);
fs.writeFileSync(path.join(root, 'data', 'live-cifar100.bin'), c100);

const rec16 = 1 + 3 * 256;
const small = Buffer.alloc(N * rec16);
for (let i = 0; i < N; i++) {
  small[i * rec16] = c100[i * REC];
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 16; x++) {
        const at = (yy, xx) => c100[i * REC + 1 + c * 1024 + yy * 32 + xx];
        const s = at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1);
        small[i * rec16 + 1 + c * 256 + y * 16 + x] = Math.round(s / 4);
      }
}
fs.writeFileSync(path.join(root, 'data', 'live-imagenet16.bin'), small);
console.log(
  `wrote data/live-cifar10.bin, live-cifar100.bin (${N} x 3073 B), live-imagenet16.bin (${N} x ${rec16} B)`,
);
