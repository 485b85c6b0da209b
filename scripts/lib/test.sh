# shellcheck shell=bash
# ./se test: the promtool checks of monitoring/ (monitoring_check in monitoring.sh: a few seconds; without
# promtool a warning locally, a failure under CI=true), then `mvn -B verify` over all modules (unit tests by Surefire, *IT by Failsafe; the ITs start
# their own Kafka broker and PostgreSQL through test-support), then a per-module summary of the
# reports this run wrote. Exit status is Maven's. Sourced by ./se.

# Prints "tests failures errors skipped" summed over the report XMLs of one directory newer than $2.
sum_reports() { # dir stamp
  local f
  [[ -d "$1" ]] || { echo "0 0 0 0"; return; }
  find "$1" -maxdepth 1 -name 'TEST-*.xml' -newer "$2" -print0 | xargs -0 -r cat \
    | grep -o '<testsuite [^>]*>' \
    | awk '
      function attr(s, a,   m) { if (match(s, a "=\"[0-9]+\"")) { m = substr(s, RSTART, RLENGTH); gsub(/[^0-9]/, "", m); return m + 0 } return 0 }
      { t += attr($0, "tests"); f += attr($0, "failures"); e += attr($0, "errors"); s += attr($0, "skipped") }
      END { printf "%d %d %d %d\n", t, f, e, s }'
}

failed_tests() { # dir stamp -> "Class.method" of each failed or errored test case
  [[ -d "$1" ]] || return 0
  find "$1" -maxdepth 1 -name 'TEST-*.xml' -newer "$2" -print0 | xargs -0 -r cat | awk '
    /<testcase / { n = $0; sub(/.* name="/, "", n); sub(/".*/, "", n); c = $0; sub(/.*classname="/, "", c); sub(/".*/, "", c) }
    /<failure|<error/ { print "    " c "." n }' | sort -u
}

cmd_test() {
  ensure_dirs
  local stamp="$SE_LOCAL/test.stamp" log="$SE_LOGS/test.log"
  touch "$stamp"
  sleep 1 # report files must be strictly newer than the stamp
  local mon_rc=0
  info "checking monitoring/ with promtool (alert rules, their unit tests, configs, runbook entries)"
  monitoring_check 2>&1 | tee "$SE_LOGS/monitoring-check.log" || mon_rc=${PIPESTATUS[0]}
  if ((mon_rc == 2)) && [[ "${CI:-}" != true ]]; then
    mon_rc=0 # no promtool on a development machine: warned above; CI installs it (.ci/run)
  fi
  local flags; mapfile -t flags < <(mvn_flags)
  info "running: mvn ${flags[*]} -B -fae verify $*   (full output also in $log)"
  local rc=0
  set +e
  (cd "$SE_ROOT" && mvn "${flags[@]}" -B -fae verify "$@") 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e

  info ""
  info "==================== test summary ===================="
  printf '%-18s %-9s %6s %6s %6s %6s\n' module kind tests fail error skip
  local m kind dir t f e s bad=0 total=0
  for m in $(cd "$SE_ROOT" && ls -d */pom.xml 2>/dev/null | xargs -n1 dirname); do
    for kind in surefire failsafe; do
      dir="$SE_ROOT/$m/target/$kind-reports"
      read -r t f e s < <(sum_reports "$dir" "$stamp")
      ((t > 0)) || continue
      printf '%-18s %-9s %6d %6d %6d %6d\n' "$m" "$([[ $kind == surefire ]] && echo unit || echo IT)" "$t" "$f" "$e" "$s"
      total=$((total + t))
      if ((f + e > 0)); then bad=1; failed_tests "$dir" "$stamp"; fi
    done
  done
  ((total > 0)) || info "(no test reports written: did compilation fail? see $log)"
  grep -E '^\[ERROR\] .*(Failed to execute|COMPILATION ERROR|Could not resolve)' "$log" | head -n 10 || true
  grep -E '^\[INFO\] .* (SUCCESS|FAILURE|SKIPPED)( \[|$)' "$log" | sed 's/^\[INFO\] /  /' || true
  if ((mon_rc == 0)); then info "  monitoring (promtool) OK"; else info "  monitoring (promtool) FAILED: see $SE_LOGS/monitoring-check.log"; bad=1; fi
  if ((rc == 0 && bad == 0)); then info "RESULT: all tests passed"; else info "RESULT: FAILED (exit $rc)"; fi
  ((rc == 0 && bad == 0)) || return "$((rc == 0 ? 1 : rc))"
}
