#!/usr/bin/env bash
# Pages under load (issue 14): the province dashboard (/), a city page and the ranking, each at about
# 200 requests per second for 20 s (wrk, 2 connections pacing themselves), on the demonstration province
# of a year; reports each page's latency distribution, its errors and its bytes. Target: p99 < 50 ms,
# the dashboard under 500 kB (no boundary file).
#
#   bash bench/pages.sh [WORKDIR]          (default ../bench-work/pages)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mkdir -p "${1:-../bench-work/pages}" && cd "${1:-../bench-work/pages}" && pwd)
PORT=18112
cargo build --release -q -p lantian-cli
LANTIAN=$PWD/target/release/lantian
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 1; }
if [ ! -f "$WORK/demo/lantian.db" ]; then
  "$LANTIAN" demo --no-serve --dir "$WORK/demo" >/dev/null
fi
RUST_LOG=warn "$LANTIAN" --db "sqlite:$WORK/demo/lantian.db" serve --addr "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
base="http://127.0.0.1:$PORT"
for page in "/" "/cities/510100" "/ranking"; do
  # The first answer is computed (then cached until the data change): its time and size, then the load.
  first=$(curl -fsS -o "$WORK/page.html" -w '%{time_total} %{size_download}' "$base$page")
  echo "== $page: first answer ${first% *} s, ${first#* } bytes"
  wrk -t1 -c2 -d20s --latency -s bench/wrk-200rps.lua "$base$page" >"$WORK/wrk.txt"
  grep -E "Requests/sec|Non-2xx|Socket errors|^ +(50|90|99|99.9)%" "$WORK/wrk.txt" || true
done
