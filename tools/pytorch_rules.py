#!/usr/bin/env python3
"""tools/pytorch_rules.loss against PyTorch (float64): its custom rules written as
torch.autograd.Function (backward for the grad rule, jvp for the jvp rule) and stop_gradient as
detach. Prints the largest relative difference of the loss, gradient, Hessian-vector product
(double backward) and jvp (torch.autograd.forward_ad) from `./lossc eval`. The clipping bound
saturates in the gradient; the Hessian-vector product is compared with the bound raised to 5,
where the clip passes every adjoint: PyTorch's double backward differentiates through the
backward rule (a clamp, not linear in dy), lossc's forward over reverse through the jvp rule, and
the two agree only where the grad rule is the jvp rule's transpose. With --write, it
records PyTorch's figures (flat, by name; recorded with torch 1.13) in src/lossc-core/src/test/resources/rules/torch_rules.json for
CustomRulesTest. Needs Debian's python3-torch. Exits 1 above 1e-12."""
import json
import os
import subprocess
import sys
import tempfile

import torch
import torch.autograd.forward_ad as fwAD

torch.set_default_dtype(torch.float64)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "tools", "pytorch_rules.loss")
VALUES = os.path.join(ROOT, "tools", "pytorch_rules.json")
PARAMS = ["W", "U", "b"]
CLIP = [0.05]


class ClipGrad(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v):
        return v.clone()

    @staticmethod
    def backward(ctx, dy):
        return dy.clamp(-CLIP[0], CLIP[0])

    @staticmethod
    def jvp(ctx, dv):
        return dv


class Ste(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v):
        return (v > 0).to(v.dtype)

    @staticmethod
    def backward(ctx, dy):
        return dy

    @staticmethod
    def jvp(ctx, dv):
        return dv


class Log1pexp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v):
        ctx.save_for_backward(v)
        ctx.save_for_forward(v)
        return v.clamp(min=0) + torch.log(1 + torch.exp(-v.abs()))

    @staticmethod
    def backward(ctx, dy):
        v, = ctx.saved_tensors
        return dy * torch.sigmoid(v)

    @staticmethod
    def jvp(ctx, dv):
        v, = ctx.saved_tensors
        return dv * torch.sigmoid(v)


class Scaled(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, s):
        ctx.save_for_backward(a, s)
        ctx.save_for_forward(a, s)
        return a * s

    @staticmethod
    def backward(ctx, dy):
        a, s = ctx.saved_tensors
        return dy * s, (dy * a).sum()

    @staticmethod
    def jvp(ctx, da, ds):
        a, s = ctx.saved_tensors
        return da * s + a * ds


def model(v):
    X, y, W, U, b = v["X"], v["y"], v["W"], v["U"], v["b"]
    h = torch.zeros(2)
    for t in range(X.shape[0]):
        h = torch.tanh(W @ X[t] + U @ ClipGrad.apply(h) + b)
    gate = Ste.apply(h) * h
    z = Scaled.apply(gate, (b * b).sum())
    return Log1pexp.apply(z - y).sum() + 0.5 * ((h - h.detach() * 0.5) ** 2).sum()


def main():
    clipped = run(MODEL, 0.05)
    with tempfile.NamedTemporaryFile("w", suffix=".loss", delete=False) as f:
        f.write(open(MODEL).read().replace("clamp(dy, -0.05, 0.05)", "clamp(dy, -5.0, 5.0)"))
    try:
        passing = run(f.name, 5.0)
    finally:
        os.unlink(f.name)
    worst = {k: clipped[0][k] for k in ("loss", "gradient", "jvp")}
    worst["hvp (bound 5)"] = passing[0]["hvp"]
    for k, w in worst.items():
        print(f"{k:14s} max relative difference {w:.1e}")
    if "--write" in sys.argv:
        path = os.path.join(ROOT, "src", "lossc-core", "src", "test", "resources", "rules", "torch_rules.json")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as out:
            flat = {}
            for tag, ref in (("clip005", clipped[1]), ("clip5", passing[1])):
                flat[tag + "_loss"] = ref["loss"]
                flat[tag + "_jvp"] = ref["jvp"]
                for p in PARAMS:
                    flat[tag + "_gradient_" + p] = ref["gradient"][p]
                    flat[tag + "_hvp_" + p] = ref["hvp"][p]
                    flat["direction_" + p] = ref["direction"][p]
            json.dump(flat, out)
            out.write("\n")
    if not all(w <= 1e-12 for w in worst.values()):
        print("differs from PyTorch")
        sys.exit(1)
    print("agrees with PyTorch", torch.__version__)


def run(model_file, clip):
    CLIP[0] = clip
    values = {k: torch.tensor(x) for k, x in json.load(open(VALUES)).items()}
    params = [values[p].clone().requires_grad_(True) for p in PARAMS]
    v = dict(values, **dict(zip(PARAMS, params)))
    direction = [torch.sin(torch.arange(p.numel(), dtype=torch.float64) * 0.7 + k).reshape(p.shape) for k, p in enumerate(params)]
    loss = model(v)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    gv = sum((g * d).sum() for g, d in zip(grads, direction))
    hvp = torch.autograd.grad(gv, params)
    with fwAD.dual_level():
        duals = dict(values, **{p: fwAD.make_dual(values[p], d) for p, d in zip(PARAMS, direction)})
        jvp = fwAD.unpack_dual(model(duals)).tangent.item()
    torch_out = {"loss": loss.item(), "gradient": {p: g.tolist() for p, g in zip(PARAMS, grads)},
                 "direction": {p: d.tolist() for p, d in zip(PARAMS, direction)},
                 "hvp": {p: h.tolist() for p, h in zip(PARAMS, hvp)}, "jvp": jvp}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(torch_out["direction"], f)
    try:
        got = json.loads(subprocess.run([os.path.join(ROOT, "lossc"), "eval", model_file, "--values", VALUES, "--hvp", f.name, "--jvp", f.name],
                                        capture_output=True, text=True, check=True).stdout)
    finally:
        os.unlink(f.name)

    def rel(mine, theirs):
        a, b = torch.tensor(mine), torch.tensor(theirs)
        return ((a - b).abs().max() / max(1.0, b.abs().max().item())).item()

    worst = {"loss": rel(got["loss"], torch_out["loss"]),
             "gradient": max(rel(got["gradient"][p], torch_out["gradient"][p]) for p in PARAMS),
             "hvp": max(rel(got["hvp"][p], torch_out["hvp"][p]) for p in PARAMS),
             "jvp": rel(got["jvp"]["loss"], torch_out["jvp"])}
    return worst, torch_out

main()
