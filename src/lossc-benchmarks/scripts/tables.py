#!/usr/bin/env python3
"""Markdown tables from the JMH JSON files and the PyTorch script's output in a directory
(written by tables.sh): one row per network and JDK, times as JMH measured them, ratios computed
from the same run."""
import json
import os
import re
import sys

# One core's FMA peak comes from the same run: Peak.fmaDouble / Peak.fmaFloat do 2 x lanes x 8 x
# STEPS flop per call on the widest vectors (8 doubles and 16 floats with AVX-512, else 4 and 8).
PEAK_STEPS = 10_000_000


def vector_bytes():
    try:
        return 64 if " avx512f" in open("/proc/cpuinfo").read() else 32
    except OSError:
        return 32

# network: (label, class.prefix, pytorch name, flop per loss+gradient call or None)
NETWORKS = [
    ("2-2-2 worked example", "SmallNetworks.workedExample", "worked example 2-2-2", None),
    ("four-layer 4-5-4-3", "SmallNetworks.fourLayer", "four-layer 4-5-4-3", None),
    ("tanh RNN, T = 6, 3 → 5 → 4", "SmallNetworks.rnn", None, None),
    ("784-128-10 ReLU + CE, batch 1", "Networks.mnist1", "784-128-10 relu+ce, batch 1", None),
    ("784-128-10 ReLU + CE, batch 32", "Networks.mnist32", "784-128-10 relu+ce, batch 32", None),
    # Forward 2 products, backward 3 (dW2, dH, dW1), each 64 × 1024 × 1024 multiply-adds.
    ("1024-1024-1024 tanh MLP, batch 64", "Networks.mlp1024", "1024^2 tanh mlp, batch 64", 5 * 2 * 64 * 1024 * 1024),
    ("tanh RNN, T = 50, 32 → 64 → 10", "Networks.rnn50", "tanh rnn T=50 32-64-10", None),
    ("784-128-10 batch 32, `--simd`", "SimdNetworks.mnist32Simd", "784-128-10 relu+ce, batch 32", None),
    ("1024² tanh MLP batch 64, `--simd`", "SimdNetworks.mlp1024Simd", "1024^2 tanh mlp, batch 64", 5 * 2 * 64 * 1024 * 1024),
    # Against PyTorch in float32; share of the FP32 peak.
    ("784-128-10 batch 32, `--precision float`", "FloatNetworks.mnist32Float", "784-128-10 relu+ce, batch 32, float32", None),
    ("784-128-10 batch 32, `--precision float --simd`", "FloatNetworks.mnist32FloatSimd", "784-128-10 relu+ce, batch 32, float32", None),
    ("1024² tanh MLP batch 64, `--precision float`", "FloatNetworks.mlp1024Float", "1024^2 tanh mlp, batch 64, float32",
     5 * 2 * 64 * 1024 * 1024),
    ("1024² tanh MLP batch 64, `--precision float --simd`", "FloatNetworks.mlp1024FloatSimd", "1024^2 tanh mlp, batch 64, float32",
     5 * 2 * 64 * 1024 * 1024),
]

NS = {"ns/op": 1.0, "us/op": 1e3, "ms/op": 1e6}


def fmt(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:,.1f} µs"
    return f"{ns:.1f} ns"


def jmh(path):
    results = {}
    for r in json.load(open(path)):
        parts = r["benchmark"].split(".")
        pm = r["primaryMetric"]
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        results[parts[-2] + "." + parts[-1]] = (pm["score"] * NS[pm["scoreUnit"]], pm["scoreError"] * NS[pm["scoreUnit"]], alloc)
    return results


def pytorch(path):
    steps = {}
    if os.path.exists(path):
        for line in open(path):
            m = re.match(r"(.+?)\s+([0-9.]+) us/step", line)
            if m:
                steps[m.group(1).strip()] = float(m.group(2)) * 1e3
    return steps


def peaks(r):
    """GFLOP/s of the Peak benchmarks in this run: (FP64, FP32), None where absent."""
    lanes = vector_bytes() // 8
    double = r.get("Peak.fmaDouble")
    single = r.get("Peak.fmaFloat")
    return (2 * lanes * 8 * PEAK_STEPS / double[0] if double else None,
            2 * 2 * lanes * 8 * PEAK_STEPS / single[0] if single else None)


def main(directory):
    torch = pytorch(os.path.join(directory, "pytorch.txt"))
    print("| network | JDK | loss | loss + gradient | grad / loss | hand-written | lossc / hand | tape | tape / lossc | PyTorch step | PyTorch / lossc | bytes per call |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    notes = []
    for jdk in ("jdk17", "jdk25"):
        path = os.path.join(directory, jdk + ".json")
        if not os.path.exists(path):
            continue
        r = jmh(path)
        peak_double, peak_float = peaks(r)
        for label, prefix, torch_name, flop in NETWORKS:
            loss = r.get(prefix + "Loss")
            full = r.get(prefix + "Lossc")
            if not full:
                continue
            hand = r.get(prefix + "ByHand")
            tape = r.get(prefix + "Tape")
            step = torch.get(torch_name) if torch_name else None
            cells = [label, "17" if jdk == "jdk17" else "25"]
            cells.append(fmt(loss[0]) if loss else "—")
            text = f"{fmt(full[0])} ± {fmt(full[1])}"
            if flop:
                gflops = flop / full[0]
                peak = peak_float if prefix.startswith("FloatNetworks.") else peak_double
                share = f", {100 * gflops / peak:.0f}% of peak" if peak else ""
                text += f" ({gflops:.1f} GFLOP/s{share})"
            cells.append(text)
            cells.append(f"{full[0] / loss[0]:.2f}" if loss else "—")
            cells.append(fmt(hand[0]) if hand else "—")
            cells.append(f"{full[0] / hand[0]:.2f}" if hand else "—")
            cells.append(fmt(tape[0]) if tape else "—")
            cells.append(f"{tape[0] / full[0]:.1f}" if tape else "—")
            cells.append(fmt(step) if step else "—")
            cells.append(f"{step / full[0]:,.2f}" if step else "—")
            cells.append(f"{full[2]:.3g}" if full[2] is not None else "—")
            print("| " + " | ".join(cells) + " |")
        if peak_double:
            notes.append(f"One core's FMA peak in the JDK {jdk[3:]} run (`Peak`): {peak_double:.1f} GFLOP/s FP64, {peak_float:.1f} FP32.")
    for n in notes:
        print("\n" + n)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "src/lossc-benchmarks/target/tables")
