#!/usr/bin/env bash
# Instructions per request of one HTTP server under callgrind: the server (on one core)
# runs with instrumentation off, takes a warm-up, then instrumentation is on for a fixed
# wrk run (1 thread, 16 connections) and the count is divided by the requests wrk completed.
# Noise-free, unlike req/s on a shared machine.
#
#   bench/http/callgrind.sh SERVER [PATH] [SECONDS]   # SERVER: kairos actix hyper may_minihttp
#   PIPELINE=16 bench/http/callgrind.sh SERVER [PATH]  # 16 requests per write (wrk/pipeline.lua)
#   PROFILE=out.callgrind bench/http/callgrind.sh ...   # keep the profile (callgrind_annotate it)
#   KAIROS_ARGS=--service-only bench/http/callgrind.sh kairos  # without the direct answers
#   WORKERS=1 bench/http/callgrind.sh actix             # (still not comparable: idle workers spin)
set -euo pipefail
cd "$(dirname "$0")/../.."
server=$1
path=${2:-/plaintext}
seconds=${3:-6}
port=18200
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p techempower -p kairos-bench-http
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TFB_DB="$work/techempower.sqlite"
case $server in
  kairos) cmd=(./target/release/techempower --host 127.0.0.1 --port $port --db "$TFB_DB" ${KAIROS_ARGS:-}) ;;
  *) cmd=("./target/release/$server" $port) ;;
esac
taskset -c 0 valgrind --tool=callgrind --instr-atstart=no \
    --callgrind-out-file="$work/out.%p" "${cmd[@]}" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$port$path" && break; sleep 0.1; done
wrk -t1 -c16 -d2s "http://127.0.0.1:$port$path" >/dev/null
callgrind_control -i on $pid >/dev/null
url="http://127.0.0.1:$port$path"
if [ -n "${PIPELINE:-}" ]; then load=(-s bench/http/wrk/pipeline.lua "$url" -- "$PIPELINE"); else load=("$url"); fi
requests=$(wrk -t1 -c16 -d"${seconds}s" "${load[@]}" | awk '/requests in/ {print $1}')
callgrind_control -i off $pid >/dev/null
callgrind_control -d $pid >/dev/null
kill -TERM $pid; wait $pid 2>/dev/null || true
[ -n "${PROFILE:-}" ] && cp "$work"/out.*.1 "$PROFILE"
instructions=$(cat "$work"/out.*.1 | awk '/^totals:/ {print $2; exit}')
echo "$server $path${PIPELINE:+ pipelined $PIPELINE}: $instructions instructions / $requests requests = $(awk "BEGIN {printf \"%.0f\", $instructions/$requests}") per request"
