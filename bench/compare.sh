#!/usr/bin/env bash
# Two builds of the bench (and so of the server) side by side in one run: the screening and the
# queue scenarios, one round each per build, alternating builds, so both see the same machine.
# Usage: bench/compare.sh OLD_BENCH_BINARY NEW_BENCH_BINARY [rounds] [seconds per target]
# Build the old one from its commit: git worktree add --detach /tmp/old <commit> &&
#   (cd /tmp/old && CARGO_TARGET_DIR=$PWD/target cargo build --release -p bench) (see BENCHMARKS.md).
set -euo pipefail
old=$1; new=$2; rounds=${3:-3}; secs=${4:-8}
export TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
for r in $(seq 1 "$rounds"); do
  for which in old new; do
    bin=${!which}
    printf '\n## round %s: %s (%s), %s\n' "$r" "$which" "$bin" "$(uptime)"
    RUST_LOG=warn "$bin" screening --secs "$secs" --clients 32 --rounds 1
    RUST_LOG=warn "$bin" queue --secs "$secs" --clients 32 --rounds 1
  done
done
