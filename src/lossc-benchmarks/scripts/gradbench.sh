#!/bin/bash
# The figures of docs/performance.md's "Bundle adjustment (gradbench's ba)" and "k-means
# (gradbench's kmeans)" in one command: gradbench's own C++ tools (`manual`, the hand-derived
# reference, and `tapenade`, whose generated C is in gradbench's repository) built here with
# gradbench's flags and run on the same inputs, then lossc's `BundleAdjustment` and `KMeans`
# benchmarks, then gradbench's tools again (the machine drifts; compare within one run).
#
#   src/lossc-benchmarks/scripts/gradbench.sh PATH-TO-A-GRADBENCH-CHECKOUT
#
# Run from the repository root after `mvn -B -DskipTests install`. Needs g++ and nlohmann's JSON
# header (Debian: nlohmann-json3-dev); gradbench's sources: git clone https://github.com/gradbench/gradbench
# Raw results go to src/lossc-benchmarks/target/gradbench/.
set -euo pipefail
gradbench=$(cd "${1:?usage: gradbench.sh PATH-TO-A-GRADBENCH-CHECKOUT}" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/target/gradbench"
mkdir -p "$out/bin"
include="$out/include"
mkdir -p "$include"
[ -f "$gradbench/cpp/json.hpp" ] || echo '#include <nlohmann/json.hpp>' > "$include/json.hpp"
flags=(-O3 -Wall -w -I"$gradbench/cpp" -I"$include" -march=native -Wno-unknown-pragmas)
g++ -std=c++17 "${flags[@]}" -o "$out/bin/manual-ba" "$gradbench/tools/manual/ba.cpp" -lm
g++ -std=c++17 "${flags[@]}" -o "$out/bin/manual-kmeans" "$gradbench/tools/manual/kmeans.cpp" -lm
# gradbench builds its tapenade tool without -march=native.
tapenade="$gradbench/tools/tapenade"
objects=()
for c in evals/ba/ba.c evals/ba/ba_b.c utils/adBuffer.c utils/adStack.c; do
    o="$out/bin/$(basename "$c" .c).o"
    gcc -std=c11 -O3 -w -I"$gradbench/cpp" -c "$tapenade/$c" -o "$o"
    objects+=("$o")
done
g++ -std=c++17 -O3 -w -I"$gradbench/cpp" -I"$include" -c "$tapenade/ba.cpp" -o "$out/bin/tapenade-ba.o"
g++ -o "$out/bin/tapenade-ba" "$out/bin/tapenade-ba.o" "${objects[@]}" -lm

# gradbench's inputs: a ba file's one camera, point, weight and feature, repeated by the tool;
# kmeans: the eval's generator (points and centroids from a seeded generator).
python3 - "$gradbench" "$out" <<'EOF'
import json, sys
from pathlib import Path
gradbench, out = Path(sys.argv[1]), Path(sys.argv[2])
for name in ["ba1_n49_m7776_p31843", "ba2_n21_m11315_p36455"]:
    lines = iter((gradbench / "evals/ba/data" / f"{name}.txt").read_text().splitlines())
    n, m, p = [int(v) for v in next(lines).split()]
    cam = [float(x) for x in next(lines).split()]
    x = [float(v) for v in next(lines).split()]
    w = float(next(lines))
    feat = [float(v) for v in next(lines).split()]
    json.dump({"n": n, "m": m, "p": p, "cam": cam, "x": x, "w": w, "feat": feat,
               "min_runs": 20, "min_seconds": 5}, open(out / f"{name}.json", "w"))
import numpy as np
np.random.seed(31337)  # gradbench's kmeans eval, its sizes in its order
for k, n, d in sorted([(k, n, d) for k in [10, 100, 1000] for n in [1000, 10000] for d in [8, 16]],
                      key=lambda v: v[0] * v[1] * v[2]):
    points = np.random.rand(n, d).tolist()
    json.dump({"points": points, "centroids": points[-k:], "min_runs": 1, "min_seconds": 1},
              open(out / f"kmeans_{k}_{n}_{d}.json", "w"))
EOF

# A gradbench tool's output: its result, then one "evaluate" timing per run; gradbench scores the mean.
timings() {
    python3 -c "
import json, statistics, sys
ts = [json.loads(l)['nanoseconds'] / 1e6 for l in sys.stdin if '\"evaluate\"' in l]
print(sys.argv[1] + ': mean %.3f ms, median %.3f ms, %d runs' % (statistics.mean(ts), statistics.median(ts), len(ts)))" "$1"
}

gradbench_tools() {
    for input in ba1_n49_m7776_p31843 ba2_n21_m11315_p36455; do
        for tool in manual-ba tapenade-ba; do
            for function in objective jacobian; do
                "$out/bin/$tool" "$out/$input.json" "$function" | timings "$tool $input $function"
            done
        done
    done
    for input in "$out"/kmeans_*.json; do
        for function in cost dir; do
            "$out/bin/manual-kmeans" "$input" "$function" | timings "manual-kmeans $(basename "$input" .json) $function"
        done
    done
}
gradbench_tools | tee "$out/before.txt"
java -jar "$here/target/benchmarks.jar" 'BundleAdjustment|KMeans' -rf json -rff "$out/lossc.json" | tee "$out/lossc.log" | grep -E '^(Benchmark|BundleAdjustment|KMeans)'
gradbench_tools | tee "$out/after.txt"
