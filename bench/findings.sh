#!/usr/bin/env bash
# Benchmark `gwlint check` when there is a lot to say: the first run on an existing tree, where
# most routes lack something a built-in rule asks for (issue 21). Prints Markdown tables for
# BENCHMARKS.md.
#
# usage: bash bench/run.sh --findings [ROUTES[:PER_FILE]...]   (default: 100000:20 200000:4)
#        bash bench/findings.sh [ROUTES[:PER_FILE]...]
#
# Each corpus is `gen_corpus --routes ROUTES --routes-per-file PER_FILE --environments 1
# --no-timeouts` under target/bench-corpus/findings-ROUTES-PER_FILE/: one environment, no
# timeout anywhere, so `policy/route-needs-timeout` reports every route (100,000 routes in
# 5,000 files, and 200,000 routes in 50,000 files, by default). For each corpus it runs, after
# one warm-up of each, BENCH_RUNS rounds of these commands, one after the other in each round
# (interleaved, so a machine that slows down slows all of them alike):
#
#   base       --no-builtin-policies --format json --output FILE   (no policy findings)
#   json-file  --format json --output FILE
#   json       --format json, stdout to a pipe
#   sarif      --format sarif, stdout to a pipe
#   github     --format github, stdout to a pipe
#   junit      --format junit, stdout to a pipe
#   human      the default human format, stdout to a pipe
#
# all with `--config <corpus>/.gwlint.yaml --timings`, and reports per command the median and
# minimum wall time, the largest peak RSS, the median of each `--timings` stage, the output's
# size, and the median over the rounds of json-file ÷ base (what the findings cost).
# Exit code 1 (findings) counts as success; any other stops the script.
#
# Environment: BENCH_RUNS (default 5), BENCH_SEED (42), BENCH_ERRORS (2), as bench/run.sh;
# BENCH_FORMATS to run a subset of the commands above (space-separated names); BENCH_GWLINT to
# measure another gwlint binary (e.g. an older build, for a before/after table) instead of
# target/release/gwlint.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="$root/target"

runs=${BENCH_RUNS:-5}
seed=${BENCH_SEED:-42}
errors=${BENCH_ERRORS:-2}
read -r -a commands <<<"${BENCH_FORMATS:-base json-file json sarif github junit human}"
specs=("$@")
[[ ${#specs[@]} -gt 0 ]] || specs=(100000:20 200000:4)

gwlint=${BENCH_GWLINT:-target/release/gwlint}
generator=target/release/examples/gen_corpus
corpus_root=target/bench-corpus
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 2; }

[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS=\`$runs\` is not a positive whole number"
for spec in "${specs[@]}"; do
    [[ $spec =~ ^[1-9][0-9]*(:[1-9][0-9]*)?$ ]] || die "\`$spec\` is not ROUTES or ROUTES:PER_FILE"
done
for name in "${commands[@]}"; do
    case $name in base | json-file | json | sarif | github | junit | human) ;; *) die "unknown command \`$name\` in BENCH_FORMATS" ;; esac
done
/usr/bin/time -v -o /dev/null true 2>/dev/null || die "GNU time (/usr/bin/time -v) is needed for peak RSS"
[[ ${BASH_VERSINFO[0]} -ge 5 ]] || die "bash 5 is needed (\$EPOCHREALTIME)"

# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

say "building (release)..."
cargo build --release --quiet --bin gwlint --example gen_corpus
[[ -x $gwlint ]] || die "$gwlint was not built"

# The arguments of one command, after `gwlint check <corpus> --config ... --timings`.
arguments_of() {
    case $1 in
        base) echo "--no-builtin-policies --format json --output $scratch/out" ;;
        json-file) echo "--format json --output $scratch/out" ;;
        json | sarif | github | junit) echo "--format $1" ;;
        human) echo "" ;;
    esac
}

# Run one command once; appends "ms rss_kib bytes" to $scratch/<name>.samples and its stage
# lines to $scratch/<name>.stages.
run_command() {
    local name=$1 dir=$2 round=$3 start end code=0 bytes
    local -a extra
    read -r -a extra <<<"$(arguments_of "$name")"
    rm -f "$scratch/out"
    start=${EPOCHREALTIME/[.,]/}
    if [[ $name == base || $name == json-file ]]; then
        /usr/bin/time -v -o "$scratch/time" "$gwlint" check "$dir" --config "$dir/.gwlint.yaml" --timings \
            "${extra[@]}" >/dev/null 2>"$scratch/stderr" || code=$?
        bytes=$(wc -c <"$scratch/out")
    else
        /usr/bin/time -v -o "$scratch/time" "$gwlint" check "$dir" --config "$dir/.gwlint.yaml" --timings \
            "${extra[@]}" 2>"$scratch/stderr" | wc -c >"$scratch/bytes" || code=$?
        bytes=$(tr -d ' ' <"$scratch/bytes")
    fi
    end=${EPOCHREALTIME/[.,]/}
    if [[ $code -gt 1 ]]; then
        say "bench: $name on $dir exited with code $code; its stderr ends with:"
        tail -n 20 "$scratch/stderr" >&2
        exit 2
    fi
    local ms rss
    ms=$(awk -v us=$((end - start)) 'BEGIN { printf "%.1f", us / 1000 }')
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$scratch/time")
    if [[ $round -gt 0 ]]; then
        echo "$ms $rss $bytes" >>"$scratch/$name.samples"
        awk -v run="$round" '$1 == "timing:" { print run, $2, $3 }' "$scratch/stderr" >>"$scratch/$name.stages"
        say "  round $round $name: $ms ms, peak RSS $((rss / 1024)) MiB, $bytes bytes"
    fi
    if [[ $name == json-file && ! -s $scratch/summary ]]; then
        # The summary block at the top of the JSON report: the number of findings.
        awk -F'[:,]' '/"(errors|warnings|infos)":/ { n += $2 } /"findings":/ { print n; exit }' \
            "$scratch/out" >"$scratch/summary"
    fi
}

median_min() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "- -"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.1f %.1f\n", m, v[1] }'
}

stage_median() {
    local name=$1 stage=$2
    [[ -f $scratch/$name.stages ]] || { echo "-"; return; }
    awk -v s="$stage" '$2 == s { print $3 }' "$scratch/$name.stages" | median_min | cut -d' ' -f1
}

print_machine() {
    echo "### Machine"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    if [[ -n ${BENCH_GWLINT:-} ]]; then
        echo "- gwlint: \`$BENCH_GWLINT\` (BENCH_GWLINT); the corpus generator of commit $(commit_label)"
    else
        echo "- gwlint: commit $(commit_label), \`cargo build --release\`"
    fi
    echo "- rustc: $(rustc --version 2>/dev/null || echo unknown)"
    echo "- CPU: $(cpu_model), $(getconf _NPROCESSORS_ONLN) logical CPUs"
    echo "- load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
    echo "- method: one warm-up run of each command, then $runs interleaved rounds (warm page cache);" \
        "wall time from bash's \$EPOCHREALTIME, peak RSS from \`/usr/bin/time -v\`"
    echo
}

print_machine
for spec in "${specs[@]}"; do
    routes=${spec%%:*}
    per_file=20
    [[ $spec == *:* ]] && per_file=${spec#*:}
    name="findings-$routes-$per_file"
    ensure_corpus "$routes" "$name" --environments 1 --routes-per-file "$per_file" --no-timeouts
    dir="$corpus_root/$name"
    rm -f "$scratch"/*.samples "$scratch"/*.stages "$scratch/summary"
    say "== $name: warm-up"
    for command in "${commands[@]}"; do run_command "$command" "$dir" 0; done
    for ((round = 1; round <= runs; round++)); do
        for command in "${commands[@]}"; do run_command "$command" "$dir" "$round"; done
    done

    files=$(summary_number "$dir.summary" files)
    mib=$(awk -v b="$(summary_number "$dir.summary" bytes)" 'BEGIN { printf "%.1f", b / 1048576 }')
    findings=$(cat "$scratch/summary" 2>/dev/null || echo "")
    echo "### $routes routes in $files YAML files ($mib MiB), one environment, no timeouts"
    echo
    echo "\`gen_corpus --routes $routes --routes-per-file $per_file --environments 1 --no-timeouts\`;" \
        "${findings:-an unknown number of} findings with the built-in rules."
    echo
    echo "| command | wall median (ms) | wall min (ms) | peak RSS (MiB) | output (MB) | setup | walk | read | parse | schema | model | policy | report |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for command in "${commands[@]}"; do
        samples="$scratch/$command.samples"
        read -r median minimum < <(cut -d' ' -f1 "$samples" | median_min)
        peak=$(awk '$2 > m { m = $2 } END { printf "%.1f", m / 1024 }' "$samples")
        output=$(awk 'NR == 1 { printf "%.1f", $3 / 1e6 }' "$samples")
        row="| $command | $median | $minimum | $peak | $output |"
        for stage in setup walk read parse schema model policy report; do
            row+=" $(stage_median "$command" "$stage") |"
        done
        echo "$row"
    done
    echo
    if [[ -f $scratch/base.samples && -f $scratch/json-file.samples ]]; then
        ratio=$(paste -d' ' <(cut -d' ' -f1 "$scratch/json-file.samples") <(cut -d' ' -f1 "$scratch/base.samples") |
            awk '$2 > 0 { print $1 / $2 }' | sort -g | awk '{ v[NR] = $1 } END {
                m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                printf "%.2f\n", m }')
        read -r full _ < <(cut -d' ' -f1 "$scratch/json-file.samples" | median_min)
        read -r base _ < <(cut -d' ' -f1 "$scratch/base.samples" | median_min)
        base_peak=$(awk '$2 > m { m = $2 } END { print m }' "$scratch/base.samples")
        full_peak=$(awk '$2 > m { m = $2 } END { print m }' "$scratch/json-file.samples")
        echo "json-file ÷ base, median of the $runs rounds' ratios: ${ratio}×."
        if [[ -n $findings && $findings -gt 0 ]]; then
            awk -v f="$full" -v b="$base" -v n="$findings" -v fp="$full_peak" -v bp="$base_peak" 'BEGIN {
                printf "Per finding (json-file − base, medians): %.2f µs and %.0f bytes of peak RSS.\n",
                    (f - b) * 1000 / n, (fp - bp) * 1024 / n }'
        fi
        echo
    fi
done
