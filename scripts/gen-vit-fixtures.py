#!/usr/bin/env python3
"""PyTorch reference for the ViT zero-cost proxies (src/core/vit): an independent AutoFormer-style ViT
(PatchEmbed conv, class token, position embedding, pre-norm blocks: LayerNorm, multi-head self-attention with 64
dims per head, LayerNorm, MLP fc1-GELU-fc2; final LayerNorm; head on the class token) with the same deterministic
weights as the TypeScript builder (generator functions imported from scripts/gen-proxy-fixtures.py), NASWOT from
forward hooks on the MLP's fc1 (the GELU input), params by counting parameters.

  /usr/bin/python3 scripts/gen-vit-fixtures.py     # writes test/fixtures/fbnet/vit-proxies.json
"""
import importlib.util
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec = importlib.util.spec_from_file_location('gpf', os.path.join(ROOT, 'scripts', 'gen-proxy-fixtures.py'))
gpf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gpf)
HEAD_DIM = 64


def normal_std(key, n, std):
    j = np.arange(n, dtype=np.uint64)
    u1 = ((gpf.hash32(key, 2 * j) >> np.uint64(8)).astype(np.float64) + 1.0) / 16777216.0
    u2 = (gpf.hash32(key, 2 * j + np.uint64(1)) >> np.uint64(8)).astype(np.float64) / 16777216.0
    return (std * np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * math.pi * u2)).astype(np.float32)


class Attention(nn.Module):
    def __init__(self, e, h):
        super().__init__()
        self.h = h
        hd = h * HEAD_DIM
        self.q, self.k, self.v = nn.Linear(e, hd), nn.Linear(e, hd), nn.Linear(e, hd)
        self.proj = nn.Linear(hd, e)

    def forward(self, x):
        n, t, _ = x.shape
        sp = lambda y: y.reshape(n, t, self.h, HEAD_DIM).transpose(1, 2)
        q, k, v = sp(self.q(x)), sp(self.k(x)), sp(self.v(x))
        att = (q @ k.transpose(-2, -1) / math.sqrt(HEAD_DIM)).softmax(-1)
        return self.proj((att @ v).transpose(1, 2).reshape(n, t, -1))


class Mlp(nn.Module):
    def __init__(self, e, hid):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(e, hid), nn.GELU(), nn.Linear(hid, e)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, e, h, r):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(e, eps=1e-6), Attention(e, h)
        self.norm2, self.mlp = nn.LayerNorm(e, eps=1e-6), Mlp(e, int(e * r))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, e, p):
        super().__init__()
        self.proj = nn.Conv2d(3, e, p, p)


class ViT(nn.Module):
    def __init__(self, arch, res, patch, classes):
        super().__init__()
        e = arch['embed']
        t = (res // patch) ** 2 + 1
        self.patch_embed = PatchEmbed(e, patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, e))
        self.pos_embed = nn.Parameter(torch.zeros(1, t, e))
        self.blocks = nn.ModuleList([Block(e, h, r) for h, r in zip(arch['heads'], arch['mlp'])])
        self.norm = nn.LayerNorm(e, eps=1e-6)
        self.head = nn.Linear(e, classes)

    def forward(self, x):
        x = self.patch_embed.proj(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1) + self.pos_embed
        for b in self.blocks:
            x = b(x)
        return self.head(self.norm(x)[:, 0])


def init(net, seed):
    with torch.no_grad():
        for name, m in net.named_modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                fan = m.weight[0].numel()
                b = 1 / math.sqrt(fan)
                m.weight.copy_(torch.from_numpy(gpf.uniform(gpf.tensor_key(seed, 'torch-default', f'{name}.weight'),
                                                            m.weight.numel(), b)).reshape(m.weight.shape))
                m.bias.copy_(torch.from_numpy(gpf.uniform(gpf.tensor_key(seed, 'torch-default', f'{name}.bias'),
                                                          m.bias.numel(), b)))
        for pname in ['cls_token', 'pos_embed']:
            p = getattr(net, pname)
            p.copy_(torch.from_numpy(normal_std(gpf.tensor_key(seed, 'trunc-normal', pname), p.numel(), 0.02))
                    .reshape(p.shape))


def naswot(arch, res, patch, classes, batch, seed):
    net = ViT(arch, res, patch, classes)
    init(net, seed)
    x = gpf.image_batch('cifar100', batch)
    K = torch.zeros(batch, batch, dtype=torch.float64)

    def hook(_m, _inp, out):
        c = (out.detach().reshape(batch, -1) > 0).double()
        K.add_(c @ c.t() + (1 - c) @ (1 - c).t())

    for b in net.blocks:
        b.mlp.fc1.register_forward_hook(hook)
    with torch.no_grad():
        net(x)
    return torch.linalg.slogdet(K)[1].item(), sum(p.numel() for p in net.parameters()) / 1e6


def main():
    cases = [
        {'embed': 48, 'depth': 2, 'mlp': [2, 4], 'heads': [1, 2]},
        {'embed': 64, 'depth': 3, 'mlp': [3.5, 3, 4], 'heads': [2, 1, 2]},
    ]
    out = {'res': 32, 'patch': 8, 'classes': 100, 'batch': 16, 'seed': 0, 'cases': []}
    for a in cases:
        nw, params = naswot(a, 32, 8, 100, 16, 0)
        out['cases'].append({'arch': a, 'naswot': nw, 'params_m': params})
    subnets = {
        'T': {'embed': 192, 'heads': [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 3, 3],
              'mlp': [3.5, 3.5, 3.0, 3.5, 3.0, 3.0, 4.0, 4.0, 3.5, 4.0, 3.5, 4.0, 3.5]},
    }
    for k, a in subnets.items():
        net = ViT(a, 224, 16, 1000)
        out[f'autoformer_{k}_params_m'] = sum(p.numel() for p in net.parameters()) / 1e6
    path = os.path.join(ROOT, 'test', 'fixtures', 'fbnet', 'vit-proxies.json')
    with open(path, 'w') as f:
        json.dump(out, f, indent=1)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
