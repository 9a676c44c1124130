#!/usr/bin/env bash
# Runs every fuzz target for a bounded number of runs (FUZZ_RUNS, default
# 50,000 each) on the machine's stable toolchain: `-s none` (no sanitizer)
# needs no nightly. A crash fails the script; its input is left under
# fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${FUZZ_RUNS:-50000}"
targets=(query values matcher state request_forms lifecycle)

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

for target in "${targets[@]}"; do
    corpus="fuzz/corpus/$target"
    mkdir -p "$corpus"
    cp -- fuzz/seeds/"$target"/* "$corpus"/
    echo "fuzz: $target, $runs runs"
    cargo fuzz run -s none "$target" "$corpus" "fuzz/seeds/$target" -- \
        -runs="$runs" -print_final_stats=1
done
