#!/usr/bin/env python3
"""VKDNW (Tybl & Neumann, CVPR 2025) on NAS-Bench-201 in PyTorch: a research reference, not part of the product.

What it computes, as the VKDNW repository's NB201 code does (ondratybl/VKDNW, NB201/ZeroShotProxy/
compute_vkdnw_score.py, NB201/tss_utils.py; its NB201 runs use a Gaussian input batch of 32, BN with affine
weights and batch statistics, Kaiming-normal fan-in weights):
  * the per-sample Jacobian J_n (classes x P) of the logits with respect to the first element of each of the
    network's P parameter tensors, each sample passed alone (BN over one sample = instance statistics);
  * the empirical Fisher F = mean_n (L_n J_n)^T (L_n J_n), L_n the Cholesky factor of the covariance of the
    smoothed softmax (alpha = 0.05) of the batch's logits, as the repository forms it;
  * F's eigenvalues, their nine deciles, and the entropy of the deciles normalised to sum 1 (`vkdnw_entropy`);
  * `vkdnw_dim` = P. The VKDNW score ranks cells by (dim, entropy) lexicographically.

Per-sample Jacobians without torch.func (Debian's torch 1.13): every parameter tensor's first element gets a
per-sample perturbation delta_n (zero), added through the layer's linearity (a conv's element (0,0,0,0) adds
delta_n times the shifted input channel 0 to output channel 0, and so on), so one backward pass per class gives
d logit_k / d theta_p for every sample at once.

  /usr/bin/python3 scripts/vkdnw-reference.py --dataset cifar10 --archs CLASSES.json --out OUT.jsonl [--shard i/n]

CLASSES.json: a JSON list of [index, ops] (ops: 6 op codes, NB201 edge order). Each output line holds the index,
P, the number of eigenvalues above 1e-12 of the largest, the nonzero eigenvalues (sorted, float64) and the score.
Needs Debian's python3-torch; nothing here is a runtime dependency.
"""
import argparse
import importlib.util
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location('gpf', os.path.join(ROOT, 'scripts', 'gen-proxy-fixtures.py'))
gpf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gpf)
CLASSES = {'cifar10': 10, 'cifar100': 100, 'ImageNet16-120': 120}
RES = {'cifar10': 32, 'cifar100': 32, 'ImageNet16-120': 16}


class InstanceBN(nn.Module):
    """BatchNorm2d with batch statistics over one sample: NB201's BN as VKDNW's per-sample functional call sees it."""

    def __init__(self, c):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))

    def forward(self, x):
        xh = F.instance_norm(x, eps=1e-5)
        return xh * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)


def build(ops, dataset, seed):
    net = gpf.TinyNetwork(ops, CLASSES[dataset])
    for name, m in list(net.named_modules()):
        for cn, child in list(m.named_children()):
            if isinstance(child, nn.BatchNorm2d):
                setattr(m, cn, InstanceBN(child.num_features))
    torch.manual_seed(seed)
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, mode='fan_in', nonlinearity='relu')
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return net


def attach_deltas(net, n):
    """A per-sample perturbation of every parameter tensor's first element, in named_parameters order."""
    deltas = {}
    for mname, m in net.named_modules():
        if isinstance(m, nn.Conv2d):
            deltas[mname + '.weight'] = d = torch.zeros(n, requires_grad=True)
            k = m.kernel_size

            def hook(mod, inp, out, d=d, k=k):
                x = inp[0][:, :1]
                e = torch.zeros(1, 1, k[0], k[1])
                e[0, 0, 0, 0] = 1.0
                add = F.conv2d(x, e, stride=mod.stride, padding=mod.padding) * d.view(-1, 1, 1, 1)
                return torch.cat([out[:, :1] + add, out[:, 1:]], dim=1)

            m.register_forward_hook(hook)
        elif isinstance(m, InstanceBN):
            deltas[mname + '.weight'] = dw = torch.zeros(n, requires_grad=True)
            deltas[mname + '.bias'] = db = torch.zeros(n, requires_grad=True)

            def hook(mod, inp, out, dw=dw, db=db):
                xh = F.instance_norm(inp[0][:, :1], eps=1e-5)
                return torch.cat([out[:, :1] + xh * dw.view(-1, 1, 1, 1) + db.view(-1, 1, 1, 1), out[:, 1:]], dim=1)

            m.register_forward_hook(hook)
        elif isinstance(m, nn.Linear):
            deltas[mname + '.weight'] = dw = torch.zeros(n, requires_grad=True)
            deltas[mname + '.bias'] = db = torch.zeros(n, requires_grad=True)

            def hook(mod, inp, out, dw=dw, db=db):
                return torch.cat([out[:, :1] + inp[0][:, :1] * dw.view(-1, 1) + db.view(-1, 1), out[:, 1:]], dim=1)

            m.register_forward_hook(hook)
    names = [k for k, _ in net.named_parameters()]
    assert sorted(names) == sorted(deltas), (set(names) ^ set(deltas))
    return [deltas[k] for k in names]


def cholesky_factor(logits, alpha=0.05):
    """The VKDNW repository's Cholesky factor L (L L^T = diag(p) - p p^T) of the smoothed softmax, float64."""
    p = torch.softmax(logits.double(), dim=1) * (1 - alpha) + alpha / logits.shape[1]
    q = 1 - torch.cumsum(p, dim=1)
    q[:, -1] = 0
    qs = torch.roll(q, 1, dims=1)
    qs[:, 0] = 1
    d = torch.sqrt(p * q / qs)
    L = -p.unsqueeze(2) / q.unsqueeze(1)
    L = torch.nan_to_num(L, neginf=0.0, posinf=0.0)
    c = logits.shape[1]
    eye = torch.eye(c, dtype=L.dtype)
    L = L * (1 - eye) + eye
    L = L * (1 - torch.triu(torch.ones(c, c, dtype=L.dtype), diagonal=1))
    return L @ torch.diag_embed(d)


def vkdnw(ops, dataset, x, seed):
    net = build(ops, dataset, seed)
    net.eval()
    n = x.shape[0]
    with torch.no_grad():
        L = cholesky_factor(net(x))  # the batch's logits (BN statistics per sample, as in the Jacobian)
    ds = attach_deltas(net, n)
    out = net(x)
    c = out.shape[1]
    J = torch.zeros(n, c, len(ds), dtype=torch.float64)
    for k in range(c):
        g = torch.autograd.grad(out[:, k].sum(), ds, retain_graph=k < c - 1, allow_unused=True)
        for p, gp in enumerate(g):
            if gp is not None:
                J[:, k, p] = gp.double()
    A = L @ J
    fisher = torch.einsum('ncp,ncq->pq', A, A) / n
    lam = np.sort(np.clip(np.linalg.eigvalsh(fisher.numpy()), 0, None))
    return len(ds), lam


def score(lam, dim):
    """VKDNW's entropy of the nine deciles of the eigenvalues (zeros up to dim included)."""
    full = np.concatenate([np.zeros(dim - len(lam)), lam])
    q = np.quantile(full, np.arange(1, 10) / 10)
    t = q / (np.abs(q).sum() + 1e-10)
    return float(-(t * np.log(t + 1e-10)).sum())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dataset', default='cifar10', choices=list(CLASSES))
    ap.add_argument('--archs', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--shard', default='0/1')
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--limit', type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(1)
    si, sn = map(int, a.shard.split('/'))
    archs = json.load(open(a.archs))[si::sn]
    if a.limit:
        archs = archs[: a.limit]
    done = set()
    if os.path.exists(a.out):
        for line in open(a.out):
            done.add(json.loads(line)['i'])
    g = torch.Generator().manual_seed(12345)
    r = RES[a.dataset]
    x = torch.randn(a.batch, 3, r, r, generator=g)
    t0 = time.time()
    with open(a.out, 'a') as f:
        for j, (i, ops) in enumerate(archs):
            if i in done:
                continue
            dim, lam = vkdnw(ops, a.dataset, x, a.seed)
            nz = lam[lam > 1e-12 * max(lam[-1], 1e-300)] if lam[-1] > 0 else lam[:0]
            row = {'i': i, 'dim': dim, 'rank': int(len(nz)), 'eig': [float(v) for v in nz], 'entropy': score(nz, dim)}
            f.write(json.dumps(row) + '\n')
            f.flush()
            if j % 50 == 0:
                print(f'{j + 1}/{len(archs)} {time.time() - t0:.0f}s', file=sys.stderr, flush=True)
    print(f'done {len(archs)} in {time.time() - t0:.0f}s', file=sys.stderr)


if __name__ == '__main__':
    main()
