#!/usr/bin/env bash
# The lean screening against a trivial query, both sent as trusted documents (by hash), and the
# lean screening as text, in alternating rounds; `wrk` is the load generator in its own process
# and every row carries the server's CPU µs per request (from /proc). See BENCHMARKS.md.
# Usage: bench/screening.sh [seconds] [connections] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-8}; conns=${2:-32}; rounds=${3:-3}
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
cargo build --release -q -p bench
uptime
RUST_LOG=warn "${CARGO_TARGET_DIR:-target}/release/bench" screening --secs "$secs" --clients "$conns" --rounds "$rounds"
uptime
