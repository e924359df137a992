// FBNet network builder (HW-NAS-Bench's FBNet definition) -> the live evaluator's Net IR (src/core/engine/net.ts):
// stem ConvNorm (3x3, 3->16, stride 1 on CIFAR / 2 on ImageNet, BN, ReLU); 22 searchable layers in 7 stages
// (channels 16/24/32/64/112/184/352); head ConvNorm 1x1 352->1504 (1984 on ImageNet); global pool; linear.
// A block (k, e, g) is FBNet's inverted residual: 1x1 group-g conv C_in->e*C_in, BN, ReLU, channel shuffle when
// g > 1, kxk depthwise conv (stride), BN, ReLU, 1x1 group-g conv e*C_in->C_out, BN, plus the identity when
// C_in = C_out and stride 1. `skip` is the identity, or a 1x1 conv + BN where the shape changes.

import { inferShapes, type Layer, type Net } from '../engine/net.js';
import { FBNET_OPS, layerShapes, type FbnetSetting } from './lut.js';

export function buildFbnetNet(ops: readonly number[], s: FbnetSetting): Net {
  const layers: Layer[] = [];
  const conv = (
    name: string,
    input: string,
    cin: number,
    cout: number,
    k: number,
    stride: number,
    group = 1,
  ): string => {
    layers.push({ kind: 'conv', name, input, output: name, cin, cout, k, stride, pad: (k - 1) / 2, group });
    return name;
  };
  const bn = (name: string, input: string, c: number): string => {
    layers.push({ kind: 'bn', name, input, output: name, c });
    return name;
  };
  const relu = (input: string, output: string): string => {
    layers.push({ kind: 'relu', input, output });
    return output;
  };

  const stride0 = s.stemStride;
  let x = relu(bn('stem.bn', conv('stem.conv', 'x', 3, 16, 3, stride0), 16), 'stem');
  const mecoTaps = ['stem'];
  const chainPoints = ['stem'];
  layerShapes(s).forEach(({ cin, cout, stride }, i) => {
    const op = FBNET_OPS[ops[i]!]!;
    const p = `layers.${i}`;
    let y: string;
    if (op.skip) {
      if (cin === cout && stride === 1) return; // identity: nothing to build
      y = bn(`${p}.bn`, conv(`${p}.conv`, x, cin, cout, 1, stride), cout);
    } else {
      const mid = cin * op.exp;
      let h = relu(bn(`${p}.bn1`, conv(`${p}.conv1`, x, cin, mid, 1, 1, op.group), mid), `${p}.relu1`);
      if (op.group > 1) {
        layers.push({ kind: 'shuffle', input: h, output: `${p}.shuffle`, groups: op.group });
        h = `${p}.shuffle`;
      }
      h = relu(bn(`${p}.bn2`, conv(`${p}.conv2`, h, mid, mid, op.kernel, stride, mid), mid), `${p}.relu2`);
      y = bn(`${p}.bn3`, conv(`${p}.conv3`, h, mid, cout, 1, 1, op.group), cout);
      if (cin === cout && stride === 1) {
        layers.push({ kind: 'add', inputs: [y, x], output: `${p}.out` });
        y = `${p}.out`;
      }
    }
    x = y;
    mecoTaps.push(x);
    chainPoints.push(x);
  });
  const hc = s.headChannels;
  x = relu(bn('head.bn', conv('head.conv', x, 352, hc, 1, 1), hc), 'head');
  layers.push({ kind: 'gap', input: 'head', output: 'pooled' });
  layers.push({
    kind: 'linear',
    name: 'classifier',
    input: 'pooled',
    output: 'logits',
    cin: hc,
    cout: s.numClasses,
  });
  const net: Net = {
    input: 'x',
    inputShape: { c: 3, h: s.inputHw, w: s.inputHw },
    layers,
    output: 'logits',
    preGap: 'head',
    mecoTaps,
    chainPoints,
  };
  inferShapes(net);
  return net;
}
