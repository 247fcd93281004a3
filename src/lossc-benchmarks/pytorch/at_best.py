"""PyTorch on the CPU at its best, for the timing scripts (networks.py here, tools/pytorch_hvp_bench.py).

Call at_best(threads) before importing torch: it re-runs the script, once, with
- OPENBLAS_NUM_THREADS (and OMP_NUM_THREADS) set to the thread count: OpenBLAS keeps a thread pool
  of its own, as many threads as the machine has cores, whatever torch.set_num_threads says, and a
  "one thread" step ran its matrix products on both cores of this VM (CPU time twice the wall time);
- at two threads or more, OMP_WAIT_POLICY=PASSIVE: OpenMP's threads spin while they wait, on the
  cores OpenBLAS's threads need (the 1024^2 step: 21.6 ms at two threads so, 11.4 ms passive);
- unless glibc_defaults, MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ raised, so that the
  buffers a step frees are reused rather than handed back to the kernel and mapped afresh (on this
  VM that alone took 40 ms of a 60 ms 1024^2 step);
- OPENBLAS_CORETYPE, where OpenBLAS does not know the CPU and falls back to its Prescott kernels
  (SSE3, no AVX): SkylakeX's where the CPU has AVX-512, Haswell's where it has AVX2. Debian's
  OpenBLAS 0.3.21 does not know the Xeons of CPU model 207 (2026-12-07): a lone 64 x 1024 x 1024
  float64 product took 12.6 ms on Prescott's kernels, 2.5 ms on SkylakeX's.
"""
import ctypes
import os
import sys


def openblas_core():
    """The kernels OpenBLAS picks here (its openblas_get_corename), or None without OpenBLAS."""
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return None


def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _core_for_unknown_cpu():
    """The OPENBLAS_CORETYPE this CPU needs when OpenBLAS falls back to Prescott, else None."""
    if "OPENBLAS_CORETYPE" in os.environ or (openblas_core() or "").lower() != "prescott":
        return None
    flags = _cpu_flags()
    if {"avx512f", "avx512vl", "avx512bw", "avx512dq"} <= flags:
        return "SkylakeX"
    if {"avx2", "fma"} <= flags:
        return "Haswell"
    return None


def at_best(threads, glibc_defaults=False):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    core = _core_for_unknown_cpu()
    if core:
        env["OPENBLAS_CORETYPE"] = core
    if threads > 1:
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if not glibc_defaults:
        env.setdefault("MALLOC_MMAP_THRESHOLD_", "1073741824")
        env.setdefault("MALLOC_TRIM_THRESHOLD_", "1073741824")
    if any(os.environ.get(key) != value for key, value in env.items()):
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
