#!/usr/bin/env bash
# axum on Kairos vs axum on tokio: the same router, wrk on the JSON route, runs alternating
# (A B A B ...), median of the repeats. Usage: bench/axum-compare/run.sh [repeats] [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
repeats=${1:-5}
seconds=${2:-10}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build -q --release -p axum-compare
ulimit -n 20000 || true
declare -A results
for round in $(seq 1 "$repeats"); do
    for server in axum_kairos axum_tokio; do
        ./target/release/$server 127.0.0.1:8081 >/dev/null &
        pid=$!
        for _ in $(seq 1 100); do curl -sf http://127.0.0.1:8081/json >/dev/null && break; sleep 0.05; done
        rps=$(wrk -t2 -c64 -d"${seconds}s" --latency http://127.0.0.1:8081/json | awk '/Requests\/sec/ {print $2}')
        kill $pid; wait $pid 2>/dev/null || true
        results[$server]+="$rps "
        echo "round $round $server $rps req/s"
    done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
k=$(echo "${results[axum_kairos]}" | median)
t=$(echo "${results[axum_tokio]}" | median)
echo "median req/s: kairos $k, tokio $t, kairos/tokio $(awk "BEGIN {printf \"%.2f\", $k/$t}")"
