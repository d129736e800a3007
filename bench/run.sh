#!/usr/bin/env bash
# Benchmark `gwlint check` on generated ADC corpora and print Markdown tables for BENCHMARKS.md.
#
# usage: bash bench/run.sh [ROUTES...]          (default: 1000 10000 100000)
#
# Builds --release, generates each corpus once under target/bench-corpus/<ROUTES> (again when
# examples/gen_corpus.rs or the corpus settings change), then, with a warm page cache, times
#   target/release/gwlint check <corpus> --config <corpus>/.gwlint.yaml --quiet --timings
# BENCH_RUNS times with all threads and BENCH_RUNS times with RAYON_NUM_THREADS=1. Exit code 1
# (findings: the corpus has seeded errors) counts as success; any other failure stops the script.
# Progress goes to stderr, the Markdown tables to stdout.
#
# Environment:
#   BENCH_RUNS=5        timed runs per measurement (the median and the minimum are reported)
#   BENCH_SEED=42       corpus seed
#   BENCH_ERRORS=2      seeded errors per 1000 routes
#   BENCH_RSS=auto      peak RSS from `/usr/bin/time -v` (auto, when it works) or `python` (getrusage)
#   BENCH_HYPERFINE=auto  also time with hyperfine when installed (auto) or never (off)
#   BENCH_COMMAND=...   measure this shell command instead of gwlint; $CORPUS is the corpus folder.
#                       Used to test the measurement plumbing, e.g.
#                       BENCH_COMMAND='cat "$CORPUS"/*/*.yaml' bash bench/run.sh 1000
#
# bash bench/run.sh --findings [ROUTES[:PER_FILE]...] runs bench/findings.sh instead: every
# output format on trees where every route has a finding (issue 21; see that script).
set -euo pipefail

if [[ ${1:-} == --findings ]]; then
    shift
    exec bash "$(dirname "${BASH_SOURCE[0]}")/findings.sh" "$@"
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="$root/target"

runs=${BENCH_RUNS:-5}
seed=${BENCH_SEED:-42}
errors=${BENCH_ERRORS:-2}
rss_mode=${BENCH_RSS:-auto}
hyperfine_mode=${BENCH_HYPERFINE:-auto}
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1000 10000 100000)

gwlint=target/release/gwlint
generator=target/release/examples/gen_corpus
corpus_root=target/bench-corpus
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 2; }

# ---------------------------------------------------------------------------------------------
# Set-up checks
# ---------------------------------------------------------------------------------------------

for n in "${sizes[@]}"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "route count \`$n\` is not a positive whole number"
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS=\`$runs\` is not a positive whole number"

if [[ $rss_mode == auto ]]; then
    if /usr/bin/time -v -o /dev/null true 2>/dev/null; then rss_mode=gnu-time; else rss_mode=python; fi
fi
[[ $rss_mode == gnu-time || $rss_mode == python ]] || die "BENCH_RSS must be auto, gnu-time or python"
if [[ $rss_mode == gnu-time && ${BASH_VERSINFO[0]} -lt 5 ]]; then
    rss_mode=python # wall time then comes from python too ($EPOCHREALTIME needs bash 5)
fi
if [[ $rss_mode == python ]] || command -v hyperfine >/dev/null; then
    command -v python3 >/dev/null || die "python3 is needed to measure RSS or read hyperfine's JSON"
fi
use_hyperfine=0
if [[ $hyperfine_mode == auto ]] && command -v hyperfine >/dev/null; then use_hyperfine=1; fi

# A child's wall time, exit code and peak RSS, measured from python (no /usr/bin/time needed).
cat >"$scratch/measure.py" <<'PY'
import resource, subprocess, sys, time
stderr_path, command = sys.argv[1], sys.argv[2:]
with open(stderr_path, "wb") as err:
    start = time.perf_counter()
    code = subprocess.call(command, stdout=subprocess.DEVNULL, stderr=err)
    elapsed_ms = (time.perf_counter() - start) * 1000
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if sys.platform == "darwin":
    peak //= 1024  # bytes there, KiB on Linux
print(code if code >= 0 else 128 - code, f"{elapsed_ms:.3f}", peak)
PY

# ---------------------------------------------------------------------------------------------
# Build and corpora
# ---------------------------------------------------------------------------------------------

build() {
    say "building (release)..."
    if [[ -n ${BENCH_COMMAND:-} ]]; then
        cargo build --release --quiet --example gen_corpus
    else
        cargo build --release --quiet --bin gwlint --example gen_corpus
        [[ -x $gwlint ]] || die "$gwlint was not built"
    fi
}

# The corpus (generated once, again when its settings change) and the machine: bench/common.sh.
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# ---------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------

# Run the command once; sets run_code, run_ms, run_rss_kib and leaves its stderr in $scratch/stderr.
run_once() {
    if [[ $rss_mode == gnu-time ]]; then
        local start end
        start=${EPOCHREALTIME/[.,]/}
        run_code=0
        /usr/bin/time -v -o "$scratch/time" "$@" >/dev/null 2>"$scratch/stderr" || run_code=$?
        end=${EPOCHREALTIME/[.,]/}
        run_ms=$(awk -v us=$((end - start)) 'BEGIN { printf "%.3f", us / 1000 }')
        run_rss_kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$scratch/time")
    else
        local measured
        measured=$(python3 "$scratch/measure.py" "$scratch/stderr" "$@") || die "the python3 measuring wrapper failed"
        read -r run_code run_ms run_rss_kib <<<"$measured"
    fi
}

# Exit code 0 (clean) and 1 (findings) are both a successful run.
check_run() {
    local what=$1
    if [[ $run_code -gt 1 ]]; then
        say "bench: $what exited with code $run_code; its stderr ends with:"
        tail -n 20 "$scratch/stderr" >&2
        exit 2
    fi
}

# The `timing: <stage> <ms>` lines of the last run, on one line for the progress output.
stage_line() {
    awk '$1 == "timing:" { printf " %s %s", $2, $3 }' "$scratch/stderr"
}

# Median and minimum of numbers on stdin: prints "median min".
median_min() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "- -"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.1f %.1f\n", m, v[1] }'
}

# Time R runs of the command; appends "ms rss_kib" lines to $1 and stage lines to $2.
measure_runs() {
    local samples=$1 stages=$2 label=$3
    shift 3
    : >"$samples"
    : >"$stages"
    local i
    for ((i = 1; i <= runs; i++)); do
        run_once "$@"
        check_run "$label"
        printf '%s %s\n' "$run_ms" "$run_rss_kib" >>"$samples"
        awk -v run="$i" '$1 == "timing:" { print run, $2, $3 }' "$scratch/stderr" >>"$stages"
        say "  $label run $i/$runs: $run_ms ms, peak RSS $((run_rss_kib / 1024)) MiB;$(stage_line)"
    done
}

# hyperfine's median and minimum in ms ("median min"), exit codes ignored (checked before).
hyperfine_median_min() {
    local command=$1
    hyperfine --style none --warmup 1 --runs "$runs" --ignore-failure \
        --export-json "$scratch/hyperfine.json" "$command" >/dev/null 2>&1 ||
        die "hyperfine failed on: $command"
    python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.1f %.1f" % (r["median"] * 1000, r["min"] * 1000))' "$scratch/hyperfine.json"
}

# Per-stage medians of one size's stage lines: "stage median" in first-seen order.
stage_medians() {
    local stages=$1 stage
    awk '!seen[$2]++ { print $2 }' "$stages" | while read -r stage; do
        printf '%s %s\n' "$stage" "$(awk -v s="$stage" '$2 == s { print $3 }' "$stages" | median_min | cut -d' ' -f1)"
    done
}

budget_for() {
    case $1 in
        1000) echo "≤ 50" ;;
        10000) echo "≤ 150" ;;
        100000) echo "≤ 1000, ≤ 300 MiB" ;;
        *) echo "-" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# Machine description
# ---------------------------------------------------------------------------------------------

memory_gib() {
    if [[ -r /proc/meminfo ]]; then
        awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo
    else
        echo unknown
    fi
}

print_machine() {
    local commit
    commit=$(commit_label)
    echo "### Machine"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- gwlint: commit $commit, \`cargo build --release\`"
    echo "- rustc: $(rustc --version 2>/dev/null || echo unknown)"
    echo "- CPU: $(cpu_model), $(getconf _NPROCESSORS_ONLN) logical CPUs (all-threads runs use rayon's default, one thread per CPU)"
    echo "- memory: $(memory_gib)"
    echo "- OS: $(uname -srm)"
    echo "- method: one warm-up run, then $runs timed runs per measurement (warm page cache); wall time from" \
        "$([[ $use_hyperfine == 1 ]] && echo "hyperfine $(hyperfine --version | cut -d' ' -f2)" || echo 'a loop of timed runs'), peak RSS from" \
        "$([[ $rss_mode == gnu-time ]] && echo '`/usr/bin/time -v`' || echo 'getrusage(RUSAGE_CHILDREN) in python3')"
    if [[ -n ${BENCH_COMMAND:-} ]]; then echo "- command measured: \`$BENCH_COMMAND\` (BENCH_COMMAND, not gwlint)"; fi
    echo
}

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

build
for n in "${sizes[@]}"; do ensure_corpus "$n"; done

results=()
declare -a stage_order=()

for n in "${sizes[@]}"; do
    dir="$corpus_root/$n"
    if [[ -n ${BENCH_COMMAND:-} ]]; then
        export CORPUS="$dir"
        cmd=(bash -c "$BENCH_COMMAND")
        shell_command=$BENCH_COMMAND
    else
        cmd=("$gwlint" check "$dir" --config "$dir/.gwlint.yaml" --quiet --timings)
        shell_command=$(printf '%q ' "${cmd[@]}")
    fi
    say "== $n routes: ${cmd[*]}"
    run_once "${cmd[@]}" # warm-up: fills the page cache and checks the command works
    check_run "warm-up on $dir"

    measure_runs "$scratch/all.samples" "$scratch/all.stages" "all threads" "${cmd[@]}"
    RAYON_NUM_THREADS=1 measure_runs "$scratch/one.samples" "$scratch/one.stages" "1 thread" "${cmd[@]}"

    read -r all_median all_min < <(cut -d' ' -f1 "$scratch/all.samples" | median_min)
    read -r one_median _ < <(cut -d' ' -f1 "$scratch/one.samples" | median_min)
    rss_mib=$(awk '$2 > m { m = $2 } END { printf "%.1f", m / 1024 }' "$scratch/all.samples")
    if [[ $use_hyperfine == 1 ]]; then
        say "  hyperfine..."
        timed=$(hyperfine_median_min "$shell_command")
        read -r all_median all_min <<<"$timed"
        timed=$(RAYON_NUM_THREADS=1 hyperfine_median_min "$shell_command")
        read -r one_median _ <<<"$timed"
    fi
    ratio=$(awk -v a="$all_median" -v o="$one_median" 'BEGIN { if (a > 0) printf "%.2f×", o / a; else printf "-" }')
    files=$(summary_number "$dir.summary" files)
    mib=$(awk -v b="$(summary_number "$dir.summary" bytes)" 'BEGIN { printf "%.1f", b / 1048576 }')
    results+=("| $n | $files | $mib | $all_median | $all_min | $rss_mib | $one_median | $ratio | $(budget_for "$n") |")

    stage_medians "$scratch/all.stages" >"$scratch/stages.$n"
    while read -r stage _; do
        [[ " ${stage_order[*]} " == *" $stage "* ]] || stage_order+=("$stage")
    done <"$scratch/stages.$n"
done

print_machine
echo "### Wall time and memory"
echo
echo "| routes | YAML files | MiB | wall median (ms) | wall min (ms) | peak RSS (MiB) | 1-thread median (ms) | 1-thread ÷ all-threads | budget (ms) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---|"
printf '%s\n' "${results[@]}"
echo
echo "### Stages (median ms over the all-threads runs, from \`--timings\`)"
echo
if [[ ${#stage_order[@]} -eq 0 ]]; then
    echo "No \`timing: <stage> <ms>\` lines were printed on stderr."
else
    header="| routes |"
    rule="|---:|"
    for stage in "${stage_order[@]}"; do header+=" $stage |"; rule+="---:|"; done
    echo "$header"
    echo "$rule"
    for n in "${sizes[@]}"; do
        row="| $n |"
        for stage in "${stage_order[@]}"; do
            row+=" $(awk -v s="$stage" '$1 == s { v = $2 } END { print (v == "") ? "-" : v }' "$scratch/stages.$n") |"
        done
        echo "$row"
    done
fi
