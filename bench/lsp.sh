#!/usr/bin/env bash
# Benchmark `gwlint lsp`: diagnostics latency after an edit in a generated environment.
#
# usage: bash bench/lsp.sh [ROUTES_PER_ENVIRONMENT...]     (default: 1000 10000)
#
# Builds --release, generates a corpus of twice the routes with examples/gen_corpus.rs
# (it splits the routes over two environments, so `staging` holds the number asked
# for) under target/bench-corpus/<2N>, then runs bench/lsp_client.py against
# target/release/gwlint lsp: the cold first check after opening a file, and
# BENCH_EDITS edits (each adds an unknown plugin to that file) timed from the
# `didChange` to the diagnostics that name the plugin, with the default debounce
# (50 ms) and with none (the check alone). Prints one Markdown table row per run.
#
# Environment: BENCH_EDITS=20, BENCH_SEED=42, BENCH_ERRORS=2.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="$root/target"
seed=${BENCH_SEED:-42}
errors=${BENCH_ERRORS:-2}
edits=${BENCH_EDITS:-20}
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1000 10000)
generator=target/release/examples/gen_corpus
corpus_root=target/bench-corpus
say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 2; }
# shellcheck source=bench/common.sh
source bench/common.sh

say "building (release)..."
cargo build --release --locked --quiet --bin gwlint --example gen_corpus
printf '| routes in the environment | files | debounce | cold first check | median | p90 | min | max |\n'
printf '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for n in "${sizes[@]}"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "route count \`$n\` is not a positive whole number"
    total=$((n * 2))
    ensure_corpus "$total"
    for debounce in 50 0; do
        say "measuring $n routes, debounce $debounce ms..."
        python3 bench/lsp_client.py target/release/gwlint "$corpus_root/$total/staging" "$edits" "$debounce" "$n"
    done
done
