#!/usr/bin/env bash
# Side-by-side benchmark: the peers (../shared/bench: pandas peer_bench.py, and the stronger polars and
# DuckDB pipelines) and lantian, in one run, on the same CNEMC files (the pandas peer writes them; polars,
# DuckDB and lantian then read exactly those files).
#
#   bash bench/compare.sh [STATIONS] [DAYS] [WORKDIR]      (defaults: 1000 365 ../bench-work)
#
# Also runs lantian on a national-scale year from `lantian synth --stations 2000` (the peer cannot
# write 2000 stations × 365 days here: pandas' pivot to the wide layout is killed at 24 GiB).
set -euo pipefail
cd "$(dirname "$0")/.."
STATIONS=${1:-1000}
DAYS=${2:-365}
WORK=$(mkdir -p "${3:-../bench-work}" && cd "${3:-../bench-work}" && pwd)
PEER=../shared/bench/peer_bench.py
VENV="$WORK/peer-venv"

echo "== machine"
uname -srm
nproc
grep -m1 'model name' /proc/cpuinfo || true
free -g | head -2

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q pandas numpy python-aqi openpyxl
fi
"$VENV/bin/python" -c "import polars, duckdb" 2>/dev/null || "$VENV/bin/pip" install -q polars duckdb
cargo build --release -q -p lantian-cli
LANTIAN=target/release/lantian

echo "== peer: pandas, $STATIONS stations x $DAYS days"
rm -rf "$WORK/peer"
/usr/bin/time -v "$VENV/bin/python" "$PEER" --stations "$STATIONS" --days "$DAYS" --out "$WORK/peer" 2> "$WORK/peer.time"
grep -E "Maximum resident|Elapsed" "$WORK/peer.time"

for peer in polars duckdb; do
  echo "== peer: $peer on the same files"
  for i in 1 2 3; do
    /usr/bin/time -v "$VENV/bin/python" "../shared/bench/peer_$peer.py" --files "$WORK/peer/cnemc" 2> "$WORK/$peer.time"
    grep -E "Maximum resident|Elapsed" "$WORK/$peer.time"
  done
done

echo "== lantian on the peer's files ($WORK/peer/cnemc)"
for i in 1 2 3; do
  /usr/bin/time -v "$LANTIAN" bench "$WORK/peer/cnemc" --bench-db "$WORK/lantian-peer.db" 2> "$WORK/lantian.time"
  grep -E "Maximum resident|Elapsed" "$WORK/lantian.time"
done

echo "== lantian on a national year: synth 2000 stations x 365 days, all 15 series"
rm -rf "$WORK/synth2000"
"$LANTIAN" synth --out "$WORK/synth2000" --stations 2000 --days 365
# SQLite and PostgreSQL side by side, alternating (issue 13): the same files, the same steps (import,
# hourly AQI, station daily values, a month's ranking). PostgreSQL: $LANTIAN_BENCH_PG (a database the
# benchmark may empty; default a local server on port 5434 with Debian's default settings).
PG_URL=${LANTIAN_BENCH_PG:-postgres://postgres@127.0.0.1:5434/bench}
for i in 1 2 3; do
  echo "-- SQLite"
  /usr/bin/time -v "$LANTIAN" bench "$WORK/synth2000" --bench-db "$WORK/lantian-2000.db" 2> "$WORK/lantian.time"
  grep -E "Maximum resident|Elapsed" "$WORK/lantian.time"
  if psql "$PG_URL" -c 'select 1' >/dev/null 2>&1; then
    echo "-- PostgreSQL"
    /usr/bin/time -v "$LANTIAN" bench "$WORK/synth2000" --bench-db "$PG_URL" 2> "$WORK/lantian.time"
    grep -E "Maximum resident|Elapsed" "$WORK/lantian.time"
  else
    echo "-- PostgreSQL: no server at $PG_URL (skipped)"
  fi
done
