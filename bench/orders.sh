#!/usr/bin/env bash
# Benchmark of the event-sourced orders: starts a fresh platform (journal on PostgreSQL with --postgres,
# else the embedded H2), drives the orders API with io.analytics.bench.OrderLoadGenerator at several
# command rates, then fills the journal to N order events and times a rebuild of the orders read model.
# Writes bench/results/orders-<UTC timestamp>.json and prints a markdown table. See bench/README.md.
#
#   bench/orders.sh [--rates 1000,3000,5000,7000] [--duration 30s] [--runs 3] [--port 18290] [--postgres]
#                   [--rebuild-events 1000000] [-- generator flags...]
#
# --rebuild-events 0 skips the rebuild. Environment knobs (seconds unless noted): READY_TIMEOUT (600), STOP_TIMEOUT (30),
# BUILD_TIMEOUT (1800), PAUSE (2), WARMUP (discarded first run, 10s; 0 to skip), IDLE_CORES (0.2) and IDLE_TIMEOUT (60),
# ORDERGEN_JAVA_OPTS, FILL_ORDERS (2000), FILL_CONCURRENCY (256), FILL_CHUNK (250000 commands per generator run),
# FILL_TIMEOUT (3600), CATCHUP_TIMEOUT (3600), REBUILD_TIMEOUT (1800), KEEP_WORK (1: keep the scratch directory with the server log; 0: delete it on success),
# KEEP_SCHEMA=1 (do not drop the PostgreSQL schema), PG_HOST (127.0.0.1), PG_PORT (5432), PG_USER (postgres), PG_DB (test),
# PG_ANALYZE (auto: ANALYZE the schema's tables between phases when the server's autovacuum is off; 1 always; 0 never).
set -euo pipefail

BENCH_NAME="orders.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RATES="1000,3000,5000,7000"
DURATION="30s"
RUNS=3
PORT=18290
POSTGRES=0
REBUILD_EVENTS=1000000
EXTRA=()
READY_TIMEOUT="${READY_TIMEOUT:-600}"
STOP_TIMEOUT="${STOP_TIMEOUT:-30}"
BUILD_TIMEOUT="${BUILD_TIMEOUT:-1800}"
PAUSE="${PAUSE:-2}"
WARMUP="${WARMUP:-10s}"
IDLE_CORES="${IDLE_CORES:-0.2}"
IDLE_TIMEOUT="${IDLE_TIMEOUT:-60}"
# Like run.sh's load generator: one GC thread and no C2, so it takes little CPU from the server on 2 cores.
ORDERGEN_JAVA_OPTS="${ORDERGEN_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms64m -Xmx512m}"
FILL_ORDERS="${FILL_ORDERS:-2000}"
FILL_CONCURRENCY="${FILL_CONCURRENCY:-256}"
FILL_CHUNK="${FILL_CHUNK:-250000}"
FILL_TIMEOUT="${FILL_TIMEOUT:-3600}"
CATCHUP_TIMEOUT="${CATCHUP_TIMEOUT:-3600}"
REBUILD_TIMEOUT="${REBUILD_TIMEOUT:-1800}"
KEEP_WORK="${KEEP_WORK:-1}"
KEEP_SCHEMA="${KEEP_SCHEMA:-0}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
PG_USER="${PG_USER:-postgres}"
PG_DB="${PG_DB:-test}"
PG_ANALYZE="${PG_ANALYZE:-auto}"
API_KEY="bench-key"
REQUEST_TIMEOUT_S=30

usage() {
    sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# --- arguments ----------------------------------------------------------------------------------
script_flag() { # the flags only this script takes (see parse_args in lib.sh)
    COMMON_SHIFT=1
    case "$1" in
        --postgres) POSTGRES=1 ;;
        --rebuild-events) REBUILD_EVENTS="${2:?--rebuild-events needs a value}"; COMMON_SHIFT=2 ;;
        --rebuild-events=*) REBUILD_EVENTS="${1#*=}" ;;
        *) return 1 ;;
    esac
}
parse_args "$@"

check_common_flags
[[ "$REBUILD_EVENTS" =~ ^[0-9]+$ ]] || { echo "orders.sh: --rebuild-events must be a whole number (0 skips the rebuild)" >&2; exit 2; }
for v in READY_TIMEOUT STOP_TIMEOUT BUILD_TIMEOUT PAUSE IDLE_TIMEOUT FILL_ORDERS FILL_CONCURRENCY FILL_CHUNK FILL_TIMEOUT \
         CATCHUP_TIMEOUT REBUILD_TIMEOUT; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "orders.sh: $v must be a whole number" >&2; exit 2; }
done
[[ "$IDLE_CORES" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "orders.sh: IDLE_CORES must be a number like 0.2" >&2; exit 2; }
[[ "$PG_ANALYZE" =~ ^(auto|0|1)$ ]] || { echo "orders.sh: PG_ANALYZE must be auto, 0 or 1" >&2; exit 2; }

DURATION_S="$(to_seconds "$DURATION")" && ((DURATION_S > 0)) \
    || { echo "orders.sh: --duration must look like 30s, 2m or 1500ms" >&2; exit 2; }
WARMUP_S="$(to_seconds "$WARMUP")" || { echo "orders.sh: WARMUP must look like 10s (0 skips it)" >&2; exit 2; }
# Generous but finite: sending + waiting for the last answers (request timeout) + JVM start-up slack.
RUN_TIMEOUT=$((DURATION_S + REQUEST_TIMEOUT_S + 60))

# --- process helpers (plain /proc; the rest are in lib.sh) ---------------------------------------
pg_cpu_ticks() { # utime + stime of every process named postgres (the server's backends, all databases)
    local f line rest n=0
    local -a a
    for f in /proc/[0-9]*/stat; do
        { read -r line < "$f"; } 2>/dev/null || continue
        [[ "$line" == *" (postgres) "* ]] || continue
        rest="${line##*) }"
        read -r -a a <<< "$rest"
        n=$((n + a[11] + a[12]))
    done
    echo "$n"
}

machine_busy_ticks() { # all CPUs, busy time (not idle or iowait) from /proc/stat, in clock ticks
    awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# minimal JSON string escaping for metadata; control characters dropped
json_str_ctl() { json_str "$(printf '%s' "$1" | tr -d '\000-\011\013-\037')"; }

psql_q() { # one statement against the benchmark database, bounded in time; prints the unaligned result
    timeout --kill-after=5 60 psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -c "$1"
}

# --- cleanup: the server never outlives this script, the schema is dropped ---------------------------
SERVER_PID=""
JAVA_PID=""
CHILD_PID=""
DATA_DIR=""
WORK=""
SCHEMA=""

drop_schema() {
    [[ -n "$SCHEMA" ]] || return 0
    if [[ "$KEEP_SCHEMA" == "1" ]]; then
        echo "orders.sh: schema $SCHEMA kept (KEEP_SCHEMA=1); drop it with: psql -h $PG_HOST -U $PG_USER -d $PG_DB -c 'DROP SCHEMA $SCHEMA CASCADE'" >&2
    elif psql_q "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" > /dev/null 2>&1; then
        echo "orders.sh: dropped schema $SCHEMA"
    else
        echo "orders.sh: warning: could not drop schema $SCHEMA" >&2
    fi
    SCHEMA=""
}

CLEANUP_PID_VARS=(CHILD_PID)
WORK_KEPT_WHAT="server log and raw run files"
work_disposable() { [[ "$KEEP_WORK" == "0" ]]; }
cleanup_hook() { drop_schema; }
install_cleanup_traps

# --- build if needed -------------------------------------------------------------------------------
cd "$ROOT"
if [[ ! -d src/node/target || ! -d bench/target/lib \
      || ! -f bench/target/classes/io/analytics/bench/OrderLoadGenerator.class \
      || ! -f bench/target/classes/io/analytics/bench/RebuildTimer.class \
      || ! -f bench/target/classes/io/analytics/bench/OrderBenchReport.class ]]; then
    echo "orders.sh: building (mvn -q -B -DskipTests package) ..."
    timeout "$BUILD_TIMEOUT" mvn -q -B -DskipTests package || die "build failed"
fi
check_prerequisites

WORK="$(mktemp -d "${TMPDIR:-/tmp}/analytics-orders-bench.XXXXXX")"
DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/analytics-orders-data.XXXXXX")"
TS="$(date -u +%Y%m%dT%H%M%SZ)"
RESULT="$ROOT/bench/results/orders-$TS.json"
: > "$WORK/times"

# --- PostgreSQL: a fresh schema for this run -----------------------------------------------------------
DB_URL=""
PG_AUTOVACUUM=""
ANALYZE_ON=0
ANALYZES=0
if ((POSTGRES)); then
    command -v psql > /dev/null || die "--postgres needs psql on PATH"
    psql_q 'select 1' > /dev/null 2>&1 \
        || die "cannot connect to PostgreSQL at $PG_HOST:$PG_PORT as $PG_USER, database $PG_DB (./analytics test starts it)"
    SCHEMA="bench_$(date -u +%Y%m%d%H%M%S)_$((RANDOM % 10000))"
    psql_q "CREATE SCHEMA $SCHEMA" > /dev/null || { SCHEMA=""; die "could not create schema"; }
    DB_URL="jdbc:postgresql://$PG_HOST:$PG_PORT/$PG_DB?currentSchema=$SCHEMA"
    echo "orders.sh: journal in PostgreSQL schema $SCHEMA ($DB_URL)"
    # Without autovacuum nothing ever gathers statistics on the fresh tables, and the journal's
    # events-by-tag query (the projections' and the rebuild's read path) gets a plan that joins and sorts
    # the whole remaining range for every page: quadratic in the backlog. Any normal server analyzes a
    # table after its first 50 rows + 10 % of changes; do what autovacuum would have done between phases.
    PG_AUTOVACUUM="$(psql_q 'SHOW autovacuum' 2>/dev/null || echo unknown)"
    if [[ "$PG_ANALYZE" == "1" || ("$PG_ANALYZE" == "auto" && "$PG_AUTOVACUUM" == "off") ]]; then
        ANALYZE_ON=1
        echo "orders.sh: the server's autovacuum is $PG_AUTOVACUUM; ANALYZE-ing the schema's tables between phases (PG_ANALYZE=0 to not)"
    fi
fi

# --- start the platform ------------------------------------------------------------------------------
SERVER_LOG="$WORK/server.log"
: > "$SERVER_LOG"
if ((POSTGRES)); then
    # `./analytics up` cannot use PostgreSQL: embedded.conf pins the database user ("sa", ignoring
    # ANALYTICS_DB_USER) and the H2 driver, Slick profile and projection dialect, so it fails to start
    # ("role sa does not exist", then "Driver org.h2.Driver claims to not accept jdbcUrl"). `node` reads
    # application.conf, which is PostgreSQL throughout; ANALYTICS_KAFKA_EMBEDDED keeps the in-process
    # broker of `up`, ANALYTICS_CLUSTER_PORT=0 its free cluster port. Everything else is as in `up`.
    LAUNCH="node"
    echo "orders.sh: starting the platform (./analytics node, embedded Kafka, journal on PostgreSQL) on port $PORT ..."
    ANALYTICS_DATA_DIR="$DATA_DIR" ANALYTICS_DEMO_API_KEY="$API_KEY" ANALYTICS_KAFKA_EMBEDDED=true ANALYTICS_CLUSTER_PORT=0 \
        ANALYTICS_DB_URL="$DB_URL" ANALYTICS_DB_USER="$PG_USER" \
        setsid ./analytics node --port "$PORT" > "$SERVER_LOG" 2>&1 < /dev/null &
else
    LAUNCH="up"
    echo "orders.sh: starting the platform (./analytics up, embedded Kafka and H2) on port $PORT ..."
    ANALYTICS_DATA_DIR="$DATA_DIR" ANALYTICS_DEMO_API_KEY="$API_KEY" \
        setsid ./analytics up --port "$PORT" > "$SERVER_LOG" 2>&1 < /dev/null &
fi
SERVER_PID=$!

wait_ready
URL="http://127.0.0.1:$PORT"
echo "orders.sh: ready (launcher pid $SERVER_PID, server JVM pid $JAVA_PID)"

# Runs the order generator in the background under `timeout` and waits for it (so the trap can stop it).
# $1: timeout in seconds, $2: log file; the rest are generator flags. Sets GEN_RC.
run_generator() {
    local limit="$1" log="$2"
    shift 2
    GEN_RC=0
    # shellcheck disable=SC2086 # ORDERGEN_JAVA_OPTS is a list of JVM flags
    timeout --kill-after=10 "$limit" java $ORDERGEN_JAVA_OPTS -cp "$CP" io.analytics.bench.OrderLoadGenerator \
        --url "$URL" --api-key "$API_KEY" "$@" > "$log" 2>&1 &
    CHILD_PID=$!
    wait "$CHILD_PID" || GEN_RC=$?
    CHILD_PID=""
}

server_alive_or_stop() {
    if ! alive "$JAVA_PID"; then
        echo "orders.sh: the server JVM (pid $JAVA_PID) is gone" >&2
        tail -n 40 "$SERVER_LOG" >&2 || true
        SERVER_DIED=1
        return 1
    fi
}

# Order events in the journal: PostgreSQL counts them; on H2 (no client here) the sum of the commands the
# generators saw succeed (each successful command journals exactly one event).
journal_events() {
    if ((POSTGRES)); then
        psql_q "SELECT count(*) FROM $SCHEMA.event_tag WHERE tag = 'orders'"
    else
        # Before the fill starts there are no fill files yet: cat's failure must not end the script.
        { cat "$WORK"/warmup.json "$WORK"/run-*-[0-9]*.json "$WORK"/fill-*.json 2>/dev/null || true; } \
            | awk -F: '/"commands_ok"/ { gsub(/[ ,]/, "", $2); n += $2 } END { print n + 0 }'
    fi
}

# ANALYZE every table of the schema (see PG_ANALYZE above); bounded by psql_q's timeout, never fatal.
analyze_schema() {
    ((ANALYZE_ON)) || return 0
    local tables
    tables="$(psql_q "SELECT string_agg(format('%I.%I', schemaname, relname), ', ') FROM pg_stat_user_tables WHERE schemaname = '$SCHEMA'" 2>/dev/null || true)"
    [[ -n "$tables" ]] || return 0
    if psql_q "ANALYZE $tables" > /dev/null 2>&1; then
        ANALYZES=$((ANALYZES + 1))
    else
        echo "orders.sh: warning: ANALYZE of the schema's tables failed or timed out" >&2
    fi
}

SERVER_DIED=0
FAILED=0

# --- warm-up: one discarded run, so the first rate does not pay for JIT compilation -------------------
if ((WARMUP_S > 0)); then
    echo "orders.sh: warm-up at ${RATE_LIST[0]} commands/s for $WARMUP (not reported) ..."
    run_generator $((WARMUP_S + REQUEST_TIMEOUT_S + 60)) "$WORK/warmup.log" --rate "${RATE_LIST[0]}" --duration "$WARMUP" \
        --quiet --out "$WORK/warmup.json" ${EXTRA[@]+"${EXTRA[@]}"}
    ((GEN_RC == 0)) || echo "orders.sh: warning: the warm-up run failed (exit $GEN_RC); see $WORK/warmup.log" >&2
    analyze_schema
    sleep "$PAUSE"
fi

# --- command runs ----------------------------------------------------------------------------------------
for rate in "${RATE_LIST[@]}"; do
    ((SERVER_DIED)) && break
    for ((i = 1; i <= RUNS; i++)); do
        server_alive_or_stop || break
        wait_idle
        if ((!IDLE)); then
            echo "orders.sh: warning: the server still used $IDLE_CORES_SEEN cores after ${IDLE_TIMEOUT}s; running anyway" >&2
        fi
        echo "orders.sh: rate $rate commands/s, run $i/$RUNS, $DURATION ..."
        ticks0="$(cpu_ticks "$JAVA_PID")"
        pg0="$(pg_cpu_ticks)"
        m0="$(machine_busy_ticks)"
        times > "$WORK/times"
        c0="$(children_cpu_s)"
        t0="$(now_s)"
        run_generator "$RUN_TIMEOUT" "$WORK/run-$rate-$i.log" --rate "$rate" --duration "$DURATION" --quiet \
            --out "$WORK/run-$rate-$i.json" ${EXTRA[@]+"${EXTRA[@]}"}
        t1="$(now_s)"
        ticks1="$(cpu_ticks "$JAVA_PID")"
        pg1="$(pg_cpu_ticks)"
        m1="$(machine_busy_ticks)"
        times > "$WORK/times"
        c1="$(children_cpu_s)"
        sed 's/^/    /' "$WORK/run-$rate-$i.log"
        if ((GEN_RC != 0)); then
            FAILED=$((FAILED + 1))
            echo "orders.sh: the order generator exited with $GEN_RC (timeout is 124)" >&2
        fi
        awk -v rate="$rate" -v run="$i" -v rc="$GEN_RC" -v t0="$t0" -v t1="$t1" -v k0="$ticks0" -v k1="$ticks1" \
            -v hz="$CLK_TCK" -v c0="$c0" -v c1="$c1" -v idle="$IDLE" -v waited="$IDLE_WAIT_S" -v seen="$IDLE_CORES_SEEN" \
            -v pg0="$pg0" -v pg1="$pg1" -v m0="$m0" -v m1="$m1" -v pgon="$POSTGRES" 'BEGIN {
                wall = t1 - t0; cpu = (k1 - k0) / hz; pg = (pg1 - pg0) / hz; busy = (m1 - m0) / hz;
                printf "{\"rate\": %d, \"run\": %d, \"loadgen_exit\": %d, \"wall_s\": %.3f, ", rate, run, rc, wall;
                printf "\"server_cpu_s\": %.2f, \"server_cpu_cores\": %.3f, \"loadgen_cpu_s\": %.2f, ", cpu, (wall > 0 ? cpu / wall : 0), c1 - c0;
                if (pgon) printf "\"postgres_cpu_s\": %.2f, \"postgres_cpu_cores\": %.3f, ", pg, (wall > 0 ? pg / wall : 0);
                else printf "\"postgres_cpu_s\": null, \"postgres_cpu_cores\": null, ";
                printf "\"machine_busy_cores\": %.3f, ", (wall > 0 ? busy / wall : 0);
                printf "\"idle\": %s, \"idle_wait_s\": %d, \"idle_server_cores\": %s}\n", (idle ? "true" : "false"), waited, seen }' \
            > "$WORK/run-$rate-$i.server.json"
        analyze_schema
        sleep "$PAUSE"
    done
done

# --- the rebuild: fill the journal to N order events, let the live projection catch up, time the rebuild ----
JOURNAL_EVENTS=""
if ((REBUILD_EVENTS > 0)) && ((!SERVER_DIED)); then
    count="$(journal_events)"
    before="$count"
    fill_start=$SECONDS
    ft0="$(now_s)"
    k=0
    while ((count < REBUILD_EVENTS && k < 50)); do
        server_alive_or_stop || break
        left=$((FILL_TIMEOUT - (SECONDS - fill_start)))
        if ((left < 10)); then
            echo "orders.sh: warning: FILL_TIMEOUT (${FILL_TIMEOUT}s) reached with $count of $REBUILD_EVENTS events" >&2
            break
        fi
        k=$((k + 1))
        # In chunks of at most FILL_CHUNK commands, with an ANALYZE in between when autovacuum is off.
        remaining=$((REBUILD_EVENTS - count))
        ((remaining <= FILL_CHUNK)) || remaining=$FILL_CHUNK
        echo "orders.sh: filling the journal: $count of $REBUILD_EVENTS order events; sending $remaining more commands" \
            "at max rate ($FILL_ORDERS orders in flight, concurrency $FILL_CONCURRENCY; progress in $WORK/fill-$k.log) ..."
        run_generator $((left + REQUEST_TIMEOUT_S + 60)) "$WORK/fill-$k.log" --rate max --max-commands "$remaining" \
            --duration "${left}s" --orders "$FILL_ORDERS" --concurrency "$FILL_CONCURRENCY" --out "$WORK/fill-$k.json"
        grep -E '^(ok|http|latency ms|error|note) ' "$WORK/fill-$k.log" | sed 's/^/    /' || true
        ((GEN_RC == 0)) || echo "orders.sh: warning: fill run $k exited with $GEN_RC; see $WORK/fill-$k.log" >&2
        count="$(journal_events)"
        ((count >= REBUILD_EVENTS)) || analyze_schema
    done
    ft1="$(now_s)"
    reached=$( ((count >= REBUILD_EVENTS)) && echo true || echo false)
    awk -v target="$REBUILD_EVENTS" -v b="$before" -v a="$count" -v k="$k" -v t0="$ft0" -v t1="$ft1" -v reached="$reached" \
        -v pg="$POSTGRES" 'BEGIN {
            s = t1 - t0;
            printf "{\"target_events\": %d, \"journal_events_before\": %d, \"journal_events_after\": %d, ", target, b, a;
            printf "\"generator_runs\": %d, \"seconds\": %.3f, \"events_per_s\": %.1f, \"reached\": %s, ", k, s, (s > 0 ? (a - b) / s : 0), reached;
            printf "\"counted_by\": \"%s\"}\n", (pg ? "select count(*) from event_tag where tag = orders" : "sum of the generators commands_ok") }' \
        > "$WORK/fill.json"
    JOURNAL_EVENTS="$count"
    analyze_schema
    echo "orders.sh: journal holds $count order events (filled $((count - before)) in $(awk -v a="$ft0" -v b="$ft1" 'BEGIN { printf "%.0f", b - a }') s)"
    if ((!SERVER_DIED)) && [[ "$reached" == true ]]; then
        echo "orders.sh: waiting for the live projection to handle all $count events (up to ${CATCHUP_TIMEOUT}s) ..."
        timeout --kill-after=10 $((CATCHUP_TIMEOUT + 60)) java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$CP" \
            io.analytics.bench.RebuildTimer --url "$URL" --api-key "$API_KEY" --projection orders --catch-up "$count" \
            --timeout "${CATCHUP_TIMEOUT}s" --out "$WORK/catchup.json" > >(sed -u 's/^/    /') 2>&1 &
        CHILD_PID=$!
        rc=0
        wait "$CHILD_PID" || rc=$?
        CHILD_PID=""
        if ! grep -q '"reached" : true' "$WORK/catchup.json" 2>/dev/null; then
            FAILED=$((FAILED + 1))
            echo "orders.sh: the live projection did not catch up within ${CATCHUP_TIMEOUT}s; timing the rebuild anyway" \
                "(it competes with the projection; the report says so)" >&2
        fi
        if alive "$JAVA_PID"; then
            sleep "$PAUSE"
            echo "orders.sh: rebuilding the orders read model from $count journaled events (up to ${REBUILD_TIMEOUT}s) ..."
            ticks0="$(cpu_ticks "$JAVA_PID")"
            t0="$(now_s)"
            timeout --kill-after=10 $((REBUILD_TIMEOUT + 60)) java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$CP" \
                io.analytics.bench.RebuildTimer --url "$URL" --api-key "$API_KEY" --projection orders --rebuild \
                --timeout "${REBUILD_TIMEOUT}s" --out "$WORK/rebuild.json" > >(sed -u 's/^/    /') 2>&1 &
            CHILD_PID=$!
            rc=0
            wait "$CHILD_PID" || rc=$?
            CHILD_PID=""
            t1="$(now_s)"
            ticks1="$(cpu_ticks "$JAVA_PID")"
            awk -v t0="$t0" -v t1="$t1" -v k0="$ticks0" -v k1="$ticks1" -v hz="$CLK_TCK" 'BEGIN {
                wall = t1 - t0; cpu = (k1 - k0) / hz;
                printf "{\"wall_s\": %.3f, \"server_cpu_s\": %.2f, \"server_cpu_cores\": %.3f}\n", wall, cpu, (wall > 0 ? cpu / wall : 0) }' \
                > "$WORK/rebuild.server.json"
            if ! grep -q '"state" : "done"' "$WORK/rebuild.json" 2>/dev/null; then
                FAILED=$((FAILED + 1))
                echo "orders.sh: the rebuild did not finish (see $WORK/rebuild.json and the server log)" >&2
            fi
        fi
    elif [[ "$reached" != true ]]; then
        FAILED=$((FAILED + 1))
        echo "orders.sh: the journal did not reach $REBUILD_EVENTS order events; rebuild not timed" >&2
    fi
fi

# --- stop, then report -----------------------------------------------------------------------------------
echo "orders.sh: stopping the platform (SIGTERM) ..."
stop_server
rm -rf "$DATA_DIR"
DATA_DIR=""
FINAL_JOURNAL_EVENTS=""
if ((POSTGRES)) && [[ -n "$SCHEMA" ]]; then
    FINAL_JOURNAL_EVENTS="$(psql_q "SELECT count(*) FROM $SCHEMA.event_tag WHERE tag = 'orders'" 2>/dev/null || true)"
fi
drop_schema

# What the server logged besides INFO: counts, and the most frequent messages (timestamps and numbers blanked).
LOG_ERRORS="$(grep -c -E '^[0-9:.]+ ERROR ' "$SERVER_LOG" || true)"
LOG_WARNS="$(grep -c -E '^[0-9:.]+ WARN ' "$SERVER_LOG" || true)"
grep -E '^[0-9:.]+ (ERROR|WARN) ' "$SERVER_LOG" | cut -d' ' -f2- | cut -c1-200 | sed -E 's/[0-9]+/N/g' \
    | sort | uniq -c | sort -rn | head -n 10 > "$WORK/server-log-top.txt" || true

{
    printf '{"started_at": %s, "host": %s, "cpus": %s, ' "$(json_str_ctl "$TS")" "$(json_str_ctl "$(uname -n)")" "$(nproc 2>/dev/null || echo null)"
    printf '"git_rev": %s, ' "$(json_str_ctl "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)")"
    printf '"java": %s, ' "$(json_str_ctl "$(java -version 2>&1 | head -n 1)")"
    printf '"rates": [%s], "duration": %s, "runs_per_rate": %d, "port": %d, ' "$RATES" "$(json_str_ctl "$DURATION")" "$RUNS" "$PORT"
    printf '"postgres": %s, "schema": %s, "launch": %s, ' "$( ((POSTGRES)) && echo true || echo false)" \
        "$(json_str_ctl "${DB_URL:-embedded H2}")" "$(json_str_ctl "./analytics $LAUNCH")"
    printf '"warmup": %s, "ordergen_java_opts": %s, "ordergen_extra_args": %s, ' "$(json_str_ctl "$WARMUP")" \
        "$(json_str_ctl "$ORDERGEN_JAVA_OPTS")" "$(json_str_ctl "${EXTRA[*]:-}")"
    printf '"rebuild_events": %d, "fill_orders": %d, "fill_concurrency": %d, ' "$REBUILD_EVENTS" "$FILL_ORDERS" "$FILL_CONCURRENCY"
    printf '"pg_autovacuum": %s, "pg_analyze_by_script": %s, "pg_analyze_count": %d, ' "$(json_str_ctl "${PG_AUTOVACUUM:-n/a}")" \
        "$( ((ANALYZE_ON)) && echo true || echo false)" "$ANALYZES"
    printf '"journal_events_at_end": %s, ' "${FINAL_JOURNAL_EVENTS:-${JOURNAL_EVENTS:-null}}"
    printf '"server_log": %s, "server_log_errors": %d, "server_log_warnings": %d, ' "$(json_str_ctl "$SERVER_LOG")" \
        "${LOG_ERRORS:-0}" "${LOG_WARNS:-0}"
    printf '"server_log_top": %s, ' "$(json_str_ctl "$(sed 's/^ *//' "$WORK/server-log-top.txt" | paste -sd '|' -)")"
    printf '"server_died": %s}\n' "$( ((SERVER_DIED)) && echo true || echo false)"
} > "$WORK/meta.json"

echo
java -cp "$CP" io.analytics.bench.OrderBenchReport --dir "$WORK" --out "$RESULT"
echo
echo "orders.sh: server log: ${LOG_ERRORS:-0} ERROR and ${LOG_WARNS:-0} WARN lines ($SERVER_LOG)"
if [[ -s "$WORK/server-log-top.txt" ]]; then
    sed 's/^/    /' "$WORK/server-log-top.txt"
fi
echo "orders.sh: results written to ${RESULT#"$ROOT"/}"
if ((SERVER_DIED)); then
    exit 1
fi
if ((FAILED > 0)); then
    echo "orders.sh: $FAILED step(s) failed; see above" >&2
    exit 1
fi
