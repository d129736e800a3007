# shellcheck shell=bash
# The variables below (seed, errors, corpus_root, generator) are the caller's.
# shellcheck disable=SC2154
# Shared by bench/run.sh and bench/compare.sh (sourced, not run): generating the benchmark
# corpus under target/bench-corpus/<routes>/, again only when the generator, the seed or the
# error rate changed, and describing the machine. The caller defines `say`, `die`, `seed`,
# `errors`, `corpus_root` and `generator`, and runs from the repository root.

file_digest() {
    if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1
}

# The settings a corpus was generated with; a change means generate again.
# usage: corpus_stamp ROUTES [GENERATOR ARGUMENTS...]
corpus_stamp() {
    local n=$1
    shift
    printf 'generator %s\nroutes %s\nseed %s\nerrors-per-1000 %s\n' \
        "$(file_digest examples/gen_corpus.rs)" "$n" "$seed" "$errors"
    if [[ $# -gt 0 ]]; then printf 'arguments %s\n' "$*"; fi
}

# usage: ensure_corpus ROUTES [NAME [GENERATOR ARGUMENTS...]]: the corpus in
# $corpus_root/NAME (default: ROUTES), generated with these extra arguments.
ensure_corpus() {
    local n=$1 name=${2:-$1}
    shift
    [[ $# -gt 0 ]] && shift
    local dir="$corpus_root/$name"
    if [[ -d $dir && -f $dir.stamp ]] && [[ "$(cat "$dir.stamp")" == "$(corpus_stamp "$n" "$@")" ]]; then
        say "corpus $dir is up to date"
        return
    fi
    say "generating $dir..."
    rm -rf "$dir" "$dir.stamp" "$dir.summary"
    mkdir -p "$corpus_root"
    "$generator" --routes "$n" --out "$dir" --seed "$seed" --errors-per-1000 "$errors" "$@" >"$dir.summary" ||
        die "the generator failed for $n routes"
    corpus_stamp "$n" "$@" >"$dir.stamp"
}

# A number from the generator's summary line `<label>: <number> ...`.
summary_number() {
    awk -v label="$2:" '$1 == label { print $2; exit }' "$1"
}

cpu_model() {
    if command -v lscpu >/dev/null; then
        lscpu | awk -F': *' '/^Model name/ { print $2; exit }'
    elif [[ -r /proc/cpuinfo ]]; then
        awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo
    else
        sysctl -n machdep.cpu.brand_string 2>/dev/null || echo unknown
    fi
}

# The short commit, marked when tracked files have uncommitted changes.
commit_label() {
    local commit
    commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]]; then commit="$commit (with uncommitted changes)"; fi
    echo "$commit"
}
