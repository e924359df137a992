// PyTorch source of an exported architecture: one standalone .py file that imports only torch and defines the
// network as an nn.Module with a build(num_classes=…) function, written after the space's original definition
// (NAS-Bench-201's TinyNetwork/InferCell/ResNetBasicblock, HW-NAS-Bench's FBNet ConvNorm/ConvBlock/Skip,
// AutoFormer's subnet) so its published training recipe applies. Module paths equal the Net IR's layer names
// (src/core/nb201/net.ts, src/core/fbnet/net.ts, src/core/vit/net.ts), so the weights of the ONNX export
// load into the module by name (the AutoFormer q/k/v projections are one fused qkv Linear here, as in AutoFormer:
// its weight is the concatenation of the three).

import { FBNET_OPS, STAGE_CHANNELS, STAGE_LAYERS } from '../fbnet/lut.js';
import { NB201_EDGES, NB201_OPS } from '../nb201/space.js';
import { HEAD_DIM, LN_EPS } from '../vit/net.js';
import { specComplexity, type ExportSource, type ExportTarget } from './target.js';

const py = (s: string): string => JSON.stringify(s);

function sourceLines(s: ExportSource): string {
  const from = s.run ? `run ${s.run}, architecture ${s.id}` : `architecture ${s.id}`;
  return `Architecture: ${s.arch}\nSource: ${from} (space ${s.space}, dataset ${s.dataset}); exported by LLM-NAS.`;
}

function figures(t: ExportTarget): string {
  const c = specComplexity(t);
  return `Parameters ${c.paramsM.toFixed(6)} M, FLOPs ${c.flopsM.toFixed(4)} M (multiply-adds, as the space counts them).`;
}

export function pytorchSource(t: ExportTarget): string {
  switch (t.kind) {
    case 'nb201':
      return nb201Source(t);
    case 'fbnet':
      return fbnetSource(t);
    case 'vit':
      return vitSource(t);
  }
}

function nb201Source(t: ExportTarget & { kind: 'nb201' }): string {
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

function fbnetSource(t: ExportTarget & { kind: 'fbnet' }): string {
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

function vitSource(t: ExportTarget & { kind: 'vit' }): string {
  const a = t.shape;
  const c = t.cfg;
  return `"""AutoFormer-${t.variant} subnet (a Vision Transformer) of one searched architecture.

${sourceLines(t.source)}
Network (Chen et al., "AutoFormer", ICCV 2021): patch embedding Conv ${c.patch}x${c.patch} (stride ${c.patch}) -> ${a.embed} dims,
class token, learned position embedding, ${a.depth} pre-norm blocks (multi-head self-attention with ${HEAD_DIM} dims
per head and a fused qkv projection; MLP with GELU and a per-block ratio), final LayerNorm, linear head on the
class token. AutoFormer's relative position tables are not built (the search space's complexity figures do not
count them either).
Input: float32 (N, 3, ${c.resolution}, ${c.resolution}), output: logits (N, ${c.numClasses}).
${figures(t)}
Weights: untrained, AutoFormer's initialisation (truncated normal std 0.02 for linear weights and the tokens,
zero biases, LayerNorm 1/0). AutoFormer's retraining recipe is DeiT's (AdamW, lr 5e-4 x batch/512, 300 epochs).
Requires only torch.
"""

import torch
from torch import nn

ARCH = ${py(t.source.arch)}
EMBED_DIM = ${a.embed}
DEPTH = ${a.depth}
MLP_RATIO = [${a.mlp.join(', ')}]
NUM_HEADS = [${a.heads.join(', ')}]
HEAD_DIM = ${HEAD_DIM}
PATCH_SIZE = ${c.patch}
IMG_SIZE = ${c.resolution}
LN_EPS = ${LN_EPS}


class PatchEmbed(nn.Module):
    def __init__(self, img_size, patch_size, embed_dim):
        super().__init__()
        self.num_patches = (img_size // patch_size) ** 2
        self.proj = nn.Conv2d(3, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class Attention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.scale = HEAD_DIM**-0.5
        self.qkv = nn.Linear(dim, 3 * num_heads * HEAD_DIM)
        self.proj = nn.Linear(num_heads * HEAD_DIM, dim)

    def forward(self, x):
        b, n, _ = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.num_heads, HEAD_DIM).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, self.num_heads * HEAD_DIM))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=LN_EPS)
        self.attn = Attention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=LN_EPS)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class VisionTransformer(nn.Module):
    def __init__(self, num_classes=${c.numClasses}, img_size=IMG_SIZE):
        super().__init__()
        self.patch_embed = PatchEmbed(img_size, PATCH_SIZE, EMBED_DIM)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, EMBED_DIM))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.patch_embed.num_patches + 1, EMBED_DIM))
        self.blocks = nn.ModuleList(Block(EMBED_DIM, NUM_HEADS[i], MLP_RATIO[i]) for i in range(DEPTH))
        self.norm = nn.LayerNorm(EMBED_DIM, eps=LN_EPS)
        self.head = nn.Linear(EMBED_DIM, num_classes)
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x)[:, 0])


def build(num_classes=${c.numClasses}, img_size=IMG_SIZE):
    """The searched subnet, untrained, for inputs of shape (N, 3, img_size, img_size)."""
    return VisionTransformer(num_classes=num_classes, img_size=img_size)


if __name__ == "__main__":
    model = build().eval()
    print(ARCH, sum(p.numel() for p in model.parameters()), "parameters")
    print(model(torch.randn(1, 3, IMG_SIZE, IMG_SIZE)).shape)
`;
}
