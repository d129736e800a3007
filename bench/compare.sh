#!/usr/bin/env bash
# Time gwlint side by side with other tools that check the same generated ADC corpus, and print
# Markdown tables with the ratios. See the comparison section of BENCHMARKS.md.
#
# usage: bash bench/compare.sh [ROUTES...]          (default: 10000)
#
# Builds gwlint and the corpus generator with `cargo build --release` (into $CARGO_TARGET_DIR,
# default target/), generates each corpus once under target/bench-corpus/<ROUTES> exactly as
# bench/run.sh does (same generator, same stamp, so the two scripts share the corpora), then
# times, with a warm page cache, the median wall time of:
#
#   gwlint check <corpus> --config <corpus>/.gwlint.yaml --quiet          (the reference)
#   the same with --no-builtin-policies                                  (schema and model only)
#   conftest test, opa eval, regorus (Python), spectral lint, ajv validate, adc lint
#                                                                        (each when installed)
#
# A tool that is not installed gets a row saying so, with its install command; it is not an
# error. gwlint exit codes 0 and 1 (findings: the corpus has seeded errors) count as success; any
# other gwlint failure stops the script. A failing optional tool gets a row with its exit code.
# Progress goes to stderr, the Markdown tables to stdout.
#
# Environment:
#   BENCH_RUNS=3          timed runs per tool (the median is reported), after one warm-up run
#   BENCH_SEED=42         corpus seed (as bench/run.sh)
#   BENCH_ERRORS=2        seeded errors per 1000 routes (as bench/run.sh)
#   BENCH_HYPERFINE=auto  time external commands with hyperfine when installed (auto) or with
#                         the script's own $EPOCHREALTIME loop (off)
#   CARGO_TARGET_DIR      where cargo builds; the binaries are taken from its release/ folder
set -euo pipefail

# A relative CARGO_TARGET_DIR is relative to where the script was started, not to the repository.
if [[ -n ${CARGO_TARGET_DIR:-} && $CARGO_TARGET_DIR != /* ]]; then
    CARGO_TARGET_DIR="$PWD/$CARGO_TARGET_DIR"
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
target_dir=${CARGO_TARGET_DIR:-target}

runs=${BENCH_RUNS:-3}
seed=${BENCH_SEED:-42}
errors=${BENCH_ERRORS:-2}
hyperfine_mode=${BENCH_HYPERFINE:-auto}
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10000)

gwlint=$target_dir/release/gwlint
generator=$target_dir/release/examples/gen_corpus
corpus_root=target/bench-corpus
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

say() { printf '%s\n' "$*" >&2; }
die() { say "compare: $*"; exit 2; }

# Install commands shown in the row of a tool that is not installed (no `|`: they sit in a table).
install_conftest='curl -sSLo /tmp/conftest.tgz https://github.com/open-policy-agent/conftest/releases/download/v0.62.0/conftest_0.62.0_Linux_x86_64.tar.gz && tar -xzf /tmp/conftest.tgz -C /tmp conftest && sudo install /tmp/conftest /usr/local/bin/'
install_opa='sudo curl -sSLo /usr/local/bin/opa https://github.com/open-policy-agent/opa/releases/download/v1.22.2/opa_linux_amd64_static && sudo chmod +x /usr/local/bin/opa'
install_regorus='pip install regorus pyyaml'
install_spectral='npm install -g @stoplight/spectral-cli'
install_ajv='npm install -g ajv-cli ajv-formats'
install_adc='curl -sSLo /tmp/adc.tgz https://github.com/api7/adc/releases/download/v0.28.0/adc_0.28.0_linux_amd64.tar.gz && mkdir -p /tmp/adc && tar -xzf /tmp/adc.tgz -C /tmp/adc && sudo install /tmp/adc/adc /usr/local/bin/'

# ---------------------------------------------------------------------------------------------
# Set-up checks
# ---------------------------------------------------------------------------------------------

for n in "${sizes[@]}"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "route count \`$n\` is not a positive whole number"
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS=\`$runs\` is not a positive whole number"
[[ $hyperfine_mode == auto || $hyperfine_mode == off ]] || die "BENCH_HYPERFINE must be auto or off"
[[ ${BASH_VERSINFO[0]} -ge 5 ]] || die "bash 5 or newer is needed (\$EPOCHREALTIME)"

have() { command -v "$1" >/dev/null 2>&1; }

have_python=0
have_pyyaml=0
have_regorus=0
if have python3; then
    have_python=1
    if python3 -c 'import yaml' 2>/dev/null; then have_pyyaml=1; fi
    if python3 -c 'import regorus' 2>/dev/null; then have_regorus=1; fi
fi
use_hyperfine=0
if [[ $hyperfine_mode == auto && $have_python == 1 ]] && have hyperfine; then use_hyperfine=1; fi

# ---------------------------------------------------------------------------------------------
# Build and corpora (the same generator, location and stamp as bench/run.sh)
# ---------------------------------------------------------------------------------------------

build() {
    say "building (release) into $target_dir..."
    cargo build --release --quiet --bin gwlint --example gen_corpus
    [[ -x $gwlint ]] || die "$gwlint was not built"
    [[ -x $generator ]] || die "$generator was not built"
}

# The corpus (generated once, again when its settings change) and the machine: bench/common.sh.
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# ---------------------------------------------------------------------------------------------
# Inputs for the other tools, written at run time
# ---------------------------------------------------------------------------------------------

write_inputs() {
    mkdir -p "$scratch/conftest-policy"

    # One document per input (conftest): the services and routes of one file.
    cat >"$scratch/conftest-policy/route_auth.rego" <<'REGO'
package main

import rego.v1

auth_plugins := ["key-auth", "jwt-auth", "basic-auth"]

has_auth(holder) if {
	some name in auth_plugins
	holder.plugins[name]
}

deny contains msg if {
	some service in input.services
	some route in service.routes
	not has_auth(route)
	not has_auth(service)
	msg := sprintf("route %s of service %s has no authentication plugin", [object.get(route, "name", "?"), object.get(service, "name", "?")])
}
REGO

    # The whole corpus as one input (opa eval, regorus): {"files": [{"path", "document"}]}.
    cat >"$scratch/corpus_route_auth.rego" <<'REGO'
package main

import rego.v1

auth_plugins := ["key-auth", "jwt-auth", "basic-auth"]

has_auth(holder) if {
	some name in auth_plugins
	holder.plugins[name]
}

deny contains msg if {
	some file in input.files
	some service in file.document.services
	some route in service.routes
	not has_auth(route)
	not has_auth(service)
	msg := sprintf("%s: route %s of service %s has no authentication plugin", [file.path, object.get(route, "name", "?"), object.get(service, "name", "?")])
}
REGO

    # Spectral: a schema-like rule.
    cat >"$scratch/spectral-ruleset.yaml" <<'YAML'
rules:
  route-has-uris:
    description: Every route of a service has uris.
    given: "$.services[*].routes[*]"
    severity: error
    then:
      field: uris
      function: truthy
YAML

    # ajv: a small JSON Schema for services and their routes and upstream nodes.
    cat >"$scratch/adc-services.schema.json" <<'JSON'
{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {
    "services": {
      "type": "array",
      "items": {
        "type": "object",
        "required": ["name"],
        "properties": {
          "name": { "type": "string", "minLength": 1, "maxLength": 100 },
          "description": { "type": "string" },
          "hosts": { "type": "array", "items": { "type": "string" } },
          "plugins": { "type": "object" },
          "upstream": {
            "type": "object",
            "properties": {
              "scheme": { "enum": ["http", "https", "grpc", "grpcs", "tcp", "tls", "udp", "kafka"] },
              "type": { "enum": ["roundrobin", "chash", "ewma", "least_conn"] },
              "nodes": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": ["host", "port"],
                  "properties": {
                    "host": { "type": "string" },
                    "port": { "type": "integer", "minimum": 1, "maximum": 65535 },
                    "weight": { "type": "integer", "minimum": 0 }
                  }
                }
              }
            }
          },
          "routes": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["name", "uris"],
              "properties": {
                "name": { "type": "string", "minLength": 1, "maxLength": 100 },
                "uris": { "type": "array", "minItems": 1, "items": { "type": "string", "pattern": "^/" } },
                "methods": {
                  "type": "array",
                  "items": { "enum": ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE", "PURGE"] }
                },
                "priority": { "type": "integer" },
                "plugins": { "type": "object" }
              }
            }
          }
        }
      }
    }
  }
}
JSON

    # Python helpers: convert the corpus to one JSON input (for opa), or evaluate with regorus.
    cat >"$scratch/corpus.py" <<'PY'
import json, sys, time

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_corpus(list_path):
    """The YAML files named in list_path as {"files": [{"path", "document"}]}."""
    with open(list_path) as listing:
        paths = [line.strip() for line in listing if line.strip()]
    files = []
    for path in paths:
        with open(path, "rb") as handle:
            files.append({"path": path, "document": yaml.load(handle, Loader=LOADER)})
    return {"files": files}


def to_json(list_path, out_path):
    start = time.perf_counter()
    corpus = load_corpus(list_path)
    with open(out_path, "w") as out:
        json.dump(corpus, out, default=str)
    print(json.dumps({"ms": (time.perf_counter() - start) * 1000, "loader": LOADER.__name__}))


def with_regorus(list_path, policy_path):
    import regorus

    start = time.perf_counter()
    corpus = load_corpus(list_path)
    parsed = time.perf_counter()
    engine = regorus.Engine()
    with open(policy_path) as policy:
        engine.add_policy(policy_path, policy.read())
    if hasattr(engine, "set_input"):
        engine.set_input(corpus)
    else:
        engine.set_input_json(json.dumps(corpus, default=str))
    loaded = time.perf_counter()
    denials = engine.eval_rule("data.main.deny")
    done = time.perf_counter()
    print(json.dumps({
        "parse_ms": (parsed - start) * 1000,
        "load_ms": (loaded - parsed) * 1000,
        "eval_ms": (done - loaded) * 1000,
        "total_ms": (done - start) * 1000,
        "denials": len(denials or []),
        "loader": LOADER.__name__,
    }))


if __name__ == "__main__":
    if sys.argv[1] == "to-json":
        to_json(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "regorus":
        with_regorus(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: corpus.py to-json LIST OUT | regorus LIST POLICY")
PY
}

# One field of a JSON object printed on one line by corpus.py.
json_field() {
    python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"
}

# ---------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------

# Median of numbers on stdin, one decimal.
median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "-"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.1f\n", m }'
}

# Run a shell command once: sets run_code and run_ms; stdout to $2, stderr to $scratch/stderr.
run_once() {
    local command=$1 out=$2 start end
    run_code=0
    start=${EPOCHREALTIME/[.,]/}
    (eval "$command") >"$out" 2>"$scratch/stderr" || run_code=$?
    end=${EPOCHREALTIME/[.,]/}
    run_ms=$(awk -v us=$((end - start)) 'BEGIN { printf "%.3f", us / 1000 }')
}

# The last lines of files (default: the last run's stderr), on one line and safe in a table cell.
failure_text() {
    local text
    [[ $# -gt 0 ]] || set -- "$scratch/stderr"
    text=$(cat "$@" 2>/dev/null | tr -d '\r' | sed 's/\x1b\[[0-9;]*m//g' | grep -v '^[[:space:]]*$' |
        tail -n 2 | tr '\n|`' '   ' || true)
    printf '%.160s' "$text"
}

# Time a shell command: one warm-up run (its stdout is kept in $scratch/warmup.out), then
# BENCH_RUNS timed runs (hyperfine when enabled, else a loop). $2 lists the accepted exit codes.
# Sets m_median (ms) and m_code (the warm-up's exit code) and returns 0, or sets m_error and
# returns 1.
measure() {
    local label=$1 accepted=$2 command=$3 i
    m_median=-
    m_error=
    say "  $label: warm-up"
    run_once "$command" "$scratch/warmup.out"
    cp "$scratch/stderr" "$scratch/warmup.err"
    m_code=$run_code
    if [[ " $accepted " != *" $run_code "* ]]; then
        m_error="failed (exit $run_code): $(failure_text "$scratch/warmup.err" "$scratch/warmup.out")"
        say "  $label: exit code $run_code; stderr ends with:"
        tail -n 5 "$scratch/stderr" >&2
        return 1
    fi
    if [[ $use_hyperfine == 1 ]]; then
        say "  $label: hyperfine, $runs runs"
        hyperfine --style none --shell bash --runs "$runs" --ignore-failure \
            --export-json "$scratch/hyperfine.json" "$command" >/dev/null 2>"$scratch/stderr" || {
            m_error="hyperfine failed: $(failure_text)"
            return 1
        }
        m_median=$(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.1f" % (r["median"] * 1000))' "$scratch/hyperfine.json")
    else
        : >"$scratch/samples"
        for ((i = 1; i <= runs; i++)); do
            run_once "$command" /dev/null
            if [[ " $accepted " != *" $run_code "* ]]; then
                m_error="failed (exit $run_code) in timed run $i: $(failure_text)"
                return 1
            fi
            say "  $label run $i/$runs: $run_ms ms"
            printf '%s\n' "$run_ms" >>"$scratch/samples"
        done
        m_median=$(median <"$scratch/samples")
    fi
    say "  $label: median $m_median ms"
}

# Tool ÷ gwlint full check.
ratio() {
    awk -v t="$1" -v g="$2" 'BEGIN {
        if (t == "-" || g == "-" || g <= 0) { print "-"; exit }
        r = t / g
        printf (r < 1 ? "%.2f×" : "%.1f×"), r }'
}

rows=()
add_row() { # tool, what it checks, median ms, notes
    rows+=("| $1 | $2 | $3 | $(ratio "$3" "$gwlint_ms") | $4 |")
}
absent_row() { # tool, what it checks, install command
    rows+=("| $1 | $2 | - | - | not installed; install with \`$3\` |")
}
failed_row() { # tool, what it checks, why
    rows+=("| $1 | $2 | - | - | $3 |")
}

q() { printf '%q' "$1"; }

# The file-list variable a command string expands into its arguments.
files_from() { printf 'mapfile -t files < %s; ' "$(q "$1")"; }

# ---------------------------------------------------------------------------------------------
# The tools
# ---------------------------------------------------------------------------------------------

auth_rule='Rego, 1 rule: each route has key-auth, jwt-auth or basic-auth on the route or its service'

compare_size() {
    local n=$1 dir="$corpus_root/$1" label summary denials note cmd out
    local all_list="$scratch/files.$n.all" parseable_list="$scratch/files.$n.parseable"
    local file_count dup_count

    # Every YAML file of the corpus, and the same without the files holding a seeded duplicate
    # key (the YAML readers of ajv-cli and ADC stop at the first such file).
    find "$dir" -mindepth 2 -name '*.yaml' | LC_ALL=C sort >"$all_list"
    : >"$scratch/dup-files"
    if [[ -f $dir/seeded-errors.tsv ]]; then
        awk -F'\t' -v d="$dir/" 'NR > 1 && $3 == "duplicate-key" { print d $1 }' "$dir/seeded-errors.tsv" |
            LC_ALL=C sort -u >"$scratch/dup-files"
    fi
    grep -vxF -f "$scratch/dup-files" "$all_list" >"$parseable_list" || true
    file_count=$(wc -l <"$all_list" | tr -d ' ')
    dup_count=$(wc -l <"$scratch/dup-files" | tr -d ' ')
    local left_out="all $file_count files"
    if ((dup_count > 0)); then
        left_out="$((file_count - dup_count)) of $file_count files (left out: $dup_count with a seeded duplicate key, which stops its YAML reader)"
    fi

    rows=()
    say "== $n routes ($file_count YAML files)"

    # 1. gwlint, full check: the reference.
    cmd="$(q "$gwlint") check $(q "$dir") --config $(q "$dir/.gwlint.yaml") --quiet"
    measure "gwlint" "0 1" "$cmd" || die "gwlint on $dir: $m_error"
    gwlint_ms=$m_median
    add_row "gwlint check" "schema, model and the built-in Rego and native policies; all files, cross-file, per environment" \
        "$m_median" "the reference; warm-up exit $m_code$([[ $m_code == 1 ]] && echo ' (findings: the seeded errors)')"

    # 2. gwlint without the built-in policies.
    measure "gwlint --no-builtin-policies" "0 1" "$cmd --no-builtin-policies" ||
        die "gwlint --no-builtin-policies on $dir: $m_error"
    add_row "gwlint check --no-builtin-policies" "parse, JSON Schema of every resource and plugin, model (merge, references); no policies" \
        "$m_median" "like-for-like with the schema tools below, though it checks far more"

    # 3. conftest: the auth rule on each file.
    label="conftest test"
    if have conftest; then
        cmd="$(files_from "$all_list")conftest test --no-color --all-namespaces --policy $(q "$scratch/conftest-policy") \"\${files[@]}\""
        if measure "conftest" "0 1" "$cmd"; then
            summary=$(grep -E '[0-9]+ tests?,' "$scratch/warmup.out" | tail -n 1 | tr -d '|' || true)
            add_row "$label" "$auth_rule" "$m_median" "per file, no cross-file view; ${summary:-no summary line}"
        else
            failed_row "$label" "$auth_rule" "$m_error"
        fi
    else
        absent_row "$label" "$auth_rule" "$install_conftest"
    fi

    # 4. opa eval over the whole corpus as one JSON input (converted beforehand, not timed).
    label="opa eval"
    if ! have opa; then
        absent_row "$label" "$auth_rule" "$install_opa"
    elif [[ $have_pyyaml == 0 ]]; then
        failed_row "$label" "$auth_rule" "skipped: the YAML to JSON conversion needs python3 with PyYAML (\`pip install pyyaml\`)"
    else
        say "  opa: converting the corpus to one JSON input"
        if ! out=$(python3 "$scratch/corpus.py" to-json "$all_list" "$scratch/input.$n.json" 2>"$scratch/stderr"); then
            failed_row "$label" "$auth_rule" "skipped: the YAML to JSON conversion failed: $(failure_text)"
        else
            cmd="opa eval --format raw --data $(q "$scratch/corpus_route_auth.rego") --input $(q "$scratch/input.$n.json") 'count(data.main.deny)'"
            if measure "opa" "0" "$cmd"; then
                denials=$(tr -d '[:space:]' <"$scratch/warmup.out")
                note="\`opa eval\` alone, on one JSON input of all files (cross-file view); the YAML to JSON conversion"
                note+=" ($(json_field "$out" loader), $(printf '%.0f' "$(json_field "$out" ms)") ms) is not counted; $denials denial(s)"
                add_row "$label" "$auth_rule" "$m_median" "$note"
            else
                failed_row "$label" "$auth_rule" "$m_error"
            fi
        fi
    fi

    # 5. regorus from Python: parse with PyYAML, load, evaluate; timed inside Python.
    label="regorus (Python)"
    if [[ $have_regorus == 0 ]]; then
        absent_row "$label" "$auth_rule" "$install_regorus"
    elif [[ $have_pyyaml == 0 ]]; then
        failed_row "$label" "$auth_rule" "skipped: needs PyYAML to read the corpus (\`pip install pyyaml\`)"
    else
        measure_regorus "$n" "$all_list"
    fi

    # 6. Spectral: one schema-like rule on each file.
    label="spectral lint"
    local spectral_rule='1 rule: every services[*].routes[*] has truthy uris'
    if have spectral; then
        cmd="$(files_from "$all_list")spectral lint --ruleset $(q "$scratch/spectral-ruleset.yaml") \"\${files[@]}\""
        if measure "spectral" "0 1" "$cmd"; then
            summary=$(grep -E '[0-9]+ problems? ' "$scratch/warmup.out" | tail -n 1 | sed 's/^[^0-9]*//' | tr -d '|' || true)
            add_row "$label" "$spectral_rule" "$m_median" "per file; ${summary:-no problems}"
        else
            failed_row "$label" "$spectral_rule" "$m_error"
        fi
    else
        absent_row "$label" "$spectral_rule" "$install_spectral"
    fi

    # 7. ajv-cli: a small JSON Schema on each file (ajv-cli reads YAML data files).
    label="ajv validate"
    local ajv_rule='small JSON Schema: service name, upstream nodes and ports, route name, uris, methods'
    if have ajv; then
        cmd="$(files_from "$parseable_list")args=(); for f in \"\${files[@]}\"; do args+=(-d \"\$f\"); done; "
        cmd+="ajv validate --all-errors --errors=line -s $(q "$scratch/adc-services.schema.json") \"\${args[@]}\""
        if measure "ajv" "0 1" "$cmd"; then
            local invalid
            invalid=$(cat "$scratch/warmup.err" "$scratch/warmup.out" | grep -c ' invalid$' || true)
            add_row "$label" "$ajv_rule" "$m_median" "per file; $left_out; $invalid file(s) invalid"
        elif grep -qi 'yaml\|unexpected token' "$scratch/warmup.err"; then
            failed_row "$label" "$ajv_rule" "skipped: this ajv-cli could not read the YAML files ($(failure_text "$scratch/warmup.err"))"
        else
            failed_row "$label" "$ajv_rule" "$m_error"
        fi
    else
        absent_row "$label" "$ajv_rule" "$install_ajv"
    fi

    # 8. ADC's own linter, once per environment folder: ADC merges the files it is given into one
    # configuration and stops at a name defined twice (consumers, global rules in each environment).
    label="adc lint"
    local adc_rule="ADC's own lint (its schema of resources) of each environment's files merged"
    if have adc; then
        cmd="status=0; "
        local env_dir
        while read -r env_dir; do
            grep -F "$env_dir/" "$parseable_list" >"$parseable_list.${env_dir##*/}" || true
            cmd+="$(files_from "$parseable_list.${env_dir##*/}")args=(); for f in \"\${files[@]}\"; do args+=(-f \"\$f\"); done; "
            cmd+="adc lint \"\${args[@]}\" || { code=\$?; if ((code > status)); then status=\$code; fi; }; "
        done < <(xargs -n 1 dirname <"$all_list" | LC_ALL=C sort -u)
        cmd+="exit \$status"
        if measure "adc" "0 1" "$cmd"; then
            note="$left_out; one \`adc lint\` per environment; warm-up exit $m_code"
            if [[ $m_code != 0 ]]; then note+=": $(failure_text "$scratch/warmup.err" "$scratch/warmup.out")"; fi
            add_row "$label" "$adc_rule" "$m_median" "$note"
        else
            failed_row "$label" "$adc_rule" "$m_error"
        fi
    else
        absent_row "$label" "$adc_rule" "$install_adc"
    fi

    tables+=("$(print_table "$n" "$dir" "$file_count")")
}

# regorus is timed inside Python (after the interpreter has started and imported its modules):
# reading and parsing every file with PyYAML, loading the policy and the input, evaluating.
measure_regorus() {
    local n=$1 list=$2 label="regorus (Python)" i line cmd
    cmd="python3 $(q "$scratch/corpus.py") regorus $(q "$list") $(q "$scratch/corpus_route_auth.rego")"
    : >"$scratch/regorus.samples"
    for ((i = 0; i <= runs; i++)); do
        run_once "$cmd" "$scratch/warmup.out"
        if [[ $run_code != 0 ]]; then
            say "  regorus: exit code $run_code; stderr ends with:"
            tail -n 5 "$scratch/stderr" >&2
            failed_row "$label" "$auth_rule" "failed (exit $run_code): $(failure_text "$scratch/stderr" "$scratch/warmup.out")"
            return
        fi
        line=$(tail -n 1 "$scratch/warmup.out")
        if ((i == 0)); then
            say "  regorus: warm-up"
            continue
        fi
        python3 -c 'import json, sys
r = json.loads(sys.argv[1])
print("%.3f %.3f %.3f" % (r["total_ms"], r["parse_ms"], r["load_ms"] + r["eval_ms"]), sys.argv[2], r["denials"], r["loader"])' "$line" "$run_ms" \
            >>"$scratch/regorus.samples"
        say "  regorus run $i/$runs: $(cut -d' ' -f1 "$scratch/regorus.samples" | tail -n 1) ms in Python, $run_ms ms process"
    done
    local total parse rego process denials loader
    total=$(cut -d' ' -f1 "$scratch/regorus.samples" | median)
    parse=$(cut -d' ' -f2 "$scratch/regorus.samples" | median)
    rego=$(cut -d' ' -f3 "$scratch/regorus.samples" | median)
    process=$(cut -d' ' -f4 "$scratch/regorus.samples" | median)
    read -r _ _ _ _ denials loader <"$scratch/regorus.samples"
    add_row "$label" "$auth_rule" "$total" \
        "timed inside Python, one input of all files (cross-file view): PyYAML ($loader) $parse ms + regorus load and eval $rego ms; the whole process $process ms; $denials denial(s)"
}

# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------

print_table() {
    local n=$1 dir=$2 files=$3 bytes
    bytes=$(awk '$1 == "bytes:" { print $2; exit }' "$dir.summary" 2>/dev/null || true)
    echo "### $n routes ($files YAML files$([[ -n $bytes ]] && awk -v b="$bytes" 'BEGIN { printf ", %.1f MiB", b / 1048576 }'))"
    echo
    echo "| tool | what it checks | median (ms) | ÷ gwlint check | notes |"
    echo "|---|---|---:|---:|---|"
    printf '%s\n' "${rows[@]}"
    echo
}

# The first line of a command's output, or "unknown".
first_line() { { "$@" 2>/dev/null || true; } | grep -v '^[[:space:]]*$' | head -n 1 | tr -d '|' || true; }

tool_versions() {
    local parts=() v
    if have conftest; then v=$(first_line conftest --version); parts+=("conftest ${v#Conftest: }"); fi
    if have opa; then v=$(first_line opa version); parts+=("opa ${v#Version: }"); fi
    if [[ $have_regorus == 1 ]]; then
        v=$(python3 -c 'import regorus
try:
    from importlib.metadata import version
    print(version("regorus"))
except Exception:
    print(getattr(regorus, "__version__", "unknown version"))' 2>/dev/null || echo unknown)
        parts+=("regorus (Python) $v")
    fi
    if [[ $have_pyyaml == 1 ]]; then parts+=("PyYAML $(python3 -c 'import yaml; print(yaml.__version__)')"); fi
    if have spectral; then v=$(first_line spectral --version); parts+=("spectral ${v:-unknown}"); fi
    if have ajv; then parts+=("ajv-cli"); fi
    if have adc; then v=$(first_line adc --version); parts+=("adc ${v:-unknown}"); fi
    local joined="" part
    for part in "${parts[@]}"; do joined+="${joined:+, }$part"; done
    echo "${joined:-none of the optional tools}"
}

print_machine() {
    local commit
    commit=$(commit_label)
    echo "### Machine"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- gwlint: commit $commit, \`cargo build --release\`"
    echo "- CPU: $(cpu_model), $(getconf _NPROCESSORS_ONLN) logical CPUs"
    echo "- OS: $(uname -srm)"
    echo "- other tools found: $(tool_versions)"
    echo "- method: one warm-up run, then the median of $runs timed runs per tool (warm page cache), wall time from" \
        "$([[ $use_hyperfine == 1 ]] && echo "hyperfine $(hyperfine --version | cut -d' ' -f2)" || echo "a loop of timed runs (bash \`\$EPOCHREALTIME\`)");" \
        "regorus is timed inside Python"
    echo
}

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

build
for n in "${sizes[@]}"; do ensure_corpus "$n"; done
write_inputs

tables=()
gwlint_ms=-
for n in "${sizes[@]}"; do compare_size "$n"; done

print_machine
printf '%s\n\n' "${tables[@]}"
