#!/usr/bin/env python3
"""PyTorch reference for the FBNet network builder and live proxies (src/core/fbnet/net.ts on the live
evaluator): an independent FBNet in PyTorch (HW-NAS-Bench's schedule; inverted residual blocks with group-g 1x1
convs and a channel shuffle, depthwise kxk conv, projection skips) whose module paths equal the TypeScript layer
names, the same deterministic weights and inputs (generator functions imported from gen-proxy-fixtures.py), and
NASWOT (ReLU-input hooks), jacov (autograd of Σ logits to the input batch), logsynflow (float64 autograd, |θ|, BN removed) and Zen-NAS (train-mode BN, running
variances) computed as the papers' code does.

  /usr/bin/python3 scripts/gen-fbnet-fixtures.py      # writes test/fixtures/fbnet/fbnet-proxies.json
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

OPS = [(1, 3, 1), (1, 3, 2), (3, 3, 1), (6, 3, 1), (1, 5, 1), (1, 5, 2), (3, 5, 1), (6, 5, 1), None]
LAYERS = [1, 4, 4, 4, 4, 4, 1]
CHANNELS = [16, 24, 32, 64, 112, 184, 352]
STRIDES = [1, 1, 2, 2, 1, 2, 1]  # CIFAR


def shuffle(x, g):
    n, c, h, w = x.shape
    return x.view(n, g, c // g, h, w).transpose(1, 2).reshape(n, c, h, w)


class Block(nn.Module):
    def __init__(self, cin, cout, stride, op, bn):
        super().__init__()
        e, k, g = op
        mid = cin * e
        B = (lambda c: nn.BatchNorm2d(c)) if bn else (lambda c: nn.Identity())
        self.g, self.res = g, cin == cout and stride == 1
        self.conv1, self.bn1 = nn.Conv2d(cin, mid, 1, groups=g, bias=False), B(mid)
        self.conv2, self.bn2 = nn.Conv2d(mid, mid, k, stride, (k - 1) // 2, groups=mid, bias=False), B(mid)
        self.conv3, self.bn3 = nn.Conv2d(mid, cout, 1, groups=g, bias=False), B(cout)
        self.relu1, self.relu2 = nn.ReLU(), nn.ReLU()

    def forward(self, x):
        h = self.relu1(self.bn1(self.conv1(x)))
        if self.g > 1:
            h = shuffle(h, self.g)
        h = self.bn3(self.conv3(self.relu2(self.bn2(self.conv2(h)))))
        return h + x if self.res else h


class Proj(nn.Module):
    def __init__(self, cin, cout, stride, bn):
        super().__init__()
        self.conv, self.bn = nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout) if bn else nn.Identity()

    def forward(self, x):
        return self.bn(self.conv(x))


class Stem(nn.Module):
    def __init__(self, bn, cin=3, cout=16, k=3):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, 1, (k - 1) // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout) if bn else nn.Identity()
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.bn(self.conv(x)))


class FBNet(nn.Module):
    def __init__(self, ops, classes=100, bn=True):
        super().__init__()
        self.stem = Stem(bn)
        layers, cin, i = nn.ModuleDict(), 16, 0
        for s, n in enumerate(LAYERS):
            for j in range(n):
                cout, stride = CHANNELS[s], STRIDES[s] if j == 0 else 1
                op = OPS[ops[i]]
                if op is not None:
                    layers[str(i)] = Block(cin, cout, stride, op, bn)
                elif cin != cout or stride != 1:
                    layers[str(i)] = Proj(cin, cout, stride, bn)
                cin, i = cout, i + 1
        self.layers = layers
        self.head = Stem(bn, 352, 1504, 1)
        self.classifier = nn.Linear(1504, classes)

    def forward_pre_gap(self, x):
        x = self.stem(x)
        for k in sorted(self.layers.keys(), key=int):
            x = self.layers[k](x)
        return self.head(x)

    def forward(self, x):
        return self.classifier(self.forward_pre_gap(x).mean((2, 3)))


@torch.no_grad()
def init(net, seed, scheme):
    for p, m in net.named_modules():
        if isinstance(m, nn.Conv2d):
            n = m.weight.numel()
            fan = m.weight[0].numel()
            key = gpf.tensor_key(seed, scheme, p + '.weight')
            w = gpf.normal(key, n) if scheme == 'gaussian' else gpf.uniform(key, n, 1 / np.sqrt(fan))
            m.weight.copy_(torch.from_numpy(w).view_as(m.weight))
        elif isinstance(m, nn.Linear):
            kw, kb = gpf.tensor_key(seed, scheme, p + '.weight'), gpf.tensor_key(seed, scheme, p + '.bias')
            if scheme == 'gaussian':
                m.weight.copy_(torch.from_numpy(gpf.normal(kw, m.weight.numel())).view_as(m.weight))
                m.bias.zero_()
            else:
                b = 1 / np.sqrt(m.in_features)
                m.weight.copy_(torch.from_numpy(gpf.uniform(kw, m.weight.numel(), b)).view_as(m.weight))
                m.bias.copy_(torch.from_numpy(gpf.uniform(kb, m.out_features, b)))


def proxies(ops, s):
    out = {}
    net = FBNet(ops)
    init(net, s['seed'], 'torch-default')
    net.train()
    x = gpf.image_batch('cifar100', s['batch'])
    n = x.shape[0]
    K = torch.zeros(n, n, dtype=torch.float64)

    def hook(_m, inp, _o):
        c = (inp[0].detach().reshape(n, -1) > 0).double()
        K.add_(c @ c.t() + (1.0 - c) @ (1.0 - c).t())

    for m in net.modules():
        if isinstance(m, nn.ReLU):
            m.register_forward_hook(hook)
    with torch.no_grad():
        net(x)
    out['naswot'] = torch.linalg.slogdet(K)[1].item()
    out['params'] = sum(p.numel() for p in net.parameters()) / 1e6
    # jacov as zero-cost-nas (train-mode BN, x.grad of Σ logits), and the gradient's row norms
    out['jacov'], out['jacov_grad_row_norms'], out['jacov_grad_row_norms_f32'] = gpf.jacov_score(net, x)

    net = FBNet(ops, bn=False)
    init(net, s['seed'], 'torch-default')
    net = net.double()
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    torch.sum(net(torch.ones(1, 3, 32, 32, dtype=torch.float64))).backward()
    tot = sum(torch.sum(torch.abs(m.weight * m.weight.grad)).item() for m in net.modules()
              if isinstance(m, (nn.Conv2d, nn.Linear)) and m.weight.grad is not None)
    out['logsynflow'] = math.log(tot)

    net = FBNet(ops)
    init(net, s['seed'], 'gaussian')
    net.train()
    shape = (s['zenBatch'], 3, 32, 32)
    zx = gpf.gaussian_input(s['seed'], 'zen-x', shape)
    ze = gpf.gaussian_input(s['seed'], 'zen-eps', shape)
    mixed = (zx.double() + s['zenAlpha'] * ze.double()).float()
    with torch.no_grad():
        o1, o2 = net.forward_pre_gap(zx), net.forward_pre_gap(mixed)
        score = torch.sum(torch.abs(o1.double() - o2.double()), dim=[1, 2, 3]).mean().item()
        bn = sum(math.log(math.sqrt(torch.mean(m.running_var.double()).item()))
                 for m in net.modules() if isinstance(m, nn.BatchNorm2d))
    out['zen'] = math.log(score) + bn
    return out


def main():
    s = {'batch': 32, 'zenBatch': 8, 'zenAlpha': 0.01, 'seed': 0}
    archs = [
        [1, 5, 8, 8, 3, 8, 8, 8, 6, 8, 8, 8, 8, 8, 8, 8, 8, 0, 8, 8, 8, 8],
        [8, 8, 2, 8, 8, 7, 8, 8, 8, 1, 8, 8, 8, 4, 8, 8, 8, 8, 5, 8, 8, 3],
    ]
    res = {'settings': s, 'dataset': 'cifar100', 'cases': [{'ops': a, 'proxies': proxies(a, s)} for a in archs]}
    with open(os.path.join(ROOT, 'test', 'fixtures', 'fbnet', 'fbnet-proxies.json'), 'w') as f:
        json.dump(res, f, indent=1)
    print(json.dumps(res))


if __name__ == '__main__':
    main()
