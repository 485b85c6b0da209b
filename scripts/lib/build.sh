# shellcheck shell=bash
# Building for ./se up: `mvn install -DskipTests` when sources changed since the last build, then
# target/classpath.txt for each module ./se runs code from. Sourced by ./se.

SE_RUNNABLE_MODULES=(test-support ingest postgres-redo page-service compactor-worker loadtest)

build_needed() {
  local stamp="$SE_LOCAL/build.stamp" m
  [[ -f "$stamp" ]] || return 0
  for m in "${SE_RUNNABLE_MODULES[@]}"; do
    [[ -f "$SE_ROOT/$m/pom.xml" && ! -f "$SE_ROOT/$m/target/classpath.txt" ]] && return 0
  done
  [[ -n "$(cd "$SE_ROOT" && find pom.xml ./*/pom.xml ./*/src -newer "$stamp" -type f -print -quit 2>/dev/null)" ]]
}

# Builds everything; if some module does not compile yet, builds at least what the local Kafka
# broker needs (test-support) and carries on with whatever services are already compiled.
ensure_built() {
  if [[ "${1:-}" != force ]] && { [[ "${SE_SKIP_BUILD:-0}" == 1 ]] || ! build_needed; }; then
    return 0 # SE_SKIP_BUILD=1: restart what is there (./se chaos live heals with the code that ran)
  fi
  local flags; mapfile -t flags < <(mvn_flags)
  command -v mvn >/dev/null || die "mvn not found: install Maven 3.8+"
  info >&2 "building (mvn ${flags[*]} -B -q install -DskipTests) ..."
  local ok=1
  if ! (cd "$SE_ROOT" && mvn "${flags[@]}" -B -q install -DskipTests >&2); then
    ok=0
    warn "full build failed (see above); building test-support only so Kafka and PostgreSQL can still run"
    (cd "$SE_ROOT" && mvn "${flags[@]}" -B -q -pl test-support -am install -DskipTests >&2) \
      || die "test-support does not build; cannot run the local broker"
  fi
  local modules=() m
  for m in "${SE_RUNNABLE_MODULES[@]}"; do
    [[ -f "$SE_ROOT/$m/pom.xml" ]] && modules+=("$m")
  done
  info >&2 "writing classpaths for ${modules[*]} ..."
  local list; list=$(IFS=,; echo "${modules[*]}")
  if ! (cd "$SE_ROOT" && mvn "${flags[@]}" -B -q dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/classpath.txt -pl "$list" >&2); then
    (cd "$SE_ROOT" && mvn "${flags[@]}" -B -q dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/classpath.txt -pl test-support >&2) \
      || die "could not compute test-support's classpath"
  fi
  ((ok)) && touch "$SE_LOCAL/build.stamp"
  return 0
}
