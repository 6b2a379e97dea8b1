#!/usr/bin/env bash
# The 16-core HTTP comparison in one call of the device tool, from what
# bench/http/device-pack.sh packed into target/device: the servers on cores 0-7, wrk
# with 8 threads on cores 8-15, 256 connections, every test with the servers alternating
# (bench/http/compare.sh), Kairos in both layouts. About 5 minutes; the table goes to
# $OUT/http-16-core.md (or standard output without OUT).
#
#   ROUNDS=3 SECONDS_PER_RUN=4 bench/http/device-run.sh
#   SERVER_CPUS=0 WRK_CPUS=1 WRK_THREADS=1 ROUNDS=1 SECONDS_PER_RUN=1 bench/http/device-run.sh  # a try on 2 cores
set -euo pipefail
cd "$(dirname "$0")/../.."
pack=$(realpath target/device)
[ -x "$pack/bin/wrk" ] || { echo "no target/device: run bench/http/device-pack.sh and carry it" >&2; exit 1; }
export PATH="$pack/bin:$PATH" LD_LIBRARY_PATH="$pack/lib"
cores=$(nproc)
[ "$cores" -ge 16 ] || echo "warning: $cores cores; the layout below assumes 16" >&2
out=${OUT:+$OUT/http-16-core.md}
{
  echo "Packed from commit $(cat "$pack/commit"); $(date -u '+%Y-%m-%d %H:%M UTC'); $cores cores; kernel $(uname -r)."
  echo
  BIN_DIR=$pack/bin PIN_SERVER="taskset -c ${SERVER_CPUS:-0-7}" PIN_WRK="taskset -c ${WRK_CPUS:-8-15}" \
    WRK_THREADS=${WRK_THREADS:-8} \
    TESTS="plaintext-pipelined plaintext json fortunes" \
    bench/http/compare.sh "${ROUNDS:-3}" "${SECONDS_PER_RUN:-4}" 256 kairos kairos-mt actix hyper may_minihttp
} 2>&1 | tee "${out:-/dev/null}"
