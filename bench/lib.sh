#!/usr/bin/env bash
# Shared shell functions of bench/run.sh and bench/orders.sh; sourced, never run. The sourcing script sets
# BENCH_NAME (its name, the prefix of its messages) first; the functions use its SERVER_PID, JAVA_PID,
# DATA_DIR, WORK, STOP_TIMEOUT, READY_TIMEOUT, IDLE_CORES, IDLE_TIMEOUT, CLK_TCK and SERVER_LOG.

die() {
    echo "$BENCH_NAME: $*" >&2
    exit 1
}

# The flags of both scripts: --rates, --duration, --runs and --port (also as --flag=value). Sets RATES, DURATION,
# RUNS or PORT and COMMON_SHIFT (how many arguments that took); returns 1 for any other argument.
common_flag() {
    COMMON_SHIFT=1
    case "$1" in
        --rates) RATES="${2:?--rates needs a value}"; COMMON_SHIFT=2 ;;
        --rates=*) RATES="${1#*=}" ;;
        --duration) DURATION="${2:?--duration needs a value}"; COMMON_SHIFT=2 ;;
        --duration=*) DURATION="${1#*=}" ;;
        --runs) RUNS="${2:?--runs needs a value}"; COMMON_SHIFT=2 ;;
        --runs=*) RUNS="${1#*=}" ;;
        --port) PORT="${2:?--port needs a value}"; COMMON_SHIFT=2 ;;
        --port=*) PORT="${1#*=}" ;;
        *) return 1 ;;
    esac
}

# The argument loop: -h/--help (the script's usage), the common flags, then the script's own flags if it defines
# script_flag (like common_flag), and `--` (the rest goes to EXTRA); anything else is an error (exit 2).
parse_args() {
    while (($# > 0)); do
        case "$1" in
            -h|--help) usage; exit 0 ;;
            --) shift; EXTRA=("$@"); break ;;
            *)
                if common_flag "$@" || { declare -F script_flag > /dev/null && script_flag "$@"; }; then
                    shift "$COMMON_SHIFT"
                    continue
                fi
                echo "$BENCH_NAME: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
        esac
    done
}

# Checks --rates (sets RATE_LIST), --runs and --port; exits 2 on a bad value.
check_common_flags() {
IFS=',' read -r -a RATE_LIST <<< "$RATES"
((${#RATE_LIST[@]} > 0)) || { echo "$BENCH_NAME: --rates is empty" >&2; exit 2; }
for r in "${RATE_LIST[@]}"; do
    [[ "$r" =~ ^[1-9][0-9]*$ ]] || { echo "$BENCH_NAME: --rates: '$r' is not a positive integer" >&2; exit 2; }
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "$BENCH_NAME: --runs must be a positive integer" >&2; exit 2; }
[[ "$PORT" =~ ^[0-9]+$ ]] && ((PORT > 0 && PORT < 65536)) || { echo "$BENCH_NAME: --port must be 1..65535" >&2; exit 2; }
}

# "30s", "2m", "1500ms", "1h" or bare seconds -> whole seconds (rounded up); fails on anything else.
to_seconds() {
    [[ "$1" =~ ^([0-9]+)(ms|s|m|h)?$ ]] || return 1
    local n="${BASH_REMATCH[1]}"
    case "${BASH_REMATCH[2]:-s}" in
        ms) echo $(((n + 999) / 1000)) ;;
        s) echo "$n" ;;
        m) echo $((n * 60)) ;;
        h) echo $((n * 3600)) ;;
    esac
}

# --- process helpers (plain /proc, no procps needed) ---------------------------------------------
stat_fields() { # pid -> fields after the "(comm)" of /proc/pid/stat, starting with the state
    local line
    { read -r line < "/proc/$1/stat"; } 2>/dev/null || return 1
    echo "${line##*) }"
}

alive() { # running and not a zombie
    local s
    s="$(stat_fields "$1")" || return 1
    [[ "${s:0:1}" != "Z" ]]
}

descendants() { # pid -> all descendant pids, breadth first
    local -A kids=()
    local f line pid rest
    local -a a
    for f in /proc/[0-9]*/stat; do
        { read -r line < "$f"; } 2>/dev/null || continue
        pid="${line%% *}"
        rest="${line##*) }"
        read -r -a a <<< "$rest"
        kids[${a[1]}]+="$pid "
    done
    local -a queue=("$1")
    local p c
    while ((${#queue[@]} > 0)); do
        p="${queue[0]}"
        queue=("${queue[@]:1}")
        for c in ${kids[$p]:-}; do
            echo "$c"
            queue+=("$c")
        done
    done
}

session_members() { # pids in the session the launcher leads (setsid), even if re-parented
    local f line pid
    local -a a
    for f in /proc/[0-9]*/stat; do
        { read -r line < "$f"; } 2>/dev/null || continue
        pid="${line%% *}"
        read -r -a a <<< "${line##*) }"
        if [[ "${a[3]}" == "$SERVER_PID" && "${a[0]}" != "Z" ]]; then echo "$pid"; fi
    done
}

find_java() { # the launcher itself if it exec'd java, else its closest java descendant
    local p comm
    for p in "$SERVER_PID" $(descendants "$SERVER_PID") $(session_members); do
        comm="$(cat "/proc/$p/comm" 2>/dev/null || true)"
        if [[ "$comm" == "java" ]]; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

cpu_ticks() { # utime + stime of a process, all threads, in clock ticks
    local s
    local -a a
    s="$(stat_fields "$1")" || { echo 0; return; }
    read -r -a a <<< "$s"
    echo $((a[11] + a[12]))
}

children_cpu_s() { # user+sys of reaped children of this shell, from the `times` builtin
    # `times` must run in this shell (a $(...) subshell has no children of its own), hence the file.
    awk 'NR == 2 {
        split($1, u, /[ms]/); split($2, s, /[ms]/);
        printf "%.3f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$WORK/times"
}

now_s() { date +%s.%N; }

json_str() { # minimal JSON string escaping for metadata
    local s="${1//\\/\\\\}"
    s="${s//\"/\\\"}"
    printf '"%s"' "${s//$'\n'/ }"
}

# --- the server: never outlives the script -------------------------------------------------------
stop_server() {
    [[ -n "$SERVER_PID" ]] || return 0
    local pids p deadline group=0
    pids="$SERVER_PID $JAVA_PID $(descendants "$SERVER_PID" 2>/dev/null || true) $(session_members 2>/dev/null || true)"
    if [[ "$(stat_fields "$SERVER_PID" 2>/dev/null | awk '{print $3}')" == "$SERVER_PID" ]]; then
        group=1
    fi
    if ((group)); then kill -TERM -- "-$SERVER_PID" 2>/dev/null || true; fi
    for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
    deadline=$((SECONDS + STOP_TIMEOUT))
    while ((SECONDS < deadline)); do
        local any=0
        for p in $pids; do alive "$p" && any=1; done
        ((any)) || break
        sleep 0.2
    done
    for p in $pids; do
        if alive "$p"; then
            echo "$BENCH_NAME: server process $p ignored SIGTERM for ${STOP_TIMEOUT}s; killing it" >&2
            if ((group)); then kill -KILL -- "-$SERVER_PID" 2>/dev/null || true; fi
            kill -KILL "$p" 2>/dev/null || true
        fi
    done
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# The EXIT trap: SIGTERM to the children named in CLEANUP_PID_VARS, stops the server, deletes DATA_DIR, runs
# cleanup_hook (if the script defines one), then deletes WORK on success when work_disposable says so and
# BENCH_KEEP_WORK is not 1, else says where it is ("$BENCH_NAME: <WORK_KEPT_WHAT> kept in $WORK").
cleanup() {
    local rc=$? v
    trap - EXIT INT TERM
    for v in "${CLEANUP_PID_VARS[@]}"; do
        if [[ -n "${!v}" ]] && alive "${!v}"; then
            kill -TERM "${!v}" 2>/dev/null || true
        fi
    done
    stop_server || true
    [[ -n "$DATA_DIR" ]] && rm -rf "$DATA_DIR"
    if declare -F cleanup_hook > /dev/null; then cleanup_hook || true; fi
    if [[ -n "$WORK" ]]; then
        if ((rc == 0)) && [[ "${BENCH_KEEP_WORK:-0}" != 1 ]] && work_disposable; then
            rm -rf "$WORK"
        else
            echo "$BENCH_NAME: $WORK_KEPT_WHAT kept in $WORK" >&2
        fi
    fi
    exit "$rc"
}

install_cleanup_traps() {
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# After the build check: the launcher, java and a free port. Sets CP.
check_prerequisites() {
    [[ -x ./analytics ]] || die "launcher ./analytics not found (or not executable) in $ROOT"
    CP="$ROOT/bench/target/classes:$ROOT/bench/target/lib/*"
    command -v java > /dev/null || die "java not on PATH"
    if (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null; then
        die "port $PORT is already in use; pick another with --port"
    fi
}

# Waits (up to READY_TIMEOUT) for the launcher (SERVER_PID, output in SERVER_LOG) to print its ready line, then
# finds the server JVM. Sets JAVA_PID and CLK_TCK.
wait_ready() {
    local ready_line="ready http://127.0.0.1:$PORT" deadline=$((SECONDS + READY_TIMEOUT))
    until grep -qF "$ready_line" "$SERVER_LOG"; do
        if ! alive "$SERVER_PID" && [[ -z "$(session_members)" ]]; then
            tail -n 40 "$SERVER_LOG" >&2 || true
            die "the platform exited before printing '$ready_line'"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 40 "$SERVER_LOG" >&2 || true
            die "the platform did not print '$ready_line' within ${READY_TIMEOUT}s"
        fi
        sleep 0.2
    done
    for _ in $(seq 1 25); do
        JAVA_PID="$(find_java || true)"
        [[ -n "$JAVA_PID" ]] && break
        sleep 0.2
    done
    [[ -n "$JAVA_PID" ]] || die "no java process found under the launcher (pid $SERVER_PID)"
    CLK_TCK="$(getconf CLK_TCK)"
}

# Waits (up to IDLE_TIMEOUT) until the server JVM used less than IDLE_CORES over one second — after a fast
# run the projections may still be working through a backlog. Sets IDLE_WAIT_S, IDLE_CORES_SEEN and IDLE
# (1 if it got there).
wait_idle() {
    local start=$SECONDS k0 k1
    IDLE=0
    while :; do
        k0="$(cpu_ticks "$JAVA_PID")"
        sleep 1
        k1="$(cpu_ticks "$JAVA_PID")"
        IDLE_CORES_SEEN="$(awk -v a="$k0" -v b="$k1" -v hz="$CLK_TCK" 'BEGIN { printf "%.3f", (b - a) / hz }')"
        if awk -v c="$IDLE_CORES_SEEN" -v max="$IDLE_CORES" 'BEGIN { exit !(c < max) }'; then
            IDLE=1
            break
        fi
        ((SECONDS - start >= IDLE_TIMEOUT)) && break
    done
    IDLE_WAIT_S=$((SECONDS - start))
}
