#!/usr/bin/env bash
# The TechEmpower database tests on PostgreSQL: Kairos (apps/techempower with DATABASE_URL)
# against actix-web (tokio-postgres), wrk on /db and /fortunes, the two servers
# alternating (A B A B ...), median of the repeats.
#
#   bench/http/run-postgres.sh [REPEATS] [SECONDS] [CONNECTIONS]
#
# Sets PostgreSQL up first (scripts/postgres-setup.sh, needs root).
set -euo pipefail
cd "$(dirname "$0")/../.."
repeats=${1:-5}
seconds=${2:-5}
conns=${3:-64}
eval "export $(./scripts/postgres-setup.sh | tail -1)"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p techempower -p kairos-bench-http
target=$(pwd)/target/release
port=18180
declare -A results
start() {
  case $1 in
    kairos) exec "$target/techempower" --host 127.0.0.1 --port "$2" ;;
    actix_pg) exec "$target/actix_pg" "$2" ;;
  esac
}
for round in $(seq 1 "$repeats"); do
  for server in kairos actix_pg; do
    port=$((port + 1))
    start $server $port >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/db" >/dev/null && break; sleep 0.05; done
    for test in db fortunes; do
      rps=$(wrk -t1 -c"$conns" -d"${seconds}s" "http://127.0.0.1:$port/$test" | awk '/Requests\/sec/ {print $2}')
      results[$server.$test]+="$rps "
      echo "round $round $server /$test $rps req/s"
    done
    kill $pid; wait $pid 2>/dev/null || true
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for test in db fortunes; do
  k=$(echo "${results[kairos.$test]}" | median)
  a=$(echo "${results[actix_pg.$test]}" | median)
  echo "/$test median req/s: kairos $k, actix-web $a, kairos/actix $(awk "BEGIN {printf \"%.2f\", $k/$a}")"
done
