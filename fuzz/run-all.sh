#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each (default 30) with the samples of every
# kind as seed corpus; new inputs go to fuzz/corpus/TARGET, crashes to fuzz/artifacts/TARGET, the
# full log to fuzz/logs/TARGET.log. Stable toolchain: cargo-fuzz needs nightly flags, which
# RUSTC_BOOTSTRAP=1 unlocks (see fuzz/README.md).   Usage: fuzz/run-all.sh [SECONDS] [TARGET…]
set -uo pipefail
cd "$(dirname "$0")/.."
secs="${1:-30}"
shift || true
targets=("$@")
export RUSTC_BOOTSTRAP=1
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
cargo fuzz build || exit 1
mkdir -p fuzz/logs
failed=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  cargo fuzz run "$t" "fuzz/corpus/$t" crates/lantian-ingest/samples -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -max_len=262144 -timeout=10 -print_final_stats=1 \
    >"fuzz/logs/$t.log" 2>&1
  status=$?
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "fuzz/logs/$t.log" | grep -oE '[0-9]+$' || echo "?")
  cov=$(grep -oE '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)[[:space:]]+cov: [0-9]+' "fuzz/logs/$t.log" | tail -1 | grep -oE '[0-9]+$' || echo "?")
  echo "$t: ${secs}s, ${runs} runs, coverage ${cov}, exit ${status}"
  if [ "$status" -ne 0 ]; then
    failed=1
    grep -E "panicked|SUMMARY|ERROR|artifact" "fuzz/logs/$t.log" | head -5
  fi
done
exit "$failed"
