"""PyTorch on the CPU at its best, for the timing scripts (networks.py here, tools/pytorch_hvp_bench.py).

Call at_best(threads) before importing torch: it re-runs the script, once, with
- OPENBLAS_NUM_THREADS (and OMP_NUM_THREADS) set to the thread count: OpenBLAS keeps a thread pool
  of its own, as many threads as the machine has cores, whatever torch.set_num_threads says, and a
  "one thread" step ran its matrix products on both cores of this VM (CPU time twice the wall time);
- at two threads or more, OMP_WAIT_POLICY=PASSIVE: OpenMP's threads spin while they wait, on the
  cores OpenBLAS's threads need (the 1024^2 step: 21.6 ms at two threads so, 11.4 ms passive);
- unless glibc_defaults, MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ raised, so that the
  buffers a step frees are reused rather than handed back to the kernel and mapped afresh (on this
  VM that alone took 40 ms of a 60 ms 1024^2 step).
"""
import os
import sys


def at_best(threads, glibc_defaults=False):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    if threads > 1:
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if not glibc_defaults:
        env.setdefault("MALLOC_MMAP_THRESHOLD_", "1073741824")
        env.setdefault("MALLOC_TRIM_THRESHOLD_", "1073741824")
    if any(os.environ.get(key) != value for key, value in env.items()):
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
