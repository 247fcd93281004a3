#!/bin/bash
# The tables of docs/performance.md in one command: the JMH benchmarks of every network on the
# default JDK and (if installed) the Temurin 25 JDK, with -prof gc, then the PyTorch script, then
# the markdown tables. Run from the repository root after `mvn -B -DskipTests install`; takes
# about 30 minutes. Raw results go to src/lossc-benchmarks/target/tables/.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/target/tables"
mkdir -p "$out"
jar="$here/target/benchmarks.jar"
jdk25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
java -jar "$jar" '\.(Small|Tape|Simd|Float)?Networks\.|Peak\.' -prof gc -rf json -rff "$out/jdk17.json" | tee "$out/jdk17.log" | grep -E '^(Networks|SmallNetworks|SimdNetworks|FloatNetworks|Peak)\.[A-Za-z0-9]+ ' || true
if [ -x "$jdk25/bin/java" ]; then
    "$jdk25/bin/java" -jar "$jar" '\.(Small|Tape|Simd|Float)?Networks\.|Peak\.' -prof gc -rf json -rff "$out/jdk25.json" | tee "$out/jdk25.log" | grep -E '^(Networks|SmallNetworks|SimdNetworks|FloatNetworks|Peak)\.[A-Za-z0-9]+ ' || true
fi
python3 "$here/pytorch/networks.py" | tee "$out/pytorch.txt"
python3 "$here/scripts/tables.py" "$out"
