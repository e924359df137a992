// NB201's exporter (SpaceProvider.exporter, src/core/modelexport/contract.ts): a spec's TinyNetwork as the Net IR
// the live evaluator builds (net.ts) for the dataset's network setting, its complexity from the published table,
// its PyTorch source after NAS-Bench-201's TinyNetwork/InferCell/ResNetBasicblock (module paths equal the Net
// IR's layer names, so the ONNX export's weights load by name), and the Net IR's ONNX graph.

import type { Net } from '../engine/net.js';
import { ExportError, type ExportTarget, type SpaceExporter } from '../modelexport/contract.js';
import { netInferenceGraph } from '../modelexport/onnx.js';
import { figures, py, sourceLines } from '../modelexport/pytorch.js';
import { buildNb201Net, NB201_NET_CONFIGS, type Nb201NetConfig } from './net.js';
import { NB201_EDGES, NB201_OPS, nb201Space } from './space.js';
import { loadNb201Table, type Nb201Dataset } from './table.js';

export interface Nb201Target extends ExportTarget {
  kind: 'nb201';
  ops: number[];
  cfg: Nb201NetConfig;
  net: Net;
}

export const nb201Exporter: SpaceExporter<Nb201Target> = {
  target(input, source) {
    const cfg = NB201_NET_CONFIGS[source.dataset];
    if (!cfg) throw new ExportError(`NB201 has no network setting for dataset "${source.dataset}"`);
    const ops = [...nb201Space.parse(input)];
    return { kind: 'nb201', source, exporter: nb201Exporter, ops, cfg, net: buildNb201Net(ops, cfg) };
  },
  complexity(t) {
    // the published table's figures for the spec's dataset (the space's features are CIFAR-10's)
    const tab = loadNb201Table();
    const i = nb201Space.index(t.ops);
    const ds = t.source.dataset as Nb201Dataset;
    return { paramsM: tab.params(ds)[i]!, flopsM: tab.flops(ds)[i]! };
  },
  pytorch: (t) => nb201Source(t),
  onnx: (t, opts) => netInferenceGraph(t.net, t.cfg.numClasses, opts),
};

function nb201Source(t: Nb201Target): string {
  const r = t.cfg.resolution;
  const genotype = t.ops
    .map((op, k) => `    (${NB201_EDGES[k]![0]}, ${NB201_EDGES[k]![1]}, ${py(NB201_OPS[op]!)}),`)
    .join('\n');
  return `"""NAS-Bench-201 network (TinyNetwork) of one searched cell.

${sourceLines(t.source)}
Network (Dong & Yang, "NAS-Bench-201", ICLR 2020): stem Conv3x3 3->${t.cfg.c} + BN; 3 stages of ${t.cfg.n} cells at
C = ${t.cfg.c}/${t.cfg.c * 2}/${t.cfg.c * 4} with ResNet basic blocks (stride 2) between the stages; BN + ReLU; global average pool;
linear classifier. Every cell is the same DAG: node j = sum over edges i->j of op(node i), output = node 3.
Input: float32 (N, 3, ${r}, ${r}) (${t.source.dataset}), output: logits (N, ${t.cfg.numClasses}).
${figures(t)}
Weights: PyTorch's default initialisation (untrained). NAS-Bench-201's recipe: SGD, lr 0.1 cosine, momentum 0.9,
weight decay 5e-4, Nesterov, batch 256, 200 epochs, random crop + flip.
Requires only torch.
"""

from collections import OrderedDict

import torch
from torch import nn

ARCH = ${py(t.source.arch)}
# (from node, to node, operation) for the 6 edges, in NAS-Bench-201's order
GENOTYPE = [
${genotype}
]


class ReLUConvBN(nn.Module):
    """ReLU -> Conv (no bias) -> BatchNorm, NAS-Bench-201's nor_conv_kxk."""

    def __init__(self, c_in, c_out, kernel_size, stride):
        super().__init__()
        self.relu = nn.ReLU(inplace=False)
        self.conv = nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=(kernel_size - 1) // 2, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        return self.bn(self.conv(self.relu(x)))


class Zero(nn.Module):
    """NAS-Bench-201's none: the edge contributes nothing (x * 0 keeps the shape)."""

    def forward(self, x):
        return x.mul(0.0)


def make_op(name, c):
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return ReLUConvBN(c, c, 1, 1)
    if name == "nor_conv_3x3":
        return ReLUConvBN(c, c, 3, 1)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError(f"unknown NAS-Bench-201 operation {name!r}")


class InferCell(nn.Module):
    """One cell: edge k of GENOTYPE is the module edge{k}."""

    def __init__(self, genotype, c):
        super().__init__()
        self.genotype = list(genotype)
        for k, (_, _, op) in enumerate(self.genotype):
            self.add_module(f"edge{k}", make_op(op, c))

    def forward(self, x):
        nodes = [x]
        for j in range(1, 4):
            inputs = [getattr(self, f"edge{k}")(nodes[i]) for k, (i, to, _) in enumerate(self.genotype) if to == j]
            nodes.append(sum(inputs[1:], inputs[0]))
        return nodes[3]


class ResNetBasicblock(nn.Module):
    """The reduction block between stages: two ReLUConvBN (the first with stride 2) plus avg-pool + 1x1 conv."""

    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, 2)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1)
        self.downsample = nn.Sequential(
            OrderedDict(
                pool=nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
                conv=nn.Conv2d(c_in, c_out, 1, stride=1, padding=0, bias=False),
            )
        )

    def forward(self, x):
        return self.conv_b(self.conv_a(x)) + self.downsample(x)


class TinyNetwork(nn.Module):
    def __init__(self, genotype=GENOTYPE, C=${t.cfg.c}, N=${t.cfg.n}, num_classes=${t.cfg.numClasses}):
        super().__init__()
        self.stem = nn.Sequential(
            OrderedDict(conv=nn.Conv2d(3, C, kernel_size=3, padding=1, bias=False), bn=nn.BatchNorm2d(C))
        )
        channels = [C] * N + [C * 2] + [C * 2] * N + [C * 4] + [C * 4] * N
        reductions = [False] * N + [True] + [False] * N + [True] + [False] * N
        cells = []
        c_prev = C
        for c, reduction in zip(channels, reductions):
            cells.append(ResNetBasicblock(c_prev, c) if reduction else InferCell(genotype, c))
            c_prev = c
        self.cells = nn.ModuleList(cells)
        self.lastact = nn.Sequential(OrderedDict(bn=nn.BatchNorm2d(c_prev), relu=nn.ReLU(inplace=False)))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_prev, num_classes)

    def forward(self, x):
        x = self.stem(x)
        for cell in self.cells:
            x = cell(x)
        x = self.lastact(x)
        x = self.global_pooling(x).flatten(1)
        return self.classifier(x)


def build(num_classes=${t.cfg.numClasses}):
    """The searched network, untrained, for inputs of shape (N, 3, ${r}, ${r})."""
    return TinyNetwork(GENOTYPE, C=${t.cfg.c}, N=${t.cfg.n}, num_classes=num_classes)


if __name__ == "__main__":
    model = build().eval()
    print(ARCH, sum(p.numel() for p in model.parameters()), "parameters")
    print(model(torch.randn(2, 3, ${r}, ${r})).shape)
`;
}
