#!/usr/bin/env bash
# Builds the binary to ship: `dist/api` without debug information, and that information kept in
# `dist/api.debug`, linked from the binary (.gnu_debuglink) so debuggers and Rust backtraces find
# it when it sits next to the binary (or under /usr/lib/debug).
#
# Why not a cargo profile alone: `split-debuginfo = "packed"` on Linux still leaves the line tables
# in the binary, and `strip = "debuginfo"` throws them away. Splitting after the build keeps one
# build and both files. Needs `objcopy` (binutils).
#
# Usage: ops/build-release.sh [OUT_DIR]   (default: dist)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
cargo build --release --locked -p api
mkdir -p "$out"
cp target/release/api "$out/api"
objcopy --only-keep-debug "$out/api" "$out/api.debug"
objcopy --strip-debug --add-gnu-debuglink="$out/api.debug" "$out/api"
ls -l target/release/api "$out/api" "$out/api.debug"
