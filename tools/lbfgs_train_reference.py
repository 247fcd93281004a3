#!/usr/bin/env python3
"""Records torch.optim.LBFGS (strong-Wolfe line search, PyTorch's other defaults) training two models
on full batches, for `lossc train --optimizer lbfgs --batch all`'s test: examples/two_class.loss on
the two moons (examples/data/two_class_train.csv) and a small regression (a tanh layer, 60 rows drawn
here). Writes each model's initial parameters (drawn here; NAME_init.json, a params file) and the loss each
step returns (the loss at its start, what lossc prints per epoch; NAME_losses.txt) into
src/lossc-cli/src/test/resources/lbfgs/. Run once.
Needs Debian's python3-torch."""
import csv
import json
import os

import torch

torch.set_default_dtype(torch.float64)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "lossc-cli", "src", "test", "resources", "lbfgs")
STEPS = 8
g = torch.Generator().manual_seed(26)


def train(params, loss_fn):
    opt = torch.optim.LBFGS(params, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss
    return [float(opt.step(closure)) for _ in range(STEPS)]


# Two moons: tanh(X W1^T + b1) W2^T + b2, cross-entropy.
rows = list(csv.DictReader(open(os.path.join(ROOT, "examples", "data", "two_class_train.csv"))))
X = torch.tensor([[float(r["X[0]"]), float(r["X[1]"])] for r in rows])
labels = torch.tensor([int(r["labels"]) for r in rows])
p = {"W1": torch.randn(16, 2, generator=g) * 0.5, "b1": torch.zeros(16), "W2": torch.randn(2, 16, generator=g) * 0.5, "b2": torch.zeros(2)}
init = {k: v.tolist() for k, v in p.items()}
for v in p.values():
    v.requires_grad_(True)
losses = train(list(p.values()), lambda: torch.nn.functional.cross_entropy(torch.tanh(X @ p["W1"].T + p["b1"]) @ p["W2"].T + p["b2"], labels))
def write(name, init, losses):
    json.dump(init, open(os.path.join(OUT, name + "_init.json"), "w"), indent=1)
    open(os.path.join(OUT, name + "_losses.txt"), "w").write("".join(repr(x) + "\n" for x in losses))


write("two_class", init, losses)

# A small regression: y = sin(x . a) + noise, fitted by tanh(x W^T) v + c.
x = torch.randn(60, 3, generator=g)
y = torch.sin(x @ torch.tensor([1.0, -2.0, 0.5])) + 0.05 * torch.randn(60, generator=g)
with open(os.path.join(OUT, "regression.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["x[0]", "x[1]", "x[2]", "y"])
    for i in range(60):
        w.writerow([repr(v) for v in x[i].tolist()] + [repr(y[i].item())])
q = {"W": torch.randn(8, 3, generator=g) * 0.5, "v": torch.randn(8, generator=g) * 0.5, "c": torch.zeros(())}
init = {k: (v.tolist() if v.dim() else v.item()) for k, v in q.items()}
for v in q.values():
    v.requires_grad_(True)
losses = train(list(q.values()), lambda: ((torch.tanh(x @ q["W"].T) @ q["v"] + q["c"] - y) ** 2).mean())
write("regression", init, losses)
print("wrote", OUT)
