#!/usr/bin/env python3
"""Records torch.optim.LBFGS trajectories for the runtime's L-BFGS test: on the Rosenbrock function
in 4 dimensions and on a small logistic regression (fixed data), with and without the strong-Wolfe
line search and with a short history, the parameters and the returned loss after every step(closure),
and the evaluations and iterations so far. Run once; the output is checked in as
src/lossc-runtime/src/test/resources/torch_lbfgs.json. Needs Debian's python3-torch."""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
g = torch.Generator().manual_seed(7)
X = torch.randn(12, 3, generator=g)
Y = (torch.randn(12, generator=g) > 0).to(torch.float64)


def rosenbrock(p):
    return ((1 - p[:-1]) ** 2).sum() + 100 * ((p[1:] - p[:-1] ** 2) ** 2).sum()


def logistic(p):
    z = X @ p[:3] + p[3]
    return torch.nn.functional.binary_cross_entropy_with_logits(z, Y) + 0.01 * (p[:3] ** 2).sum()


FUNCTIONS = {"rosenbrock": (rosenbrock, [-1.2, 1.0, -0.5, 0.8]), "logistic": (logistic, [0.5, -0.3, 0.2, 0.1])}
SETTINGS = [
    dict(),
    dict(line_search_fn="strong_wolfe"),
    dict(lr=0.5, max_iter=5, history_size=3),
    dict(max_iter=7, history_size=2, line_search_fn="strong_wolfe", tolerance_change=1e-12),
]
runs = []
for name, (f, start) in FUNCTIONS.items():
    for options in SETTINGS:
        p = torch.tensor(start, requires_grad=True)
        opt = torch.optim.LBFGS([p], **options)

        def closure():
            opt.zero_grad()
            loss = f(p)
            loss.backward()
            return loss
        steps = []
        for _ in range(6):
            loss = opt.step(closure)
            state = opt.state[p]
            steps.append({"loss": float(loss), "params": p.detach().tolist(), "func_evals": state["func_evals"], "n_iter": state["n_iter"]})
        runs.append({"function": name, "start": start, "options": options, "steps": steps})
out = {"data": {"X": X.tolist(), "Y": Y.tolist()}, "runs": runs}
with open(os.path.join(ROOT, "src", "lossc-runtime", "src", "test", "resources", "torch_lbfgs.json"), "w") as f:
    json.dump(out, f, indent=1)
print("wrote", len(runs), "runs")
