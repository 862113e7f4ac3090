#!/usr/bin/env bash
# screenEligibility against a trivial query of the same server, in the same run, with wrk as the
# load generator in a separate process. Usage: bench/screening.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; conns=${2:-32}; port=18099
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
cargo build --release -q -p bench
bin=${CARGO_TARGET_DIR:-target}/release/bench
BENCH_BIND=127.0.0.1:$port RUST_LOG=warn "$bin" serve >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.2; done
facts='{"birthDate":"2019-03-10","hukouRegionCode":"520304","residenceRegionCode":"520102","residenceSince":"2025-02-01","movedWithGuardian":true,"hasResidencePermit":true,"residencePermitSince":"2025-03-01","enrolledInSchoolAtResidence":true,"meetsResidenceDibaoTest":false}'
declare -A bodies=(
  [trivial]='{"query":"{ __typename }"}'
  [screen_lean]="{\"query\":\"query(\$i: ScreeningInput!){ screenEligibility(input: \$i, asOf: \\\"2026-09-01\\\"){ scope { outcome } entitlements { code outcome handledAt missingFacts nextStep } } }\",\"variables\":{\"i\":$facts}}"
  [screen_traces]="{\"query\":\"query(\$i: ScreeningInput!){ screenEligibility(input: \$i, asOf: \\\"2026-09-01\\\"){ scope { outcome reasons { condition result } } entitlements { code outcome handledAt nextStep trace { condition result clause } } } }\",\"variables\":{\"i\":$facts}}"
)
tmp=$(mktemp -d)
echo "| target | req/s | p50 ms | p99 ms |"
echo "|---|---|---|---|"
for name in trivial screen_lean screen_traces; do
  printf '%s' "${bodies[$name]}" > "$tmp/$name.json"
  # One sample must be free of GraphQL errors (they come with HTTP 200).
  if curl -s -H 'content-type: application/json' --data-binary @"$tmp/$name.json" "http://127.0.0.1:$port/graphql" | grep -q '"errors"'; then
    echo "$name: the sample response has GraphQL errors" >&2; exit 1
  fi
  cat > "$tmp/$name.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$tmp/$name.json"); wrk.body = f:read("*a"); f:close()
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.2f %.2f\n", summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
  line=$(wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$tmp/$name.lua" "http://127.0.0.1:$port/graphql" | grep RESULT)
  read -r _ rps p50 p99 <<<"$line"
  echo "| $name | $rps | $p50 | $p99 |"
  eval "rps_$name=$rps"
done
echo
awk -v a="$rps_screen_lean" -v b="$rps_screen_traces" -v t="$rps_trivial" 'BEGIN { printf "ratio lean / trivial = %.1f %%, with traces / trivial = %.1f %%\n", 100*a/t, 100*b/t }'
