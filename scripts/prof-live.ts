// Per-stage timing of one live-evaluator scoring (emit / session create / run) on one thread, for tuning.
//   npx tsx scripts/prof-live.ts [--archs 20] [--opt all|extended|basic|disabled] [--mem on|off] [--outputs default|all]
import * as ort from 'onnxruntime-node';
import { nb201Space } from '../src/core/nb201/space.js';
import { buildNb201Net, NB201_NET_CONFIGS } from '../src/core/nb201/net.js';
import { emitOnnx } from '../src/core/engine/onnx.js';
import { WeightSource } from '../src/core/engine/weights.js';
import { DEFAULT_SETTINGS, makeInputs } from '../src/core/engine/proxies.js';

const arg = (n: string, d: string): string => {
  const i = process.argv.indexOf(`--${n}`);
  return i >= 0 ? process.argv[i + 1]! : d;
};
async function main(): Promise<void> {
  const n = Number(arg('archs', '20'));
  const opt = arg('opt', 'all') as 'all';
  const mem = arg('mem', 'on') === 'on';
  // --outputs default: the data pass emits only what the default proxy set reads (NASWOT); all: SWAP, MeCo too
  const all = arg('outputs', 'default') === 'all';
  const s = DEFAULT_SETTINGS;
  const inputs = makeInputs('cifar10', s);
  const cfg = NB201_NET_CONFIGS['cifar10']!;
  const t: Record<string, number> = {};
  const add = (k: string, ms: number): void => void (t[k] = (t[k] ?? 0) + ms);
  let seed = 1;
  const rnd = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let a = 0; a < n; a++) {
    const ops = [...nb201Space.fromIndex(Math.floor(rnd() * 15625))];
    const net = buildNb201Net(ops, cfg);
    for (const [mode, ws, batch, x] of [
      ['data', 'torch-default', s.batch, inputs.images],
      ['synflow', 'torch-default', 1, new Float32Array(3 * 32 * 32).fill(1)],
      ['zen', 'gaussian', s.zenBatch, inputs.zenX],
    ] as const) {
      let t0 = performance.now();
      const e = emitOnnx(net, {
        mode,
        weights: new WeightSource(s.seed, ws),
        batch,
        ...(mode === 'data' ? { naswot: true, swap: all, meco: all } : {}),
      } as never);
      add(`${mode} emit`, performance.now() - t0);
      t0 = performance.now();
      const sess = await ort.InferenceSession.create(e.bytes, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: opt,
        enableCpuMemArena: mem,
        enableMemPattern: mem,
      });
      add(`${mode} create`, performance.now() - t0);
      t0 = performance.now();
      await sess.run({ x: new ort.Tensor('float32', x, [batch, 3, 32, 32]) });
      if (mode === 'zen') await sess.run({ x: new ort.Tensor('float32', x, [batch, 3, 32, 32]) });
      add(`${mode} run`, performance.now() - t0);
      await sess.release();
    }
  }
  let tot = 0;
  for (const [k, v] of Object.entries(t)) {
    console.log(`${k.padEnd(16)} ${(v / n).toFixed(1)} ms`);
    tot += v;
  }
  console.log(`total ${(tot / n).toFixed(1)} ms/arch (opt ${opt})`);
}
void main();
