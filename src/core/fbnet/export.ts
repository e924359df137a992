// FBNet's exporter (SpaceProvider.exporter, src/core/modelexport/contract.ts): a spec's network as the Net IR the
// live evaluator builds (net.ts) for the dataset's input setting, its complexity from the space's features, its
// PyTorch source after HW-NAS-Bench's FBNet ConvNorm/ConvBlock/Skip (module paths equal the Net IR's layer names,
// so the ONNX export's weights load by name), and the Net IR's ONNX graph.

import type { Net } from '../engine/net.js';
import { ExportError, type ExportTarget, type SpaceExporter } from '../modelexport/contract.js';
import { netInferenceGraph } from '../modelexport/onnx.js';
import { figures, py, sourceLines } from '../modelexport/pytorch.js';
import { FBNET_OPS, FBNET_SETTINGS, STAGE_CHANNELS, STAGE_LAYERS, type FbnetSetting } from './lut.js';
import { buildFbnetNet } from './net.js';
import { fbnetSpace } from './space.js';

export interface FbnetTarget extends ExportTarget {
  kind: 'fbnet';
  ops: number[];
  setting: FbnetSetting;
  net: Net;
}

export const fbnetExporter: SpaceExporter<FbnetTarget> = {
  target(input, source) {
    const setting = FBNET_SETTINGS[source.dataset];
    if (!setting) throw new ExportError(`FBNet has no network setting for dataset "${source.dataset}"`);
    const ops = [...fbnetSpace(source.dataset).parse(input)];
    return { kind: 'fbnet', source, exporter: fbnetExporter, ops, setting, net: buildFbnetNet(ops, setting) };
  },
  complexity(t) {
    const f = fbnetSpace(t.source.dataset).features(t.ops);
    return { paramsM: f['params_m']!, flopsM: f['flops_m']! };
  },
  pytorch: (t) => fbnetSource(t),
  onnx: (t, opts) => netInferenceGraph(t.net, t.setting.numClasses, opts),
};

function fbnetSource(t: FbnetTarget): string {
  const s = t.setting;
  const names = t.ops.map((o) => FBNET_OPS[o]!.name);
  const blocks: string[] = [];
  let i = 0;
  STAGE_LAYERS.forEach((n, stage) => {
    blocks.push(`    # stage ${stage}: ${n} layer${n > 1 ? 's' : ''} -> ${STAGE_CHANNELS[stage]} channels`);
    blocks.push(
      `    ${names
        .slice(i, i + n)
        .map(py)
        .join(', ')},`,
    );
    i += n;
  });
  const r = s.inputHw;
  return `"""FBNet network (HW-NAS-Bench's FBNet search space) of one searched architecture.

${sourceLines(t.source)}
Network (HW-NAS-Bench, Li et al., ICLR 2021, after Wu et al., "FBNet", CVPR 2019): stem ConvNorm 3x3 3->16
(stride ${s.stemStride}); 22 searchable layers in 7 stages (layers 1,4,4,4,4,4,1; channels 16,24,32,64,112,184,352; stage
strides ${s.stageStrides.join(',')}); head ConvNorm 1x1 352->${s.headChannels}; global average pool; linear classifier.
Block kK_eE[_g2]: 1x1 (group g) conv C_in -> E*C_in, BN, ReLU, channel shuffle if g > 1, KxK depthwise conv, BN,
ReLU, 1x1 (group g) conv -> C_out, BN, plus the identity when C_in = C_out and stride 1; skip: the identity, or
a 1x1 conv + BN where the shape changes.
Input: float32 (N, 3, ${r}, ${r}) (${t.source.dataset}), output: logits (N, ${s.numClasses}).
${figures(t)}
Weights: PyTorch's default initialisation (untrained).
Requires only torch.
"""

import torch
from torch import nn

ARCH = ${py(t.source.arch)}
BLOCKS = [
${blocks.join('\n')}
]
STAGE_LAYERS = [${STAGE_LAYERS.join(', ')}]
STAGE_CHANNELS = [${STAGE_CHANNELS.join(', ')}]
STAGE_STRIDES = [${s.stageStrides.join(', ')}]
STEM_STRIDE = ${s.stemStride}
HEAD_CHANNELS = ${s.headChannels}


def parse_block(name):
    """'k5_e6' -> (5, 6, 1), 'k3_e1_g2' -> (3, 1, 2), 'skip' -> None."""
    if name == "skip":
        return None
    parts = name.split("_")
    group = int(parts[2][1:]) if len(parts) > 2 else 1
    return int(parts[0][1:]), int(parts[1][1:]), group


def channel_shuffle(x, groups):
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)


class ConvNorm(nn.Module):
    """Conv (no bias) -> BatchNorm -> ReLU."""

    def __init__(self, c_in, c_out, kernel_size, stride):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=(kernel_size - 1) // 2, bias=False)
        self.bn = nn.BatchNorm2d(c_out)
        self.relu = nn.ReLU(inplace=False)

    def forward(self, x):
        return self.relu(self.bn(self.conv(x)))


class ConvBlock(nn.Module):
    """FBNet's inverted residual block (kernel, expansion, group)."""

    def __init__(self, c_in, c_out, kernel_size, expansion, group, stride):
        super().__init__()
        mid = c_in * expansion
        self.group = group
        self.residual = c_in == c_out and stride == 1
        self.conv1 = nn.Conv2d(c_in, mid, 1, groups=group, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv2 = nn.Conv2d(
            mid, mid, kernel_size, stride=stride, padding=(kernel_size - 1) // 2, groups=mid, bias=False
        )
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = nn.Conv2d(mid, c_out, 1, groups=group, bias=False)
        self.bn3 = nn.BatchNorm2d(c_out)
        self.relu = nn.ReLU(inplace=False)

    def forward(self, x):
        h = self.relu(self.bn1(self.conv1(x)))
        if self.group > 1:
            h = channel_shuffle(h, self.group)
        h = self.relu(self.bn2(self.conv2(h)))
        h = self.bn3(self.conv3(h))
        return h + x if self.residual else h


class Skip(nn.Module):
    """The identity, or a 1x1 conv + BN where the channels or the resolution change."""

    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.identity = c_in == c_out and stride == 1
        if not self.identity:
            self.conv = nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False)
            self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        return x if self.identity else self.bn(self.conv(x))


class FBNet(nn.Module):
    def __init__(self, blocks=BLOCKS, num_classes=${s.numClasses}):
        super().__init__()
        self.stem = ConvNorm(3, 16, 3, STEM_STRIDE)
        layers = []
        c_in = 16
        k = 0
        for stage, n in enumerate(STAGE_LAYERS):
            c_out = STAGE_CHANNELS[stage]
            for j in range(n):
                stride = STAGE_STRIDES[stage] if j == 0 else 1
                b = parse_block(blocks[k])
                layers.append(Skip(c_in, c_out, stride) if b is None else ConvBlock(c_in, c_out, b[0], b[1], b[2], stride))
                c_in = c_out
                k += 1
        self.layers = nn.ModuleList(layers)
        self.head = ConvNorm(c_in, HEAD_CHANNELS, 1, 1)
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(HEAD_CHANNELS, num_classes)

    def forward(self, x):
        x = self.stem(x)
        for layer in self.layers:
            x = layer(x)
        x = self.head(x)
        x = self.global_pooling(x).flatten(1)
        return self.classifier(x)


def build(num_classes=${s.numClasses}):
    """The searched network, untrained, for inputs of shape (N, 3, ${r}, ${r})."""
    return FBNet(BLOCKS, num_classes=num_classes)


if __name__ == "__main__":
    model = build().eval()
    print(ARCH, sum(p.numel() for p in model.parameters()), "parameters")
    print(model(torch.randn(2, 3, ${r}, ${r})).shape)
`;
}
