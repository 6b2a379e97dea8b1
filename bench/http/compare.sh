#!/usr/bin/env bash
# Alternating wrk comparison of Kairos (apps/techempower) and the peers: every server is
# started once, on its own port, and the measured runs alternate between them (server A,
# B, C, ... then A again), so that a slow phase of a noisy machine falls on all of them
# alike. Prints, per test, each server's min / median / max requests per second over the
# rounds and Kairos's median over each peer's.
#
#   bench/http/compare.sh [ROUNDS] [SECONDS] [CONNECTIONS] [SERVERS...]
#   bench/http/compare.sh 5 3 128 kairos actix hyper may_minihttp   # the defaults
#
# TESTS overrides the tests (default "plaintext-pipelined plaintext json"; "fortunes" is
# the fourth); PIN_SERVER, PIN_WRK and WRK_THREADS as in run.sh. Servers idle while
# another is measured. `kairos-mt` is the Kairos app on one work-stealing runtime
# (`--multi-thread`) where `kairos` is its default, a runtime per core. BIN_DIR names a
# folder of prebuilt servers (bench/http/device-pack.sh makes one) and skips the build.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}
seconds=${2:-3}
conns=${3:-128}
shift $(( $# > 3 ? 3 : $# )) || true
servers=("$@")
[ ${#servers[@]} -eq 0 ] && servers=(kairos actix hyper may_minihttp)
tests=(${TESTS:-plaintext-pipelined plaintext json})
threads=${WRK_THREADS:-1}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
[ -n "${BIN_DIR:-}" ] || cargo build --release -q -p techempower -p kairos-bench-http
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
target=$(realpath "${BIN_DIR:-target/release}")
lua=$(pwd)/bench/http/wrk/pipeline.lua
export TFB_DB="$work/techempower.sqlite"
declare -A port
next_port=18400
for server in "${servers[@]}"; do
  next_port=$((next_port + 1))
  port[$server]=$next_port
  case $server in
    kairos) ${PIN_SERVER:-} "$target/techempower" --host 127.0.0.1 --port "$next_port" --db "$TFB_DB" ${KAIROS_ARGS:-} > "$work/$server.log" 2>&1 & ;;
    kairos-mt) ${PIN_SERVER:-} "$target/techempower" --host 127.0.0.1 --port "$next_port" --db "$TFB_DB" --multi-thread > "$work/$server.log" 2>&1 & ;;
    *) ${PIN_SERVER:-} "$target/$server" "$next_port" > "$work/$server.log" 2>&1 & ;;
  esac
  pids+=($!)
  # Listening is enough (no curl needed): the app seeds the database before it listens.
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$next_port") 2>/dev/null && break
    sleep 0.1
  done
done
for test in "${tests[@]}"; do
  path=/${test%-pipelined}
  args=()
  [ "$test" = plaintext-pipelined ] && args=(-s "$lua" -- 16)
  for server in "${servers[@]}"; do
    url="http://127.0.0.1:${port[$server]}$path"
    ${PIN_WRK:-} wrk -t"$threads" -c"$conns" -d1s "$url" "${args[@]}" > /dev/null
  done
  for round in $(seq "$rounds"); do
    for server in "${servers[@]}"; do
      url="http://127.0.0.1:${port[$server]}$path"
      rps=$(${PIN_WRK:-} wrk -t"$threads" -c"$conns" -d"${seconds}s" "$url" "${args[@]}" | awk '/Requests\/sec/ {print $2}')
      echo "$test $server $round $rps" >> "$work/results"
    done
  done
done
echo "| test | server | min | median | max | Kairos / server (medians) |"
echo "|---|---|---|---|---|---|"
for test in "${tests[@]}"; do
  kairos_median=""
  for server in "${servers[@]}"; do
    stats=$(awk -v t="$test" -v s="$server" '$1 == t && $2 == s {print $4}' "$work/results" | sort -g |
      awk '{v[NR] = $1} END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.0f %.0f %.0f", v[1], m, v[NR]}')
    read -r min median max <<< "$stats"
    [ "$server" = kairos ] && kairos_median=$median
    ratio=""
    [ -n "$kairos_median" ] && [ "$server" != kairos ] && ratio=$(awk -v k="$kairos_median" -v m="$median" 'BEGIN {printf "%.2f", k / m}')
    echo "| $test | $server | $min | $median | $max | $ratio |"
  done
done
