#!/usr/bin/env bash
# peer-compare.sh — the CRM against PostGraphile 5 on the same data shape,
# the same nested query and the same load, in one run.
#
# Loads a PostgreSQL database with the peer's shape (1,000 accounts, 10,000
# contacts, 30,000 deals) through `crm seed`, deals the deals out three per
# contact as the peer's data has them, mints a read-only API token,
# starts `crm serve` and loads it with wrk and the peers' post.lua (-t2 -c16,
# DURATION seconds after a 3 s warm-up) with the peers' query translated to
# this API: 50 contacts ordered by ID, each with its account's name and its
# deals' amount, stage and close time. Then it stops the server and runs the
# peers' postgraphile-bench.sh (PostGraphile 5 under the same wrk, then
# Postgres alone building the same JSON). It prints every SUMMARY line, the
# ratios crm/PostGraphile of req/s and of p99 latency, and the CRM server's
# peak RSS (VmHWM).
#
#   bench/peer-compare.sh
#
# Env: PEERS (../shared/peers from the repository root), DURATION (15),
#      CONC (16), PGHOST/PGPORT (127.0.0.1:5432), CRM_BENCH_DB (crm_bench:
#      dropped and recreated, owned by role crm_bench), SKIP_PEER=1 to
#      measure the CRM only. Needs what postgraphile-bench.sh needs: a local
#      PostgreSQL reachable as superuser through `su postgres -c psql`, npm,
#      wrk (installed with apt-get when missing). Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PEERS=${PEERS:-$ROOT/../shared/peers}
PEERS=$(cd "$PEERS" && pwd)
DURATION=${DURATION:-15}
CONC=${CONC:-16}
# Not exported: postgraphile-bench.sh reaches the superuser through the
# Unix socket, and an exported PGHOST would send it over TCP.
host=${PGHOST:-127.0.0.1}
port=${PGPORT:-5432}
DB=${CRM_BENCH_DB:-crm_bench}
for f in post.lua postgraphile-bench.sh; do
	[[ -f $PEERS/$f ]] || { echo "peer-compare: $PEERS/$f not found; set PEERS" >&2; exit 2; }
done
command -v wrk >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }

tmp=$(mktemp -d)
pid=
cleanup() {
	if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "building…"
go build -o "$tmp/crm" ./cmd/crm

# A fresh database for the CRM, role crm_bench.
su postgres -c "psql -q -v ON_ERROR_STOP=1" <<SQL
DO \$\$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='crm_bench') THEN CREATE ROLE crm_bench LOGIN PASSWORD 'crm_bench'; END IF; END\$\$;
SET client_min_messages = warning;
DROP DATABASE IF EXISTS $DB;
CREATE DATABASE $DB OWNER crm_bench;
SQL
export DATABASE_URL="postgres://crm_bench:crm_bench@$host:$port/$DB?sslmode=disable"
export CRM_DATA_DIR=$tmp/data
export CRM_JWT_SECRET=peer-compare-secret-peer-compare-secret

echo "seeding 1,000 accounts, 10,000 contacts, 30,000 deals…"
"$tmp/crm" seed --contacts 10000 --accounts 1000 --deals 30000 | head -n1
# The peer's data gives every contact exactly 3 deals; the seed draws
# purchase histories, so a few contacts hold dozens. Deal the deals out the
# same way, so that both answers carry the same 150 deals: deal i goes to
# the i-th contact counting from the last, the seed's few extra deals
# landing on the last contacts.
PGPASSWORD=crm_bench psql -h "$host" -p "$port" -U crm_bench -d "$DB" -q -v ON_ERROR_STOP=1 <<'SQL'
WITH c AS (SELECT id, row_number() OVER (ORDER BY id DESC) - 1 AS i FROM contacts),
     n AS (SELECT count(*) AS n FROM contacts),
     d AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i FROM deals)
UPDATE deals SET contact_id = c.id FROM d, c, n WHERE deals.id = d.id AND c.i = d.i % n.n;
SQL
PGPASSWORD=crm_bench psql -h "$host" -p "$port" -U crm_bench -d "$DB" -q -c 'VACUUM ANALYZE accounts, contacts, deals, stages'
token=$("$tmp/crm" token create --org demo --name peer-compare --scopes '*:read' | tail -n1 | tr -d '[:space:]')

# One token and one address send everything: raise the rate limits out of
# the way, as PostGraphile has none.
http_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CRM_RATE_PER_VIEWER=1000000 CRM_RATE_PER_IP=1000000 CRM_ANALYTICS_INTERVAL=10000h \
	"$tmp/crm" serve --addr "127.0.0.1:$http_port" >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
url=http://127.0.0.1:$http_port/graphql
for _ in $(seq 1 100); do
	curl -sf -o /dev/null "http://127.0.0.1:$http_port/healthz" && break
	kill -0 "$pid" 2>/dev/null || { echo "crm serve exited:" >&2; cat "$tmp/serve.err" >&2; exit 1; }
	sleep 0.1
done

cat >"$tmp/query.json" <<'EOF'
{"query":"query ContactsWithDeals { contacts(first: 50, orderBy: {field: ID, direction: ASC}) { edges { node { id firstName lastName account { name } deals { edges { node { amount stage { name } closedAt } } } } } } }","operationName":"ContactsWithDeals"}
EOF
# The answer must be 50 contacts and no errors before it is timed.
curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' --data @"$tmp/query.json" "$url" >"$tmp/answer.json"
python3 - "$tmp/answer.json" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1]))
if a.get("errors") or len(a["data"]["contacts"]["edges"]) != 50:
    sys.exit("peer-compare: unexpected answer: %.500s" % json.dumps(a))
deals = sum(len(e["node"]["deals"]["edges"]) for e in a["data"]["contacts"]["edges"])
print("answer: 50 contacts, %d deals, %d bytes" % (deals, len(open(sys.argv[1], "rb").read())))
EOF

export QUERY_JSON=$tmp/query.json BEARER=$token
wrk -t2 -c"$CONC" -d3s -s "$PEERS/post.lua" "$url" >/dev/null
crm_line=$(wrk -t2 -c"$CONC" -d"${DURATION}s" -s "$PEERS/post.lua" "$url" | sed -n 's/^SUMMARY /SUMMARY peer=crm /p')
rss=$(awk '/VmHWM/{print $2}' "/proc/$pid/status")
echo "$crm_line"
echo "SUMMARY peer=crm rss_kb=$rss"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
unset BEARER

[[ ${SKIP_PEER:-} == 1 ]] && exit 0
peer_out=$(DURATION=$DURATION CONC=$CONC "$PEERS/postgraphile-bench.sh")
echo "$peer_out"
peer_line=$(echo "$peer_out" | grep '^SUMMARY peer=postgraphile[^ ]* rps=' | head -n1)
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
awk -v cr="$(field "$crm_line" rps)" -v pr="$(field "$peer_line" rps)" \
	-v c99="$(field "$crm_line" p99_ms)" -v p99="$(field "$peer_line" p99_ms)" -v rss="$rss" 'BEGIN {
	printf "RATIO rps crm/postgraphile=%.2f (target >= 2)  p99 crm/postgraphile=%.2f (target <= 1)  crm peak RSS %.0f MB (target <= 150)\n",
		cr / pr, c99 / p99, rss / 1024 }'
