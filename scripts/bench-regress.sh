#!/usr/bin/env bash
# bench-regress.sh (./se bench regress [--update]): the regression check CI runs after the tests.
#
# Short JMH runs (average time, 1 fork, 2 x 1 s warm-up, 3 x 1 s measurement) of the hot paths,
# each divided by a baseline measured in the same JVM (copying one 8 KiB page), so that the ratio
# does not move with the machine's speed:
#   reconstruct-synthetic  GetPage@LSN through the store, image + 8 PAGE_DELTA frames
#   reconstruct-pg         GetPage@LSN through the store, image + 8 PostgreSQL Heap/INSERT records
#   redo-chain             our redo alone: image copy + 8 Heap/INSERT records
# The ratios are compared with bench/regress-baseline.json (committed): a ratio above its baseline
# by more than the band (the baseline's "band", measured over repeated quiet runs) fails with exit 1.
# --update writes the ratios of this run as the new baseline (keeping the band).
# Knobs (env): REGRESS_BAND overrides the band, REGRESS_OUT (target/regress) for the JMH JSON.
set -euo pipefail
SE_ROOT=${SE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# shellcheck source=/dev/null
source "$SE_ROOT/scripts/lib/common.sh"
setup_java
cd "$SE_ROOT"
OUT=${REGRESS_OUT:-$SE_ROOT/target/regress}
mkdir -p "$OUT"
JMH=(-f 1 -bm avgt -tu us -wi 2 -w 1s -i 3 -r 1s)
t0=$(date +%s)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
bash scripts/bench-jmh.sh page-service 'ReconstructBench' "${JMH[@]}" -p chain=8 -p engine=BOUNDED \
  -p records=SYNTHETIC,PG -rf json -rff "$OUT/page-service.json" >"$OUT/page-service.log" 2>&1 \
  || die "ReconstructBench failed: see $OUT/page-service.log"
bash scripts/bench-jmh.sh postgres-redo 'RedoChainBench' "${JMH[@]}" -rf json -rff "$OUT/postgres-redo.json" \
  >"$OUT/postgres-redo.log" 2>&1 || die "RedoChainBench failed: see $OUT/postgres-redo.log"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) ($(($(date +%s) - t0)) s)"
exec python3 scripts/lib/bench_regress.py "$OUT" bench/regress-baseline.json "$@"
