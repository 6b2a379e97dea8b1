#!/usr/bin/env bash
# Runs the spawn/abort/panic/timer/channel/connect stress program under valgrind's leak
# checker and fails unless it reports zero bytes definitely and indirectly lost.
# Usage: scripts/valgrind-leak-check.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }
cargo build -q -p kairos --example stress
log=$(mktemp)
valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=3 \
    ./target/debug/examples/stress "$rounds" 2>"$log" || { cat "$log"; exit 1; }
grep -E "definitely lost|indirectly lost|ERROR SUMMARY" "$log"
grep -q "definitely lost: 0 bytes" "$log" || grep -q "All heap blocks were freed" "$log"
if grep -E "definitely lost: [1-9]|indirectly lost: [1-9]" "$log"; then
    echo "leaks found"; exit 1
fi
echo "valgrind: no memory definitely or indirectly lost"
