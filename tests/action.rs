//! The GitHub Action (`action.yml`) run step by step under an emulated runner: each
//! `run:` script goes to bash as a runner would give it (expressions substituted,
//! `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `GITHUB_PATH`, `GITHUB_ACTION_PATH`,
//! `RUNNER_*`, the workspace as the working directory); `actions/cache` is emulated
//! as a hit (the built binary restored under the step's `path`) or a miss. Checks the
//! outputs, the annotations, the SARIF file and the cache key.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const GOOD: &str = "services:
  - name: orders
    upstream:
      scheme: https
      nodes:
        - host: orders.example.com
          port: 443
          weight: 1
    plugins:
      key-auth: {}
      limit-count:
        count: 100
        time_window: 60
    routes:
      - name: list
        uris: [/orders]
        timeout: {connect: 3, send: 3, read: 3}
";

const BAD: &str = "services:
  - name: billing
    routes:
      - name: list
        uris: /orders
";

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn action() -> Value {
    let path = crate_root().join("action.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    gwlint::load::parse_text(&path, text, &gwlint::load::LoadLimits::default())
        .document
        .unwrap()
        .value
}

/// How the emulated `actions/cache` behaves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cache {
    /// The cached folder holds the gwlint binary of this build.
    Hit,
    /// Nothing cached: the build step must install (a stand-in `cargo` records it).
    Miss,
}

/// What a run of the action left behind.
struct Run {
    /// Whether every step succeeded.
    success: bool,
    /// The outputs of each step, by step id.
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    /// Everything the steps printed.
    log: String,
    /// The job summary.
    summary: String,
    /// The key and path the cache step was given.
    cache: (String, String),
    /// The arguments the stand-in `cargo` was called with (cache misses).
    cargo_calls: String,
}

/// A runner's temporary folders.
struct Runner {
    _dir: tempfile::TempDir,
    workspace: PathBuf,
    tool_cache: PathBuf,
    files: PathBuf,
    bin: PathBuf,
}

impl Runner {
    fn new(tree: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let runner = Runner {
            workspace: dir.path().join("workspace"),
            tool_cache: dir.path().join("tool-cache"),
            files: dir.path().join("files"),
            bin: dir.path().join("bin"),
            _dir: dir,
        };
        for folder in [
            &runner.workspace,
            &runner.tool_cache,
            &runner.files,
            &runner.bin,
        ] {
            std::fs::create_dir_all(folder).unwrap();
        }
        for (name, text) in tree {
            let path = runner.workspace.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        // A stand-in `cargo` for cache misses: records its arguments and "installs"
        // the binary of this build where `--root` says.
        let cargo = runner.bin.join("cargo");
        std::fs::write(
            &cargo,
            format!(
                "#!/usr/bin/env bash\necho \"$*\" >> '{calls}'\nroot=\"${{@: -1}}\"\nmkdir -p \"$root/bin\"\ncp '{binary}' \"$root/bin/gwlint\"\n",
                calls = runner.files.join("cargo-calls").display(),
                binary = env!("CARGO_BIN_EXE_gwlint"),
            ),
        )
        .unwrap();
        make_executable(&cargo);
        runner
    }

    /// Run the action's steps with `inputs` (the action's defaults fill the rest).
    fn run(&self, inputs: &[(&str, &str)], cache: Cache) -> Run {
        self.run_at(crate_root(), inputs, cache)
    }

    fn run_at(&self, action_path: &Path, inputs: &[(&str, &str)], cache: Cache) -> Run {
        let action = action();
        let given = inputs_with_defaults(&action, inputs);
        let summary_file = self.files.join("summary.md");
        let path_file = self.files.join("path");
        std::fs::write(&path_file, "").unwrap();
        let mut run = Run {
            success: true,
            outputs: BTreeMap::new(),
            log: String::new(),
            summary: String::new(),
            cache: (String::new(), String::new()),
            cargo_calls: String::new(),
        };
        for (index, step) in action["runs"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            let context = Context {
                inputs: &given,
                outputs: &run.outputs,
                tool_cache: &self.tool_cache,
                action_path,
            };
            if let Some(uses) = step["uses"].as_str() {
                assert!(uses.starts_with("actions/cache@"), "unexpected step {uses}");
                let key = context.expand(step["with"]["key"].as_str().unwrap());
                let path = context.expand(step["with"]["path"].as_str().unwrap());
                if cache == Cache::Hit {
                    let bin = Path::new(&path).join("bin");
                    std::fs::create_dir_all(&bin).unwrap();
                    std::fs::copy(env!("CARGO_BIN_EXE_gwlint"), bin.join("gwlint")).unwrap();
                }
                run.cache = (key, path);
                continue;
            }
            let script = context.expand(step["run"].as_str().unwrap());
            let output_file = self.files.join(format!("output-{index}"));
            std::fs::write(&output_file, "").unwrap();
            // Each line of GITHUB_PATH goes before the PATH of later steps.
            let added: Vec<String> = std::fs::read_to_string(&path_file)
                .unwrap()
                .lines()
                .rev()
                .map(str::to_owned)
                .collect();
            let system_path = std::env::var("PATH").unwrap_or_default();
            let path = [added, vec![self.bin.display().to_string(), system_path]]
                .concat()
                .join(":");
            let mut command = Command::new("bash");
            command
                .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
                .current_dir(&self.workspace)
                .env("PATH", path)
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_STEP_SUMMARY", &summary_file)
                .env("GITHUB_PATH", &path_file)
                .env("GITHUB_ACTION_PATH", action_path)
                .env("GITHUB_WORKSPACE", &self.workspace)
                .env("RUNNER_OS", "Linux")
                .env("RUNNER_ARCH", "X64")
                .env("RUNNER_TOOL_CACHE", &self.tool_cache)
                .env_remove("NO_COLOR");
            if let Some(env) = step["env"].as_object() {
                for (name, value) in env {
                    command.env(name, context.expand(value.as_str().unwrap()));
                }
            }
            let output = command.output().unwrap();
            run.log.push_str(&String::from_utf8_lossy(&output.stdout));
            run.log.push_str(&String::from_utf8_lossy(&output.stderr));
            if let Some(id) = step["id"].as_str() {
                let text = std::fs::read_to_string(&output_file).unwrap();
                let values = text
                    .lines()
                    .filter_map(|line| line.split_once('='))
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect();
                run.outputs.insert(id.to_owned(), values);
            }
            if !output.status.success() {
                run.success = false;
                break;
            }
        }
        run.summary = std::fs::read_to_string(&summary_file).unwrap_or_default();
        run.cargo_calls =
            std::fs::read_to_string(self.files.join("cargo-calls")).unwrap_or_default();
        run
    }
}

/// The inputs given, and the action's defaults for the others.
fn inputs_with_defaults(action: &Value, inputs: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut given: BTreeMap<String, String> = action["inputs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, spec)| {
            (
                name.clone(),
                spec["default"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for (name, value) in inputs {
        assert!(
            given.contains_key(*name),
            "the action has no input `{name}`"
        );
        given.insert((*name).to_owned(), (*value).to_owned());
    }
    given
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}

/// What `${{ ... }}` expressions in the action may read.
struct Context<'a> {
    inputs: &'a BTreeMap<String, String>,
    outputs: &'a BTreeMap<String, BTreeMap<String, String>>,
    tool_cache: &'a Path,
    action_path: &'a Path,
}

impl Context<'_> {
    /// Substitute every expression; one this emulation does not know fails the test,
    /// so the action cannot start using a context the test does not check.
    fn expand(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("an unclosed expression") + start;
            let expression = rest[start + 3..end].trim();
            out.push_str(&self.value(expression));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    fn value(&self, expression: &str) -> String {
        if let Some(name) = expression.strip_prefix("inputs.") {
            return self.inputs[name].clone();
        }
        if let Some(path) = expression.strip_prefix("steps.") {
            let (id, output) = path
                .split_once(".outputs.")
                .expect("steps.<id>.outputs.<name>");
            return self.outputs[id][output].clone();
        }
        match expression {
            "runner.tool_cache" => self.tool_cache.display().to_string(),
            "runner.os" => "Linux".to_owned(),
            "runner.arch" => "X64".to_owned(),
            "github.action_path" => self.action_path.display().to_string(),
            other => panic!("the emulated runner does not know `{other}`"),
        }
    }
}

#[test]
fn a_good_tree_passes_with_its_sarif_and_summary() {
    let runner = Runner::new(&[("gw/staging/orders.yaml", GOOD)]);
    let run = runner.run(&[("paths", "gw/staging")], Cache::Hit);
    assert!(run.success, "{}", run.log);
    assert_eq!(run.outputs["check"]["sarif-file"], "gwlint.sarif");
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(runner.workspace.join("gwlint.sarif")).unwrap(),
    )
    .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    // An info (no health checks), no error.
    let levels: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["note"]);
    assert!(!run.log.contains("::error"), "{}", run.log);
    assert!(run.summary.contains("gwlint"), "{}", run.summary);
    // A cache hit: nothing was built.
    assert_eq!(run.cargo_calls, "");
}

#[test]
fn a_bad_tree_fails_with_annotations_at_the_finding() {
    let runner = Runner::new(&[
        ("gw/staging/orders.yaml", GOOD),
        ("gw/staging/broken.yaml", BAD),
    ]);
    let run = runner.run(
        &[("paths", "gw/staging"), ("sarif-file", "reports/gw.sarif")],
        Cache::Hit,
    );
    assert!(!run.success, "{}", run.log);
    assert_eq!(run.outputs["check"]["sarif-file"], "reports/gw.sarif");
    assert!(
        run.log
            .lines()
            .any(|l| l.starts_with("::error file=gw/staging/broken.yaml,line=5,col=15,")),
        "{}",
        run.log
    );
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(runner.workspace.join("reports/gw.sarif")).unwrap(),
    )
    .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "gw/staging/broken.yaml"
    );
    // `fail-on: never` reports the same findings and passes.
    let run = runner.run(&[("paths", "gw/staging"), ("fail-on", "never")], Cache::Hit);
    assert!(run.success, "{}", run.log);
    assert!(run.log.contains("::error file=gw/staging/broken.yaml"));
}

#[test]
fn a_cache_miss_builds_from_the_action_path_into_the_keyed_folder() {
    let runner = Runner::new(&[("gw/staging/orders.yaml", GOOD)]);
    let run = runner.run(&[("paths", "gw/staging")], Cache::Miss);
    assert!(run.success, "{}", run.log);
    let (key, path) = &run.cache;
    assert!(key.starts_with("gwlint-Linux-X64-"), "{key}");
    assert_eq!(
        path,
        &runner
            .tool_cache
            .join("gwlint")
            .join(key)
            .display()
            .to_string()
    );
    assert_eq!(
        run.cargo_calls.trim(),
        format!(
            "install --locked --path {} --root {path}",
            crate_root().display()
        )
    );
}

/// Copy what the key covers (and nothing else) to a new action folder.
fn copy_action(to: &Path) {
    for entry in ["Cargo.toml", "Cargo.lock", "build.rs", "action.yml"] {
        std::fs::copy(crate_root().join(entry), to.join(entry)).unwrap();
    }
    for folder in ["src", "policies", "schemas"] {
        copy_tree(&crate_root().join(folder), &to.join(folder));
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn the_cache_key_follows_the_action_code() {
    let runner = Runner::new(&[("gw/staging/orders.yaml", GOOD)]);
    let original = runner.run(&[("paths", "gw/staging")], Cache::Hit).cache.0;
    // The same code elsewhere: the same key.
    let copy = tempfile::tempdir().unwrap();
    copy_action(copy.path());
    let same = runner
        .run_at(copy.path(), &[("paths", "gw/staging")], Cache::Hit)
        .cache
        .0;
    assert_eq!(same, original);
    // A change to the code (here a policy): another key.
    let policy = copy.path().join("policies/route-needs-auth.rego");
    let mut text = std::fs::read_to_string(&policy).unwrap();
    text.push_str("\n# changed\n");
    std::fs::write(&policy, text).unwrap();
    let changed = runner
        .run_at(copy.path(), &[("paths", "gw/staging")], Cache::Hit)
        .cache
        .0;
    assert_ne!(changed, original);
}
