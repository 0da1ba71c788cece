#!/usr/bin/env bash
# Scaling benchmark: for each cluster size, a fresh single-node Kafka broker (./analytics broker), a fresh
# PostgreSQL schema and that many `./analytics node` processes on this machine, forming one cluster. One load
# generator per node drives it at rate/nodes (clients spread over the nodes); the script waits until every
# accepted event is counted by the metrics API, and samples the CPU the node JVMs used. Writes
# bench/results/cluster-<UTC timestamp>.json plus a markdown table. See bench/README.md.
#
#   bench/cluster.sh [--nodes 1,2,3] [--rates 20000] [--duration 30s] [--runs 3] [--port 18080] [-- loadgen flags...]
#
# Environment knobs: PARTITIONS (raw topic partitions, 8), DB_SERVER (jdbc:postgresql://127.0.0.1:5432/test),
# DB_USER (postgres), PSQL (psql -h 127.0.0.1 -U postgres -d test), BROKER_PORT (19092), CLUSTER_PORT (25600: the
# nodes' Artery ports count up from it), NODE_JAVA_OPTS (-Xms256m -Xmx1g), WARMUP (discarded first run per size,
# 10s; 0 to skip), DRAIN_TIMEOUT (s, 120), READY_TIMEOUT (s, 600), STOP_TIMEOUT (s, 60), BUILD_TIMEOUT (s, 1800),
# PAUSE (s between runs, 2), LOADGEN_JAVA_OPTS, KEEP_WORK=1. ANALYTICS_* variables reach the nodes (e.g.
# ANALYTICS_JOURNEYS=false).
set -euo pipefail

BENCH_NAME="cluster.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODES="1,2,3"
RATES="20000"
DURATION="30s"
RUNS=3
PORT=18080
EXTRA=()
PARTITIONS="${PARTITIONS:-8}"
DB_SERVER="${DB_SERVER:-jdbc:postgresql://127.0.0.1:5432/test}"
DB_USER="${DB_USER:-postgres}"
PSQL="${PSQL:-psql -h 127.0.0.1 -U postgres -d test}"
BROKER_PORT="${BROKER_PORT:-19092}"
CLUSTER_PORT="${CLUSTER_PORT:-25600}"
NODE_JAVA_OPTS="${NODE_JAVA_OPTS:--Xms256m -Xmx1g -XX:+ExitOnOutOfMemoryError}"
WARMUP="${WARMUP:-10s}"
DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-120}"
READY_TIMEOUT="${READY_TIMEOUT:-600}"
STOP_TIMEOUT="${STOP_TIMEOUT:-60}"
BUILD_TIMEOUT="${BUILD_TIMEOUT:-1800}"
PAUSE="${PAUSE:-2}"
LOADGEN_JAVA_OPTS="${LOADGEN_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms64m -Xmx512m}"
API_KEY="bench-key"

usage() {
    sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

script_flag() {
    COMMON_SHIFT=1
    case "$1" in
        --nodes) NODES="${2:?--nodes needs a value}"; COMMON_SHIFT=2 ;;
        --nodes=*) NODES="${1#*=}" ;;
        *) return 1 ;;
    esac
}

parse_args "$@"
check_common_flags
IFS=',' read -r -a NODE_COUNTS <<< "$NODES"
for n in "${NODE_COUNTS[@]}"; do
    [[ "$n" =~ ^[1-9]$ ]] || { echo "cluster.sh: --nodes: '$n' is not a cluster size from 1 to 9" >&2; exit 2; }
done
DURATION_S="$(to_seconds "$DURATION")" && ((DURATION_S > 0)) \
    || { echo "cluster.sh: --duration must look like 30s, 2m or 1500ms" >&2; exit 2; }
[[ "$DRAIN_TIMEOUT" =~ ^[1-9][0-9]*$ ]] || { echo "cluster.sh: DRAIN_TIMEOUT must be whole seconds" >&2; exit 2; }
RUN_TIMEOUT=$((DURATION_S + 60 + 60))

# --- cleanup: no node, broker or schema outlives this script -------------------------------------------
SERVER_PID=""
NODE_PIDS=()
BROKER_PID=""
SCHEMAS=()
LOADGEN_PIDS=()
DATA_DIR=""
WORK=""
CLEANUP_PID_VARS=()
WORK_KEPT_WHAT="logs and raw run files"
work_disposable() { [[ "${KEEP_WORK:-0}" != "1" ]]; }
cleanup_hook() {
    local p s
    for p in "${LOADGEN_PIDS[@]}"; do kill -TERM "$p" 2> /dev/null || true; done
    stop_cluster
    for s in "${SCHEMAS[@]}"; do $PSQL -qc "DROP SCHEMA IF EXISTS $s CASCADE" > /dev/null 2>&1 || true; done
}
install_cleanup_traps

# SIGTERM to a process group started with setsid (the launcher execs java, so its pid is the JVM's), then
# SIGKILL after STOP_TIMEOUT.
stop_group() {
    local pid="$1" deadline=$((SECONDS + STOP_TIMEOUT))
    kill -TERM -- "-$pid" 2> /dev/null || true
    while alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
    if alive "$pid"; then
        echo "cluster.sh: process $pid ignored SIGTERM for ${STOP_TIMEOUT}s; killing it" >&2
        kill -KILL -- "-$pid" 2> /dev/null || true
    fi
    wait "$pid" 2> /dev/null || true
}

# The youngest node first: the oldest hosts the cluster singletons (shard coordinator), which would move.
stop_cluster() {
    local i
    for ((i = ${#NODE_PIDS[@]} - 1; i >= 0; i--)); do stop_group "${NODE_PIDS[$i]}"; done
    NODE_PIDS=()
    if [[ -n "$BROKER_PID" ]]; then stop_group "$BROKER_PID"; fi
    BROKER_PID=""
}

# Waits (up to READY_TIMEOUT) until the log holds the line; fails if the process died first.
wait_line() {
    local pid="$1" log="$2" line="$3" deadline=$((SECONDS + READY_TIMEOUT))
    until grep -qF "$line" "$log"; do
        if ! alive "$pid"; then tail -n 40 "$log" >&2; die "process $pid exited before printing '$line'"; fi
        ((SECONDS < deadline)) || { tail -n 40 "$log" >&2; die "no '$line' within ${READY_TIMEOUT}s"; }
        sleep 0.2
    done
}

port_free() {
    ! (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null
}

# --- build if needed -------------------------------------------------------------------------------
cd "$ROOT"
if [[ ! -f bench/target/classes/io/analytics/bench/ClusterReport.class || ! -d bench/target/lib \
      || ! -f src/node/target/classes/io/analytics/node/BrokerCommand.class ]]; then
    echo "cluster.sh: building (mvn -q -B -DskipTests package) ..."
    timeout "$BUILD_TIMEOUT" mvn -q -B -DskipTests package || die "build failed"
fi
check_prerequisites
for p in "$BROKER_PORT" $(seq "$((PORT + 1))" "$((PORT + 8))") $(seq "$CLUSTER_PORT" "$((CLUSTER_PORT + 8))"); do
    port_free "$p" || die "port $p is already in use (see BROKER_PORT, CLUSTER_PORT, --port)"
done
$PSQL -qAtc 'SELECT 1' > /dev/null || die "cannot reach PostgreSQL with '$PSQL' (set PSQL and DB_SERVER)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/analytics-cluster.XXXXXX")"
DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/analytics-cluster-data.XXXXXX")"
TS="$(date -u +%Y%m%dT%H%M%SZ)"
RESULT="$ROOT/bench/results/cluster-$TS.json"
CLK_TCK="$(getconf CLK_TCK)"

# --- one cluster: broker, schema, nodes --------------------------------------------------------------
start_cluster() {
    local n="$1" i log schema="bench_cluster_${TS,,}_$1" seeds=""
    echo "cluster.sh: $n node(s): starting a broker on port $BROKER_PORT ..."
    log="$WORK/broker-$n.log"
    ANALYTICS_SKIP_BUILD=1 setsid ./analytics broker --dir "$DATA_DIR/broker-$n" --port "$BROKER_PORT" > "$log" 2>&1 < /dev/null &
    BROKER_PID=$!
    wait_line "$BROKER_PID" "$log" "broker ready"
    $PSQL -qc "CREATE SCHEMA $schema" > /dev/null || die "cannot create schema $schema"
    SCHEMAS+=("$schema")
    for ((i = 0; i < n; i++)); do
        seeds+=" -Dpekko.cluster.seed-nodes.$i=pekko://analytics@127.0.0.1:$((CLUSTER_PORT + i))"
    done
    # Node 0 first: it forms the cluster and creates the tables and the project; then the others at once.
    for ((i = 0; i < n; i++)); do
        log="$WORK/node-$n-$i.log"
        ANALYTICS_SKIP_BUILD=1 ANALYTICS_DATA_DIR="$DATA_DIR/node-$n-$i" ANALYTICS_DEMO_API_KEY="$API_KEY" \
            ANALYTICS_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$BROKER_PORT" ANALYTICS_KAFKA_PARTITIONS="$PARTITIONS" \
            ANALYTICS_DB_URL="$DB_SERVER?currentSchema=$schema" ANALYTICS_DB_USER="$DB_USER" \
            ANALYTICS_CLUSTER_PORT="$((CLUSTER_PORT + i))" ANALYTICS_CLUSTER_JOIN_TIMEOUT=120s \
            ANALYTICS_JAVA_OPTS="$NODE_JAVA_OPTS$seeds" \
            setsid ./analytics node --port "$((PORT + i))" > "$log" 2>&1 < /dev/null &
        NODE_PIDS+=($!)
        if ((i == 0)); then wait_line "${NODE_PIDS[0]}" "$log" "ready http://127.0.0.1:$PORT"; fi
    done
    for ((i = 1; i < n; i++)); do
        wait_line "${NODE_PIDS[$i]}" "$WORK/node-$n-$i.log" "ready http://127.0.0.1:$((PORT + i))"
    done
    for ((i = 0; i < n; i++)); do
        local deadline=$((SECONDS + READY_TIMEOUT))
        until curl -sf -o /dev/null "http://127.0.0.1:$((PORT + i))/health/ready"; do
            ((SECONDS < deadline)) || die "node $i never answered /health/ready with 200"
            sleep 0.5
        done
    done
    echo "cluster.sh: $n node(s) ready (pids ${NODE_PIDS[*]}, broker $BROKER_PID)"
}

# Events counted by the metrics API (1-day windows from yesterday to the day after tomorrow, UTC); 0 when
# node 0 does not answer.
visible_events() {
    local from to
    from="$(date -u -d 'yesterday' +%Y-%m-%dT00:00:00Z)"
    to="$(date -u -d '2 days' +%Y-%m-%dT00:00:00Z)"
    curl -sf -m 30 -H "X-API-Key: $API_KEY" \
        "http://127.0.0.1:$PORT/api/v1/metrics?metric=events&window=1d&start_time=$from&end_time=$to" \
        | grep -o '"value":[0-9.eE+-]*' | awk -F: '{ s += $2 } END { printf "%d\n", s }' || true
}

# A top-level number of a load generator's pretty-printed result ("  \"name\" : N"; nested fields are indented deeper).
result_field() {
    sed -n "s/^  \"$2\" : \([0-9.]*\),\{0,1\}$/\1/p" "$1" | head -n 1
}

probes_accepted() {
    sed -n '/^  "probes" : {/,/^  }/ s/^    "accepted" : \([0-9]*\),\{0,1\}$/\1/p' "$1" | head -n 1
}

nodes_cpu_ticks() {
    local p total=0
    for p in "${NODE_PIDS[@]}"; do total=$((total + $(cpu_ticks "$p"))); done
    echo "$total"
}

# One load generator per node at rate/n for the duration; tag names the files (run-<n>-<rate>-<k> or warmup-<n>).
drive() {
    local n="$1" rate="$2" duration="$3" tag="$4" i rc=0
    LOADGEN_PIDS=()
    for ((i = 0; i < n; i++)); do
        # shellcheck disable=SC2086 # LOADGEN_JAVA_OPTS is a list of JVM flags
        timeout --kill-after=10 "$RUN_TIMEOUT" java $LOADGEN_JAVA_OPTS -cp "$CP" io.analytics.bench.LoadGenerator \
            --url "http://127.0.0.1:$((PORT + i))" --api-key "$API_KEY" --rate "$((rate / n))" --duration "$duration" \
            --drain-timeout 1s --quiet --out "$WORK/$tag.node-$i.json" ${EXTRA[@]+"${EXTRA[@]}"} \
            > "$WORK/$tag.node-$i.log" 2>&1 &
        LOADGEN_PIDS+=($!)
    done
    for i in "${!LOADGEN_PIDS[@]}"; do
        wait "${LOADGEN_PIDS[$i]}" || { rc=$?; echo "cluster.sh: load generator of node $i exited with $rc" >&2; }
    done
    LOADGEN_PIDS=()
    return "$rc"
}

measure() {
    local n="$1" rate="$2" k="$3" tag="run-$1-$2-$3" i baseline expected visible accepted probes c0 c1 b0 b1 t0 t1 t2 load0 load1 rc=0
    echo "cluster.sh: $n node(s), $rate ev/s, run $k/$RUNS, $DURATION ..."
    load0="$(cut -d' ' -f1 /proc/loadavg)"
    baseline="$(visible_events)"
    c0="$(nodes_cpu_ticks)"
    b0="$(cpu_ticks "$BROKER_PID")"
    t0="$(now_s)"
    drive "$n" "$rate" "$DURATION" "$tag" || rc=$?
    t1="$(now_s)"
    expected="$baseline"
    for ((i = 0; i < n; i++)); do
        accepted="$(result_field "$WORK/$tag.node-$i.json" accepted 2> /dev/null || true)"
        probes="$(probes_accepted "$WORK/$tag.node-$i.json" 2> /dev/null || true)"
        expected=$((expected + ${accepted:-0} + ${probes:-0}))
    done
    local deadline=$((SECONDS + DRAIN_TIMEOUT))
    visible="$(visible_events)"
    while ((visible < expected && SECONDS < deadline)); do
        sleep 0.5
        visible="$(visible_events)"
    done
    t2="$(now_s)"
    c1="$(nodes_cpu_ticks)"
    b1="$(cpu_ticks "$BROKER_PID")"
    load1="$(cut -d' ' -f1 /proc/loadavg)"
    awk -v n="$n" -v rc="$rc" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v base="$baseline" -v want="$expected" \
        -v vis="$visible" -v c0="$c0" -v c1="$c1" -v b0="$b0" -v b1="$b1" -v hz="$CLK_TCK" -v l0="$load0" -v l1="$load1" 'BEGIN {
            events = (vis < want ? vis : want) - base;
            printf "{\"nodes\": %d, \"loadgen_exit\": %d, \"send_s\": %.3f, \"drain_s\": %.3f, ", n, rc, t1 - t0, t2 - t1;
            printf "\"drained\": %s, \"events\": %d, \"expected_events\": %d, ", (vis >= want ? "true" : "false"), events, want - base;
            printf "\"nodes_cpu_s\": %.2f, \"broker_cpu_s\": %.2f, ", (c1 - c0) / hz, (b1 - b0) / hz;
            printf "\"load_before\": \"%s\", \"load_after\": \"%s\"}\n", l0, l1 }' > "$WORK/$tag.server.json"
    sed 's/^/    /' "$WORK/$tag.server.json"
    return "$rc"
}

# --- runs --------------------------------------------------------------------------------------------
FAILED=0
for n in "${NODE_COUNTS[@]}"; do
    start_cluster "$n"
    if [[ "$WARMUP" != "0" && "$WARMUP" != "0s" ]]; then
        echo "cluster.sh: warm-up at ${RATE_LIST[0]} ev/s for $WARMUP (not reported) ..."
        drive "$n" "${RATE_LIST[0]}" "$WARMUP" "warmup-$n" || echo "cluster.sh: warning: the warm-up failed" >&2
        sleep "$PAUSE"
    fi
    for rate in "${RATE_LIST[@]}"; do
        for ((k = 1; k <= RUNS; k++)); do
            measure "$n" "$rate" "$k" || FAILED=$((FAILED + 1))
            sleep "$PAUSE"
        done
    done
    echo "cluster.sh: stopping the $n-node cluster ..."
    stop_cluster
done

{
    printf '{"started_at": %s, "host": %s, "cpus": %s, ' "$(json_str "$TS")" "$(json_str "$(uname -n)")" "$(nproc 2>/dev/null || echo null)"
    printf '"git_rev": %s, ' "$(json_str "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)")"
    printf '"java": %s, "nodes": [%s], "rates": [%s], ' "$(json_str "$(java -version 2>&1 | head -n 1)")" "$NODES" "$RATES"
    printf '"duration": %s, "runs_per_size": %d, "partitions": %d, ' "$(json_str "$DURATION")" "$RUNS" "$PARTITIONS"
    printf '"node_java_opts": %s, "loadgen_java_opts": %s, ' "$(json_str "$NODE_JAVA_OPTS")" "$(json_str "$LOADGEN_JAVA_OPTS")"
    printf '"loadgen_extra_args": %s}\n' "$(json_str "${EXTRA[*]:-}")"
} > "$WORK/meta.json"

echo
java -cp "$CP" io.analytics.bench.ClusterReport --dir "$WORK" --out "$RESULT"
echo
echo "cluster.sh: results written to ${RESULT#"$ROOT"/}"
if ((FAILED > 0)); then
    echo "cluster.sh: $FAILED run(s) failed; see above" >&2
    exit 1
fi
