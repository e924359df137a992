#!/usr/bin/env python3
"""PyTorch reference for the live zero-cost evaluator (src/core/engine/proxies.ts).

An independent NAS-Bench-201 TinyNetwork in PyTorch (modules as in NB201's cell_infers code), the same
deterministic weights and inputs as the TypeScript evaluator (counter-based hash generator, mirrored from
src/core/engine/weights.ts), and the proxies computed the way their papers' code does (forward hooks on ReLU
modules for NASWOT/SWAP, hooks on block outputs for MeCo, autograd in float64 for synflow, two train-mode
forwards and BN running variances for Zen-NAS, forward hooks on every cell for AZ-NAS's expressivity and
progressivity, and for AZ-NAS's trainability both the forward-mode estimate the TypeScript evaluator computes
(torch.autograd.forward_ad, one tangent per block) and AZ-NAS's own backward version (autograd.grad per block),
and jacov as zero-cost-nas's `jacob_cov` (x.grad after y.backward(ones) in train mode, numpy corrcoef + eig)).

  /usr/bin/python3 scripts/gen-proxy-fixtures.py                 # writes test/fixtures/live/nb201-proxies.json
  /usr/bin/python3 scripts/gen-proxy-fixtures.py --bench SPEC.json  # times the archs in SPEC.json, prints JSON
  /usr/bin/python3 scripts/gen-proxy-fixtures.py --trainability SPEC.json  # forward vs backward trainability
  /usr/bin/python3 scripts/gen-proxy-fixtures.py --jacov SPEC.json  # jacov of the archs in SPEC.json

Needs Debian's python3-torch (apt-get install -y python3-torch); nothing here is a runtime dependency.
"""
import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.autograd.forward_ad as fwAD
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3']
EDGE_FROM = [0, 0, 1, 0, 1, 2]
EDGE_TO = [1, 2, 2, 3, 3, 3]
CONFIGS = {
    'cifar10': dict(classes=10, res=32, file='live-cifar10.bin', mean=[125.3, 123.0, 113.9], std=[63.0, 62.1, 66.7]),
    'cifar100': dict(classes=100, res=32, file='live-cifar100.bin', mean=[129.3, 124.1, 112.4], std=[68.2, 65.4, 70.4]),
    'ImageNet16-120': dict(classes=120, res=16, file='live-imagenet16.bin', mean=[122.68, 116.66, 104.01],
                           std=[63.22, 61.26, 65.09]),
}

# ---------------------------------------------------------------- deterministic generator (= weights.ts)
M32 = 0xFFFFFFFF


def fnv1a32(s):
    h = 0x811C9DC5
    for ch in s.encode('ascii'):
        h ^= ch
        h = (h * 0x01000193) & M32
    return h


def hash32(key, j):
    j = j.astype(np.uint64)
    x = (np.uint64(key) + (j + np.uint64(1)) * np.uint64(0x9E3779B9)) & np.uint64(M32)
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x85EBCA6B)) & np.uint64(M32)
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & np.uint64(M32)
    x ^= x >> np.uint64(16)
    return x


def tensor_key(seed, stream, name):
    return fnv1a32(f'{seed}:{stream}:{name}')


def uniform(key, n, bound):
    h = hash32(key, np.arange(n))
    return (bound * ((2.0 * (h >> np.uint64(8)).astype(np.float64)) / 16777216.0 - 1.0)).astype(np.float32)


def normal(key, n, std=1.0):
    # = weights.ts normalTensor: std times the Box–Muller value in float64, rounded once to float32
    j = np.arange(n, dtype=np.uint64)
    u1 = ((hash32(key, 2 * j) >> np.uint64(8)).astype(np.float64) + 1.0) / 16777216.0
    u2 = (hash32(key, 2 * j + np.uint64(1)) >> np.uint64(8)).astype(np.float64) / 16777216.0
    return (std * (np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * math.pi * u2))).astype(np.float32)


def image_batch(dataset, n):
    c = CONFIGS[dataset]
    px = c['res'] ** 2
    rec = 1 + 3 * px
    raw = np.fromfile(os.path.join(ROOT, 'data', c['file']), dtype=np.uint8)[: n * rec].reshape(n, rec)[:, 1:]
    raw = raw.reshape(n, 3, px).astype(np.float64)
    out = np.empty_like(raw)
    for ch in range(3):
        m = c['mean'][ch] / 255
        s = c['std'][ch] / 255
        out[:, ch] = (raw[:, ch] / 255 - m) / s
    return torch.from_numpy(out.astype(np.float32).reshape(n, 3, c['res'], c['res']))


def rademacher_input(seed, stream, shape):
    # = inputs.ts rademacherInput: +1 where the hash's top bit is set
    h = hash32(tensor_key(seed, 'input', stream), np.arange(int(np.prod(shape))))
    return torch.from_numpy(np.where((h >> np.uint64(31)) == 1, 1.0, -1.0).astype(np.float32).reshape(shape))


def gaussian_input(seed, stream, shape):
    return torch.from_numpy(normal(tensor_key(seed, 'input', stream), int(np.prod(shape))).reshape(shape))


# ---------------------------------------------------------------- NB201 network (NB201's cell_infers modules)
class ReLUConvBN(nn.Module):
    def __init__(self, cin, cout, k, stride, pad, bn=True):
        super().__init__()
        self.op = nn.Sequential(nn.ReLU(inplace=False), nn.Conv2d(cin, cout, k, stride, pad, bias=False),
                                nn.BatchNorm2d(cout) if bn else nn.Identity())

    def forward(self, x):
        return self.op(x)


class Zero(nn.Module):
    def forward(self, x):
        return x.mul(0.0)


class ResNetBasicblock(nn.Module):
    def __init__(self, cin, cout, bn=True):
        super().__init__()
        self.conv_a = ReLUConvBN(cin, cout, 3, 2, 1, bn)
        self.conv_b = ReLUConvBN(cout, cout, 3, 1, 1, bn)
        self.downsample = nn.Sequential(nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
                                        nn.Conv2d(cin, cout, 1, 1, 0, bias=False))

    def forward(self, x):
        return self.conv_b(self.conv_a(x)) + self.downsample(x)


class InferCell(nn.Module):
    def __init__(self, ops, c, bn=True):
        super().__init__()
        edges = []
        for op in ops:
            name = OPS[op]
            if name == 'none':
                edges.append(Zero())
            elif name == 'skip_connect':
                edges.append(nn.Identity())
            elif name == 'nor_conv_1x1':
                edges.append(ReLUConvBN(c, c, 1, 1, 0, bn))
            elif name == 'nor_conv_3x3':
                edges.append(ReLUConvBN(c, c, 3, 1, 1, bn))
            else:
                edges.append(nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False))
        self.edges = nn.ModuleList(edges)

    def forward(self, x):
        nodes = [x]
        for node in (1, 2, 3):
            nodes.append(sum(self.edges[k](nodes[EDGE_FROM[k]]) for k in range(6) if EDGE_TO[k] == node))
        return nodes[3]


class TinyNetwork(nn.Module):
    def __init__(self, ops, classes, c=16, n=5, bn=True):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, c, 3, padding=1, bias=False), nn.BatchNorm2d(c) if bn else nn.Identity())
        chans = [c] * n + [c * 2] + [c * 2] * n + [c * 4] + [c * 4] * n
        red = [False] * n + [True] + [False] * n + [True] + [False] * n
        cells, prev = [], c
        for cc, r in zip(chans, red):
            cells.append(ResNetBasicblock(prev, cc, bn) if r else InferCell(ops, cc, bn))
            prev = cc
        self.cells = nn.ModuleList(cells)
        self.lastact = nn.Sequential(nn.BatchNorm2d(prev) if bn else nn.Identity(), nn.ReLU(inplace=False))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(prev, classes)

    def forward_pre_gap(self, x):
        x = self.stem(x)
        for cell in self.cells:
            x = cell(x)
        return self.lastact(x)

    def forward(self, x):
        out = self.global_pooling(self.forward_pre_gap(x))
        return self.classifier(out.view(out.size(0), -1))


def ts_name(module_path):
    """PyTorch module path -> the TypeScript builder's layer name (nb201-net.ts)."""
    p = module_path.split('.')
    if p[0] == 'stem':
        return 'stem.conv'
    if p[0] == 'classifier':
        return 'classifier'
    i = p[1]
    if p[2] == 'edges':
        return f'cells.{i}.edge{p[3]}.conv'
    if p[2] in ('conv_a', 'conv_b'):
        return f'cells.{i}.{p[2]}.conv'
    if p[2] == 'downsample':
        return f'cells.{i}.downsample.conv'
    raise ValueError(module_path)


@torch.no_grad()
def init_weights(net, seed, scheme):
    for path, m in net.named_modules():
        if isinstance(m, nn.Conv2d):
            key = tensor_key(seed, scheme, ts_name(path) + '.weight')
            n = m.weight.numel()
            fan_in = m.weight.shape[1] * m.weight.shape[2] * m.weight.shape[3]
            if scheme == 'gaussian':
                w = normal(key, n)
            elif scheme == 'kaiming-normal':  # AZ-NAS's kaiming_normal_fanin_init: N(0, 2 / fan_in)
                w = normal(key, n, np.sqrt(2.0 / fan_in))
            else:
                w = uniform(key, n, 1 / np.sqrt(fan_in))
            m.weight.copy_(torch.from_numpy(w).view_as(m.weight))
        elif isinstance(m, nn.Linear):
            n = m.weight.numel()
            kw = tensor_key(seed, scheme, 'classifier.weight')
            kb = tensor_key(seed, scheme, 'classifier.bias')
            if scheme in ('gaussian', 'kaiming-normal'):
                std = np.sqrt(2.0 / m.in_features) if scheme == 'kaiming-normal' else 1.0
                m.weight.copy_(torch.from_numpy(normal(kw, n, std)).view_as(m.weight))
                m.bias.zero_()
            else:
                b = 1 / np.sqrt(m.in_features)
                m.weight.copy_(torch.from_numpy(uniform(kw, n, b)).view_as(m.weight))
                m.bias.copy_(torch.from_numpy(uniform(kb, m.out_features, b)))
        elif isinstance(m, nn.BatchNorm2d):
            m.weight.fill_(1.0)
            m.bias.zero_()
            m.reset_running_stats()


# ---------------------------------------------------------------- proxies
def data_proxies(ops, dataset, s):
    """NASWOT, SWAP and MeCo from one train-mode forward of the image batch."""
    c = CONFIGS[dataset]
    net = TinyNetwork(ops, c['classes'])
    init_weights(net, s['seed'], 'torch-default')
    net.train()
    x = image_batch(dataset, s['batch'])
    n = x.shape[0]
    K = torch.zeros(n, n, dtype=torch.float64)
    acts = []
    eig_mins = []

    def relu_hook(_m, inp, out):
        codes = (inp[0].detach().reshape(n, -1) > 0).double()
        K.add_(codes @ codes.t() + (1.0 - codes) @ (1.0 - codes).t())
        acts.append(torch.sign(out.detach().reshape(n, -1)))

    def meco_hook(_m, _inp, out):
        fea = out[0].detach().double().reshape(out.shape[1], -1)
        corr = torch.corrcoef(fea)
        corr[torch.isnan(corr)] = 0
        corr[torch.isinf(corr)] = 0
        eig_mins.append(torch.min(torch.real(torch.linalg.eig(corr)[0])).item())

    exprs = []

    def expr_hook(_m, _inp, out):
        # AZ-NAS expressivity (cvlab-yonsei/AZ-NAS NB201/ZeroShotProxy/compute_az_nas_score.py): eigen-entropy of
        # the channel covariance of each cell's output, float32 as there; a zero covariance counts 0 (NaN there)
        feat = out.detach()
        b, ch, h, w = feat.size()
        feat = feat.permute(0, 2, 3, 1).contiguous().view(b * h * w, ch)
        feat = feat - feat.mean(dim=0, keepdim=True)
        sigma = torch.mm(feat.transpose(1, 0), feat) / feat.size(0)
        ev = torch.linalg.eigvalsh(sigma).clamp(min=0)  # rank-deficient float32 covariances: NaN there
        if not ev.sum() > 0:
            exprs.append(0.0)
            return
        prob = ev / ev.sum()
        exprs.append(float((-prob * torch.log(prob + 1e-8)).sum()))

    for m in net.modules():
        if isinstance(m, nn.ReLU):
            m.register_forward_hook(relu_hook)
    for cell in net.cells:
        cell.register_forward_hook(expr_hook)
    net.stem.register_forward_hook(meco_hook)
    for cell in net.cells:
        cell.register_forward_hook(meco_hook)
    net.lastact.register_forward_hook(meco_hook)
    with torch.no_grad():
        net(x)
    naswot = torch.linalg.slogdet(K)[1].item()
    swap = torch.unique(torch.cat(acts, 1).t(), dim=0).shape[0]
    e = np.array(exprs)
    return {'naswot': naswot, 'swap': swap, 'meco': float(sum(eig_mins)),
            'expressivity': float(e.sum()), 'progressivity': float(np.min(e[1:] - e[:-1]))}


def az_sigma_term(mat):
    # compute_az_nas_score.py: σ = the largest singular value of the (C_in, C_out) cross-moment
    if mat.size(0) < mat.size(1):
        mat = mat.transpose(0, 1)
    smax = torch.linalg.svdvals(mat).max().item()
    return -smax - 1 / (smax + 1e-6) + 2


def cross_moment(a_in, a_out):
    # Σ_positions a_in a_outᵀ / N, a_in pixel-unshuffled to a_out's resolution (a reduction block), as AZ-NAS
    if a_in.size(2) != a_out.size(2):
        a_in = F.pixel_unshuffle(a_in, int(a_in.size(2) / a_out.size(2)))
    bo, co, ho, wo = a_out.size()
    ci = a_in.size(1)
    a_in = a_in.permute(0, 2, 3, 1).contiguous().view(-1, ci)
    a_out = a_out.permute(0, 2, 3, 1).contiguous().view(-1, co)
    return torch.mm(a_in.transpose(1, 0), a_out) / (bo * ho * wo)


def trainability_proxy(ops, dataset, s):
    """AZ-NAS trainability over the 17 blocks stem→cell 0→…→cell 16 of the train-mode data pass.

    'trainability' (what src/core/engine/onnx.ts computes): forward mode, a Rademacher u at each block's input
    (the same tensor per input shape as the TypeScript side), J·u by torch.autograd.forward_ad through that block
    (train-mode BN: its batch statistics' dependence on the input included), M = Σ u (J·u)ᵀ / N.
    'trainability_backward' (AZ-NAS's compute_az_nas_score.py, its RNG replaced by the deterministic generator):
    a Rademacher g at each block's output, g_in = Jᵀg by autograd.grad, M = Σ g_in gᵀ / N. Both: σ = σmax(M),
    score = mean over blocks of −σ − 1/(σ + 1e-6) + 2, −∞ when a block is the identity.
    """
    c = CONFIGS[dataset]
    net = TinyNetwork(ops, c['classes'])
    init_weights(net, s['seed'], 'torch-default')
    net.train()
    x = image_batch(dataset, s['batch'])
    feats = [net.stem(x)]
    for cell in net.cells:
        feats.append(cell(feats[-1]))
    fwd, bwd = forward_trainability_blocks(net, feats, s['seed']), []
    for i in reversed(range(1, len(feats))):
        f_out, f_in = feats[i], feats[i - 1]
        g_out = rademacher_input(s['seed'], 'train_g_' + 'x'.join(str(d) for d in f_out.shape), tuple(f_out.shape))
        g_in = torch.autograd.grad(outputs=f_out, inputs=f_in, grad_outputs=g_out, retain_graph=True)[0]
        if g_out.size() == g_in.size() and torch.all(g_in == g_out):
            bwd.append(-math.inf)
        else:
            bwd.append(az_sigma_term(cross_moment(g_in, g_out)))

    def mean(v):
        m = float(np.mean(v))
        return -math.inf if math.isnan(m) else m

    return {'trainability': mean(fwd)}, {'trainability_backward': mean(bwd),
                                         'blocks_forward': fwd, 'blocks_backward': bwd[::-1]}


def az_paper_proxy(ops, dataset, s):
    """AZ-NAS's three terms in the paper's own NB201 settings (ProxySettings.azBatch; compute_az_nas_score.py with
    trainloader=None, as AZ-NAS's tss_general.ipynb calls it for az_nas): s['azBatch'] Gaussian-noise inputs (the
    deterministic generator's 'az-x' stream), Kaiming-normal fan-in weights, train-mode BN, and the stem's output
    as the first of the feature maps (AZ-NAS's extract_cell_features). Trainability: the forward-mode estimate
    over the 17 blocks stem -> cell 0 -> ... -> cell 16, as trainability_proxy."""
    c = CONFIGS[dataset]
    net = TinyNetwork(ops, c['classes'])
    init_weights(net, s['seed'], 'kaiming-normal')
    net.train()
    x = gaussian_input(s['seed'], 'az-x', (s['azBatch'], 3, c['res'], c['res']))
    feats = [net.stem(x)]
    for cell in net.cells:
        feats.append(cell(feats[-1]))
    exprs = []
    for f in feats:
        feat = f.detach()
        b, ch, h, w = feat.size()
        feat = feat.permute(0, 2, 3, 1).contiguous().view(b * h * w, ch)
        feat = feat - feat.mean(dim=0, keepdim=True)
        sigma = torch.mm(feat.transpose(1, 0), feat) / feat.size(0)
        ev = torch.linalg.eigvalsh(sigma).clamp(min=0)
        if not ev.sum() > 0:
            exprs.append(0.0)
            continue
        prob = ev / ev.sum()
        exprs.append(float((-prob * torch.log(prob + 1e-8)).sum()))
    e = np.array(exprs)
    fwd = forward_trainability_blocks(net, feats, s['seed'])
    m = float(np.mean(fwd))
    return {'expressivity': float(e.sum()), 'progressivity': float(np.min(e[1:] - e[:-1])),
            'trainability': -math.inf if math.isnan(m) else m}


def forward_trainability_blocks(net, feats, seed):
    """The forward-mode trainability term of each block cell i: feats[i] -> feats[i + 1] (see trainability_proxy)."""
    fwd = []
    for i, cell in enumerate(net.cells):
        f_in = feats[i]
        name = 'train_u_' + 'x'.join(str(d) for d in f_in.shape)
        u = rademacher_input(seed, name, tuple(f_in.shape))
        with fwAD.dual_level():
            out = cell(fwAD.make_dual(f_in.detach(), u))
            v = fwAD.unpack_dual(out).tangent
        if v is None:
            v = torch.zeros_like(out)
        v = v.detach()
        if v.size() == u.size() and torch.equal(v, u):
            fwd.append(-math.inf)
        else:
            fwd.append(az_sigma_term(cross_moment(u, v)))
    return fwd


def synflow_proxy(ops, dataset, s):
    """log Σ |θ ⊙ ∂R/∂θ| over conv and linear weights: |θ|, BN removed, all-ones input, float64 autograd."""
    c = CONFIGS[dataset]
    net = TinyNetwork(ops, c['classes'], bn=False)
    init_weights(net, s['seed'], 'torch-default')
    net = net.double()
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    out = net(torch.ones(1, 3, c['res'], c['res'], dtype=torch.float64))
    torch.sum(out).backward()
    total = 0.0
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)) and m.weight.grad is not None:
            total += torch.sum(torch.abs(m.weight * m.weight.grad)).item()
    return {'logsynflow': math.log(total) if total > 0 else -math.inf}


def zen_proxy(ops, dataset, s):
    """Zen-NAS: log E|f(x) - f(x + αε)|₁ + Σ_BN log sqrt(mean running_var), Gaussian init, train mode."""
    c = CONFIGS[dataset]
    net = TinyNetwork(ops, c['classes'])
    init_weights(net, s['seed'], 'gaussian')
    net.train()
    shape = (s['zenBatch'], 3, c['res'], c['res'])
    x = gaussian_input(s['seed'], 'zen-x', shape)
    eps = gaussian_input(s['seed'], 'zen-eps', shape)
    mixed = (x.double() + s['zenAlpha'] * eps.double()).float()
    with torch.no_grad():
        o1 = net.forward_pre_gap(x)
        o2 = net.forward_pre_gap(mixed)
        score = torch.sum(torch.abs(o1.double() - o2.double()), dim=[1, 2, 3]).mean().item()
        bn = 0.0
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                bn += math.log(math.sqrt(torch.mean(m.running_var.double()).item()))
    return {'zen': (math.log(score) if score > 0 else -math.inf) + bn}


def params_flops(ops, dataset):
    c = CONFIGS[dataset]
    net = TinyNetwork(ops, c['classes'])
    params = sum(p.numel() for p in net.parameters())
    flops = 0
    res = c['res']

    def conv_hook(m, _i, out):
        nonlocal flops
        flops += m.weight.numel() * out.shape[2] * out.shape[3]

    def lin_hook(m, _i, _o):
        nonlocal flops
        flops += m.weight.numel() + m.bias.numel()

    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            m.register_forward_hook(conv_hook)
        elif isinstance(m, nn.Linear):
            m.register_forward_hook(lin_hook)
    net.eval()
    with torch.no_grad():
        net(torch.zeros(1, 3, res, res))
    return {'params': params / 1e6, 'flops': flops / 1e6}


def jacov_score(net, x):
    """jacov as zero-cost-nas's jacob_cov (SamsungLabs/zero-cost-nas, measures/jacov.py; bn=True): the input
    gradient of Σ logits of a train-mode forward, np.corrcoef over samples, np.linalg.eig, −Σ log(v+k) + 1/(v+k).
    Also the gradient's row norms (what the score, being a correlation, cannot see) for the fixtures, from the
    same network in float64: float32 autograd drifts up to 3 % from it on deep skip chains."""
    def input_grad(model, inp):
        model.train()
        inp = inp.clone().requires_grad_(True)
        out = model(inp)
        out.backward(torch.ones_like(out))
        return inp.grad.detach().reshape(inp.shape[0], -1)

    net64 = copy.deepcopy(net).double()
    norms = [float(v) for v in torch.linalg.norm(input_grad(net64, x.double()), dim=1)]
    jacob = input_grad(net, x).numpy()
    # float32 PyTorch's own row norms: how far float32 itself lands from float64 on this network (the tests'
    # tolerance scale for a float32 engine)
    norms32 = [float(v) for v in np.linalg.norm(jacob.astype(np.float64), axis=1)]
    k = 1e-5
    with np.errstate(all='ignore'):
        corrs = np.corrcoef(jacob)
        if not np.all(np.isfinite(corrs)):
            return None, norms, norms32
        v, _ = np.linalg.eig(corrs)
        score = float(-np.sum(np.log(np.real(v) + k) + 1. / (np.real(v) + k)))
    return (score if math.isfinite(score) else None), norms, norms32


def jacov_proxy(ops, dataset, s):
    c = CONFIGS[dataset]
    net = TinyNetwork(ops, c['classes'])
    init_weights(net, s['seed'], 'torch-default')
    score, norms, norms32 = jacov_score(net, image_batch(dataset, s['batch']))
    return {'jacov': score}, {'jacov_grad_row_norms': norms, 'jacov_grad_row_norms_f32': norms32}


def all_proxies(ops, dataset, s):
    r = {}
    r.update(data_proxies(ops, dataset, s))
    r.update(jacov_proxy(ops, dataset, s)[0])
    r.update(synflow_proxy(ops, dataset, s))
    r.update(zen_proxy(ops, dataset, s))
    r.update(params_flops(ops, dataset))
    return r


def parse_arch(a):
    ops = []
    for group in a.split('+'):
        for part in group.strip('|').split('|'):
            ops.append(OPS.index(part.split('~')[0]))
    return ops


FIXTURE_ARCHS = [
    '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|',
    '|nor_conv_1x1~0|+|skip_connect~0|avg_pool_3x3~1|+|nor_conv_3x3~0|none~1|skip_connect~2|',
    # dead ops: node 1 gets nothing (edge 0->1 is none), so the convs reading node 1 see zeros
    '|none~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|avg_pool_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|',
    # dead ops: node 2 computed but feeds nothing (edge 2->3 none)
    '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|',
    '|avg_pool_3x3~0|+|avg_pool_3x3~0|skip_connect~1|+|skip_connect~0|avg_pool_3x3~1|avg_pool_3x3~2|',
    '|skip_connect~0|+|none~0|nor_conv_1x1~1|+|none~0|none~1|nor_conv_1x1~2|',
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bench', metavar='SPEC.json', help='time the archs listed in SPEC.json instead')
    ap.add_argument('--trainability', metavar='SPEC.json',
                    help='forward-mode vs AZ-NAS backward trainability of the archs in SPEC.json (with "acc": ρ)')
    ap.add_argument('--out', default=os.path.join(ROOT, 'test', 'fixtures', 'live', 'nb201-proxies.json'))
    ap.add_argument('--jacov', metavar='SPEC.json',
                    help='jacov (as zero-cost-nas) of the archs in SPEC.json, with seconds per arch, as JSON')
    ap.add_argument('--az-paper', action='store_true',
                    help='write test/fixtures/live/nb201-az-paper.json: AZ-NAS terms in the paper settings (azBatch)')
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.az_paper:
        st = dict(batch=16, zenBatch=8, zenAlpha=0.01, seed=7, azBatch=16)
        cases = [dict(arch=a, dataset='cifar10', settings=st, proxies=az_paper_proxy(parse_arch(a), 'cifar10', st))
                 for a in FIXTURE_ARCHS]
        for ds in ('cifar100', 'ImageNet16-120'):
            cases.append(dict(arch=FIXTURE_ARCHS[2], dataset=ds, settings=st,
                              proxies=az_paper_proxy(parse_arch(FIXTURE_ARCHS[2]), ds, st)))
        probe = {'kaiming': normal(tensor_key(7, 'kaiming-normal', 'stem.conv.weight'), 5, np.sqrt(2.0 / 27)).tolist(),
                 'az_x': gaussian_input(7, 'az-x', (5,)).reshape(-1).tolist()}
        out = os.path.join(ROOT, 'test', 'fixtures', 'live', 'nb201-az-paper.json')
        with open(out, 'w') as f:
            json.dump({'generator': 'scripts/gen-proxy-fixtures.py --az-paper', 'torch': torch.__version__,
                       'probe': probe, 'cases': cases}, f, indent=1, allow_nan=True)
        print(f'wrote {out}: {len(cases)} cases')
        return
    if args.jacov:
        spec = json.load(open(args.jacov))
        rows = []
        for ops in spec['archs']:
            t0 = time.perf_counter()
            v = jacov_proxy(ops, spec.get('dataset', 'cifar10'), spec['settings'])[0]['jacov']
            rows.append(dict(ops=ops, jacov=v, seconds=time.perf_counter() - t0))
        print(json.dumps({'archs': len(rows), 'settings': spec['settings'], 'torch': torch.__version__, 'rows': rows}))
        return
    if args.bench:
        # archs (op-index lists) and settings from a JSON file written by scripts/live-bench.ts, so both sides
        # time the same networks: {"archs": [[...6 ops], ...], "settings": {batch, zenBatch, zenAlpha, seed}}
        spec = json.load(open(args.bench))
        s = spec['settings']
        times = {'data': 0.0, 'synflow': 0.0, 'zen': 0.0}
        for ops in spec['archs']:
            for key, fn in (('data', data_proxies), ('synflow', synflow_proxy), ('zen', zen_proxy)):
                t0 = time.perf_counter()
                fn(ops, 'cifar10', s)
                times[key] += time.perf_counter() - t0
        n = len(spec['archs'])
        print(json.dumps({'archs': n, 'ms_per_arch': {k: 1000 * v / n for k, v in times.items()},
                          'torch': torch.__version__, 'threads': torch.get_num_threads()}))
        return
    if args.trainability:
        # {"archs": [[...6 ops], ...], "acc": [...], "settings": {...}} from scripts/live-repeats.ts --spec
        spec = json.load(open(args.trainability))
        s = spec['settings']
        rows = []
        for ops in spec['archs']:
            t0 = time.perf_counter()
            fwd, ref = trainability_proxy(ops, spec.get('dataset', 'cifar10'), s)
            rows.append(dict(ops=ops, forward=fwd['trainability'], backward=ref['trainability_backward'],
                             seconds=time.perf_counter() - t0))

        def ranks(v):
            # average ranks of ties; −∞ ranks lowest
            v = np.asarray(v, dtype=np.float64)
            order = np.argsort(v, kind='stable')
            r = np.empty(len(v))
            i = 0
            while i < len(v):
                j = i
                while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
                    j += 1
                r[order[i:j + 1]] = (i + j) / 2
                i = j + 1
            return r

        def rho(a, b):
            return float(np.corrcoef(ranks(a), ranks(b))[0, 1])

        fw = [r['forward'] for r in rows]
        bw = [r['backward'] for r in rows]
        out = {'archs': len(rows), 'settings': s, 'rho_forward_backward': rho(fw, bw), 'rows': rows}
        if 'acc' in spec:
            out['rho_forward_acc'] = rho(fw, spec['acc'])
            out['rho_backward_acc'] = rho(bw, spec['acc'])
        print(json.dumps(out, allow_nan=True))
        return
    cases = []
    small = dict(batch=16, zenBatch=8, zenAlpha=0.01, seed=7)

    def case(a, ds, st):
        proxies = all_proxies(parse_arch(a), ds, st)
        tr, ref = trainability_proxy(parse_arch(a), ds, st)
        proxies.update(tr)
        ref = {**ref, **jacov_proxy(parse_arch(a), ds, st)[1]}
        # not a live proxy: AZ-NAS's backward trainability, for comparison with the forward-mode one
        return dict(arch=a, dataset=ds, settings=st, proxies=proxies, reference=ref)

    for a in FIXTURE_ARCHS:
        cases.append(case(a, 'cifar10', small))
    default = dict(batch=64, zenBatch=16, zenAlpha=0.01, seed=0)
    cases.append(case(FIXTURE_ARCHS[1], 'cifar10', default))
    for ds in ('cifar100', 'ImageNet16-120'):
        cases.append(case(FIXTURE_ARCHS[2], ds, small))
    # a weights/inputs spot check so a generator mismatch is caught before any proxy is compared
    probe = {
        'uniform': uniform(tensor_key(7, 'torch-default', 'cells.3.edge1.conv.weight'), 5, 1 / np.sqrt(144)).tolist(),
        'normal': normal(tensor_key(7, 'gaussian', 'stem.conv.weight'), 5).tolist(),
        'image0': image_batch('cifar10', 1).reshape(-1)[:5].tolist(),
    }
    doc = {'generator': 'scripts/gen-proxy-fixtures.py', 'torch': torch.__version__, 'probe': probe, 'cases': cases}
    with open(args.out, 'w') as f:
        json.dump(doc, f, indent=1, allow_nan=True)
    print(f'wrote {args.out}: {len(cases)} cases')


if __name__ == '__main__':
    sys.exit(main())
