#!/usr/bin/env bash
# flood.sh — what a flood of oversized queries from one API token does to
# the latency of ordinary queries from another.
#
# Builds and starts `crm serve --demo` on a temporary data directory and a
# free port, mints a second token with `crm token create`, and runs
# bench/flood: the demo token (A) reads a nested page of 100 contacts at a
# steady rate, alone and then while the second token (B) floods alias,
# depth, fragment and cost bombs from 8 concurrent connections. It prints
# the p50 and p99 of A both times and the ratio of the p99s (target ≤ 2),
# then repeats with the flood spread over 64 loopback addresses, so that the
# per-token limit and the query limits do the work instead of the
# per-address limit.
#
#   bench/flood.sh [flood flags, such as -duration 30s -rate 10]
#
# Exits 3 when a loaded p99 is over twice the unloaded one.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "building…"
go build -o "$tmp/crm" ./cmd/crm
go build -o "$tmp/flood" ./bench/flood

export CRM_DATA_DIR="$tmp/data"
"$tmp/crm" serve --demo --addr 127.0.0.1:0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!

url=
for _ in $(seq 1 1200); do
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "crm serve exited:" >&2; cat "$tmp/serve.out" "$tmp/serve.err" >&2; exit 1
	fi
	url=$(grep -o 'graphql=http://[^ ]*' "$tmp/serve.err" | head -n1 | cut -d= -f2 || true)
	if [ -n "$url" ] && grep -q 'Demo API token' "$tmp/serve.out"; then break; fi
	sleep 0.1
done
if [ -z "$url" ]; then
	echo "crm serve did not start in 2 minutes:" >&2; cat "$tmp/serve.out" "$tmp/serve.err" >&2; exit 1
fi
token_a=$(grep -A1 'Demo API token' "$tmp/serve.out" | tail -n1 | tr -d '[:space:]')
token_b=$("$tmp/crm" token create --org demo --name flood --scopes '*:write' | tail -n1 | tr -d '[:space:]')
echo "server $url (pid $pid), tokens A ${token_a:0:12}… B ${token_b:0:12}…"

status=0
echo
echo "== flood from one address, 8 connections"
"$tmp/flood" -url "$url" -token "$token_a" -flood-token "$token_b" -workers 8 -flood-addrs 1 "$@" || status=$?
echo
echo "== flood spread over 64 addresses, 8 concurrent requests"
"$tmp/flood" -url "$url" -token "$token_a" -flood-token "$token_b" -workers 8 -flood-addrs 64 "$@" || status=$?
exit "$status"
