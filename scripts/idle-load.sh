#!/usr/bin/env bash
# Idle load: a kairos-http server (a child process) holds CONNECTIONS idle keep-alive
# connections (default 10,000) for SECONDS (default 60); reports RSS growth per 10,000
# connections (beside nginx's published 2.5 MB), the descriptor count held and after they
# close, and fails on any error, a descriptor left open or, from 10,000 connections, growth
# over nginx's figure. The same test runs in CI (crates/kairos-http/tests/server_idle_load.rs):
# 2,000 connections for 2 s in the debug test run, 10,000 for 5 s in a release build.
# Usage: scripts/idle-load.sh [CONNECTIONS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
IDLE_CONNECTIONS=${1:-10000} IDLE_SECONDS=${2:-60} \
    cargo test -q --release -p kairos-http --test server_idle_load -- \
    --nocapture --test-threads=1 idle_keep_alive_connections 2>&1 | grep -E "idle connections held|panicked|test result"
