// NAS-Bench-201 network builder: cell ops -> Net, exactly NB201's TinyNetwork (stem Conv3x3 3->16 + BN; 3 stages
// of 5 cells at C = 16/32/64 with ResNet basic reduction blocks between them; BN + ReLU; global pool; linear).
// Ops: none (x*0), skip_connect (identity), nor_conv_kxk (ReLU-Conv(kxk, no bias)-BN), avg_pool_3x3
// (count_include_pad=False). Layer names mirror the PyTorch module paths, so weights match the reference.

import { NB201_OPS } from './space.js';
import { NetBuildError, inferShapes, type Layer, type Net } from '../engine/net.js';

export interface Nb201NetConfig {
  numClasses: number;
  resolution: number;
  /** Channels of the first stage (NB201: 16). */
  c: number;
  /** Cells per stage (NB201: 5). */
  n: number;
}

export const NB201_NET_CONFIGS: Record<string, Nb201NetConfig> = {
  cifar10: { numClasses: 10, resolution: 32, c: 16, n: 5 },
  cifar100: { numClasses: 100, resolution: 32, c: 16, n: 5 },
  'ImageNet16-120': { numClasses: 120, resolution: 16, c: 16, n: 5 },
};

const EDGE_FROM = [0, 0, 1, 0, 1, 2];
const EDGE_TO = [1, 2, 2, 3, 3, 3];

/** Checks a cell given as 6 op indices (or op names) and returns op indices; errors name the field. */
export function checkNb201Ops(ops: readonly (number | string)[]): number[] {
  if (!Array.isArray(ops)) throw new NetBuildError('ops', 'expected an array of 6 operations');
  if (ops.length !== 6) throw new NetBuildError('ops', `a NAS-Bench-201 cell has 6 edges, got ${ops.length}`);
  return ops.map((op, k) => {
    const i = typeof op === 'number' ? op : NB201_OPS.indexOf(op as (typeof NB201_OPS)[number]);
    if (!Number.isInteger(i) || i < 0 || i >= NB201_OPS.length)
      throw new NetBuildError(
        `ops[${k}]`,
        `unknown operation ${JSON.stringify(op)} on edge ${EDGE_FROM[k]}→${EDGE_TO[k]}; valid: ${NB201_OPS.join(', ')}`,
      );
    return i;
  });
}

export function buildNb201Net(opsIn: readonly (number | string)[], cfg: Nb201NetConfig): Net {
  const ops = checkNb201Ops(opsIn);
  if (!(cfg.c > 0 && Number.isInteger(cfg.c)))
    throw new NetBuildError('c', `channel count must be a positive integer, got ${cfg.c}`);
  const layers: Layer[] = [];
  const reluConvBn = (p: string, x: string, cin: number, cout: number, k: number, stride: number): string => {
    layers.push({ kind: 'relu', input: x, output: `${p}.relu` });
    layers.push({
      kind: 'conv',
      name: `${p}.conv`,
      input: `${p}.relu`,
      output: `${p}.conv`,
      cin,
      cout,
      k,
      stride,
      pad: (k - 1) / 2,
    });
    layers.push({ kind: 'bn', name: `${p}.bn`, input: `${p}.conv`, output: `${p}.bn`, c: cout });
    return `${p}.bn`;
  };

  layers.push({
    kind: 'conv',
    name: 'stem.conv',
    input: 'x',
    output: 'stem.conv',
    cin: 3,
    cout: cfg.c,
    k: 3,
    stride: 1,
    pad: 1,
  });
  layers.push({ kind: 'bn', name: 'stem.bn', input: 'stem.conv', output: 'stem', c: cfg.c });
  const mecoTaps = ['stem'];
  const chainPoints = ['stem'];

  const channels: number[] = [];
  const reduction: boolean[] = [];
  for (let s = 0; s < 3; s++) {
    if (s > 0) {
      channels.push(cfg.c << s);
      reduction.push(true);
    }
    for (let i = 0; i < cfg.n; i++) {
      channels.push(cfg.c << s);
      reduction.push(false);
    }
  }

  let x = 'stem';
  let cPrev = cfg.c;
  channels.forEach((cCur, i) => {
    const p = `cells.${i}`;
    if (reduction[i]) {
      const a = reluConvBn(`${p}.conv_a`, x, cPrev, cCur, 3, 2);
      const b = reluConvBn(`${p}.conv_b`, a, cCur, cCur, 3, 1);
      layers.push({
        kind: 'avgpool',
        input: x,
        output: `${p}.downsample.pool`,
        k: 2,
        stride: 2,
        pad: 0,
        countIncludePad: true,
      });
      layers.push({
        kind: 'conv',
        name: `${p}.downsample.conv`,
        input: `${p}.downsample.pool`,
        output: `${p}.downsample.conv`,
        cin: cPrev,
        cout: cCur,
        k: 1,
        stride: 1,
        pad: 0,
      });
      layers.push({ kind: 'add', inputs: [b, `${p}.downsample.conv`], output: p });
    } else {
      const nodes = [x];
      for (let node = 1; node <= 3; node++) {
        const inputs: string[] = [];
        ops.forEach((op, k) => {
          if (EDGE_TO[k] !== node) return;
          const src = nodes[EDGE_FROM[k]!]!;
          const e = `${p}.edge${k}`;
          switch (NB201_OPS[op]) {
            case 'none':
              layers.push({ kind: 'zero', input: src, output: `${e}.zero` });
              inputs.push(`${e}.zero`);
              break;
            case 'skip_connect':
              inputs.push(src);
              break;
            case 'nor_conv_1x1':
              inputs.push(reluConvBn(e, src, cCur, cCur, 1, 1));
              break;
            case 'nor_conv_3x3':
              inputs.push(reluConvBn(e, src, cCur, cCur, 3, 1));
              break;
            case 'avg_pool_3x3':
              layers.push({
                kind: 'avgpool',
                input: src,
                output: `${e}.pool`,
                k: 3,
                stride: 1,
                pad: 1,
                countIncludePad: false,
              });
              inputs.push(`${e}.pool`);
              break;
          }
        });
        const out = node === 3 ? p : `${p}.node${node}`;
        layers.push({ kind: 'add', inputs, output: out });
        nodes.push(out);
      }
    }
    mecoTaps.push(p);
    chainPoints.push(p);
    x = p;
    cPrev = cCur;
  });

  layers.push({ kind: 'bn', name: 'lastact.bn', input: x, output: 'lastact.bn', c: cPrev });
  layers.push({ kind: 'relu', input: 'lastact.bn', output: 'lastact' });
  layers.push({ kind: 'gap', input: 'lastact', output: 'pooled' });
  layers.push({
    kind: 'linear',
    name: 'classifier',
    input: 'pooled',
    output: 'logits',
    cin: cPrev,
    cout: cfg.numClasses,
  });
  mecoTaps.push('lastact');

  const net: Net = {
    input: 'x',
    inputShape: { c: 3, h: cfg.resolution, w: cfg.resolution },
    layers,
    output: 'logits',
    preGap: 'lastact',
    mecoTaps,
    chainPoints,
  };
  inferShapes(net);
  return net;
}
