#!/usr/bin/env bash
# Builds the binary to ship: `dist/api` without debug information, and that information kept in
# `dist/api.debug`, linked from the binary (.gnu_debuglink) so debuggers and Rust backtraces find
# it when it sits next to the binary (or under /usr/lib/debug).
#
# Why not a cargo profile alone: `split-debuginfo = "packed"` on Linux still leaves the line tables
# in the binary, and `strip = "debuginfo"` throws them away. Splitting after the build keeps one
# build and both files. Needs `objcopy` and `readelf` (binutils).
#
# Usage: ops/build-release.sh [OUT_DIR]   (default: dist)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
target=${CARGO_TARGET_DIR:-target}
cargo build --release --locked -p api
mkdir -p "$out"
cp "$target/release/api" "$out/api"
objcopy --only-keep-debug "$out/api" "$out/api.debug"
objcopy --strip-debug --add-gnu-debuglink="$out/api.debug" "$out/api"

# The shipped binary must carry no debug information, and must still point to its debug file.
# (`.debug_gdb_scripts` stays: a 34-byte loaded section naming Rust's pretty-printers, not debug
# information.)
debug_info='\.debug_(info|line|line_str|abbrev|str|str_offsets|addr|ranges|rnglists|loc|loclists|aranges|frame)'
if readelf -S --wide "$out/api" | grep -Eq "$debug_info"; then
  echo "build-release: $out/api still has debug sections:" >&2
  readelf -S --wide "$out/api" | grep -E "$debug_info" >&2
  exit 1
fi
readelf -S --wide "$out/api" | grep -q '\.gnu_debuglink' || { echo "build-release: $out/api has no .gnu_debuglink" >&2; exit 1; }
"$out/api" --version >/dev/null || { echo "build-release: $out/api does not run" >&2; exit 1; }

mb() { awk -v b="$(stat -c %s "$1")" -v f="$1" 'BEGIN { printf "%8.1f MB  %s\n", b / 1e6, f }'; }
mb "$target/release/api"
mb "$out/api"
mb "$out/api.debug"
