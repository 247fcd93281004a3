#!/usr/bin/env python3
"""Writes the example data sets of examples/data (deterministic: fixed seeds, plain Python):
two_class_{train,val}.csv, a noisy 2-D two-class problem (two interleaved half-moons, 5% of the
labels flipped) in the columns of examples/two_class.loss (X[0], X[1], labels), and
hinge_{train,val}.csv, the same points as features phi = (x0, x1, 1) with labels y = -1/+1 for
examples/hinge.loss. worked_example.csv (the 2-2-2 network's one example) is written by hand."""
import math
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "examples", "data")


def moons(n, seed):
    r = random.Random(seed)
    rows = []
    for i in range(n):
        label = i % 2
        t = r.uniform(0, math.pi)
        if label == 0:
            x, y = math.cos(t), math.sin(t)
        else:
            x, y = 1 - math.cos(t), 0.5 - math.sin(t)
        x += r.gauss(0, 0.2)
        y += r.gauss(0, 0.2)
        if r.random() < 0.05:
            label = 1 - label
        rows.append((round(x, 5), round(y, 5), label))
    return rows


def write(name, header, rows):
    with open(os.path.join(OUT, name), "w") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(str(v) for v in row) + "\n")


os.makedirs(OUT, exist_ok=True)
for part, n, seed in (("train", 400, 1), ("val", 200, 2)):
    rows = moons(n, seed)
    write(f"two_class_{part}.csv", ["X[0]", "X[1]", "labels"], rows)
    write(f"hinge_{part}.csv", ["phi[0]", "phi[1]", "phi[2]", "y"], [(x, y, 1, 1 if c == 1 else -1) for x, y, c in rows])
print("wrote", OUT)
