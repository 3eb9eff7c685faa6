#!/usr/bin/env bash
# import-contacts.sh — how long `crm import contacts` takes on PostgreSQL.
#
# It writes a CSV of CONTACTS contacts (default 1000000) with
# bench/contactlog (the same file for the same CONTACTS and SEED), creates
# a fresh database and an organization, and imports the file twice under
# /usr/bin/time -v: first into the empty organization (every row creates a
# contact), then again (every row is unchanged). It prints each import's
# output with its steps (--phases) and a table at the end:
#
#   run    seconds  peak_rss_mb  created  updated  unchanged
#
#   bench/import-contacts.sh                     # 1M contacts
#   CONTACTS=100000 bench/import-contacts.sh
#
# Env: CONTACTS, SEED (1), PGHOST/PGPORT (127.0.0.1:5432), CRM_IMPORT_DB
#      (crm_import_contacts: dropped and recreated, owned by role
#      crm_bench). Needs a local PostgreSQL reachable as superuser through
#      `su postgres -c psql`.
set -euo pipefail
cd "$(dirname "$0")/.."
CONTACTS=${CONTACTS:-1000000}
SEED=${SEED:-1}
host=${PGHOST:-127.0.0.1}
port=${PGPORT:-5432}
DB=${CRM_IMPORT_DB:-crm_import_contacts}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "building…"
go build -o "$tmp/crm" ./cmd/crm
go build -o "$tmp/contactlog" ./bench/contactlog
"$tmp/contactlog" -contacts "$CONTACTS" -seed "$SEED" >"$tmp/contacts.csv"
echo "$CONTACTS contacts, $(du -m "$tmp/contacts.csv" | cut -f1) MB of CSV"

su postgres -c "psql -q -v ON_ERROR_STOP=1" <<SQL
DO \$\$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='crm_bench') THEN CREATE ROLE crm_bench LOGIN PASSWORD 'crm_bench'; END IF; END\$\$;
SET client_min_messages = warning;
DROP DATABASE IF EXISTS $DB;
CREATE DATABASE $DB OWNER crm_bench;
SQL
export DATABASE_URL="postgres://crm_bench:crm_bench@$host:$port/$DB?sslmode=disable"
export CRM_JWT_SECRET=import-bench-secret-import-bench-secret
export CRM_DATA_DIR=$tmp/data
"$tmp/crm" migrate >/dev/null
slug=$("$tmp/crm" org create --name "Import Bench" --admin-email bench@example.com --admin-password 'import-bench-password' | tail -n1)

table="run seconds peak_rss_mb created updated unchanged"
for run in first again; do
	echo "== $run import"
	/usr/bin/time -v "$tmp/crm" import contacts --org "$slug" --phases "$tmp/contacts.csv" >"$tmp/$run.out" 2>"$tmp/$run.err" ||
		{ cat "$tmp/$run.out" "$tmp/$run.err" >&2; exit 1; }
	cat "$tmp/$run.out"
	seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s }' "$tmp/$run.err")
	rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$tmp/$run.err")
	counts=$(sed -n 's/.* \([0-9]*\) contacts created, \([0-9]*\) updated, \([0-9]*\) unchanged.*/\1 \2 \3/p' "$tmp/$run.out")
	table+=$'\n'"$run $seconds $rss $counts"
done
echo
echo "$table" | column -t
