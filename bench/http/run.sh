#!/usr/bin/env bash
# Runs wrk against Kairos (apps/techempower) and the peers (actix-web, hyper on tokio,
# may-minihttp) on plaintext (pipelined 16 deep and not), json and fortunes.
#
#   bench/http/run.sh [DURATION_SECONDS] [CONNECTIONS] [SERVERS...]
#
# Builds everything in release first. Each server runs alone, on 127.0.0.1, with wrk
# beside it on the same machine; prints one markdown row per server and test.
# PIN_SERVER / PIN_WRK prefix the commands, e.g. PIN_SERVER="taskset -c 0-7"
# PIN_WRK="taskset -c 8-15" WRK_THREADS=8 (how docs/BENCHMARKS.md was measured).
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-5}
conns=${2:-128}
shift $(( $# > 2 ? 2 : $# )) || true
servers=("$@")
[ ${#servers[@]} -eq 0 ] && servers=(kairos actix hyper may_minihttp)
threads=${WRK_THREADS:-1}
cargo build --release -q -p techempower -p kairos-bench-http
work=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
target=$(pwd)/target/release
lua=$(pwd)/bench/http/wrk/pipeline.lua
port=18080
# The Kairos app creates and seeds the database the peers read fortunes from.
export TFB_DB="$work/techempower.sqlite"

start() {
  case $1 in
    # exec: the background job is the server itself, so killing it stops the server.
    kairos) exec ${PIN_SERVER:-} "$target/techempower" --host 127.0.0.1 --port $port --db "$TFB_DB" ${KAIROS_ARGS:-} ;;
    *) exec ${PIN_SERVER:-} "$target/$1" $port ;;
  esac
}

echo "| server | test | requests/s | latency avg | latency p99 |"
echo "|---|---|---|---|---|"
for server in "${servers[@]}"; do
  # A port per server: a peer still shutting down cannot answer for the next one.
  port=$((port + 1))
  start "$server" > "$work/$server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/plaintext" && break
    sleep 0.1
  done
  if ! kill -0 $pid 2>/dev/null; then
    echo "| $server | did not start: $(tail -1 "$work/$server.log") |"
    continue
  fi
  for test in plaintext-pipelined plaintext json fortunes; do
    path=/${test%-pipelined}
    args=()
    [ "$test" = plaintext-pipelined ] && args=(-s "$lua" -- 16)
    # A short warm-up, then the measured run.
    ${PIN_WRK:-} wrk -t"$threads" -c"$conns" -d1s "http://127.0.0.1:$port$path" "${args[@]}" > /dev/null
    out=$(${PIN_WRK:-} wrk --latency -t"$threads" -c"$conns" -d"${duration}s" "http://127.0.0.1:$port$path" "${args[@]}")
    rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
    avg=$(awk '/^    Latency/ {print $2}' <<< "$out")
    p99=$(awk '/^     99%/ {print $2}' <<< "$out")
    errors=$(grep -E "Non-2xx|Socket errors" <<< "$out" | tr '\n' ' ' || true)
    echo "| $server | $test | $rps | $avg | $p99 | $errors"
  done
  kill -KILL $pid
  wait $pid 2>/dev/null || true
done
