#!/usr/bin/env bash
# End-to-end benchmark of the analytics platform: starts a fresh server, drives it with the load
# generator at several target rates, samples the server JVM's CPU and peak RSS, measures the peer (Kafka's
# ProducerPerformance on the platform's embedded broker) before each load run, and writes
# bench/results/e2e-<UTC timestamp>.json plus a markdown table. See bench/README.md.
#
#   bench/run.sh [--rates 10000,25000,50000,75000] [--duration 30s] [--runs 3] [--port 18080] [-- loadgen flags...]
#
# Environment knobs: READY_TIMEOUT (s, default 600; the launcher may build first), STOP_TIMEOUT (s, 30), BUILD_TIMEOUT (s, 1800),
# PAUSE (s between runs, 2), WARMUP (discarded first run, 20s; 0 to skip), DRAIN_TIMEOUT (loadgen --drain-timeout, 60s),
# LOADGEN_JAVA_OPTS (JVM flags of the load generator), KEEP_WORK=1 (keep the scratch directory),
# PEER=0 (no peer), PEER_RECORDS (2000000), PEER_TOPIC (bench.peer), PEER_TIMEOUT (s, 300), PEER_JAVA_OPTS,
# IDLE_CORES (0.15) and IDLE_TIMEOUT (s, 30): the peer starts once the server JVM uses less CPU than that.
set -euo pipefail

BENCH_NAME="run.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RATES="10000,25000,50000,75000"
DURATION="30s"
RUNS=3
PORT=18080
EXTRA=()
READY_TIMEOUT="${READY_TIMEOUT:-600}"
STOP_TIMEOUT="${STOP_TIMEOUT:-30}"
BUILD_TIMEOUT="${BUILD_TIMEOUT:-1800}"
PAUSE="${PAUSE:-2}"
WARMUP="${WARMUP:-20s}"
DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-60s}"
LOADGEN_JAVA_OPTS="${LOADGEN_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms64m -Xmx512m}"
PEER="${PEER:-1}"
PEER_RECORDS="${PEER_RECORDS:-2000000}"
PEER_TOPIC="${PEER_TOPIC:-bench.peer}"
PEER_TIMEOUT="${PEER_TIMEOUT:-300}"
PEER_PAYLOAD_EVENTS="${PEER_PAYLOAD_EVENTS:-20000}"
# Full JIT (unlike the load generator): the peer is the ceiling, so its producer runs as fast as ours does.
PEER_JAVA_OPTS="${PEER_JAVA_OPTS:--XX:+UseSerialGC -Xms256m -Xmx1g}"
IDLE_CORES="${IDLE_CORES:-0.15}"
IDLE_TIMEOUT="${IDLE_TIMEOUT:-30}"
# The producer settings of our ingest (src/ingest/.../EventPublisher.java), for the peer.
PEER_PRODUCER_PROPS=(acks=all enable.idempotence=true max.in.flight.requests.per.connection=5 linger.ms=5
    batch.size=262144 compression.type=lz4 buffer.memory=134217728)
# Kafka's clients log through slf4j-simple: warnings and errors only. Fixed locale: BenchReport parses the output.
TOOL_JAVA_FLAGS=(-Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Duser.language=en -Duser.country=US)
API_KEY="bench-key"

usage() {
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# --- arguments ----------------------------------------------------------------------------------
parse_args "$@"

check_common_flags
[[ "$PEER" =~ ^[01]$ ]] || { echo "run.sh: PEER must be 0 or 1" >&2; exit 2; }
[[ "$PEER_RECORDS" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: PEER_RECORDS must be a positive integer" >&2; exit 2; }
[[ "$PEER_TIMEOUT" =~ ^[1-9][0-9]*$ && "$IDLE_TIMEOUT" =~ ^[0-9]+$ ]] \
    || { echo "run.sh: PEER_TIMEOUT and IDLE_TIMEOUT must be whole seconds" >&2; exit 2; }
[[ "$IDLE_CORES" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "run.sh: IDLE_CORES must be a number like 0.15" >&2; exit 2; }

DURATION_S="$(to_seconds "$DURATION")" && ((DURATION_S > 0)) \
    || { echo "run.sh: --duration must look like 30s, 2m or 1500ms" >&2; exit 2; }
DRAIN_S="$(to_seconds "$DRAIN_TIMEOUT")" || { echo "run.sh: DRAIN_TIMEOUT must look like 60s" >&2; exit 2; }
# Generous but finite: sending + drain + two request timeouts (30 s each) + JVM start-up slack.
RUN_TIMEOUT=$((DURATION_S + DRAIN_S + 60 + 60))

vm_hwm_kb() {
    awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || true
}

# --- cleanup: the server never outlives this script ----------------------------------------------
SERVER_PID=""
JAVA_PID=""
LOADGEN_PID=""
PEER_PID=""
DATA_DIR=""
WORK=""

CLEANUP_PID_VARS=(LOADGEN_PID PEER_PID)
WORK_KEPT_WHAT="logs and raw run files"
work_disposable() { [[ "${KEEP_WORK:-0}" != "1" ]]; }
install_cleanup_traps

# --- build if needed -------------------------------------------------------------------------------
cd "$ROOT"
if [[ ! -d bench/target || ! -d src/node/target || ! -d bench/target/lib \
      || ! -f bench/target/classes/io/analytics/bench/LoadGenerator.class \
      || ! -f bench/target/classes/io/analytics/bench/KafkaPeer.class \
      || -z "$(compgen -G 'bench/target/lib/kafka-tools-*.jar' || true)" ]]; then
    echo "run.sh: building (mvn -q -B -DskipTests package) ..."
    timeout "$BUILD_TIMEOUT" mvn -q -B -DskipTests package || die "build failed"
fi
check_prerequisites

WORK="$(mktemp -d "${TMPDIR:-/tmp}/analytics-bench.XXXXXX")"
DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/analytics-bench-data.XXXXXX")"
TS="$(date -u +%Y%m%dT%H%M%SZ)"
RESULT="$ROOT/bench/results/e2e-$TS.json"


# --- start the platform ------------------------------------------------------------------------------
echo "run.sh: starting the platform on port $PORT (data dir $DATA_DIR) ..."
SERVER_LOG="$WORK/server.log"
: > "$SERVER_LOG"
ANALYTICS_DATA_DIR="$DATA_DIR" ANALYTICS_DEMO_API_KEY="$API_KEY" \
    setsid ./analytics up --port "$PORT" > "$SERVER_LOG" 2>&1 < /dev/null &
SERVER_PID=$!

wait_ready
echo "run.sh: ready (launcher pid $SERVER_PID, server JVM pid $JAVA_PID)"

# --- the peer: Kafka's ProducerPerformance on the same embedded broker (bench/README.md) ----------------
# The launcher prints "analytics: embedded Kafka broker at HOST:PORT, raw topic TOPIC" while starting.
BOOTSTRAP=""
RAW_TOPIC=""
if ((PEER)); then
    broker_line="$(grep -m 1 'embedded Kafka broker at ' "$SERVER_LOG" || true)"
    if [[ "$broker_line" =~ embedded\ Kafka\ broker\ at\ ([^ ,]+),\ raw\ topic\ ([^ ]+) ]]; then
        BOOTSTRAP="${BASH_REMATCH[1]}"
        RAW_TOPIC="${BASH_REMATCH[2]}"
    else
        die "no 'embedded Kafka broker at HOST:PORT, raw topic T' line in the server output; PEER=0 runs without the peer"
    fi
    PAYLOAD="$WORK/peer-payload.jsonl"
    echo "run.sh: peer: creating topic $PEER_TOPIC like $RAW_TOPIC on $BOOTSTRAP, generating its payload ..."
    timeout --kill-after=10 120 java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "${TOOL_JAVA_FLAGS[@]}" -cp "$CP" \
        io.analytics.bench.KafkaPeer --bootstrap "$BOOTSTRAP" --like "$RAW_TOPIC" --topic "$PEER_TOPIC" \
        --payload "$PAYLOAD" --events "$PEER_PAYLOAD_EVENTS" --out "$WORK/peer-setup.json" \
        || die "could not prepare the peer (exit $?); PEER=0 runs without it"
fi

# One ProducerPerformance run: peer-<rate>-<n>.log (its output) and peer-<rate>-<n>.server.json.
run_peer() {
    local rate="$1" i="$2" log="$WORK/peer-$1-$2.log" rc=0 ticks0 ticks1 c0 c1 t0 t1 summary disk
    wait_idle
    if ((!IDLE)); then
        echo "run.sh: warning: the server still used $IDLE_CORES_SEEN cores after ${IDLE_TIMEOUT}s; running the peer anyway" >&2
    fi
    echo "run.sh: rate $rate ev/s, run $i/$RUNS: peer (ProducerPerformance, $PEER_RECORDS records to $PEER_TOPIC) ..."
    ticks0="$(cpu_ticks "$JAVA_PID")"
    times > "$WORK/times"
    c0="$(children_cpu_s)"
    t0="$(now_s)"
    # shellcheck disable=SC2086 # PEER_JAVA_OPTS is a list of JVM flags
    timeout --kill-after=10 "$PEER_TIMEOUT" java $PEER_JAVA_OPTS "${TOOL_JAVA_FLAGS[@]}" -cp "$CP" \
        org.apache.kafka.tools.ProducerPerformance --topic "$PEER_TOPIC" --num-records "$PEER_RECORDS" \
        --throughput -1 --payload-file "$PAYLOAD" \
        --producer-props "bootstrap.servers=$BOOTSTRAP" "${PEER_PRODUCER_PROPS[@]}" > "$log" 2>&1 &
    PEER_PID=$!
    wait "$PEER_PID" || rc=$?
    PEER_PID=""
    t1="$(now_s)"
    ticks1="$(cpu_ticks "$JAVA_PID")"
    times > "$WORK/times"
    c1="$(children_cpu_s)"
    summary="$(grep -E 'records sent, .* 99\.9th' "$log" | tail -n 1 || true)"
    # Disk the peer's topic takes so far (all peer runs; lz4-compressed batches). Allocated blocks, not
    # apparent sizes: Kafka preallocates sparse 10 MB index files per partition.
    disk="$(du -sk "$DATA_DIR/kafka/$PEER_TOPIC"-* 2>/dev/null | awk '{ n += $1 } END { print n * 1024 }')"
    if ((rc != 0)) || [[ -z "$summary" ]]; then
        PEER_FAILED=$((PEER_FAILED + 1))
        echo "run.sh: the peer exited with $rc (timeout is 124); its output ends with:" >&2
        tail -n 20 "$log" | sed 's/^/    /' >&2
    else
        echo "    $summary"
    fi
    awk -v rate="$rate" -v run="$i" -v rc="$rc" -v n="$PEER_RECORDS" -v t0="$t0" -v t1="$t1" -v k0="$ticks0" \
        -v k1="$ticks1" -v hz="$CLK_TCK" -v c0="$c0" -v c1="$c1" -v idle="$IDLE" -v waited="$IDLE_WAIT_S" \
        -v seen="$IDLE_CORES_SEEN" -v disk="$disk" 'BEGIN {
            wall = t1 - t0; cpu = (k1 - k0) / hz;
            printf "{\"rate\": %d, \"run\": %d, \"peer_exit\": %d, \"records_expected\": %d, \"wall_s\": %.3f, ", rate, run, rc, n, wall;
            printf "\"server_cpu_s\": %.2f, \"server_cpu_cores\": %.3f, \"peer_cpu_s\": %.2f, ", cpu, (wall > 0 ? cpu / wall : 0), c1 - c0;
            printf "\"idle\": %s, \"idle_wait_s\": %d, \"idle_server_cores\": %s, ", (idle ? "true" : "false"), waited, seen;
            printf "\"topic_bytes_on_disk\": %d}\n", disk }' \
        > "$WORK/peer-$rate-$i.server.json"
}

# Peak RSS per rate: VmHWM can be reset to the current RSS by writing 5 to clear_refs (Linux >= 4.0).
RSS_SCOPE="per_rate"
reset_hwm() {
    if ! { echo 5 > "/proc/$JAVA_PID/clear_refs"; } 2> /dev/null; then
        RSS_SCOPE="since_server_start"
    fi
}

# --- warm-up: one discarded run, so the first rate does not pay for JIT compilation -------------------
if [[ "$WARMUP" != "0" && "$WARMUP" != "0s" ]]; then
    echo "run.sh: warm-up at ${RATE_LIST[0]} ev/s for $WARMUP (not reported) ..."
    # shellcheck disable=SC2086 # LOADGEN_JAVA_OPTS is a list of JVM flags
    timeout --kill-after=10 "$RUN_TIMEOUT" java $LOADGEN_JAVA_OPTS -cp "$CP" io.analytics.bench.LoadGenerator \
        --url "http://127.0.0.1:$PORT" --api-key "$API_KEY" --rate "${RATE_LIST[0]}" --duration "$WARMUP" \
        --drain-timeout "$DRAIN_TIMEOUT" --quiet > "$WORK/warmup.log" 2>&1 \
        || echo "run.sh: warning: the warm-up run failed; see $WORK/warmup.log" >&2
    sleep "$PAUSE"
fi

# --- runs --------------------------------------------------------------------------------------------
FAILED=0
PEER_FAILED=0
SERVER_DIED=0
for rate in "${RATE_LIST[@]}"; do
    ((SERVER_DIED)) && break
    for ((i = 1; i <= RUNS; i++)); do
        if ! alive "$JAVA_PID"; then
            echo "run.sh: the server JVM (pid $JAVA_PID) is gone; stopping here" >&2
            tail -n 40 "$SERVER_LOG" >&2 || true
            SERVER_DIED=1
            break
        fi
        if ((PEER)); then
            run_peer "$rate" "$i"
            sleep "$PAUSE"
        fi
        # Peak RSS of this load run only (the rate's peak is the maximum over its runs), not of the peer.
        reset_hwm
        echo "run.sh: rate $rate ev/s, run $i/$RUNS, $DURATION ..."
        out="$WORK/run-$rate-$i.json"
        log="$WORK/run-$rate-$i.log"
        ticks0="$(cpu_ticks "$JAVA_PID")"
        times > "$WORK/times"
        lg_cpu0="$(children_cpu_s)"
        t0="$(now_s)"
        rc=0
        # shellcheck disable=SC2086 # LOADGEN_JAVA_OPTS is a list of JVM flags
        timeout --kill-after=10 "$RUN_TIMEOUT" java $LOADGEN_JAVA_OPTS -cp "$CP" io.analytics.bench.LoadGenerator \
            --url "http://127.0.0.1:$PORT" --api-key "$API_KEY" --rate "$rate" --duration "$DURATION" \
            --drain-timeout "$DRAIN_TIMEOUT" --quiet --out "$out" ${EXTRA[@]+"${EXTRA[@]}"} > "$log" 2>&1 &
        LOADGEN_PID=$!
        wait "$LOADGEN_PID" || rc=$?
        LOADGEN_PID=""
        t1="$(now_s)"
        ticks1="$(cpu_ticks "$JAVA_PID")"
        times > "$WORK/times"
        lg_cpu1="$(children_cpu_s)"
        hwm_kb="$(vm_hwm_kb "$JAVA_PID")"
        sed 's/^/    /' "$log"
        if ((rc != 0)); then
            FAILED=$((FAILED + 1))
            echo "run.sh: load generator exited with $rc (timeout is 124)" >&2
        fi
        awk -v rate="$rate" -v run="$i" -v rc="$rc" -v t0="$t0" -v t1="$t1" -v k0="$ticks0" -v k1="$ticks1" \
            -v hz="$CLK_TCK" -v hwm="${hwm_kb:-}" -v c0="$lg_cpu0" -v c1="$lg_cpu1" -v scope="$RSS_SCOPE" 'BEGIN {
                wall = t1 - t0; cpu = (k1 - k0) / hz;
                printf "{\"rate\": %d, \"run\": %d, \"loadgen_exit\": %d, \"wall_s\": %.3f, ", rate, run, rc, wall;
                printf "\"server_cpu_s\": %.2f, \"server_cpu_cores\": %.3f, ", cpu, (wall > 0 ? cpu / wall : 0);
                printf "\"server_rss_peak_mb\": %s, \"rss_peak_scope\": \"%s\", ", (hwm == "" ? "null" : sprintf("%.1f", hwm / 1024)), scope;
                printf "\"loadgen_cpu_s\": %.2f}\n", c1 - c0 }' > "$WORK/run-$rate-$i.server.json"
        if ((i < RUNS)); then sleep "$PAUSE"; fi
    done
    sleep "$PAUSE"
done

# --- stop, then report -----------------------------------------------------------------------------------
echo "run.sh: stopping the platform (SIGTERM) ..."
stop_server

{
    printf '{"started_at": %s, "host": %s, "cpus": %s, ' "$(json_str "$TS")" "$(json_str "$(uname -n)")" "$(nproc 2>/dev/null || echo null)"
    printf '"git_rev": %s, ' "$(json_str "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)")"
    printf '"java": %s, ' "$(json_str "$(java -version 2>&1 | head -n 1)")"
    printf '"rates": [%s], "duration": %s, "runs_per_rate": %d, "port": %d, ' "$RATES" "$(json_str "$DURATION")" "$RUNS" "$PORT"
    printf '"loadgen_java_opts": %s, "loadgen_extra_args": %s, ' "$(json_str "$LOADGEN_JAVA_OPTS")" "$(json_str "${EXTRA[*]:-}")"
    printf '"peer": %s, "peer_records": %d, "peer_topic": %s, "peer_bootstrap": %s, ' "$( ((PEER)) && echo true || echo false)" \
        "$PEER_RECORDS" "$(json_str "$PEER_TOPIC")" "$(json_str "$BOOTSTRAP")"
    printf '"peer_producer_props": %s, "peer_java_opts": %s, ' "$(json_str "${PEER_PRODUCER_PROPS[*]}")" "$(json_str "$PEER_JAVA_OPTS")"
    printf '"rss_peak_scope": %s, "server_died": %s}\n' "$(json_str "$RSS_SCOPE")" "$( ((SERVER_DIED)) && echo true || echo false)"
} > "$WORK/meta.json"

echo
java -cp "$CP" io.analytics.bench.BenchReport --dir "$WORK" --out "$RESULT"
echo
echo "run.sh: results written to ${RESULT#"$ROOT"/}"
if ((SERVER_DIED)); then
    exit 1
fi
if ((FAILED > 0)); then
    echo "run.sh: $FAILED load generator run(s) failed; see above" >&2
    exit 1
fi
if ((PEER_FAILED > 0)); then
    echo "run.sh: $PEER_FAILED peer run(s) failed; see above" >&2
    exit 1
fi
