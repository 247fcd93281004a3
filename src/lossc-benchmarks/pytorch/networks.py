#!/usr/bin/env python3
"""The benchmark networks in PyTorch on the CPU (float64, one thread unless --threads N): one
training step each (forward, loss, backward), timed like the JMH benchmarks (median of many rounds
after warm-up); then the two product-bound networks again in float32, against lossc's --precision
float.

Installs Debian's python3-torch (with OpenBLAS) when it is missing and this runs as root:
    python3 src/lossc-benchmarks/pytorch/networks.py [--threads N]

PyTorch is timed at its best (at_best.py): OpenBLAS's own thread pool bounded to the thread count,
passive OpenMP waiting at two threads, and freed buffers kept by malloc (the 1024^2 network's 8 MB
gradients are fresh every step since grads are reset to None; handed back to the kernel and mapped
again, they took 40 ms of a 60 ms step on this VM, against 17.6 ms kept); --glibc-defaults keeps
malloc's defaults.
"""
import os
import shutil
import subprocess
import sys
import time

from at_best import at_best, openblas_core


def ensure_torch():
    openblas = os.path.isdir("/usr/lib/x86_64-linux-gnu/openblas-pthread") or os.path.isdir("/usr/lib/aarch64-linux-gnu/openblas-pthread")
    try:
        import torch  # noqa: F401
        if openblas:
            return
    except ImportError:
        pass
    # Without OpenBLAS, Debian's PyTorch falls back to the reference BLAS, several times slower.
    if shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "python3-torch", "libopenblas0-pthread"], check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    if not openblas:
        print("warning: OpenBLAS is not installed; PyTorch's matrix products use the reference BLAS", file=sys.stderr)
        return
    sys.exit("PyTorch is not installed: apt-get install python3-torch libopenblas0-pthread")


ensure_torch()
THREADS = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1
at_best(THREADS, glibc_defaults="--glibc-defaults" in sys.argv)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(THREADS)
torch.set_default_dtype(torch.float64)
torch.manual_seed(42)


def params(*shapes):
    return [torch.randn(s) * 0.1 for s in shapes]


def leaf(*shapes):
    return [p.detach().requires_grad_(True) for p in params(*shapes)]


def step_fn(loss_fn, ps):
    def step():
        for p in ps:
            p.grad = None
        loss = loss_fn()
        loss.backward()
        return loss
    return step


def time_it(name, step, rounds=200, seconds=3.0):
    for _ in range(20):
        step()
    samples = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(samples) < 5:
        start = time.perf_counter_ns()
        for _ in range(rounds):
            step()
        samples.append((time.perf_counter_ns() - start) / rounds)
        if len(samples) > 1000:
            break
    samples.sort()
    median = samples[len(samples) // 2]
    print(f"{name:28s} {median / 1000:12.2f} us/step  ({len(samples)} rounds of {rounds})")


# 2-2-2 worked example
W1, b1, W2, b2 = leaf((2, 2), (), (2, 2), ())
x, t = torch.tensor([0.05, 0.10]), torch.tensor([0.01, 0.99])
time_it("worked example 2-2-2", step_fn(lambda: 0.5 * ((t - torch.sigmoid(W2 @ torch.sigmoid(W1 @ x + b1) + b2)) ** 2).sum(),
                                        [W1, b1, W2, b2]))

# four-layer 4-5-4-3
V1, V2, V3, w = leaf((5, 4), (4, 5), (3, 4), (3,))
x4, y4 = torch.randn(4), torch.tensor(0.3)
time_it("four-layer 4-5-4-3", step_fn(lambda: (w @ torch.sigmoid(V3 @ torch.sigmoid(V2 @ torch.sigmoid(V1 @ x4))) - y4) ** 2,
                                      [V1, V2, V3, w]))


def mlp(batch, d, h, k, relu, rounds):
    A, a, B, bb = leaf((d, h), (h,), (h, k), (k,))
    X = torch.randn(batch, d)
    if relu:
        labels = torch.randint(0, k, (batch,))
        fn = lambda: F.cross_entropy(torch.relu(X @ A + a) @ B + bb, labels)  # noqa: E731
    else:
        Y = torch.randn(batch, k)
        fn = lambda: F.mse_loss(torch.tanh(X @ A + a) @ B + bb, Y)  # noqa: E731
    return step_fn(fn, [A, a, B, bb]), rounds


time_it("784-128-10 relu+ce, batch 32", *mlp(32, 784, 128, 10, True, 20))
time_it("784-128-10 relu+ce, batch 1", *mlp(1, 784, 128, 10, True, 50))
time_it("1024^2 tanh mlp, batch 64", *mlp(64, 1024, 1024, 1024, False, 1), seconds=10.0)

# tanh RNN, T = 50, 32 -> 64 -> 10
U, V, W, b, c = leaf((64, 32), (64, 64), (10, 64), (64,), (10,))
xs, h0 = torch.randn(50, 32), torch.randn(64)
labels = torch.randint(0, 10, (50,))


def rnn():
    h = h0
    total = 0
    for s in range(50):
        h = torch.tanh(U @ xs[s] + V @ h + b)
        total = total + F.cross_entropy((W @ h + c).unsqueeze(0), labels[s:s + 1])
    return total / 50


time_it("tanh rnn T=50 32-64-10", step_fn(rnn, [U, V, W, b, c]), rounds=5)

# LeNet-5, batch 32 (Convolutions): conv 1->6 5x5 pad 2, relu, max pool 2; conv 6->16 5x5, relu, max pool 2; 400-120-84-10
K1, c1, K2, c2, W3, b3, W4, b4, W5, b5 = leaf((6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (84, 120), (84,),
                                              (10, 84), (10,))
images, digit = torch.rand(32, 1, 28, 28), torch.randint(0, 10, (32,))


def lenet5():
    h = F.max_pool2d(torch.relu(F.conv2d(images, K1, c1, padding=2)), 2)
    h = F.max_pool2d(torch.relu(F.conv2d(h, K2, c2)), 2)
    h = torch.relu(F.linear(h.flatten(1), W3, b3))
    h = torch.relu(F.linear(h, W4, b4))
    return F.cross_entropy(F.linear(h, W5, b5), digit)


time_it("lenet-5, batch 32", step_fn(lenet5, [K1, c1, K2, c2, W3, b3, W4, b4, W5, b5]), rounds=10)

torch.set_default_dtype(torch.float32)
time_it("784-128-10 relu+ce, batch 32, float32", *mlp(32, 784, 128, 10, True, 20))
time_it("1024^2 tanh mlp, batch 64, float32", *mlp(64, 1024, 1024, 1024, False, 1), seconds=10.0)
print(f"PyTorch {torch.__version__}, float64 (float32 where named), {torch.get_num_threads()} thread(s)"
      + f", OpenBLAS's {openblas_core() or 'no OpenBLAS'} kernels"
      + (", glibc malloc defaults" if "--glibc-defaults" in sys.argv else ", freed buffers kept (MALLOC_MMAP_THRESHOLD_)"))
