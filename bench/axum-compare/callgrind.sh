#!/usr/bin/env bash
# axum on Kairos vs axum on tokio in instructions per request: each server runs under
# callgrind with instrumentation off, takes a warm-up, then instrumentation is switched on
# for a fixed number of seconds of wrk load (one connection per wrk thread) and the count is
# divided by the requests wrk completed. Noise-free next to run.sh's req/s.
# Usage: bench/axum-compare/callgrind.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build -q --release -p axum-compare
out=$(mktemp -d)
for server in axum_kairos axum_tokio; do
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/$server.%p" \
        ./target/release/$server 127.0.0.1:8082 >/dev/null 2>"$out/$server.log" &
    pid=$!
    for _ in $(seq 1 200); do curl -sf http://127.0.0.1:8082/json >/dev/null && break; sleep 0.1; done
    wrk -t1 -c8 -d2s http://127.0.0.1:8082/json >/dev/null
    callgrind_control -i on $pid >/dev/null
    requests=$(wrk -t1 -c8 -d"${seconds}s" http://127.0.0.1:8082/json | awk '/requests in/ {print $1}')
    callgrind_control -i off $pid >/dev/null
    kill -TERM $pid; wait $pid 2>/dev/null || true
    instructions=$(cat "$out/$server".[0-9]* | awk '/^totals:/ {print $2; exit}')
    per=$(awk "BEGIN {printf \"%.0f\", $instructions / $requests}")
    echo "$server: $instructions instructions over $requests requests = $per per request"
    eval "per_$server=$per"
done
echo "instructions per request: kairos $per_axum_kairos, tokio $per_axum_tokio, kairos/tokio $(awk "BEGIN {printf \"%.2f\", $per_axum_kairos/$per_axum_tokio}")"
rm -rf "$out"
