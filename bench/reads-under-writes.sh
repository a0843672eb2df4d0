#!/usr/bin/env bash
# Reads under writes (issue 13 item 4): the web server answers the ranking and a station's series at about
# 500 requests per second each while a month of new hourly data is uploaded through its write path.
# Reports wrk's latency distribution and every upload's status: the target is zero failed requests and
# zero failed uploads, ranking p99 under 10 ms on SQLite; the same on PostgreSQL for the record.
#
#   bash bench/reads-under-writes.sh [WORKDIR] [POSTGRES_URL]
#
# WORKDIR (default ../bench-work/ruw) gets the demonstration province; POSTGRES_URL (default
# postgres://postgres@127.0.0.1:5434/ruw, a database the script may empty) is skipped when no server answers.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mkdir -p "${1:-../bench-work/ruw}" && cd "${1:-../bench-work/ruw}" && pwd)
PG_URL=${2:-postgres://postgres@127.0.0.1:5434/ruw}
PORT=18111
cargo build --release -q -p lantian-cli
LANTIAN=$PWD/target/release/lantian
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 1; }

# The province-year (2022) and a month to upload (January 2023), 123 stations.
if [ ! -f "$WORK/demo/lantian.db" ]; then
  "$LANTIAN" demo --no-serve --dir "$WORK/demo" >/dev/null
fi
rm -rf "$WORK/month"
"$LANTIAN" synth --out "$WORK/month" --days 31 --start 2023-01-01 >/dev/null
MONTH_FILES=$(ls "$WORK/month"/china_sites_*.csv)

run() {
  local db=$1 label=$2
  echo "== $label: $db"
  LANTIAN_PASSWORD='bench horse battery staple' "$LANTIAN" --db "$db" user add bench-admin --role admin >/dev/null 2>&1 || true
  local token
  token=$("$LANTIAN" --db "$db" user token bench-admin --label "ruw-$(date +%s%N)" | tail -1)
  RUST_LOG=warn "$LANTIAN" --db "$db" serve --addr "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
  local server=$!
  for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  local base="http://127.0.0.1:$PORT/api/v1"
  # Warm the answers once (their first computation is not what this measures).
  curl -fsS "$base/rankings?period=2022-12" >/dev/null
  curl -fsS "$base/aqi/hourly?station=1431A&from=2022-12-01&to=2022-12-07" >/dev/null
  wrk -t1 -c6 -d25s --latency -s bench/wrk-500rps.lua "$base/rankings?period=2022-12" >"$WORK/wrk-rank.txt" &
  local w1=$!
  wrk -t1 -c6 -d25s --latency -s bench/wrk-500rps.lua \
    "$base/aqi/hourly?station=1431A&from=2022-12-01&to=2022-12-07" >"$WORK/wrk-series.txt" &
  local w2=$!
  sleep 2
  local ok=0 failed=0 started
  started=$(date +%s.%N)
  for f in $MONTH_FILES; do
    code=$(curl -s -o "$WORK/upload.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
      --data-binary "@$f" "$base/uploads?name=$(basename "$f")")
    if [ "$code" = 200 ]; then ok=$((ok + 1)); else failed=$((failed + 1)); echo "upload $f: $code $(head -c 300 "$WORK/upload.json")"; fi
    # Spread over the load's window: a day's file every 0.6 s, so the reads run under writes throughout.
    sleep 0.6
  done
  echo "uploads: $ok ok, $failed failed in $(echo "$(date +%s.%N) - $started" | bc) s"
  wait $w1 $w2
  for n in rank series; do
    echo "-- $n"
    grep -E "Requests/sec|Non-2xx|Socket errors|^ +(50|90|99|99.9)%" "$WORK/wrk-$n.txt" || true
  done
  kill "$server"; wait "$server" 2>/dev/null || true
}

# SQLite: a copy of the demonstration store, so that every run starts from the same data.
cp "$WORK/demo/lantian.db" "$WORK/sqlite.db"
rm -f "$WORK/sqlite.db-wal" "$WORK/sqlite.db-shm"
run "sqlite:$WORK/sqlite.db" SQLite

if psql "$PG_URL" -c 'select 1' >/dev/null 2>&1 || psql "${PG_URL%/*}/postgres" -c "create database ${PG_URL##*/}" >/dev/null 2>&1; then
  psql "$PG_URL" -qc 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public' >/dev/null 2>&1
  "$LANTIAN" --db "$PG_URL" import "$WORK/demo/data" >/dev/null
  run "$PG_URL" PostgreSQL
else
  echo "== PostgreSQL: no server at $PG_URL (skipped)"
fi
