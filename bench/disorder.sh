#!/usr/bin/env bash
# What event-time disorder costs: AggregationBenchmark's work (a partition's micro-batches aggregated into
# cells, journaled and merged into its open windows) in order and with uniform disorder up to the allowed
# lateness, timed in CPU seconds of the JVM (AggregationCpu; wall-clock time drifts with a shared machine's
# load by more than disorder costs), alternated round by round in fresh JVMs. Writes
# bench/results/disorder-<UTC timestamp>.json with every round and the medians.
#
#   bench/disorder.sh [--rounds 7] [--disorder 300000]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=7
DISORDER=300000
while (($# > 0)); do
    case "$1" in
        --rounds) ROUNDS="${2:?--rounds needs a value}"; shift 2 ;;
        --disorder) DISORDER="${2:?--disorder needs milliseconds}"; shift 2 ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        *) echo "disorder.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ && "$DISORDER" =~ ^[1-9][0-9]*$ ]] \
    || { echo "disorder.sh: --rounds and --disorder must be positive whole numbers" >&2; exit 2; }

if [ ! -f "$ROOT/bench/target/classes/META-INF/BenchmarkList" ] || ! ls "$ROOT"/bench/target/lib/jmh-core-*.jar > /dev/null 2>&1; then
    (cd "$ROOT" && mvn -q -B -DskipTests -pl bench -am package)
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# One JMH run of one parameter; prints its score (events/s).
run() {
    local disorder=$1
    java -Xmx2g -cp "$ROOT/bench/target/classes:$ROOT/bench/target/lib/*" io.analytics.bench.AggregationCpu "$disorder" \
        > "$WORK/run-$2.log" 2>&1 || { cat "$WORK/run-$2.log" >&2; exit 1; }
    tail -1 "$WORK/run-$2.log"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

rows=()
for ((i = 1; i <= ROUNDS; i++)); do
    # alternate which goes first, so neither always gets the quieter half of a round
    if ((i % 2)); then in_order=$(run 0 "$i-a"); disordered=$(run "$DISORDER" "$i-b")
    else disordered=$(run "$DISORDER" "$i-a"); in_order=$(run 0 "$i-b"); fi
    ratio=$(awk -v a="$disordered" -v b="$in_order" 'BEGIN { printf "%.4f", a / b }')
    echo "round $i/$ROUNDS: in order $in_order, disorder ${DISORDER} ms $disordered events per CPU second, ratio $ratio" >&2
    rows+=("$in_order $disordered $ratio")
done

in_median=$(printf '%s\n' "${rows[@]}" | awk '{ print $1 }' | median)
dis_median=$(printf '%s\n' "${rows[@]}" | awk '{ print $2 }' | median)
ratio_median=$(printf '%s\n' "${rows[@]}" | awk '{ print $3 }' | median)
mkdir -p "$ROOT/bench/results"
out="$ROOT/bench/results/disorder-$(date -u +%Y%m%dT%H%M%SZ).json"
{
    printf '{"benchmark": "io.analytics.bench.jmh.AggregationBenchmark", "unit": "events per CPU second of the JVM",'
    printf ' "disorder_ms": %s, "cores": %s, "load_average_at_end": "%s",' "$DISORDER" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf ' "rounds": ['
    sep=""
    for row in "${rows[@]}"; do
        read -r a b r <<< "$row"
        printf '%s{"in_order": %s, "disordered": %s, "ratio": %s}' "$sep" "$a" "$b" "$r"
        sep=", "
    done
    printf '], "median_in_order": %s, "median_disordered": %s, "median_ratio": %s}\n' "$in_median" "$dis_median" "$ratio_median"
} > "$out"
echo "in order: median $in_median; disorder up to $DISORDER ms: median $dis_median events per CPU second; median paired ratio $ratio_median" >&2
echo "results written to ${out#"$ROOT"/}" >&2
