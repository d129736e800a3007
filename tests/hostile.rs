//! Hostile inputs (fixtures/hostile/ plus cases built at run time): each gives a
//! clear finding or error with file and position and the right exit code, never a
//! crash, and never stops the other files from being checked.

#![allow(clippy::print_stdout)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The crash message of gwlint's panic hook (src/crash.rs).
const CRASH: &str = gwlint::crash::CRASH_MESSAGE;

/// A file with a known finding, placed beside every hostile file.
const WITNESS: &str = "services:\n  - name: witness\n    name: again\n";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/hostile")
        .join(name)
}

struct Run {
    code: i32,
    report: Value,
}

impl Run {
    fn findings(&self) -> &Vec<Value> {
        self.report["findings"].as_array().unwrap()
    }

    fn has(&self, rule: &str, file_suffix: &str) -> Option<&Value> {
        self.findings()
            .iter()
            .find(|f| f["rule"] == rule && f["file"].as_str().unwrap().ends_with(file_suffix))
    }

    fn witness_checked(&self) -> bool {
        self.has("parse/duplicate-key", "witness.yaml").is_some()
    }
}

/// Check a folder holding `files` (name → bytes) and the witness, with `args`.
fn check_tree(files: &[(&str, Vec<u8>)], args: &[&str]) -> (tempfile::TempDir, Run) {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    std::fs::write(dir.path().join("witness.yaml"), WITNESS).unwrap();
    let run = check(dir.path(), args);
    (dir, run)
}

/// `gwlint check` without a config file or the built-in policies, reporting JSON.
const CHECK_JSON: [&str; 5] = [
    "check",
    "--no-config",
    "--no-builtin-policies",
    "--format",
    "json",
];

fn check(dir: &Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .args(CHECK_JSON)
        .args(args)
        .arg(dir)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains(CRASH), "crashed: {stderr}");
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    Run {
        code: output.status.code().unwrap_or(-1),
        report,
    }
}

/// `gwlint check` of `dir` with the built-in policies, without colour, in `format`;
/// the human format shows every finding (infos included, no per-rule limit), so that
/// each one goes through the renderer.
fn check_in_format(dir: &Path, format: &str) -> std::process::Output {
    Command::cargo_bin("gwlint")
        .unwrap()
        .args([
            "check",
            "--no-config",
            "--color",
            "never",
            "--show-info",
            "--max-per-rule",
            "0",
            "--format",
            format,
        ])
        .arg(dir)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap()
}

fn copy_of(name: &str) -> (&str, Vec<u8>) {
    (name, std::fs::read(fixture(name)).unwrap())
}

fn at(finding: &Value) -> (u64, u64) {
    (
        finding["line"].as_u64().unwrap(),
        finding["column"].as_u64().unwrap(),
    )
}

#[test]
fn alias_bomb_stops_at_the_budget() {
    let (_dir, run) = check_tree(&[copy_of("alias-bomb.yaml")], &[]);
    assert_eq!(run.code, 1);
    let finding = run.has("parse/alias-budget", "alias-bomb.yaml").unwrap();
    assert_eq!(at(finding), (6, 8));
    assert!(run.witness_checked());
}

#[test]
fn nesting_100k_deep_is_refused() {
    let deep = format!("services: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let (_dir, run) = check_tree(&[("deep.yaml", deep.into_bytes())], &[]);
    let finding = run.has("parse/too-deep", "deep.yaml").unwrap();
    assert_eq!(finding["line"], 1);
    assert!(run.witness_checked());
    let deep_json = format!(
        "{{\"services\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let (_dir, run) = check_tree(&[("deep.json", deep_json.into_bytes())], &[]);
    assert!(
        run.has("parse/too-deep", "deep.json").is_some(),
        "{:?}",
        run.findings()
    );
}

#[test]
fn a_100_mb_file_is_over_the_size_cap() {
    let dir = tempfile::tempdir().unwrap();
    let big = std::fs::File::create(dir.path().join("big.yaml")).unwrap();
    big.set_len(100 * 1024 * 1024).unwrap();
    std::fs::write(dir.path().join("witness.yaml"), WITNESS).unwrap();
    let run = check(dir.path(), &[]);
    let finding = run.has("parse/file-too-large", "big.yaml").unwrap();
    assert!(finding["message"]
        .as_str()
        .unwrap()
        .contains("104857600 bytes"));
    assert!(run.witness_checked());
}

/// Positions in a file are 32-bit numbers: past 4 GiB they would wrap. The size cap
/// can be raised to 4 GiB minus one byte and no further, on the command line and in
/// `.gwlint.yaml`; a larger value stops the run and names the cap.
#[test]
fn the_file_size_cap_stops_where_positions_do() {
    const CAP: &str = "over the largest file size gwlint can read, 4294967295 bytes \
                       (4 GiB minus one byte): positions in a file are 32-bit numbers";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("witness.yaml"), WITNESS).unwrap();
    let gwlint = |args: &[&str]| {
        Command::cargo_bin("gwlint")
            .unwrap()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    for (size, bytes) in [
        ("4GiB", 4_294_967_296_u64),
        ("5GiB", 5_368_709_120),
        ("4294967296", 4_294_967_296),
    ] {
        let output = gwlint(&[
            "check",
            "--no-config",
            "--max-file-size",
            size,
            "witness.yaml",
        ]);
        assert_eq!(output.status.code(), Some(2), "{size}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!("error: --max-file-size: `{size}`: {bytes} bytes is {CAP}\n")
        );
    }
    let output = gwlint(&[
        "check",
        "--no-config",
        "--max-file-size",
        "4294967295",
        "witness.yaml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    std::fs::write(dir.path().join("big.gwlint.yaml"), "max_file_size: 8GiB\n").unwrap();
    let output = gwlint(&["check", "--config", "big.gwlint.yaml", "witness.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!("error: big.gwlint.yaml:1:16: invalid config file: 8589934592 bytes is {CAP}\n")
    );
    std::fs::write(
        dir.path().join("cap.gwlint.yaml"),
        "max_file_size: 4294967295\n",
    )
    .unwrap();
    let output = gwlint(&["check", "--config", "cap.gwlint.yaml", "witness.yaml"]);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn binary_and_invalid_utf8_files_are_findings() {
    let (_dir, run) = check_tree(&[copy_of("binary.yaml"), copy_of("invalid-utf8.yaml")], &[]);
    assert!(run.has("parse/binary-file", "binary.yaml").is_some());
    let utf8 = run.has("parse/invalid-utf8", "invalid-utf8.yaml").unwrap();
    assert!(
        utf8["message"]
            .as_str()
            .unwrap()
            .contains("line 2, column 14"),
        "{utf8}"
    );
    assert_eq!(at(utf8), (2, 14));
    assert!(run.witness_checked());
}

#[test]
fn bom_crlf_and_tabs_in_values_are_read_normally() {
    let (_dir, run) = check_tree(
        &[
            copy_of("utf8-bom.yaml"),
            copy_of("crlf.yaml"),
            copy_of("tabs-in-value.yaml"),
        ],
        &[],
    );
    assert!(
        run.findings()
            .iter()
            .all(|f| !f["rule"].as_str().unwrap().starts_with("parse/")
                || f["file"].as_str().unwrap().ends_with("witness.yaml")),
        "{:?}",
        run.findings()
    );
    // CRLF line ends do not shift positions: the bad method is on line 6.
    let method = run
        .findings()
        .iter()
        .find(|f| f["file"].as_str().unwrap().ends_with("crlf.yaml"))
        .expect("the bad method in crlf.yaml is found");
    assert_eq!(method["line"], 6, "{method}");
}

/// Characters that, printed raw, would change what a terminal or CI log shows: ESC starts
/// escape sequences, BEL ends a title-setting one, CR overwrites its line, U+202E reverses
/// the text after it.
const UNSAFE_TO_SHOW: [char; 4] = ['\x1b', '\x07', '\r', '\u{202e}'];

/// Escapes in configuration values never reach a terminal or CI log raw: messages show
/// them as `\u{1b}`, snippets as placeholders. A raw control character in a YAML file is a
/// located syntax error, as libyaml (APISIX) and js-yaml (ADC) make it.
#[test]
fn terminal_escapes_in_values_are_shown_escaped() {
    let (dir, run) = check_tree(
        &[
            copy_of("terminal-escapes.yaml"),
            copy_of("raw-control-character.yaml"),
        ],
        &[],
    );
    let raw = run
        .has("parse/syntax", "raw-control-character.yaml")
        .unwrap();
    assert_eq!(at(raw), (3, 17));
    assert!(raw["message"].as_str().unwrap().contains("U+001B"), "{raw}");
    let twice = run
        .has("ref/duplicate-service", "terminal-escapes.yaml")
        .unwrap();
    assert_eq!(at(twice), (10, 11));
    assert!(run.witness_checked());
    for format in ["human", "github", "junit"] {
        let output = check_in_format(dir.path(), format);
        assert_eq!(output.status.code(), Some(1), "{format}");
        let shown = String::from_utf8(output.stdout).unwrap();
        assert!(
            shown.contains(r"evil\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}desrever"),
            "{shown}"
        );
        assert!(!shown.contains(UNSAFE_TO_SHOW), "{format}: {shown:?}");
    }
    let with_summary = Command::cargo_bin("gwlint")
        .unwrap()
        .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
        .args(["check", "--no-config", "--format", "github"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(with_summary.status.code(), Some(1));
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.contains(r"`evil\u{1b}]0;pwned"), "{summary}");
    assert!(!summary.contains(UNSAFE_TO_SHOW), "{summary:?}");
}

/// 20,000 routes, each under a suppression comment, and a comment that is not next to
/// any node. The comments are found in one pass over the file and the nodes they apply
/// to in one walk over the document, and findings are matched to suppressions by node:
/// the check took 48 times as long as without the comments (92 s against 1.9 s for
/// such a file, release build), and now about as long.
#[test]
fn twenty_thousand_suppressions_take_linear_time() {
    const ROUTES: usize = 20_000;
    const RULES: &str = "route-needs-auth, route-needs-rate-limit, route-needs-timeout";
    let mut text = String::from("services:\n  - name: svc\n    routes:\n");
    for i in 0..ROUTES {
        text.push_str(&format!(
            "      # gwlint-ignore {RULES}: public\n      - name: r{i}\n        uris: [/r{i}]\n"
        ));
    }
    text.push_str("# gwlint-ignore route-needs-auth: nothing follows\n");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("routes.yaml"), text).unwrap();
    let started = std::time::Instant::now();
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .args(["check", "--no-config", "--format", "json"])
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    println!("checked in {:?}", started.elapsed());
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["suppressed"], 3 * ROUTES);
    let suppressed = report["suppressed"].as_array().unwrap();
    let last = suppressed
        .iter()
        .find(|s| s["rule"] == "policy/route-needs-auth" && s["line"] == 3 + 3 * ROUTES - 1)
        .unwrap_or_else(|| panic!("{:?}", &suppressed[..3]));
    assert!(last["message"]
        .as_str()
        .unwrap()
        .contains(&format!("route `r{}`", ROUTES - 1)));
    let findings = report["findings"].as_array().unwrap();
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .filter(|rule| rule.starts_with("policy/route-") || rule.starts_with("suppress/"))
        .collect();
    assert_eq!(rules, ["suppress/unused"]);
    let unused = findings
        .iter()
        .find(|f| f["rule"] == "suppress/unused")
        .unwrap();
    assert_eq!(at(unused), (u64::try_from(3 + 3 * ROUTES + 1).unwrap(), 1));
    assert!(unused["message"]
        .as_str()
        .unwrap()
        .contains("not next to any"));
}

/// Plugin regexes: a class repeated 1,000 times is small for PCRE and for gwlint,
/// a broken pattern is still refused, and a group repeated 30,000 times (copied out by
/// PCRE, which may then refuse it as too large) is a `limit/regex-too-large` warning.
/// Built at run time beside them: 200 copies of `\w{1000}\w{1000}` and 2,000 distinct
/// 32-byte patterns. Each distinct pattern is parsed once per run and never compiled:
/// this took 19 s (release build) while every copy was compiled into an automaton.
#[test]
fn plugin_regexes_are_judged_once_and_never_compiled() {
    let mut many = String::from(
        "services:\n  - name: many\n    plugins:\n      ua-restriction:\n        denylist:\n",
    );
    for _ in 0..200 {
        many.push_str("          - '\\w{1000}\\w{1000}'\n");
    }
    for i in 0..2000 {
        many.push_str(&format!(
            "          - '(\\w+\\s\\w+){{3}}[a-z]{{5}}\\d{{10}}x{i:04}'\n"
        ));
    }
    let started = std::time::Instant::now();
    let (_dir, run) = check_tree(
        &[
            copy_of("regex-too-large.yaml"),
            ("many.yaml", many.into_bytes()),
        ],
        &[],
    );
    println!("checked in {:?}", started.elapsed());
    assert_eq!(run.code, 1);
    let refused = run
        .has("schema/ua-restriction", "regex-too-large.yaml")
        .unwrap();
    assert_eq!(at(refused), (10, 13));
    let large = run
        .has("limit/regex-too-large", "regex-too-large.yaml")
        .unwrap();
    assert_eq!(at(large), (14, 13));
    assert_eq!(large["severity"], "warning");
    assert!(
        large["message"]
            .as_str()
            .unwrap()
            .contains("it has 90002 items, more than the 65536 gwlint judges"),
        "{large}"
    );
    let others: Vec<&Value> = run
        .findings()
        .iter()
        .filter(|f| !f["file"].as_str().unwrap().ends_with("witness.yaml"))
        .collect();
    assert_eq!(others, [refused, large]);
    assert!(run.witness_checked());
}

#[test]
fn tab_indentation_is_a_located_syntax_error() {
    let (_dir, run) = check_tree(&[copy_of("tabs.yaml")], &[]);
    let finding = run.has("parse/syntax", "tabs.yaml").unwrap();
    assert_eq!(
        (&finding["line"], &finding["column"]),
        (&2.into(), &1.into())
    );
    assert!(run.witness_checked());
}

#[test]
fn duplicate_keys_multi_documents_and_empty_files() {
    let (_dir, run) = check_tree(
        &[
            copy_of("duplicate-keys.yaml"),
            copy_of("multi-document.yaml"),
            copy_of("empty.yaml"),
            copy_of("comments-only.yaml"),
        ],
        &[],
    );
    assert_eq!(
        at(run
            .has("parse/duplicate-key", "duplicate-keys.yaml")
            .unwrap()),
        (7, 5)
    );
    assert_eq!(
        at(run
            .has("parse/multi-document", "multi-document.yaml")
            .unwrap()),
        (4, 1)
    );
    // The witness beside it is an ADC file: ADC 0.28 cannot load an empty file, so
    // `adc sync` of this environment would fail.
    assert_eq!(
        run.has("parse/empty-file", "empty.yaml").unwrap()["severity"],
        "error"
    );
    assert!(run.has("parse/empty-file", "comments-only.yaml").is_some());
    assert!(run.witness_checked());
}

#[test]
fn yaml11_booleans_warn_and_merge_keys_merge() {
    let (_dir, run) = check_tree(
        &[copy_of("yaml11-booleans.yaml"), copy_of("merge-keys.yaml")],
        &[],
    );
    assert_eq!(
        at(run
            .has("parse/yaml11-boolean", "yaml11-booleans.yaml")
            .unwrap()),
        (4, 16)
    );
    assert!(
        run.findings()
            .iter()
            .all(|f| !f["file"].as_str().unwrap().ends_with("merge-keys.yaml")),
        "{:?}",
        run.findings()
    );
}

/// A mapping's duplicate-key check once compared each key with every earlier one:
/// 100,000 keys took 10 s and 1,000,000 (8.9 MB) over a minute. It is linear now, in
/// YAML and in JSON (where it was quadratic in the number of duplicates), and still
/// finds the duplicates, at both places.
#[test]
fn mappings_with_200k_keys_load_in_linear_time() {
    use std::fmt::Write as _;
    const KEYS: usize = 200_000;
    let mut yaml = String::from("services:\n- name: s\n  labels:\n");
    for i in 0..KEYS {
        writeln!(yaml, "   x{i:x}: a").unwrap();
    }
    yaml.push_str("   x10: again\n");
    let mut json = String::from("{\"services\": [{\"name\": \"s\", \"labels\": {");
    for i in 0..KEYS {
        writeln!(json, "\"x{i:x}\": \"a\",").unwrap();
    }
    // Many duplicates of a late key: each one looked for its first place among
    // all the keys before it.
    for _ in 0..20_000 {
        json.push_str("\"x30d3f\": \"b\",\n");
    }
    json.push_str("\"last\": \"a\"}}]}\n");
    let started = std::time::Instant::now();
    let (_dir, run) = check_tree(
        &[
            ("many-keys.yaml", yaml.into_bytes()),
            ("many-keys.json", json.into_bytes()),
        ],
        &[],
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed < std::time::Duration::from_secs(40),
        "took {elapsed:?}"
    );
    let yaml_duplicate = run.has("parse/duplicate-key", "many-keys.yaml").unwrap();
    // `x10` is key 16, on line 20; its duplicate is on the last line.
    assert_eq!(at(yaml_duplicate), (200_004, 4));
    assert_eq!(yaml_duplicate["related"][0]["line"], 20);
    let json_duplicates: Vec<&Value> = run
        .findings()
        .iter()
        .filter(|f| {
            f["rule"] == "parse/duplicate-key"
                && f["file"].as_str().unwrap().ends_with("many-keys.json")
        })
        .collect();
    assert_eq!(json_duplicates.len(), 20_000);
    assert_eq!(at(json_duplicates[0]), (200_001, 1));
    assert_eq!(json_duplicates[0]["related"][0]["line"], 200_000);
    assert!(run.witness_checked());
}

/// `(rule, line, column)` of every finding about `file` whose rule starts with `parse/`.
fn parse_findings<'a>(run: &'a Run, file: &str) -> Vec<(&'a str, u64, u64)> {
    run.findings()
        .iter()
        .filter(|f| {
            f["file"].as_str().unwrap().ends_with(file)
                && f["rule"].as_str().unwrap().starts_with("parse/")
        })
        .map(|f| {
            let (line, column) = at(f);
            (f["rule"].as_str().unwrap(), line, column)
        })
        .collect()
}

/// Values the gateway cannot take as written are located findings, never a silent
/// change of type: infinity and numbers beyond a double (which were strings, or in
/// JSON a syntax error that stopped the file), integers a double rounds, YAML 1.1-only
/// numbers, tags gwlint does not resolve, merge keys that merge nothing.
#[test]
fn values_the_gateway_reads_differently_are_findings() {
    let (_dir, run) = check_tree(
        &[
            copy_of("yaml-numbers.yaml"),
            copy_of("yaml-numbers.json"),
            copy_of("yaml-tags.yaml"),
            copy_of("merge-keys-invalid.yaml"),
        ],
        &[],
    );
    assert_eq!(
        parse_findings(&run, "yaml-numbers.yaml"),
        [
            ("parse/imprecise-number", 7, 17),
            ("parse/number-out-of-range", 8, 19),
            ("parse/number-out-of-range", 10, 18),
            ("parse/imprecise-number", 11, 15),
            ("parse/yaml11-number", 12, 15),
            ("parse/yaml11-number", 13, 16),
            ("parse/yaml11-number", 17, 19),
        ]
    );
    assert_eq!(
        parse_findings(&run, "yaml-numbers.json"),
        [
            ("parse/imprecise-number", 2, 32),
            ("parse/number-out-of-range", 2, 64),
        ]
    );
    assert_eq!(
        parse_findings(&run, "yaml-tags.yaml"),
        [
            ("parse/tag", 3, 11),
            ("parse/tag", 4, 18),
            ("parse/tag", 8, 17),
            ("parse/tag", 12, 15),
        ]
    );
    assert_eq!(
        parse_findings(&run, "merge-keys-invalid.yaml"),
        [
            ("parse/merge-key", 14, 11),
            ("parse/merge-key", 21, 20),
            ("parse/duplicate-key", 27, 7),
        ]
    );
    // The schema still sees the values, typed as written: the port is a number (too
    // large), infinity a string.
    let schema = |pointer: &str| {
        run.findings()
            .iter()
            .find(|f| f["rule"].as_str().unwrap().starts_with("schema/") && f["pointer"] == pointer)
            .map(|f| f["message"].as_str().unwrap().to_owned())
    };
    assert!(schema("/services/0/upstream/nodes/0/port")
        .unwrap()
        .contains("greater than the maximum 65535"));
    assert!(run.witness_checked());
}

/// What saphyr-parser read differently from YAML 1.2, libyaml (APISIX) and js-yaml
/// (ADC): a tab after a key's `:` and `core -` in a flow mapping were syntax errors,
/// and a block scalar ending the file on a line of its indentation got one line break
/// too many.
#[test]
fn tabs_after_colons_and_a_block_scalar_at_the_end_read_as_yaml_reads_them() {
    let (dir, run) = check_tree(
        &[
            copy_of("tab-after-colon.yaml"),
            copy_of("block-scalar-at-eof.yaml"),
        ],
        &[],
    );
    assert_eq!(parse_findings(&run, "tab-after-colon.yaml"), []);
    assert_eq!(parse_findings(&run, "block-scalar-at-eof.yaml"), []);
    std::fs::remove_file(dir.path().join("witness.yaml")).unwrap();
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .args(["inspect", "--no-config"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let inspected = String::from_utf8(output.stdout).unwrap();
    for value in [
        "\"after-a-tab\"",
        "\"core -\"",
        "\"gold\"",
        "\"first line\\n\"",
    ] {
        assert!(inspected.contains(value), "{value} in {inspected}");
    }
}

#[test]
fn a_huge_single_line_parses() {
    let (_dir, run) = check_tree(&[copy_of("huge-single-line.json")], &[]);
    assert!(
        run.findings().iter().all(|f| !f["file"]
            .as_str()
            .unwrap()
            .ends_with("huge-single-line.json")),
        "{:?}",
        run.findings()
    );
    assert_eq!(run.report["summary"]["files"], 2);
}

/// Found by the `check_file` fuzz target: the human report showed each finding on
/// a 114 KB line with a snippet, and miette cannot pad a label past column 65,535, so
/// it panicked. Such findings are now shown by their position only. Every output
/// format reports the findings and exits 1.
#[test]
fn findings_far_out_on_a_huge_line_are_shown_without_a_snippet() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("huge-single-line.json"),
        dir.path().join("huge-single-line.json"),
    )
    .unwrap();
    for format in ["human", "json", "sarif", "github", "junit"] {
        let output = check_in_format(dir.path(), format);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains(CRASH), "{format} crashed: {stderr}");
        assert_eq!(output.status.code(), Some(1), "{format}: {stderr}");
        if format == "human" {
            // 3,000 routes on line 1, each without authentication, rate limit and
            // timeout: 9,000 findings, the last ones beyond column 100,000. The
            // report wraps at 100 columns, so words are compared without the wrapping.
            let words: Vec<&str> = stdout.split_whitespace().filter(|w| *w != "│").collect();
            let text = words.join(" ");
            assert_eq!(
                text.matches("(the line is too long to show)").count(),
                9000,
                "{stdout:.2000}"
            );
            assert_eq!(
                stdout
                    .lines()
                    .filter(|line| *line == "policy/route-needs-auth")
                    .count(),
                3000
            );
            assert!(text.contains("route `r2999` runs no authentication plugin"));
            assert!(
                stdout.lines().all(|line| line.len() < 1000),
                "no line of the report is a copy of the huge line"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_links_out_of_the_tree() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("outside.yaml"),
        "services:\n  - name: out\n    name: dup\n",
    )
    .unwrap();
    let (dir, _) = check_tree(&[], &[]);
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("sub/loop")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("outside.yaml"),
        dir.path().join("link.yaml"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("vanished.yaml"),
        dir.path().join("dangling.yaml"),
    )
    .unwrap();
    let default = check(dir.path(), &[]);
    assert!(
        default.has("parse/symlink-skipped", "link.yaml").is_some(),
        "{:?}",
        default.findings()
    );
    assert!(default.witness_checked());
    let followed = check(dir.path(), &["--follow-symlinks"]);
    assert!(
        followed.has("parse/symlink-loop", "loop").is_some(),
        "{:?}",
        followed.findings()
    );
    assert!(
        followed.has("parse/duplicate-key", "link.yaml").is_some(),
        "the outside file is checked when following"
    );
    assert!(
        followed.has("parse/unreadable", "dangling.yaml").is_some(),
        "a vanished target is a finding"
    );
    assert!(followed.witness_checked());
}

/// A file the walk found and that is gone when it is read (deleted between the two steps,
/// as by a concurrent checkout) is a located `parse/unreadable` finding; the files beside it
/// are still read. The same two library steps, walk then read, make up `gwlint check`.
#[test]
fn a_file_that_vanished_after_the_walk_is_a_finding() {
    use gwlint::discover::{walk, WalkOptions};
    use gwlint::load::{load_file, LoadLimits};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), "services: []\n").unwrap();
    std::fs::write(dir.path().join("gone.yaml"), "services: []\n").unwrap();
    std::fs::write(dir.path().join("witness.yaml"), WITNESS).unwrap();
    let walked = walk(dir.path(), &WalkOptions::default());
    assert_eq!(walked.files.len(), 3, "{:?}", walked.files);
    std::fs::remove_file(dir.path().join("gone.yaml")).unwrap();
    let loaded: Vec<_> = walked
        .files
        .iter()
        .map(|path| load_file(path, &LoadLimits::default()))
        .collect();
    let gone = &loaded[1];
    assert!(gone.source.path.ends_with("gone.yaml"));
    assert!(gone.document.is_none());
    let [finding] = gone.findings.as_slice() else {
        panic!("{:?}", gone.findings)
    };
    assert_eq!(finding.rule, "parse/unreadable");
    assert!(
        finding.message.contains("No such file"),
        "{}",
        finding.message
    );
    let start = finding.location.span.start;
    assert_eq!((start.line, start.column), (1, 1));
    assert!(loaded[0].document.is_some() && loaded[0].findings.is_empty());
    let witness = &loaded[2].findings;
    assert!(
        witness.iter().any(|f| f.rule == "parse/duplicate-key"),
        "{witness:?}"
    );
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A named pipe where gwlint expects a file would make it wait for a writer forever
/// (`--data`, `--baseline`, `--config`, a `.rego` policy, a plugin schema), and one
/// given or found as a configuration file was passed over in silence ("0 files").
/// None is opened now: each is an error (exit 2) or a finding naming the path.
#[cfg(unix)]
#[test]
fn named_pipes_are_refused_and_never_waited_for() {
    const NOT_REGULAR: &str =
        "not a regular file but a named pipe (FIFO); gwlint reads regular files only";
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("witness.yaml"), WITNESS).unwrap();
    mkfifo(&root.join("pipe.yaml"));
    std::fs::create_dir(root.join("policies")).unwrap();
    mkfifo(&root.join("policies/p.rego"));
    std::fs::create_dir(root.join("schemas")).unwrap();
    mkfifo(&root.join("schemas/x.json"));
    let elsewhere = tempfile::tempdir().unwrap();
    let pipe = elsewhere.path().join("pipe");
    mkfifo(&pipe);
    std::os::unix::fs::symlink(&pipe, root.join("link.yaml")).unwrap();
    std::fs::write(
        elsewhere.path().join("config.yaml"),
        format!("plugin_schemas: [{}]\n", root.join("schemas").display()),
    )
    .unwrap();

    let run = check(root, &["--follow-symlinks"]);
    assert_eq!(run.code, 1);
    for name in ["pipe.yaml", "link.yaml"] {
        let finding = run.has("parse/unreadable", name).unwrap();
        assert_eq!(finding["message"], format!("cannot read: {NOT_REGULAR}"));
        assert_eq!(at(finding), (1, 1));
    }
    assert!(run.witness_checked());
    let alone = check(&root.join("pipe.yaml"), &[]);
    assert_eq!(alone.code, 1);
    assert!(alone.has("parse/unreadable", "pipe.yaml").is_some());

    // Run from the pipe's folder, so that paths given relative are shown as given.
    let witness = root.join("witness.yaml");
    let policies = root.join("policies");
    let cases: [(&[&str], String); 5] = [
        (
            &["--data", "pipe"],
            format!("pipe:1:1: invalid data file: cannot read file: {NOT_REGULAR}"),
        ),
        (
            &["--baseline", "pipe"],
            format!("pipe: cannot read baseline: {NOT_REGULAR}"),
        ),
        (
            &["--policy", policies.to_str().unwrap()],
            format!(
                "{}: cannot read policy: {NOT_REGULAR}",
                policies.join("p.rego").display()
            ),
        ),
        (
            &["--config", "pipe"],
            format!("pipe: cannot read config file: {NOT_REGULAR}"),
        ),
        (
            &["--config", "config.yaml"],
            format!(
                "cannot load plugin schemas: {}: cannot read: {NOT_REGULAR}",
                root.join("schemas/x.json").display()
            ),
        ),
    ];
    for (args, message) in cases {
        let no_config: &[&str] = if args[0] == "--config" {
            &[]
        } else {
            &["--no-config"]
        };
        let output = Command::cargo_bin("gwlint")
            .unwrap()
            .current_dir(elsewhere.path())
            .arg("check")
            .args(no_config)
            .args(args)
            .arg(&witness)
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr, format!("error: {message}\n"), "{args:?}");
    }
}

fn running_as_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// The user and group `nobody` (65534), whom file permissions do stop.
const NOBODY: &str = "65534";

/// Whether `setpriv` can start a program as `nobody` here.
fn can_drop_to_nobody() -> bool {
    std::process::Command::new("setpriv")
        .args([
            "--reuid",
            NOBODY,
            "--regid",
            NOBODY,
            "--clear-groups",
            "true",
        ])
        .status()
        .is_ok_and(|s| s.success())
}

/// Check `dir` as `nobody` through `setpriv`, from a copy of gwlint inside `dir`, so that
/// neither the binary nor the current directory depends on folders `nobody` may not enter.
fn check_as_nobody(dir: &Path, args: &[&str]) -> Run {
    use std::os::unix::fs::PermissionsExt;
    let binary = dir.join("gwlint-under-test");
    std::fs::copy(assert_cmd::cargo::cargo_bin("gwlint"), &binary).unwrap();
    std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let output = Command::new("setpriv")
        .args(["--reuid", NOBODY, "--regid", NOBODY, "--clear-groups"])
        .arg(&binary)
        .args(CHECK_JSON)
        .args(args)
        .arg(".")
        .current_dir(dir)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    std::fs::remove_file(&binary).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains(CRASH), "crashed: {stderr}");
    Run {
        code: output.status.code().unwrap_or(-1),
        report: serde_json::from_slice(&output.stdout).unwrap_or(Value::Null),
    }
}

/// A file and a folder without read permission are findings (`parse/unreadable`) and the
/// other files are still checked. Permissions do not stop root, so as root the check runs as
/// `nobody` through `setpriv` (as in CI); it is skipped only as root without `setpriv`.
#[cfg(unix)]
#[test]
fn unreadable_files_and_folders() {
    use std::os::unix::fs::PermissionsExt;
    let as_root = running_as_root();
    if as_root && !can_drop_to_nobody() {
        println!("skipped: running as root, and setpriv cannot start a program as nobody");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.yaml"), "services: []\n").unwrap();
    std::fs::write(dir.path().join("witness.yaml"), WITNESS).unwrap();
    std::fs::create_dir(dir.path().join("closed")).unwrap();
    std::fs::write(dir.path().join("closed/x.yaml"), "services: []\n").unwrap();
    let no_access = std::fs::Permissions::from_mode(0o000);
    std::fs::set_permissions(dir.path().join("secret.yaml"), no_access.clone()).unwrap();
    std::fs::set_permissions(dir.path().join("closed"), no_access).unwrap();
    let run = if as_root {
        check_as_nobody(dir.path(), &[])
    } else {
        check(dir.path(), &[])
    };
    std::fs::set_permissions(
        dir.path().join("closed"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    assert_eq!(run.code, 1, "{:?}", run.report);
    let file = run.has("parse/unreadable", "secret.yaml");
    let file = file.unwrap_or_else(|| panic!("{:?}", run.findings()));
    assert_eq!((&file["line"], &file["column"]), (&1.into(), &1.into()));
    let message = file["message"].as_str().unwrap();
    assert!(message.contains("Permission denied"), "{message}");
    assert!(
        run.has("parse/unreadable", "closed").is_some(),
        "{:?}",
        run.findings()
    );
    assert!(run.witness_checked());
}

fn with_policy(policy: &str) -> (i32, String, String) {
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "fixtures/example/staging",
            "--no-config",
            "--format",
            "json",
            "--policy",
        ])
        .arg(fixture(policy))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains(CRASH), "{stderr}");
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
    )
}

#[test]
fn a_policy_with_a_syntax_error_stops_the_run_with_its_position() {
    let (code, _, stderr) = with_policy("policy-syntax-error");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("policy-syntax-error/bad.rego:6:"),
        "{stderr}"
    );
}

#[test]
fn policy_runtime_errors_and_recursion_are_findings() {
    for (policy, text) in [
        ("policy-runtime-error", "divide by zero"),
        ("policy-recursion", "recursion"),
    ] {
        let (code, stdout, _) = with_policy(policy);
        assert_eq!(code, 1, "{policy}");
        let report: Value = serde_json::from_str(&stdout).unwrap();
        let finding = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "policy/runtime-error")
            .unwrap_or_else(|| panic!("{policy}: {stdout}"));
        assert!(
            finding["message"].as_str().unwrap().contains(text),
            "{finding}"
        );
        assert_eq!(finding["unlocated"], true);
    }
}

/// The messages of the `policy/runtime-error` findings of a JSON report, by the rule
/// each names.
fn runtime_errors(report: &Value) -> std::collections::BTreeMap<String, String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "policy/runtime-error")
        .map(|f| {
            let message = f["message"].as_str().unwrap();
            let rule = message.split('`').nth(1).unwrap().to_owned();
            let why = message.split_once("failed at run time: ").unwrap().1;
            (rule, why.to_owned())
        })
        .collect()
}

const DEPTH_STOP: &str = "stopped at the depth limit: it went 48 MiB deep into its stack \
                          (a function that calls itself? Rego forbids recursion)";

/// Runaway user rules stop at the limits of `policy_limits` (here 2 s and 256 MiB, in
/// the fixture's `.gwlint.yaml`) and each is its rule's `policy/runtime-error`; the
/// other rules, built-in and user, still report. Before: the function that calls itself
/// and the billion numbers aborted the process (exit 134, no message), the pairs ran
/// for hours, and the 20-million-character string took 1.8 GB.
#[test]
fn runaway_policies_stop_at_their_limits() {
    let limits = fixture("policy-limits");
    let started = std::time::Instant::now();
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "fixtures/example/staging",
            "--format",
            "json",
            "--config",
        ])
        .arg(limits.join(".gwlint.yaml"))
        .arg("--policy")
        .arg(&limits)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    println!("checked in {:?}", started.elapsed());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains(CRASH), "{stderr}");
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let memory = "stopped at the memory limit: it held more than 256 MiB \
                  (`policy_limits.memory` in .gwlint.yaml)";
    let expected: std::collections::BTreeMap<String, String> = [
        ("policy/hostile.concat.deny", memory),
        (
            "policy/hostile.pairs.deny",
            "stopped at the time limit of 2 s (`policy_limits.time` in .gwlint.yaml)",
        ),
        ("policy/hostile.range.deny", memory),
        ("policy/hostile.recursion_fn.deny", DEPTH_STOP),
    ]
    .into_iter()
    .map(|(rule, why)| (rule.to_owned(), why.to_owned()))
    .collect();
    assert_eq!(runtime_errors(&report), expected);
    let findings = report["findings"].as_array().unwrap();
    let rules = |id: &str| findings.iter().filter(|f| f["rule"] == id).count();
    assert!(rules("policy/hostile.fine.warn") > 0, "{findings:?}");
    assert!(rules("policy/undeclared-variable") > 0, "{findings:?}");
}

/// Under the default limits (60 s, 1 GiB) too, and in `gwlint policy test`: a test
/// that recurses fails with the reason and the other tests run.
#[test]
fn runaway_policies_stop_at_the_default_limits_and_in_policy_tests() {
    let limits = fixture("policy-limits");
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "fixtures/example/staging",
            "--no-config",
            "--format",
            "json",
        ])
        .arg("--policy")
        .arg(limits.join("recursion.rego"))
        .arg("--policy")
        .arg(limits.join("range.rego"))
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains(CRASH), "{stderr}");
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let errors = runtime_errors(&report);
    assert_eq!(errors["policy/hostile.recursion_fn.deny"], DEPTH_STOP);
    assert_eq!(
        errors["policy/hostile.range.deny"],
        "stopped at the memory limit: it held more than 1 GiB (`policy_limits.memory` in .gwlint.yaml)"
    );

    // Two environments: each stopped evaluation keeps what it held until gwlint exits,
    // so a rule stopped in one environment is not run again in the other (unless both
    // started at once).
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "fixtures/example", "--format", "json", "--policy"])
        .arg(limits.join("recursion.rego"))
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut stops: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "policy/runtime-error")
        .map(|f| {
            let why = f["message"].as_str().unwrap();
            let why = why.split_once("failed at run time: ").unwrap().1;
            (
                f["environment"].as_str().unwrap().to_owned(),
                why.to_owned(),
            )
        })
        .collect();
    stops.sort();
    assert_eq!(stops.len(), 2, "{stops:?}");
    assert!(stops.iter().any(|(_, why)| why == DEPTH_STOP), "{stops:?}");
    for (environment, why) in &stops {
        let other = if environment == "staging" {
            "production"
        } else {
            "staging"
        };
        assert!(
            *why == DEPTH_STOP
                || *why == format!("not run: in environment `{other}` it {DEPTH_STOP}"),
            "{environment}: {why}"
        );
    }

    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["policy", "test", "--no-builtin-policies"])
        .arg(limits.join("recursion.rego"))
        .arg(limits.join("limits_test.rego"))
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains(CRASH), "{stderr}");
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    let file = crate::fixture("policy-limits/limits_test.rego");
    let file = gwlint::source::display_path(&file);
    assert_eq!(
        stdout,
        format!(
            "FAIL {file} test_recursion_is_stopped: {DEPTH_STOP}\nPASS {file} test_fine\n1 passed, 1 failed\n"
        )
    );
}

/// regorus parses nested brackets in time exponential in their depth (arrays nested
/// 26 deep: minutes). Compiling the policies runs under the time limit too: the run
/// stops with an error instead of hanging.
#[test]
fn a_policy_that_takes_minutes_to_parse_stops_at_the_time_limit() {
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "fixtures/example/staging", "--config"])
        .arg(fixture("policy-limits/.gwlint.yaml"))
        .arg("--policy")
        .arg(fixture("policy-deep-brackets"))
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: cannot compile the policies: stopped at the time limit of 2 s \
         (`policy_limits.time` in .gwlint.yaml)\n"
    );
}

#[test]
fn config_with_unknown_keys_and_conflicting_flags() {
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(fixture("config-unknown-keys"))
        .args(["check", "--format", "json", "--no-builtin-policies"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "config/unknown-key");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(3), Some(1))
    );
    Command::cargo_bin("gwlint")
        .unwrap()
        .args(["check", ".", "--no-config", "--config", "x.yaml"])
        .assert()
        .code(2);
    Command::cargo_bin("gwlint")
        .unwrap()
        .args(["policy", "test", "--threshold", "50"])
        .assert()
        .code(2);
}

#[test]
fn no_fixture_reaches_the_panic_hook() {
    for tree in [
        "fixtures/findings",
        "fixtures/hostile",
        "fixtures/example",
        "fixtures/report",
    ] {
        let output = Command::cargo_bin("gwlint")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["check", tree, "--no-config", "--format", "json"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains(CRASH), "{tree}: {stderr}");
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{tree}: {stderr}"
        );
    }
}

/// Set in the child process of `the_panic_hook_asks_for_a_bug_report_and_exits_2`.
const PANIC_CHILD: &str = "GWLINT_TEST_PANIC_CHILD";

/// The hook the binary installs first thing turns a panic on any thread into the crash
/// message and exit 2. The test runs itself again as a child process that installs the hook
/// and panics in a rayon worker, where a check's stages run.
#[test]
fn the_panic_hook_asks_for_a_bug_report_and_exits_2() {
    if std::env::var_os(PANIC_CHILD).is_some() {
        gwlint::crash::install_panic_hook();
        rayon::scope(|scope| scope.spawn(|_| panic!("a bug in a worker")));
        unreachable!("the hook ends the process");
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "the_panic_hook_asks_for_a_bug_report_and_exits_2",
            "--nocapture",
        ])
        .env(PANIC_CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{CRASH} at tests/hostile.rs:")),
        "{stderr}"
    );
    assert!(stderr.contains("Please report it"), "{stderr}");
    assert!(!stderr.contains("a bug in a worker"), "{stderr}");
}

/// Output that cannot be written (here: to a full disk) is an error naming the reason and
/// exit 2 for every command that writes to stdout, never a crash.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_for_stdout_is_an_error_not_a_crash() {
    for args in [
        &["check", "fixtures/example/staging", "--no-config"][..],
        &[
            "check",
            "fixtures/findings",
            "--no-config",
            "--format",
            "sarif",
        ],
        &["inspect", "fixtures/example/staging", "--no-config"],
        &["rules"],
        &["explain", "parse/syntax"],
        &["schema"],
        &["completions", "bash"],
        &["render", "fixtures/example/staging", "--no-config"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("gwlint"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains(CRASH), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write output: No space left on device"),
            "{args:?}: {stderr}"
        );
    }
}

#[cfg(unix)]
#[test]
fn file_names_are_escaped_in_every_format_people_read() {
    let dir = tempfile::tempdir().unwrap();
    let names = [
        "line\nbreak.yaml",
        "esc\u{1b}[31mred.yaml",
        "rtl\u{202e}lmay.yaml",
    ];
    for name in names {
        std::fs::write(dir.path().join(name), WITNESS).unwrap();
    }
    let run = |format: &str| {
        let output = Command::cargo_bin("gwlint")
            .unwrap()
            .current_dir(dir.path())
            .args([
                "check",
                ".",
                "--no-config",
                "--color",
                "never",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    let human = run("human");
    let github = run("github");
    for text in [&human, &github] {
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{text}"
        );
    }
    assert!(human.contains("line\\u{a}break.yaml:3:11"), "{human}");
    assert!(human.contains("esc\\u{1b}[31mred.yaml"), "{human}");
    // One workflow command per line, each on its (escaped) file.
    let annotations: Vec<&str> = github.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), 5, "{github}");
    assert_eq!(
        github.lines().filter(|l| !l.is_empty()).count(),
        5,
        "{github}"
    );
    assert!(
        annotations
            .iter()
            .any(|l| l.starts_with("::error file=line\\u{a}break.yaml,line=3,")),
        "{github}"
    );
}
