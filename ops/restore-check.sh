#!/usr/bin/env bash
# Proves a PostgreSQL backup can be restored and read: restores DUMP (pg_dump -Fc) into a scratch
# database, checks with the keys given that every stored ID and residence-permit number decrypts
# (`api keys check`), starts the server on it (workers off: no mail from the restored outbox is
# sent), waits for GET /readyz, counts rows, then drops the scratch database.
#
# Usage: ops/restore-check.sh DUMP
#
# Environment:
#   ADMIN_DATABASE_URL  PostgreSQL URL of a role that may create and drop databases (required),
#                       e.g. postgres://postgres@127.0.0.1:5432/postgres
#   API_BIN             the server binary (default: `api` on PATH)
#   and the server's own settings, as in production: PII_KEYS, PII_HASH_KEY, JWT_KEYS and the
#   rest (or KEYS_DIR in development). DATABASE_URL, BIND and WORKERS are set by this script.
#
# Exit status 0 when every step passed; otherwise 1 with "restore check FAILED: <why>" on stderr.
set -euo pipefail

dump=${1:?usage: restore-check.sh DUMP}
: "${ADMIN_DATABASE_URL:?set ADMIN_DATABASE_URL to a PostgreSQL URL that may create databases}"
api=${API_BIN:-api}
name="tongxin_restore_check_$(date -u +%Y%m%d%H%M%S)_$$"
scratch="${ADMIN_DATABASE_URL%/*}/$name"
log=$(mktemp)
pid=""

fail() {
  echo "restore check FAILED: $*" >&2
  exit 1
}

cleanup() {
  if [[ -n "$pid" ]]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  psql "$ADMIN_DATABASE_URL" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -f "$log"
}
trap cleanup EXIT

[[ -r "$dump" ]] || fail "cannot read the dump $dump"
command -v "$api" >/dev/null || fail "no server binary: set API_BIN (tried $api)"

echo "restoring $dump into scratch database $name"
psql "$ADMIN_DATABASE_URL" -qc "CREATE DATABASE \"$name\"" >/dev/null || fail "cannot create the scratch database $name"
pg_restore --no-owner --no-privileges --exit-on-error -d "$scratch" "$dump" || fail "pg_restore of $dump failed"

export DATABASE_URL="$scratch" WORKERS=false BIND=127.0.0.1:0

echo "decrypting every stored number with the keys given"
if ! out=$("$api" keys check 2>&1); then
  why=$(grep -E '^error: ' <<<"$out" | tail -1 | sed 's/^error: //')
  fail "the keys given do not read this backup (a dump without its PII keys is unreadable): ${why:-$out}"
fi
grep -E '^keys: ' <<<"$out"

echo "starting the server on the restored database"
"$api" >"$log" 2>&1 &
pid=$!
addr=""
for _ in $(seq 1 120); do
  addr=$(grep -E 'listening|running' "$log" | grep -oE '127\.0\.0\.1:[0-9]+' | head -1 || true)
  [[ -n "$addr" ]] && break
  kill -0 "$pid" 2>/dev/null || fail "the server did not start: $(tail -3 "$log")"
  sleep 0.5
done
[[ -n "$addr" ]] || fail "the server did not start within 60 s: $(tail -3 "$log")"
status=$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/readyz") || true
[[ "$status" == 200 ]] || fail "GET /readyz answered $status"
echo "GET /readyz: 200"

for table in accounts households children requests bookings outbox; do
  n=$(psql "$scratch" -tAc "SELECT count(*) FROM $table") || fail "cannot count $table"
  echo "$table: $n"
done
echo "restore check passed"
