"""PyTorch reference check of exported models (run by test/unit/modelexport.test.ts with Debian's python3-torch).

For every case folder given on the command line (written by the test): imports the exported model.py, builds it,
counts its parameters and multiply-adds with forward hooks (the spaces' counting conventions), loads the ONNX
model's initialisers (weights.bin + weights.json, written from the .onnx by the test) into the module by name
(AutoFormer's fused qkv = concatenation of the ONNX q, k, v projections), runs the module in eval mode on the
test's input and prints one JSON line per case with the figures and the largest difference to ONNX Runtime's
output. Nothing here is a runtime dependency of the product.
"""

import importlib.util
import json
import os
import sys

import numpy as np
import torch
from torch import nn


def count_flops(model, x, linear_bias):
    total = [0]
    hooks = []

    def conv_hook(m, inp, out):
        total[0] += out.numel() // out.shape[0] * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def linear_hook(m, inp, out):
        rows = out.numel() // out.shape[0] // m.out_features
        total[0] += rows * m.in_features * m.out_features + (m.out_features * rows if linear_bias else 0)

    def attn_hook(m, inp, out):
        n = inp[0].shape[1]
        total[0] += 2 * n * n * (m.qkv.out_features // 3)

    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
        elif type(m).__name__ == "Attention":
            hooks.append(m.register_forward_hook(attn_hook))
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return total[0]


def check(case):
    meta = json.load(open(os.path.join(case, "meta.json")))
    spec = importlib.util.spec_from_file_location(f"exported_{os.path.basename(case)}", os.path.join(case, "model.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)

    torch.manual_seed(0)
    full = mod.build(num_classes=meta["num_classes"])
    params = sum(p.numel() for p in full.parameters())
    res = meta["flops_resolution"]
    kwargs = dict(meta.get("build_kwargs", {}))
    model = mod.build(num_classes=meta["num_classes"], **kwargs) if kwargs else full
    model.eval()
    flops = count_flops(model, torch.zeros(1, 3, res, res), meta["linear_bias_flops"])

    manifest = json.load(open(os.path.join(case, "weights.json")))
    blob = np.fromfile(os.path.join(case, "weights.bin"), dtype=np.float32)

    def onnx_tensor(name):
        e = manifest[name]
        return torch.from_numpy(blob[e["offset"] : e["offset"] + int(np.prod(e["dims"]))].reshape(e["dims"]).copy())

    state = model.state_dict()
    loaded, missing, used = {}, [], set()
    for key, value in state.items():
        if key.endswith("num_batches_tracked"):
            continue
        if key in manifest:
            loaded[key] = onnx_tensor(key)
            used.add(key)
        elif ".attn.qkv." in key:
            parts = [key.replace(".qkv.", f".{p}.") for p in ("q", "k", "v")]
            if all(p in manifest for p in parts):
                loaded[key] = torch.cat([onnx_tensor(p) for p in parts], 0)
                used.update(parts)
            else:
                missing.append(key)
        else:
            missing.append(key)
    shape_mismatch = [k for k, v in loaded.items() if tuple(v.shape) != tuple(state[k].shape)]
    model.load_state_dict(loaded, strict=False)
    unused = sorted(k for k in manifest if k not in used)

    x = torch.from_numpy(np.fromfile(os.path.join(case, "input.bin"), dtype=np.float32).reshape(meta["input_shape"]))
    ref = np.fromfile(os.path.join(case, "output.bin"), dtype=np.float32).reshape(meta["output_shape"])
    with torch.no_grad():
        y = model(x).numpy()
    return {
        "case": os.path.basename(case),
        "params": params,
        "flops": flops,
        "output_shape": list(y.shape),
        "max_abs_diff": float(np.abs(y - ref).max()),
        "max_abs_ref": float(np.abs(ref).max()),
        "missing": missing,
        "unused": unused,
        "shape_mismatch": shape_mismatch,
    }


if __name__ == "__main__":
    torch.set_num_threads(1)
    for c in sys.argv[1:]:
        print(json.dumps(check(c)), flush=True)
