#!/usr/bin/env python3
"""Records torch.optim trajectories for the runtime's optimizer tests: for each optimizer setting,
a fixed sequence of gradients is applied to fixed initial parameters (float64) and the parameters
after every step are written out, with the learning rates of StepLR, CosineAnnealingLR, LinearLR and
a warm-up SequentialLR per epoch, ReduceLROnPlateau's rates on a fixed metric, and the gradients
clip_grad_norm_ and clip_grad_value_ leave.
Run once; the output is checked in as
src/lossc-runtime/src/test/resources/torch_optim.json. Needs Debian's python3-torch."""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N, STEPS = 6, 25
g = torch.Generator().manual_seed(2026)
p0 = torch.randn(N, generator=g)
# Gradients of mixed scale and sign, a zero, and one that flips: the corners of the adaptive rules.
grads = torch.randn(STEPS, N, generator=g) * torch.tensor([1.0, 0.1, 10.0, 1.0, 0.01, 3.0])
grads[5, 1] = 0.0
grads[::2, 3] *= -1

SETTINGS = [
    ("sgd", dict(lr=0.1)),
    ("sgd", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.001)),
    ("adagrad", dict(lr=0.1)),
    ("adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1, eps=1e-10)),
    ("rmsprop", dict(lr=0.01)),
    ("rmsprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.01, momentum=0.5, centered=True)),
    ("adam", dict(lr=0.01)),
    ("adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-7, weight_decay=0.01, amsgrad=True)),
    ("adamw", dict(lr=0.01)),
    ("adamw", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
]
CLASSES = {"sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
           "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}

runs = []
for name, options in SETTINGS:
    p = p0.clone().requires_grad_(True)
    opt = CLASSES[name]([p], **options)
    trajectory = []
    for t in range(STEPS):
        p.grad = grads[t].clone()
        opt.step()
        trajectory.append(p.detach().tolist())
    runs.append({"optimizer": name, "options": {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()},
                 "trajectory": trajectory})

schedules = []
for name, make in [("step", lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
                   ("cosine", lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001))]:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    s = make(opt)
    rates = []
    for epoch in range(12):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        s.step()
    schedules.append({"schedule": name, "rates": rates})

# Warm-up: LinearLR alone, and SequentialLR of a linear warm-up and a cosine annealing.
def warmup_then_cosine(o):
    return torch.optim.lr_scheduler.SequentialLR(o, [torch.optim.lr_scheduler.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=4),
                                                     torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=8, eta_min=0.0)], milestones=[4])
for name, make in [("linear", lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.25, end_factor=0.75, total_iters=5)),
                   ("warmup_cosine", warmup_then_cosine)]:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    s = make(opt)
    rates = []
    for epoch in range(12):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        s.step()
    schedules.append({"schedule": name, "rates": rates})

# ReduceLROnPlateau on a metric that improves, stalls, improves a little (below the threshold), then falls.
metrics = [1.0, 0.8, 0.7, 0.7, 0.69995, 0.7, 0.71, 0.7, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]
plateaus = []
for options in [dict(factor=0.5, patience=2), dict(factor=0.1, patience=1, threshold=0.01, cooldown=2, min_lr=0.0015)]:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    s = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", **options)
    rates = []
    for m in metrics:
        opt.step()
        s.step(m)
        rates.append(opt.param_groups[0]["lr"])
    plateaus.append({"options": options, "metrics": metrics, "rates": rates})

# Clipping the gradients of one flat parameter, as clip_grad_norm_ and clip_grad_value_ do.
clips = []
for max_norm in [0.5, 1e3]:
    p = torch.zeros(N, requires_grad=True)
    p.grad = grads[2].clone()
    total = torch.nn.utils.clip_grad_norm_([p], max_norm)
    clips.append({"kind": "norm", "limit": max_norm, "grad": grads[2].tolist(), "clipped": p.grad.tolist(), "norm": float(total)})
p = torch.zeros(N, requires_grad=True)
p.grad = grads[2].clone()
torch.nn.utils.clip_grad_value_([p], 0.3)
clips.append({"kind": "value", "limit": 0.3, "grad": grads[2].tolist(), "clipped": p.grad.tolist()})

out = {"torch": torch.__version__, "initial": p0.tolist(), "gradients": grads.tolist(), "runs": runs, "schedules": schedules,
       "plateaus": plateaus, "clips": clips}
path = os.path.join(ROOT, "src", "lossc-runtime", "src", "test", "resources", "torch_optim.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", path)
