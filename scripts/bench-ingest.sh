#!/usr/bin/env bash
# bench-ingest.sh: end-to-end ingest benchmark (called by `./se bench ingest`, or run directly).
#
#  1. Throughput: publish a file of 8 KiB PAGE_IMAGE frames (8,230-byte records) with IngestCli versus
#     Kafka's own kafka-producer-perf-test (org.apache.kafka.tools.ProducerPerformance) with the same
#     record count and size and the same producer settings (acks=all, idempotent, linger 5 ms,
#     batch 256 KiB, compression per run), interleaved, a fresh topic per run (deleted after it).
#     Prints records/s of each run and the ratio ingest / perf-test (goal >= 0.8).
#  2. Memory: a walgen stream of BENCH_RSS_BYTES (default 10G) piped through `publish -`; peak RSS of
#     the publishing JVM from /usr/bin/time -v (goal < 512 MB).
#
# Uses the broker at $SE_KAFKA_BOOTSTRAP (default 127.0.0.1:$SE_KAFKA_PORT, as `./se up` starts it);
# if none answers, starts test-support's in-JVM broker for the duration of the script.
# Knobs (env): BENCH_RECORDS (300000 ≈ 2.5 GB per run, >= 8 s here), BENCH_ROUNDS (2),
# BENCH_COMPRESSIONS ("none lz4"), BENCH_PARTITIONS (8), BENCH_RSS_BYTES (10G, 0 = skip),
# BENCH_INGEST_XMX (heap of the publishing JVM, default 1g as ./se uses), BENCH_DIR (/tmp/se-bench-ingest),
# BENCH_SKIP_BUILD=1 to reuse the last build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SE_ROOT=$ROOT
# shellcheck source=/dev/null
source "$ROOT/scripts/lib/common.sh" # se_mvn
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
RECORDS=${BENCH_RECORDS:-300000}
ROUNDS=${BENCH_ROUNDS:-2}
COMPRESSIONS=${BENCH_COMPRESSIONS:-none lz4}
PARTITIONS=${BENCH_PARTITIONS:-8}
RSS_BYTES=${BENCH_RSS_BYTES:-10G}
INGEST_XMX=${BENCH_INGEST_XMX:-1g}
WORK=${BENCH_DIR:-/tmp/se-bench-ingest}
RECORD_SIZE=8230   # 21-byte header + 17-byte PageRef + 8192-byte page
TENANT=be000000000000000000000000000001
TIMELINE=be000000000000000000000000000002
mkdir -p "$WORK"

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

cd "$ROOT"
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 || ! -f ingest/target/test-classpath.txt ]]; then
  log "building ingest (mvn -q -pl ingest -am install -DskipTests) ..."
  se_mvn -q -pl ingest -am install -DskipTests >&2
  se_mvn -q -pl ingest test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/test-classpath.txt >&2
fi
CP="$ROOT/ingest/target/classes:$ROOT/ingest/target/test-classes:$(cat "$ROOT/ingest/target/test-classpath.txt")"
LOGCFG="-Dlog4j2.configurationFile=$ROOT/ingest/target/classes/log4j2.xml"
cli() { "$JAVA" -Xmx"$INGEST_XMX" $LOGCFG -cp "$CP" io.storageengine.ingest.cli.IngestCli "$@"; }

# --- broker ---------------------------------------------------------------------------------------
BOOTSTRAP=${SE_KAFKA_BOOTSTRAP:-127.0.0.1:${SE_KAFKA_PORT:-9092}}
BROKER_PID=
cleanup() { [[ -n "$BROKER_PID" ]] && kill "$BROKER_PID" 2>/dev/null || true; }
trap cleanup EXIT
if ! (exec 3<>"/dev/tcp/${BOOTSTRAP%:*}/${BOOTSTRAP##*:}") 2>/dev/null; then
  log "no broker at $BOOTSTRAP: starting test-support's in-JVM broker"
  rm -f "$WORK/bootstrap"
  "$JAVA" -Xmx2g $LOGCFG -cp "$CP" io.storageengine.ingest.bench.BenchBroker "$WORK/bootstrap" \
    < /dev/null > "$WORK/broker.log" 2>&1 &
  BROKER_PID=$!
  for _ in $(seq 1 120); do [[ -s "$WORK/bootstrap" ]] && break; sleep 1; done
  [[ -s "$WORK/bootstrap" ]] || { tail -20 "$WORK/broker.log" >&2; exit 1; }
  BOOTSTRAP=$(cat "$WORK/bootstrap")
fi
log "broker $BOOTSTRAP"

topics() { "$JAVA" -Xmx256m $LOGCFG -cp "$CP" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" "$@" >&2; }
create_topic() { topics --create --topic "$1" --partitions "$PARTITIONS" --replication-factor 1; }
delete_topic() { topics --delete --topic "$1" || true; sleep 2; }

# --- input ----------------------------------------------------------------------------------------
INPUT="$WORK/images-$RECORDS.wal"
if [[ ! -s "$INPUT" ]]; then
  log "generating $RECORDS image frames into $INPUT"
  cli walgen --seed 7 --relations 16 --pages-per-relation 65536 --image-ratio 1 --lsn-advance-ratio 0 \
    --lsn-step 8192 --records "$RECORDS" --out "$INPUT"
fi
cat "$INPUT" > /dev/null   # into the page cache

# --- throughput, interleaved ---------------------------------------------------------------------
RESULTS="$WORK/results.txt"
: > "$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  for comp in $COMPRESSIONS; do
    t="bench-perf-$round-$comp-$$"
    create_topic "$t"
    log "round $round $comp: kafka-producer-perf-test $RECORDS x $RECORD_SIZE B"
    perf=$("$JAVA" -Xmx1g $LOGCFG -cp "$CP" org.apache.kafka.tools.ProducerPerformance --topic "$t" \
      --num-records "$RECORDS" --record-size "$RECORD_SIZE" --throughput -1 \
      --producer-props bootstrap.servers="$BOOTSTRAP" acks=all enable.idempotence=true linger.ms=5 \
      batch.size=262144 compression.type="$comp" 2>&1 | tail -1)
    perf_rps=$(sed -E 's/.* records sent, ([0-9.]+) records\/sec.*/\1/' <<<"$perf")
    log "  perf-test: $perf"
    delete_topic "$t"

    t="bench-ingest-$round-$comp-$$"
    create_topic "$t"
    log "round $round $comp: IngestCli publish $INPUT"
    summary=$(cli publish --tenant "$TENANT" --timeline "$TIMELINE" --bootstrap "$BOOTSTRAP" --topic "$t" \
      --compression "$comp" --summary-json --quiet "$INPUT")
    log "  ingest: $summary"
    published=$(sed -E 's/.*"published":([0-9]+).*/\1/' <<<"$summary")
    secs=$(sed -E 's/.*"seconds":([0-9.]+).*/\1/' <<<"$summary")
    ingest_rps=$(awk -v n="$published" -v s="$secs" 'BEGIN { printf "%.1f", n / s }')
    delete_topic "$t"
    ratio=$(awk -v a="$ingest_rps" -v b="$perf_rps" 'BEGIN { printf "%.2f", a / b }')
    printf 'round %s compression %-5s perf-test %9.0f rec/s (%6.1f MB/s)  ingest %9.0f rec/s (%6.1f MB/s, %s s)  ratio %s\n' \
      "$round" "$comp" "$perf_rps" "$(awk -v r="$perf_rps" -v s=$RECORD_SIZE 'BEGIN{print r*s/1e6}')" \
      "$ingest_rps" "$(awk -v r="$ingest_rps" -v s=$RECORD_SIZE 'BEGIN{print r*s/1e6}')" "$secs" "$ratio" | tee -a "$RESULTS"
  done
done

# --- peak RSS over a long piped stream -------------------------------------------------------------
if [[ "$RSS_BYTES" != 0 ]]; then
  t="bench-rss-$$"
  create_topic "$t"
  log "memory: walgen --bytes $RSS_BYTES | publish - (heap -Xmx$INGEST_XMX), peak RSS via /usr/bin/time -v"
  set +o pipefail
  "$JAVA" -Xmx256m $LOGCFG -cp "$CP" io.storageengine.ingest.cli.IngestCli walgen --seed 9 --relations 16 \
      --pages-per-relation 65536 --image-ratio 0.5 --bytes "$RSS_BYTES" 2>/dev/null \
    | /usr/bin/time -v -o "$WORK/time.txt" "$JAVA" -Xmx"$INGEST_XMX" $LOGCFG -cp "$CP" \
        io.storageengine.ingest.cli.IngestCli publish --tenant "$TENANT" --timeline "$TIMELINE" \
        --bootstrap "$BOOTSTRAP" --topic "$t" --summary-json --quiet - > "$WORK/rss-summary.json"
  set -o pipefail
  rss_kb=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$WORK/time.txt")
  log "  ingest: $(cat "$WORK/rss-summary.json")"
  printf 'memory: %s piped through publish (-Xmx%s): peak RSS %d MB; %s\n' "$RSS_BYTES" "$INGEST_XMX" \
    "$((rss_kb / 1024))" "$(sed -E 's/.*"mb_per_s":([0-9.]+).*/\1 MB\/s/' "$WORK/rss-summary.json")" | tee -a "$RESULTS"
  delete_topic "$t"
fi

echo "---"
cat "$RESULTS"
