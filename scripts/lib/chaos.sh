# shellcheck shell=bash
# ./se chaos: the fault suite. Runs the fault ITs of ingest, page-service and compactor-worker (each
# starts its own Kafka broker, PostgreSQL and page-service processes through test-support; the
# running local stack is not touched), then prints one table of their FAULT-TABLE rows: fault,
# acknowledged records lost, wrong pages, non-200 answers during the fault, time until serving again,
# and the alerts of monitoring/alerts.yml it made pending or firing (each IT runs a private Prometheus,
# test-support PrometheusProcess; rows of ITs that do not watch alerts show "-").
# Exit status: Maven's (an IT fails on any wrong page or lost record). Sourced by ./se.

SE_CHAOS_ITS_DEFAULT="FaultsUnderLoadIT,StandbyTakeoverIT,CorruptSegmentIT,CompactorCrashIT,SlowSegmentDiskIT,SegmentDirFullIT,PgReplicationIT"

cmd_chaos() {
  if [[ "${1:-}" == live ]]; then
    shift
    cmd_chaos_live "$@"
    return
  fi
  local its=${1:-${SE_CHAOS_ITS:-$SE_CHAOS_ITS_DEFAULT}}
  [[ "$its" =~ ^[A-Za-z0-9_,#*]+$ ]] || die "usage: ./se chaos [IT[,IT...]] (default $SE_CHAOS_ITS_DEFAULT)"
  ensure_dirs
  local log="$SE_LOGS/chaos.log" flags rc=0
  mapfile -t flags < <(mvn_flags)
  info "fault suite: $its (several minutes; full output in $log; the local stack is not touched)"
  set +e
  (cd "$SE_ROOT" && mvn "${flags[@]}" -B -pl ingest,page-service,compactor-worker -am verify -Dtest=none -Dit.test="$its" \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false) >"$log" 2>&1
  rc=$?
  set -e
  chaos_table "$log"
  grep -E '^\[ERROR\] (Tests run|Failures|  )' "$log" | head -n 20 || true
  if ((rc == 0)); then info "RESULT: every fault IT passed (0 lost, 0 wrong)"; else info "RESULT: FAILED (exit $rc; see $log)"; fi
  return "$rc"
}

chaos_table() { # log
  local rows; rows=$(grep -a '^FAULT-TABLE|' "$1" | cut -d'|' -f2- || true)
  if [[ -z "$rows" ]]; then
    warn "no FAULT-TABLE rows in $1 (did the build fail?)"
    return 0
  fi
  info ""
  # rows of ITs that print no alerts column (5 cells) get "-" there
  { printf 'fault|acked lost|wrong pages|failed reads during the fault|serving again|alerts (pending/firing, from the fault start)\n'
    printf '%s\n' "$rows" | awk -F'|' -v OFS='|' '{ for (i = NF + 1; i <= 6; i++) $i = "-"; print }'; } \
    | print_table
}
