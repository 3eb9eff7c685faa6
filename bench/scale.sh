#!/usr/bin/env bash
# scale.sh — how the CRM's costs grow with the size of an organization, on
# PostgreSQL.
#
# For each size in SIZES (contacts; default 10000 100000 1000000) it loads a
# fresh database with `crm seed --lean` (accounts, contacts and about five
# purchases per contact, bulk-loaded with COPY), runs a full `crm analytics
# refresh` under /usr/bin/time -v, starts `crm serve`, and runs bench/scale:
# the first and 200th page of contacts by predicted CLV, a page of the
# largest segment's members, node(id:), a KPI report and the list's
# totalCount (medians). It prints one line
# per size and a table at the end:
#
#   size  seed_s  refresh_s  refresh_rss_mb  page1_ms  page200_ms  segment_ms  node_ms  kpi_ms  count_ms  serve_rss_mb
#
#   bench/scale.sh                     # 10k, 100k, 1M (the last takes a while)
#   SIZES="10000 100000" bench/scale.sh
#
# Env: SIZES, PURCHASES (purchases per contact, 5), N (timed requests per
#      query, 20), PGHOST/PGPORT (127.0.0.1:5432), CRM_SCALE_DB (crm_scale:
#      dropped and recreated for each size, owned by role crm_bench). Needs a
#      local PostgreSQL reachable as superuser through `su postgres -c psql`.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-10000 100000 1000000}
PURCHASES=${PURCHASES:-5}
N=${N:-20}
host=${PGHOST:-127.0.0.1}
port=${PGPORT:-5432}
DB=${CRM_SCALE_DB:-crm_scale}

tmp=$(mktemp -d)
pid=
cleanup() {
	if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "building…"
go build -o "$tmp/crm" ./cmd/crm
go build -o "$tmp/scale" ./bench/scale
export DATABASE_URL="postgres://crm_bench:crm_bench@$host:$port/$DB?sslmode=disable"
export CRM_JWT_SECRET=scale-bench-secret-scale-bench-secret
table="size seed_s refresh_s refresh_rss_mb page1_ms page200_ms segment_ms node_ms kpi_ms count_ms serve_rss_mb"

for size in $SIZES; do
	echo "== $size contacts"
	su postgres -c "psql -q -v ON_ERROR_STOP=1" <<SQL
DO \$\$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='crm_bench') THEN CREATE ROLE crm_bench LOGIN PASSWORD 'crm_bench'; END IF; END\$\$;
SET client_min_messages = warning;
DROP DATABASE IF EXISTS $DB;
CREATE DATABASE $DB OWNER crm_bench;
SQL
	export CRM_DATA_DIR=$tmp/data-$size
	"$tmp/crm" migrate >/dev/null
	# About PURCHASES won deals per contact, plus the lost and open ones.
	deals=$(awk -v n="$size" -v p="$PURCHASES" 'BEGIN { printf "%d", n * (p + 0.36) }')
	start=$(date +%s.%N)
	"$tmp/crm" seed --contacts "$size" --deals "$deals" --lean | head -n1
	seed_s=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
	/usr/bin/time -v "$tmp/crm" analytics refresh --org demo >"$tmp/refresh.out" 2>"$tmp/refresh.err" ||
		{ cat "$tmp/refresh.out" "$tmp/refresh.err" >&2; exit 1; }
	tail -n1 "$tmp/refresh.out"
	refresh_s=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s }' "$tmp/refresh.err")
	refresh_rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$tmp/refresh.err")
	token=$("$tmp/crm" token create --org demo --name scale --scopes '*:read' | tail -n1 | tr -d '[:space:]')

	http_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	# Walking 200 pages from one token and address: rate limits out of the way.
	CRM_RATE_PER_VIEWER=1000000 CRM_RATE_PER_IP=1000000 CRM_ANALYTICS_INTERVAL=10000h "$tmp/crm" serve --addr "127.0.0.1:$http_port" >"$tmp/serve.out" 2>"$tmp/serve.err" &
	pid=$!
	for _ in $(seq 1 100); do
		curl -sf -o /dev/null "http://127.0.0.1:$http_port/healthz" && break
		kill -0 "$pid" 2>/dev/null || { echo "crm serve exited:" >&2; cat "$tmp/serve.err" >&2; exit 1; }
		sleep 0.1
	done
	# Pages of 50: the 200th needs 10,000 contacts.
	page=$((size >= 10000 ? 200 : size / 50))
	result=$("$tmp/scale" -url "http://127.0.0.1:$http_port/graphql" -token "$token" -n "$N" -page "$page")
	serve_rss=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
	kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
	echo "$result refresh_s=$refresh_s refresh_rss_mb=$refresh_rss seed_s=$seed_s serve_rss_mb=$serve_rss"
	get() { echo "$result" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
	table+=$'\n'"$size $seed_s $refresh_s $refresh_rss $(get page1_ms) $(get page${page}_ms) $(get segment_members_ms) $(get node_ms) $(get kpi_ms) $(get count_ms) $serve_rss"
done
echo
echo "$table" | column -t
