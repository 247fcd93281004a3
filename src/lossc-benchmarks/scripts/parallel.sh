#!/bin/bash
# The figures of docs/performance.md's "Both layouts, and every core" in one command: Layouts
# (three forks), ParallelNetworks (--parallel at 1 and 2 threads beside the default classes, with
# --simd too), then PyTorch on one and on two threads. Run from the repository root after
# `mvn -B -DskipTests install`, on an otherwise idle machine (a parallel class at more threads than
# idle cores is slower, not faster); takes about 25 minutes. Raw results go to
# src/lossc-benchmarks/target/parallel/.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/target/parallel"
mkdir -p "$out"
jar="$here/target/benchmarks.jar"
java -jar "$jar" 'Layouts' -f 3 -rf json -rff "$out/layouts.json" > "$out/layouts.log"
java -jar "$jar" 'ParallelNetworks|ParallelFloatNetworks' -rf json -rff "$out/parallel.json" > "$out/parallel.log"
python3 "$here/pytorch/networks.py" > "$out/pytorch1.txt"
python3 "$here/pytorch/networks.py" --threads 2 > "$out/pytorch2.txt"
grep -hE '^(Benchmark|Layouts|Parallel(Float)?Networks)' "$out/layouts.log" "$out/parallel.log"
grep -hE 'batch (32|64)|thread' "$out/pytorch1.txt" "$out/pytorch2.txt"
