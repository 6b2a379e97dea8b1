#!/usr/bin/env bash
# Soak: drives the echo server (crates/kairos/examples/echo.rs, loaded by echo_load.rs)
# and the TechEmpower app (apps/techempower, loaded by wrk on /plaintext and /json) at the
# same time for MINUTES (default 10), then checks zero errors and each server's RSS
# growth under 5% from the end of a 30 s warm-up to the end of the run.
# Usage: scripts/soak.sh [MINUTES]     (needs wrk: apt-get install -y wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
warmup=30
total=$((minutes * 60))
[ "$total" -gt "$warmup" ] || { echo "MINUTES must exceed the ${warmup}s warm-up"; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 2; }
cargo build -q --release -p kairos --example echo --example echo_load
cargo build -q --release -p techempower
log=$(mktemp -d)
echo_port=7711
http_port=7712

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
fds() { ls "/proc/$1/fd" | wc -l; }

./target/release/examples/echo "127.0.0.1:$echo_port" >"$log/echo.out" 2>&1 &
echo_pid=$!
HOST=127.0.0.1 PORT=$http_port ./target/release/techempower >"$log/http.out" 2>&1 &
http_pid=$!
trap 'kill $echo_pid $http_pid 2>/dev/null || true' EXIT
sleep 1

./target/release/examples/echo_load "127.0.0.1:$echo_port" 32 "$total" >"$log/echo_load.out" 2>&1 &
load_pid=$!
wrk -t1 -c32 -d"$((total / 2))s" --latency "http://127.0.0.1:$http_port/plaintext" >"$log/wrk_plaintext.out" 2>&1 &
wrk_pid=$!

sleep "$warmup"
echo_rss0=$(rss_kib $echo_pid); http_rss0=$(rss_kib $http_pid)
echo "after ${warmup}s warm-up: echo RSS ${echo_rss0} KiB, $(fds $echo_pid) fds; http RSS ${http_rss0} KiB, $(fds $http_pid) fds"
wait $wrk_pid
wrk -t1 -c32 -d"$((total - total / 2))s" --latency "http://127.0.0.1:$http_port/json" >"$log/wrk_json.out" 2>&1
errors=0
wait $load_pid || errors=$((errors + 1))
echo_rss1=$(rss_kib $echo_pid); http_rss1=$(rss_kib $http_pid)
echo "at the end: echo $(fds $echo_pid) fds, http $(fds $http_pid) fds"

echo "echo: $(tail -n 1 "$log/echo_load.out")"
for part in plaintext json; do
    out="$log/wrk_$part.out"
    echo "http /$part: $(grep -E 'requests in' "$out" | xargs), $(grep -E 'Requests/sec' "$out" | xargs)"
    grep -E 'Non-2xx|Socket errors' "$out" && errors=$((errors + 1)) || true
done
growth() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) * 100 / a }'; }
echo "echo RSS: ${echo_rss0} KiB -> ${echo_rss1} KiB ($(growth "$echo_rss0" "$echo_rss1")%)"
echo "http RSS: ${http_rss0} KiB -> ${http_rss1} KiB ($(growth "$http_rss0" "$http_rss1")%)"
for pair in "$echo_rss0 $echo_rss1" "$http_rss0 $http_rss1"; do
    set -- $pair
    if [ $(( ($2 - $1) * 100 )) -ge $(( $1 * 5 )) ]; then errors=$((errors + 1)); echo "RSS grew 5% or more"; fi
done
if [ "$errors" -ne 0 ]; then echo "soak: FAILED (logs in $log)"; exit 1; fi
echo "soak: ok, ${minutes} min, zero errors, RSS growth under 5% (logs in $log)"
