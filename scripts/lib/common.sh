# shellcheck shell=bash
# Shared helpers for ./se: paths, messages, Java/Maven, ports, pid files. Sourced, never run.
#
# Layout of the local stack (all under .local/, git-ignored):
#   .local/run/<name>.pid   pid of each process ./se started (kafka, postgres, page-service, compactor)
#   .local/logs/<name>.log  its output
#   .local/kafka/           broker config, cluster id, log dirs
#   .local/pg/              PostgreSQL data directory (or a symlink to one, see postgres.sh)
#   .local/build.stamp      time of the last successful build by ./se

SE_LOCAL="$SE_ROOT/.local"
SE_RUN="$SE_LOCAL/run"
SE_LOGS="$SE_LOCAL/logs"

info() { printf '%s\n' "$*"; }
warn() { printf 'se: warning: %s\n' "$*" >&2; }
die() { printf 'se: error: %s\n' "$*" >&2; exit 1; }

# JAVA_HOME: keep the caller's if it holds a java, else the Temurin 25 JDK.
setup_java() {
  local default=/usr/lib/jvm/temurin-25-jdk-amd64
  if [[ -z "${JAVA_HOME:-}" || ! -x "${JAVA_HOME}/bin/java" ]]; then
    [[ -n "${JAVA_HOME:-}" ]] && warn "JAVA_HOME=$JAVA_HOME has no bin/java; using $default"
    JAVA_HOME=$default
  fi
  [[ -x "$JAVA_HOME/bin/java" ]] || die "no JDK at $JAVA_HOME: install the Temurin 25 JDK (temurin-25-jdk) or set JAVA_HOME"
  export JAVA_HOME
  export PATH="$JAVA_HOME/bin:$PATH"
  JAVA="$JAVA_HOME/bin/java"
  # Maven 3.8's Guava warns about sun.misc.Unsafe on Java 24+; the flag only exists there
  JAVA_UNSAFE_FLAGS=()
  if "$JAVA" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1; then
    JAVA_UNSAFE_FLAGS=(--sun-misc-unsafe-memory-access=allow)
    [[ "${MAVEN_OPTS:-}" == *sun-misc-unsafe* ]] || export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }${JAVA_UNSAFE_FLAGS[0]}"
  fi
}

# Maven flags: offline when the local repository can serve the build (SE_MVN_OFFLINE=0/1 forces).
# It can when it holds the Kafka artifacts and the dependency plugin resolves offline: a repository
# that only ever saw `mvn verify` holds Kafka but not that plugin's own dependencies, which
# ./se up and the benches need (probed with one offline dependency:build-classpath of test-support).
mvn_flags() {
  local offline=${SE_MVN_OFFLINE:-}
  if [[ -z "$offline" ]]; then
    offline=0
    if [[ -d "$HOME/.m2/repository/org/apache/kafka/kafka_2.13/4.4.0" ]] \
        && (cd "$SE_ROOT" && mvn -o -B -q dependency:build-classpath -Dmdep.outputFile=target/classpath.probe \
            -pl test-support >/dev/null 2>&1); then
      offline=1
    fi
  fi
  [[ "$offline" == 1 ]] && printf '%s\n' -o
  printf '%s\n' -Dstyle.color=never
  return 0
}

# mvn from the repository root with mvn_flags, decided once per script (the decision may run an
# offline probe build).
se_mvn() {
  [[ -n "${SE_MVN_FLAGS_SET:-}" ]] || { mapfile -t SE_MVN_FLAGS < <(mvn_flags); SE_MVN_FLAGS_SET=1; }
  (cd "$SE_ROOT" && mvn "${SE_MVN_FLAGS[@]}" "$@")
}

# The last_applied_lsn (X/Y) of a timeline status URL (GET /v1/tenants/T/timelines/L); empty if
# the page service does not answer within 5 s.
applied_lsn() { curl -fsS -m 5 "$1" 2>/dev/null | sed -n 's/.*"last_applied_lsn":"\([^"]*\)".*/\1/p'; }

# Publishes walgen WAL at a steady rate to a timeline through `./se ingest`, in the background and
# in its own session: the caller takes the pid from $! and stops it with kill -- -PID. walgen's
# stderr goes to DIR/walgen.err and ingest's output to DIR/ingest.out (no DIR: discarded).
steady_ingest() { # seed bytes-per-second start-lsn tenant timeline [dir]
  local err=/dev/null out=/dev/null
  if [[ -n "${6:-}" ]]; then err=$6/walgen.err out=$6/ingest.out; fi
  setsid bash -c '"$0" walgen --bytes 1T --seed "$1" --bytes-per-second "$2" --start-lsn "$3" --out - 2>"$4" \
    | "$0" ingest --tenant "$6" --timeline "$7" - >"$5" 2>&1' "$SE_ROOT/se" "$1" "$2" "$3" "$err" "$out" "$4" "$5" &
}

# LSNs as PostgreSQL prints them (X/Y, hex) and as integers.
lsn_to_int() { local hi=${1%/*} lo=${1#*/}; echo $(( (16#$hi << 32) + 16#$lo )); }
lsn_hex() { printf '%X/%X' $(($1 >> 32)) $(($1 & 0xFFFFFFFF)); }

ensure_dirs() { mkdir -p "$SE_RUN" "$SE_LOGS"; }

# --- ports -------------------------------------------------------------------------------------

port_in_use() { # port -> 0 if something listens on it
  if command -v ss >/dev/null 2>&1; then
    [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

port_owner() { # port -> "name (pid N)" if known
  command -v ss >/dev/null 2>&1 || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 (pid \2)/p' | head -1
}

# Fails unless the port is free; names the port's variable and the process holding it.
require_free_port() { # port envvar what
  if port_in_use "$1"; then
    local owner; owner=$(port_owner "$1")
    die "port $1 ($3, env $2) is already in use${owner:+ by $owner}; stop that process or set $2 to another port"
  fi
}

wait_for_port() { # port seconds pidname -> 0 when listening, 1 on timeout or if the process died
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    port_in_use "$1" && return 0
    [[ -n "${3:-}" ]] && ! is_up "$3" && return 1
    sleep 0.5
  done
  return 1
}

# --- pid files ---------------------------------------------------------------------------------
# A pid file holds "<pid> <marker>"; the process counts as ours only if its command line still
# contains the marker (guards against pid reuse after a reboot).

write_pid() { printf '%s %s\n' "$2" "$3" >"$SE_RUN/$1.pid"; } # name pid marker

pid_of() { # name -> pid if that process is alive and ours
  local f="$SE_RUN/$1.pid" pid marker
  [[ -f "$f" ]] || return 1
  read -r pid marker <"$f" || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  if [[ -n "$marker" && -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker" || return 1
  fi
  printf '%s\n' "$pid"
}

is_up() { pid_of "$1" >/dev/null; }

# TERM, wait up to SE_STOP_TIMEOUT (default 30 s), then KILL.
stop_pid() { # name
  local pid; pid=$(pid_of "$1") || { rm -f "$SE_RUN/$1.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + ${SE_STOP_TIMEOUT:-30}))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.3; done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$1 (pid $pid) did not stop within ${SE_STOP_TIMEOUT:-30} s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$SE_RUN/$1.pid"
  info "stopped $1 (pid $pid)"
}

# Restarts one of the local stack's services with the caller's environment (SE_COMPACTOR_*, SE_RATE_LIMIT,
# ...): stops it, then `./se up` starts what is down. The compute demo stays as it was.
restart_service() { # name
  stop_pid "$1" >/dev/null || true
  SE_COMPUTE=$(is_up compute && echo 1 || echo 0) "$SE_ROOT/se" up >&2
}

# Starts a detached JVM (own session, so it outlives the terminal) logging to .local/logs/<name>.log.
# With nice_level set (e.g. `nice_level=10 start_java ...`) the JVM and every thread it creates run
# at that CPU niceness (nice(1) execs, so the pid is still the JVM's).
start_java() { # name mainclass classpath [jvm args...] -- [program args...]
  local name=$1 main=$2 cp=$3; shift 3
  local jvm=() prog=() pre=()
  while (($#)); do [[ "$1" == -- ]] && { shift; prog=("$@"); break; }; jvm+=("$1"); shift; done
  [[ -n "${nice_level:-}" && "${nice_level}" != 0 ]] && pre=(nice -n "$nice_level")
  [[ -n "${sched_policy:-}" && "${sched_policy}" != other ]] && pre+=(chrt --"$sched_policy" 0)
  {
    printf '\n=== %s starting %s at %s%s ===\n' "$name" "$main" "$(date -u +%FT%TZ)" "${pre:+ (${pre[*]})}"
  } >>"$SE_LOGS/$name.log"
  setsid "${pre[@]}" "$JAVA" "${jvm[@]}" -cp "$cp" "$main" "${prog[@]}" >>"$SE_LOGS/$name.log" 2>&1 </dev/null &
  local pid=$! i
  write_pid "$name" "$pid" "$main"
  # Until setsid (and nice) have exec'ed the JVM: before that the pid's command line is this shell's,
  # pid_of does not recognise it, and a caller's `PID=$(pid_of name)` failed at random (up to 2.5 s).
  for ((i = 0; i < 50; i++)); do
    pid_of "$name" >/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
}

show_log_tail() { # name
  [[ -f "$SE_LOGS/$1.log" ]] && { echo "--- last lines of $SE_LOGS/$1.log:" >&2; tail -n 25 "$SE_LOGS/$1.log" >&2; }
  return 0
}

# Classpath of a module for `java -cp`: its classes plus target/classpath.txt.
module_cp() { # module
  local m="$SE_ROOT/$1"
  [[ -f "$m/target/classpath.txt" ]] || die "$1/target/classpath.txt missing: run ./se up (or ./se build)"
  printf '%s:%s\n' "$m/target/classes" "$(cat "$m/target/classpath.txt")"
}

has_main() { [[ -f "$SE_ROOT/$1/target/classes/$2.class" ]]; } # module class/path/Main

print_table() { # stdin: rows of |-separated cells (the first a header) -> aligned columns
  awk -F'|' '
    { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR; if (NF > nf) nf = NF }
    END { for (r = 1; r <= n; r++) { line = ""; for (i = 1; i <= nf; i++) line = line sprintf("%-" w[i] "s  ", cell[r, i]); sub(/ +$/, "", line); print line } }'
}
