#!/usr/bin/env bash
# Runs each cargo-fuzz target of fuzz/ for SECONDS (default 60), one after another, one
# in-process fuzzer each (no -jobs), keeping (and growing) the corpus in
# fuzz/corpus/<target>. A crash, a hang
# (-timeout) or a leak (AddressSanitizer's leak checker, on by default) fails the run and
# leaves the input in fuzz/artifacts/<target>/. Prints libFuzzer's last status line per
# target: executions, coverage (cov) and features (ft), corpus entries and size.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (default: every target)
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
cargo +nightly fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
cargo +nightly fuzz build 2>&1 | tail -n 3
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    log=$(mktemp)
    echo "==> $target: ${seconds}s, corpus fuzz/corpus/$target ($(ls "corpus/$target" | wc -l) inputs)"
    if ! cargo +nightly fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "==> $target: FAILED (input in fuzz/artifacts/$target/)"
        exit 1
    fi
    grep -E '^#[0-9]+' "$log" | tail -n 1
    grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' "$log" || true
    echo "==> $target: ok, corpus $(ls "corpus/$target" | wc -l) inputs, $(du -sh "corpus/$target" | cut -f1)"
    rm -f "$log"
done
