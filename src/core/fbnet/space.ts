// The FBNet search space of HW-NAS-Bench: 22 searchable layers, each one of 9 blocks (k3/k5 inverted residuals
// with expansion 1/3/6, the group-2 variants of the e1 blocks, skip); 9^22 ≈ 9.8e20 architectures. Text
// notation: the 22 block names in layer order, separated by "|". Complexity features (params, FLOPs) are read
// off the network the live evaluator builds, so they agree with what is executed.

import { analyticCost } from '../engine/net.js';
import { SlotSpace, type SlotArch } from '../slots.js';
import { FBNET_LAYERS, FBNET_OPS, FBNET_SETTINGS, layerShapes, STAGE_LAYERS } from './lut.js';
import { buildFbnetNet } from './net.js';

export type FbnetArch = SlotArch;

const OP_NAMES = FBNET_OPS.map((o) => o.name);

export class FbnetSpace extends SlotSpace {
  private readonly cost = new Map<string, { paramsM: number; flopsM: number }>();

  constructor(readonly dataset: string) {
    const setting = FBNET_SETTINGS[dataset];
    if (!setting) throw new Error(`FBNet has no dataset setting "${dataset}"`);
    const shapes = layerShapes(setting);
    super({
      id: 'fbnet',
      label: `FBNet (HW-NAS-Bench), ${dataset}`,
      listKey: 'ops',
      slots: shapes.map((sh, i) => ({
        name: `L${i}`,
        choices: OP_NAMES,
        description: `${sh.cin}->${sh.cout} ch, stride ${sh.stride}, ${sh.h}x${sh.h} input`,
      })),
      features: (a) => this.featuresOf(a),
      describe: (a) => this.describeArch(a),
      grammar:
        'FBNet (HW-NAS-Bench): 22 searchable layers in 7 stages (layers per stage 1,4,4,4,4,4,1; output channels ' +
        '16,24,32,64,112,184,352; the first layer of a stage may downsample). Each layer is one block: ' +
        'kK_eE = inverted residual with a KxK depthwise conv and expansion E (1x1 expand, depthwise, 1x1 project, ' +
        'identity shortcut when shapes match), kK_e1_g2 = the same with group-2 1x1 convs and a channel shuffle, ' +
        'skip = identity (a 1x1 projection where the shape changes). Written as 22 block names separated by "|", ' +
        `layer 0 first. Blocks: ${OP_NAMES.join(', ')}.`,
    });
  }

  private costOf(a: FbnetArch): { paramsM: number; flopsM: number } {
    const k = this.canonicalKey(a);
    let c = this.cost.get(k);
    if (!c) {
      c = analyticCost(buildFbnetNet(a, FBNET_SETTINGS[this.dataset]!));
      if (this.cost.size > 50000) this.cost.clear();
      this.cost.set(k, c);
    }
    return c;
  }

  private featuresOf(a: FbnetArch): Record<string, number> {
    const c = this.costOf(a);
    const op = (i: number): (typeof FBNET_OPS)[number] => FBNET_OPS[a[i]!]!;
    let skips = 0;
    let k5 = 0;
    let e6 = 0;
    for (let i = 0; i < FBNET_LAYERS; i++) {
      if (op(i).skip) skips++;
      if (op(i).kernel === 5) k5++;
      if (op(i).exp === 6) e6++;
    }
    return { params_m: c.paramsM, flops_m: c.flopsM, n_skip: skips, n_k5: k5, n_e6: e6 };
  }

  private describeArch(a: FbnetArch): string {
    const f = this.featuresOf(a);
    const stages: string[] = [];
    let i = 0;
    STAGE_LAYERS.forEach((n, s) => {
      stages.push(
        `stage ${s}: ${a
          .slice(i, i + n)
          .map((o) => OP_NAMES[o])
          .join(' ')}`,
      );
      i += n;
    });
    return (
      `${this.format(a)} — ${f.params_m!.toFixed(2)} M params, ${f.flops_m!.toFixed(1)} MFLOPs (${this.dataset}), ` +
      `${f.n_skip} skipped layers, ${f.n_k5} k5 blocks, ${f.n_e6} e6 blocks. ${stages.join('; ')}`
    );
  }

  override fileId(a: FbnetArch): string {
    // 22 base-9 digits: unique and readable
    return `fbnet-${a.join('')}`;
  }
}

const spaces = new Map<string, FbnetSpace>();
export function fbnetSpace(dataset: string): FbnetSpace {
  let s = spaces.get(dataset);
  if (!s) spaces.set(dataset, (s = new FbnetSpace(dataset)));
  return s;
}
