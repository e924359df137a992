// The AutoFormer exporter of each variant (SpaceProvider.exporter, src/core/modelexport/contract.ts): a spec's
// subnet as its shape and the search's network setting, its complexity from the space's features, its PyTorch
// source after AutoFormer's subnet (module paths equal the ViT emitter's names, net.ts; the q/k/v projections
// are one fused qkv Linear here, as in AutoFormer: its weight is the concatenation of the three), its ONNX graph
// from the ViT emitter (latency mode) with the batch made symbolic, and at batch 1 the ViT path's own latency
// measurement (scorer.ts, the one its searches use).

import { onnx } from 'onnx-proto';
import type { ExportTarget, SpaceExporter } from '../modelexport/contract.js';
import { EXPORT_SEED } from '../modelexport/onnx.js';
import { figures, py, sourceLines } from '../modelexport/pytorch.js';
import { emitVit, HEAD_DIM, LN_EPS, type VitNetConfig, type VitShape } from './net.js';
import { AUTOFORMER_NET, vitSpace, type VitVariant } from './space.js';

export interface VitTarget extends ExportTarget {
  kind: 'vit';
  variant: VitVariant;
  shape: VitShape;
  cfg: VitNetConfig;
}

/** The AutoFormer subnet graph of the ViT emitter, batch made symbolic ("N"). */
export function emitInferenceVit(t: VitTarget, cfg: VitNetConfig = t.cfg): Uint8Array {
  const m = onnx.ModelProto.decode(emitVit(t.shape, cfg, 'latency', EXPORT_SEED).bytes);
  const dim = m.graph!.input![0]!.type!.tensorType!.shape!.dim![0]!;
  delete (dim as { dimValue?: unknown }).dimValue;
  dim.dimParam = 'N';
  return onnx.ModelProto.encode(m).finish();
}

export function vitExporter(variant: VitVariant): SpaceExporter<VitTarget> {
  const exporter: SpaceExporter<VitTarget> = {
    target(input, source) {
      const a = vitSpace(variant).parse(input);
      return {
        kind: 'vit',
        source,
        exporter,
        variant,
        shape: { embed: a.embed, depth: a.depth, mlp: [...a.mlp], heads: [...a.heads] },
        cfg: { ...AUTOFORMER_NET },
      };
    },
    complexity(t) {
      const f = vitSpace(t.variant).features({
        ...t.shape,
        mlp: [...t.shape.mlp],
        heads: [...t.shape.heads],
      });
      return { paramsM: f['params_m']!, flopsM: f['flops_m']! };
    },
    pytorch: (t) => vitSource(t),
    onnx(t, opts) {
      const cfg = { ...t.cfg, resolution: opts.resolution ?? t.cfg.resolution };
      return { bytes: emitInferenceVit(t, cfg), resolution: cfg.resolution, numClasses: cfg.numClasses };
    },
    // onnxruntime is loaded on the first measurement only
    measure: (t, o) =>
      o.batch === 1
        ? import('./scorer.js').then((m) =>
            m.measureVitLatency(t.shape, t.cfg, { warmup: o.warmup, runs: o.runs, threads: o.threads }),
          )
        : undefined,
  };
  return exporter;
}

function vitSource(t: VitTarget): string {
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
