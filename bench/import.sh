#!/usr/bin/env bash
# import.sh — the purchase import at scale, on PostgreSQL.
#
# Writes a purchase log of CUSTOMERS customers with about PURCHASES
# purchases each over four years with bench/purchaselog (deterministic for
# a SEED), loads it into a fresh database with `crm import purchases
# --phases` under /usr/bin/time -v, then imports the same file again, which
# must add nothing. It prints each import's report and phases, and a table:
#
#   run       rows  contacts_created  purchases_created  skipped  seconds  peak_rss_mb
#
#   bench/import.sh                        # 1M customers, about 5M rows (a few minutes)
#   CUSTOMERS=100000 bench/import.sh
#
# Env: CUSTOMERS (1000000), PURCHASES (5), SEED (1), PGHOST/PGPORT
#      (127.0.0.1:5432), CRM_IMPORT_DB (crm_import: dropped and recreated,
#      owned by role crm_bench), KEEP_DB=1 to leave the database for a look.
#      Needs a local PostgreSQL reachable as superuser through
#      `su postgres -c psql`.
set -euo pipefail
cd "$(dirname "$0")/.."
CUSTOMERS=${CUSTOMERS:-1000000}
PURCHASES=${PURCHASES:-5}
SEED=${SEED:-1}
host=${PGHOST:-127.0.0.1}
port=${PGPORT:-5432}
DB=${CRM_IMPORT_DB:-crm_import}

tmp=$(mktemp -d)
cleanup() {
	rm -rf "$tmp"
	if [[ ${KEEP_DB:-} != 1 ]]; then
		su postgres -c "psql -q -c 'DROP DATABASE IF EXISTS $DB'" >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT

echo "building…"
go build -o "$tmp/crm" ./cmd/crm
go build -o "$tmp/purchaselog" ./bench/purchaselog

echo "writing $CUSTOMERS customers × about $PURCHASES purchases…"
"$tmp/purchaselog" -customers "$CUSTOMERS" -purchases "$PURCHASES" -seed "$SEED" >"$tmp/purchases.csv"
echo "$(($(wc -l <"$tmp/purchases.csv") - 1)) rows, $(du -m "$tmp/purchases.csv" | cut -f1) MB"

su postgres -c "psql -q -v ON_ERROR_STOP=1" <<SQL
DO \$\$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='crm_bench') THEN CREATE ROLE crm_bench LOGIN PASSWORD 'crm_bench'; END IF; END\$\$;
SET client_min_messages = warning;
DROP DATABASE IF EXISTS $DB;
CREATE DATABASE $DB OWNER crm_bench;
SQL
export DATABASE_URL="postgres://crm_bench:crm_bench@$host:$port/$DB?sslmode=disable"
export CRM_DATA_DIR=$tmp/data
export CRM_JWT_SECRET=import-bench-secret-import-bench-secret
"$tmp/crm" migrate >/dev/null
org=$("$tmp/crm" org create --name Shop --admin-email owner@shop.example --admin-password 'import bench password' | tail -n1)

table="run rows contacts_created purchases_created skipped seconds peak_rss_mb"
for run in first again; do
	echo "== import ($run)"
	/usr/bin/time -v "$tmp/crm" import purchases --org "$org" --phases "$tmp/purchases.csv" >"$tmp/import.out" 2>"$tmp/import.err" ||
		{ cat "$tmp/import.out" "$tmp/import.err" >&2; exit 1; }
	cat "$tmp/import.out"
	seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s }' "$tmp/import.err")
	rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$tmp/import.err")
	# "… in 1m2.3s: 5048970 rows, 1000000 new contacts, 5048970 purchases added, 0 already imported."
	counts=$(sed -n 's/.*: \([0-9]*\) rows, \([0-9]*\) new contacts, \([0-9]*\) purchases added, \([0-9]*\) already imported.*/\1 \2 \3 \4/p' "$tmp/import.out")
	echo "seconds=$seconds peak_rss_mb=$rss"
	table+=$'\n'"$run $counts $seconds $rss"
	if [[ $run == again ]] && ! echo "$counts" | awk '{ exit !($2 == 0 && $3 == 0 && $4 == $1) }'; then
		echo "import.sh: the second import wrote something: $counts" >&2
		exit 1
	fi
done
echo
echo "$table" | column -t
