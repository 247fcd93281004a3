#!/usr/bin/env python3
"""Records torch.optim trajectories for the runtime's optimizer tests: for each optimizer setting,
a fixed sequence of gradients is applied to fixed initial parameters (float64) and the parameters
after every step are written out, with the learning rates of StepLR and CosineAnnealingLR per epoch.
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

out = {"torch": torch.__version__, "initial": p0.tolist(), "gradients": grads.tolist(), "runs": runs, "schedules": schedules}
path = os.path.join(ROOT, "src", "lossc-runtime", "src", "test", "resources", "torch_optim.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", path)
