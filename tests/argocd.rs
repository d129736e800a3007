//! The Argo CD Config Management Plugin (`argocd/plugin.yaml`) run as Argo CD's CMP
//! sidecar runs it: its `init` and `generate` commands, read from the file, in the
//! Application's path, with `ARGOCD_APP_NAME` and the other `ARGOCD_*` variables set
//! and the Application's plugin `env` as `ARGOCD_ENV_*` (from `argocd/application.yaml`),
//! on a good and a bad tree.
//!
//! The generated manifests are validated with `kubernetes-validate` (from the Python package index; offline
//! schemas, `--strict`), and the plugin and Application with Argo CD's published
//! models (`@kubernetes-models/argo-cd` from npm, through `tools/argocd-models.mjs`).
//! Those tests need the programs, found when the tests are built (see build.rs):
//! without them they are reported as ignored, with the reason; `.ci/run` installs
//! both and sets `GWLINT_REQUIRE_ARGOCD_VALIDATORS=1`, which makes their absence a failure.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The documents of a YAML file or stream, as values.
fn documents(text: &str) -> Vec<Value> {
    text.split("\n---\n")
        .map(|part| {
            let loaded = gwlint::load::parse_text(
                Path::new("manifest.yaml"),
                part.to_owned(),
                &gwlint::load::LoadLimits::default(),
            );
            assert!(
                loaded
                    .findings
                    .iter()
                    .all(|f| f.severity != gwlint::finding::Severity::Error),
                "not YAML: {part}"
            );
            loaded.document.expect("a document").value
        })
        .collect()
}

fn read(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    documents(&text).remove(0)
}

/// A command of the plugin (`init` or `generate`): its `command` and `args`.
fn plugin_command(step: &str) -> Vec<String> {
    let plugin = read("argocd/plugin.yaml");
    let command = &plugin["spec"][step];
    command["command"]
        .as_array()
        .into_iter()
        .chain(command["args"].as_array())
        .flatten()
        .map(|part| part.as_str().unwrap().to_owned())
        .collect()
}

/// The example Application's name and its plugin's `env`, as Argo CD passes them.
fn application_environment() -> (String, Vec<(String, String)>) {
    let application = read("argocd/application.yaml");
    let name = application["metadata"]["name"].as_str().unwrap().to_owned();
    let env = application["spec"]["source"]["plugin"]["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                format!("ARGOCD_ENV_{}", e["name"].as_str().unwrap()),
                e["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (name, env)
}

/// Run one step of the plugin in `app` as the CMP sidecar does: the working folder
/// is the Application's path, the environment holds only what the sidecar sets
/// (`PATH` with gwlint, the `ARGOCD_APP_*` variables, `KUBE_*`, the plugin's `env`).
fn run_step(step: &str, app: &Path, plugin_env: &[(String, String)]) -> Output {
    let (name, _) = application_environment();
    let parts = plugin_command(step);
    let gwlint = Path::new(env!("CARGO_BIN_EXE_gwlint"));
    let path = format!(
        "{}:/usr/local/bin:/usr/bin:/bin",
        gwlint.parent().unwrap().display()
    );
    Command::new(&parts[0])
        .args(&parts[1..])
        .current_dir(app)
        .env_clear()
        .env("PATH", path)
        .env("HOME", app)
        .env("ARGOCD_APP_NAME", &name)
        .env("ARGOCD_APP_NAMESPACE", "argocd")
        .env("ARGOCD_APP_PROJECT_NAME", "default")
        .env(
            "ARGOCD_APP_REVISION",
            "0123456789abcdef0123456789abcdef01234567",
        )
        .env("ARGOCD_APP_REVISION_SHORT", "0123456")
        .env("ARGOCD_APP_REVISION_SHORT_8", "01234567")
        .env("ARGOCD_APP_SOURCE_PATH", "production")
        .env(
            "ARGOCD_APP_SOURCE_REPO_URL",
            "https://github.com/example/gateway-config.git",
        )
        .env("ARGOCD_APP_SOURCE_TARGET_REVISION", "main")
        .env("KUBE_VERSION", "1.33.0")
        .env("KUBE_API_VERSIONS", "v1,batch/v1,argoproj.io/v1alpha1")
        .envs(plugin_env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .unwrap()
}

/// The Application's path of a good tree: the production example, with backend
/// settings in its .gwlint.yaml.
fn good_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["orders.yaml", "edge.yaml"] {
        std::fs::copy(
            root().join("fixtures/example/production").join(file),
            dir.path().join(file),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join(".gwlint.yaml"),
        "apply:\n  backend: apisix\n  server: http://apisix-admin.apisix.svc:9180\n  tls_skip_verify: true\n",
    )
    .unwrap();
    dir
}

/// A tree with a failing finding: a plugin APISIX does not have.
fn bad_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("routes.yaml"),
        "services:\n  - name: orders\n    routes:\n      - name: list\n        uris: [/orders]\n        plugins:\n          key-auht: {}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".gwlint.yaml"),
        "apply:\n  backend: apisix\n",
    )
    .unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `gwlint render` of `tree` for `engine`, as a user would run it.
fn rendered(tree: &Path, engine: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .current_dir(tree)
        .args(["render", ".", "--engine", engine])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    text(&output.stdout)
}

/// Run the plugin on the good tree for `plugin_env`: `init` passes, `generate`
/// prints manifests only. Returns them.
fn generate(tree: &Path, plugin_env: &[(String, String)]) -> String {
    let init = run_step("init", tree, plugin_env);
    assert_eq!(init.status.code(), Some(0), "init: {}", text(&init.stderr));
    let generate = run_step("generate", tree, plugin_env);
    assert_eq!(
        generate.status.code(),
        Some(0),
        "generate: {}",
        text(&generate.stderr)
    );
    text(&generate.stdout)
}

#[test]
fn the_plugin_generates_a_config_map_of_the_standalone_file() {
    let tree = good_tree();
    let (app, env) = application_environment();
    assert_eq!(
        env,
        [(
            "ARGOCD_ENV_GWLINT_ENGINE".to_owned(),
            "standalone".to_owned()
        )]
    );
    let stdout = generate(tree.path(), &env);
    let manifests = documents(&stdout);
    assert_eq!(manifests.len(), 1, "{stdout}");
    let config_map = &manifests[0];
    assert_eq!(config_map["apiVersion"], "v1");
    assert_eq!(config_map["kind"], "ConfigMap");
    assert_eq!(
        config_map["metadata"]["name"],
        format!("{app}-apisix").as_str()
    );
    assert_eq!(config_map["metadata"].get("namespace"), None);
    let file = config_map["data"]["apisix.yaml"].as_str().unwrap();
    assert_eq!(file, rendered(tree.path(), "standalone"));
    assert!(file.ends_with("#END\n"));
}

#[test]
fn the_plugin_generates_a_config_map_and_a_sync_job_for_adc() {
    let tree = good_tree();
    let (app, _) = application_environment();
    let env = [
        ("ARGOCD_ENV_GWLINT_ENGINE".to_owned(), "adc".to_owned()),
        (
            "ARGOCD_ENV_GWLINT_SECRET".to_owned(),
            "gateway-adc-token".to_owned(),
        ),
        (
            "ARGOCD_ENV_GWLINT_ADC_IMAGE".to_owned(),
            "registry.example.com/adc:0.28.0".to_owned(),
        ),
    ];
    let stdout = generate(tree.path(), &env);
    let manifests = documents(&stdout);
    let kinds: Vec<(&str, &str)> = manifests
        .iter()
        .map(|m| {
            (
                m["kind"].as_str().unwrap(),
                m["metadata"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    let (bundle, job) = (format!("{app}-adc"), format!("{app}-adc-sync"));
    assert_eq!(
        kinds,
        [("ConfigMap", bundle.as_str()), ("Job", job.as_str())]
    );
    assert_eq!(
        manifests[0]["data"]["adc.yaml"].as_str().unwrap(),
        rendered(tree.path(), "adc")
    );
    assert_eq!(
        manifests[0]["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"],
        "-1"
    );
    let job = &manifests[1];
    assert_eq!(
        job["metadata"]["annotations"]["argocd.argoproj.io/hook"],
        "Sync"
    );
    let container = &job["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["image"], "registry.example.com/adc:0.28.0");
    assert_eq!(
        container["args"],
        serde_json::json!(["sync", "-f", "/etc/adc/adc.yaml"])
    );
    assert_eq!(
        container["env"],
        serde_json::json!([
            {"name": "ADC_BACKEND", "value": "apisix"},
            {"name": "ADC_SERVER", "value": "http://apisix-admin.apisix.svc:9180"},
            {"name": "ADC_TLS_SKIP_VERIFY", "value": "true"},
        ])
    );
    assert_eq!(
        container["envFrom"],
        serde_json::json!([{"secretRef": {"name": "gateway-adc-token"}}])
    );
    assert_eq!(
        job["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"],
        bundle.as_str()
    );
}

#[test]
fn a_failing_finding_fails_init_with_the_findings_as_the_message() {
    let tree = bad_tree();
    let (_, env) = application_environment();
    let init = run_step("init", tree.path(), &env);
    let stderr = text(&init.stderr);
    assert_eq!(init.status.code(), Some(1), "{stderr}");
    assert!(text(&init.stdout).is_empty(), "the report goes to stderr");
    assert!(stderr.contains("schema/unknown-plugin"), "{stderr}");
    assert!(stderr.contains("routes.yaml:7:11"), "{stderr}");
    // generate refuses too, and prints no manifest.
    let generate = run_step("generate", tree.path(), &env);
    assert_eq!(generate.status.code(), Some(1));
    assert!(text(&generate.stdout).is_empty());
    assert!(
        text(&generate.stderr).contains("refusing to render"),
        "{}",
        text(&generate.stderr)
    );
}

#[test]
fn argocd_validators_are_there_when_required() {
    if std::env::var("GWLINT_REQUIRE_ARGOCD_VALIDATORS").as_deref() == Ok("1") {
        assert!(
            option_env!("GWLINT_KUBERNETES_VALIDATE_PROGRAM").is_some(),
            "GWLINT_REQUIRE_ARGOCD_VALIDATORS=1 but kubernetes-validate was not found when the tests were built: set GWLINT_KUBERNETES_VALIDATE"
        );
        assert!(
            option_env!("GWLINT_NODE_MODULES_DIR").is_some(),
            "GWLINT_REQUIRE_ARGOCD_VALIDATORS=1 but no node_modules with @kubernetes-models/argo-cd and js-yaml (and node) were found when the tests were built: set GWLINT_NODE_MODULES"
        );
    }
}

/// Run `kubernetes-validate --strict` on `files`.
#[cfg(gwlint_has_kubernetes_validate)]
fn kubernetes_validate(files: &[std::path::PathBuf]) -> Output {
    Command::new(env!("GWLINT_KUBERNETES_VALIDATE_PROGRAM"))
        .arg("--strict")
        .args(files)
        .output()
        .unwrap()
}

#[test]
#[cfg_attr(
    not(gwlint_has_kubernetes_validate),
    ignore = "needs kubernetes-validate (PyPI): set GWLINT_KUBERNETES_VALIDATE or put it on PATH, then rebuild"
)]
fn generated_manifests_pass_kubernetes_validate() {
    #[cfg(gwlint_has_kubernetes_validate)]
    {
        let tree = good_tree();
        let out = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for engine in ["standalone", "adc"] {
            let env = [("ARGOCD_ENV_GWLINT_ENGINE".to_owned(), engine.to_owned())];
            let file = out.path().join(format!("{engine}.yaml"));
            std::fs::write(&file, generate(tree.path(), &env)).unwrap();
            files.push(file);
        }
        let output = kubernetes_validate(&files);
        let said = format!("{}{}", text(&output.stdout), text(&output.stderr));
        assert!(output.status.success(), "{said}");
        for resource in [
            "configmap/gateway-production-apisix",
            "configmap/gateway-production-adc",
            "job/gateway-production-adc-sync",
        ] {
            assert!(
                said.contains(&format!("passed for resource {resource}")),
                "{said}"
            );
        }
        // The validator can fail: a Job with a field Kubernetes does not have.
        let broken = out.path().join("broken.yaml");
        let adc = std::fs::read_to_string(&files[1]).unwrap();
        std::fs::write(&broken, adc.replace("backoffLimit:", "backofLimit:")).unwrap();
        assert!(!kubernetes_validate(&[broken]).status.success());
    }
}

/// Run `tools/argocd-models.mjs` on `files`.
#[cfg(gwlint_has_argocd_models)]
fn argocd_models(files: &[std::path::PathBuf]) -> Output {
    Command::new(env!("GWLINT_NODE_PROGRAM"))
        .arg(root().join("tools/argocd-models.mjs"))
        .args(files)
        .env("GWLINT_NODE_MODULES", env!("GWLINT_NODE_MODULES_DIR"))
        .output()
        .unwrap()
}

#[test]
#[cfg_attr(
    not(gwlint_has_argocd_models),
    ignore = "needs node and @kubernetes-models/argo-cd + js-yaml (npm): set GWLINT_NODE_MODULES to their node_modules, then rebuild"
)]
fn the_plugin_and_the_application_pass_argo_cd_s_models() {
    #[cfg(gwlint_has_argocd_models)]
    {
        let files = [
            root().join("argocd/plugin.yaml"),
            root().join("argocd/application.yaml"),
        ];
        let output = argocd_models(&files);
        let stdout = text(&output.stdout);
        assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
        assert_eq!(
            stdout,
            format!(
                "ok {} ConfigManagementPlugin gwlint\nok {} Application gateway-production\n",
                files[0].display(),
                files[1].display()
            )
        );
        // The models can fail: an Application without a destination, and one that
        // names another plugin.
        let dir = tempfile::tempdir().unwrap();
        let application = std::fs::read_to_string(&files[1]).unwrap();
        for (from, to, said) in [
            (
                "  destination:\n",
                "  destinatio:\n",
                "must have required property destination",
            ),
            (
                "name: gwlint\n",
                "name: gwlint-v2\n",
                "plugin `gwlint-v2` is not the name of a plugin given",
            ),
        ] {
            let broken = dir.path().join("broken.yaml");
            std::fs::write(&broken, application.replace(from, to)).unwrap();
            let output = argocd_models(&[files[0].clone(), broken]);
            assert!(!output.status.success());
            assert!(
                text(&output.stderr).contains(said),
                "{}",
                text(&output.stderr)
            );
        }
    }
}
