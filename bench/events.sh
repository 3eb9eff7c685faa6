#!/usr/bin/env bash
# events.sh — events end to end on PostgreSQL, with two API instances.
#
# Creates a fresh database crm_bench_events, starts two `crm serve --dev`
# instances on it (--dev lets webhooks reach a receiver on localhost), mints
# an API token, and runs bench/events, which prints:
#   SUMMARY fanout   … p50/p99 from a mutation sent to instance 1 until a
#                     websocket subscriber of instance 2 has its event
#                     (through PostgreSQL LISTEN/NOTIFY);
#   SUMMARY webhooks … events per second from mutations until their signed
#                     webhooks reach a receiver, both instances' delivery
#                     workers sharing the queue.
#
#   bench/events.sh [-samples 200] [-n 2000] [-c 8]
#
# Needs the Debian PostgreSQL cluster running
# (pg_ctlcluster --skip-systemctl-redirect 15 main start) and root or the
# postgres user to create the database.
set -euo pipefail
cd "$(dirname "$0")/.."

as_postgres() { if command -v runuser >/dev/null; then runuser -u postgres -- "$@"; else su postgres -c "$(printf '%q ' "$@")"; fi; }

db=crm_bench_events
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

as_postgres psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'crm'" | grep -q 1 ||
	as_postgres psql -qc "CREATE ROLE crm LOGIN SUPERUSER PASSWORD 'crm'"
as_postgres psql -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" 2>/dev/null
as_postgres psql -qc "CREATE DATABASE $db OWNER crm" >/dev/null

echo "building…"
go build -o "$tmp/crm" ./cmd/crm
go build -o "$tmp/events" ./bench/events

export DATABASE_URL="postgres://crm:crm@127.0.0.1:5432/$db?sslmode=disable"
export CRM_DATA_DIR="$tmp/data"
CRM_JWT_SECRET=$(head -c 32 /dev/urandom | base64)
export CRM_JWT_SECRET
# One token drives the whole benchmark: lift the per-token and per-address
# rate limits, which would otherwise be what is measured.
export CRM_RATE_PER_VIEWER=100000 CRM_RATE_PER_IP=100000

"$tmp/crm" migrate >/dev/null
slug=$("$tmp/crm" org create --name "Events bench" --admin-email admin@bench.example --admin-password 'correct horse battery' | tail -n1)
token=$("$tmp/crm" token create --org "$slug" --name bench --scopes 'contacts:write,events:read,webhooks:write' | tail -n1 | tr -d '[:space:]')

start() {
	"$tmp/crm" serve --dev --addr 127.0.0.1:0 >"$tmp/serve$1.out" 2>"$tmp/serve$1.err" &
	pids+=($!)
}
url_of() {
	for _ in $(seq 1 300); do
		url=$(grep -o 'graphql=http://[^ ]*' "$tmp/serve$1.err" | head -n1 | cut -d= -f2 || true)
		if [ -n "$url" ]; then echo "$url"; return; fi
		sleep 0.1
	done
	echo "instance $1 did not start:" >&2; cat "$tmp/serve$1.out" "$tmp/serve$1.err" >&2; exit 1
}
start 1
start 2
url1=$(url_of 1)
url2=$(url_of 2)
echo "instance 1 $url1, instance 2 $url2"
"$tmp/events" -one "$url1" -two "$url2" -token "$token" "$@"
