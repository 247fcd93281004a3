#!/usr/bin/env python3
"""Times PyTorch (float64, one thread unless --threads N) on the networks of the SecondOrder JMH
benchmark: a loss-and-gradient call (forward and backward) and a Hessian-vector product by double
backward (the gradient with create_graph, its dot with v, and the gradient of that), the median of
many calls each. Prints microseconds per call. Needs Debian's python3-torch.

Like src/lossc-benchmarks/pytorch/networks.py, it runs PyTorch at its best (at_best.py there:
OpenBLAS's pool bounded to the thread count, passive OpenMP waiting, freed buffers kept)."""
import os
import sys
import time

THREADS = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "lossc-benchmarks", "pytorch"))
from at_best import at_best  # noqa: E402

at_best(THREADS)

import torch  # noqa: E402

torch.set_default_dtype(torch.float64)
torch.set_num_threads(THREADS)
F = torch.nn.functional
g = torch.Generator().manual_seed(26)


def rand(*shape):
    return torch.randn(*shape, generator=g)


def param(*shape):
    return (rand(*shape) * 0.1).requires_grad_(True)


def four_layer():
    p = [param(5, 4), param(4, 5), param(3, 4), param(3)]
    x = rand(4)
    return p, lambda: (p[3] @ torch.sigmoid(p[2] @ torch.sigmoid(p[1] @ torch.sigmoid(p[0] @ x))) - 0.5) ** 2


def rnn50():
    T, X, H, O = 50, 32, 64, 10
    p = [param(H, X), param(H, H), param(O, H), param(H), param(O)]
    xs, h0 = rand(T, X), rand(H)
    targets = torch.randint(0, O, (T,), generator=g)

    def loss():
        h, total = h0, 0
        for t in range(T):
            h = torch.tanh(p[0] @ xs[t] + p[1] @ h + p[3])
            total = total + F.cross_entropy((p[2] @ h + p[4]).unsqueeze(0), targets[t].unsqueeze(0))
        return total
    return p, loss


def mnist32():
    p = [param(784, 128), param(128), param(128, 10), param(10)]
    x = rand(32, 784)
    y = torch.randint(0, 10, (32,), generator=g)
    return p, lambda: F.cross_entropy(F.relu(x @ p[0] + p[1]) @ p[2] + p[3], y)


def mlp1024():
    p = [param(1024, 1024), param(1024), param(1024, 1024), param(1024)]
    x, y = rand(64, 1024), rand(64, 1024)
    return p, lambda: F.mse_loss(torch.tanh(x @ p[0] + p[1]) @ p[2] + p[3], y)


def median_us(f, calls):
    for _ in range(max(3, calls // 5)):
        f()
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2] * 1e6


for name, make, calls in (("four_layer", four_layer, 2000), ("rnn50", rnn50, 200), ("mnist32", mnist32, 300), ("mlp1024", mlp1024, 30)):
    p, loss = make()
    v = [torch.randn(q.shape, generator=g) for q in p]

    def gradient():
        for q in p:
            q.grad = None
        loss().backward()

    def hvp():
        grads = torch.autograd.grad(loss(), p, create_graph=True)
        return torch.autograd.grad(sum((a * b).sum() for a, b in zip(grads, v)), p)
    gt, ht = median_us(gradient, calls), median_us(hvp, calls)
    print(f"{name:12s} gradient {gt:10.1f} us   hvp {ht:10.1f} us   ratio {ht / gt:.2f}")
