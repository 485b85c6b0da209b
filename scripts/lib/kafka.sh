# shellcheck shell=bash
# The local Kafka broker of ./se: one KRaft node (broker + controller) from the kafka_2.13 jars on
# test-support's classpath, data in .local/kafka. Sourced by ./se.

SE_KAFKA_DIR="$SE_LOCAL/kafka"

kafka_cp() { cat "$SE_ROOT/test-support/target/classpath.txt"; }

# Runs scripts/KafkaAdmin.java (a single-file program) against the local broker.
kafka_admin() {
  SE_KAFKA_BOOTSTRAP="$SE_KAFKA_BOOTSTRAP" "$JAVA" -Dlog4j2.configurationFile="$SE_ROOT/scripts/log4j2-tools.xml" \
    -cp "$(kafka_cp)" "$SE_ROOT/scripts/KafkaAdmin.java" "$@"
}

kafka_write_config() {
  mkdir -p "$SE_KAFKA_DIR/logs"
  cat >"$SE_KAFKA_DIR/server.properties" <<EOF
# Written by ./se up on every start (ports come from the environment); edit scripts/lib/kafka.sh instead.
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$SE_KAFKA_PORT,CONTROLLER://127.0.0.1:$SE_KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$SE_KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.quorum.bootstrap.servers=127.0.0.1:$SE_KAFKA_CONTROLLER_PORT
log.dirs=$SE_KAFKA_DIR/logs
num.partitions=$SE_PARTITIONS
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=8
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# The page service's session timeout (kafka.session-timeout, 10 s) must lie within these bounds.
group.min.session.timeout.ms=6000
group.max.session.timeout.ms=1800000
auto.create.topics.enable=false
log.retention.hours=-1
EOF
}

kafka_format() {
  if [[ -f "$SE_KAFKA_DIR/cluster.id" ]]; then
    local formatted; formatted=$(cat "$SE_KAFKA_DIR/controller.port" 2>/dev/null || echo "$SE_KAFKA_CONTROLLER_PORT")
    [[ "$formatted" == "$SE_KAFKA_CONTROLLER_PORT" ]] || die "Kafka storage in $SE_KAFKA_DIR was formatted for controller \
port $formatted, not $SE_KAFKA_CONTROLLER_PORT (SE_KAFKA_CONTROLLER_PORT): use the old port or ./se clean"
    return 0
  fi
  local id
  id=$("$JAVA" -Dlog4j2.configurationFile="$SE_ROOT/scripts/log4j2-tools.xml" -cp "$(kafka_cp)" \
    kafka.tools.StorageTool random-uuid | tail -n 1) || die "kafka StorageTool random-uuid failed"
  "$JAVA" -Dlog4j2.configurationFile="$SE_ROOT/scripts/log4j2-tools.xml" -cp "$(kafka_cp)" \
    kafka.tools.StorageTool format --standalone --ignore-formatted --cluster-id "$id" \
    --config "$SE_KAFKA_DIR/server.properties" >>"$SE_LOGS/kafka.log" 2>&1 \
    || { show_log_tail kafka; die "formatting Kafka storage in $SE_KAFKA_DIR failed"; }
  printf '%s\n' "$id" >"$SE_KAFKA_DIR/cluster.id"
  printf '%s\n' "$SE_KAFKA_CONTROLLER_PORT" >"$SE_KAFKA_DIR/controller.port"
  info "formatted Kafka storage (cluster id $id)"
}

kafka_up() {
  if is_up kafka; then
    info "kafka        already running (pid $(pid_of kafka), port $SE_KAFKA_PORT)"
    return 0
  fi
  require_free_port "$SE_KAFKA_PORT" SE_KAFKA_PORT "Kafka broker"
  require_free_port "$SE_KAFKA_CONTROLLER_PORT" SE_KAFKA_CONTROLLER_PORT "Kafka controller"
  kafka_write_config
  kafka_format
  local t0=$SECONDS
  start_java kafka kafka.Kafka "$(kafka_cp)" -Xms256m -Xmx1g "${JAVA_UNSAFE_FLAGS[@]}" \
    -Dlog4j2.configurationFile="$SE_ROOT/scripts/log4j2-kafka.xml" -- "$SE_KAFKA_DIR/server.properties"
  if ! wait_for_port "$SE_KAFKA_PORT" "${SE_READY_TIMEOUT:-180}" kafka || ! kafka_admin wait 90; then
    show_log_tail kafka
    die "Kafka did not come up on port $SE_KAFKA_PORT"
  fi
  info "kafka        started (pid $(pid_of kafka), port $SE_KAFKA_PORT) in $((SECONDS - t0)) s"
}

kafka_create_wal_topic() {
  kafka_admin create-topic "$SE_WAL_TOPIC" "$SE_PARTITIONS" || die "could not create topic $SE_WAL_TOPIC"
  # relation sizes (docs/relations.md): state, not a window of changes, so kept forever; one partition
  kafka_admin create-topic "$SE_WAL_TOPIC-relations" 1 retention.ms=-1 \
    || die "could not create topic $SE_WAL_TOPIC-relations"
}
