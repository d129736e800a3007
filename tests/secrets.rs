//! No output ever prints a credential's value: every report format, and the apply
//! refusal log, are searched for the literal secrets of `fixtures/secrets`.

use assert_cmd::Command;

/// The literal secret values written in `fixtures/secrets/consumers.yaml`.
const SECRETS: &[&str] = &[
    "s3cr3t-k3y-alice-0001",
    "hunter2-p4ssw0rd-0002",
    "hm4c-s3cr3t-0003",
    "jwt-s3cr3t-0004",
    "90817263",
    "s3ss10n-s3cr3t-0005",
    // `key: 00918273` (a leading-zero number: its message would give the decimal).
    "918273",
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7PemSecretLine",
];

fn output_of(args: &[&str]) -> String {
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PATH", "/nonexistent")
        .args(args)
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn assert_no_secret(what: &str, text: &str) {
    assert!(!text.is_empty(), "{what}: no output");
    for secret in SECRETS {
        assert!(
            !text.contains(secret),
            "{what} prints the secret `{secret}`:\n{text}"
        );
    }
}

#[test]
fn no_report_format_prints_a_secret() {
    for format in ["human", "json", "sarif", "github", "junit"] {
        let text = output_of(&[
            "check",
            "fixtures/secrets",
            "--no-config",
            "--format",
            format,
            "--color",
            "always",
        ]);
        assert!(
            text.contains("plaintext-credential"),
            "{format}: the findings next to the secrets are missing"
        );
        assert_no_secret(format, &text);
        assert!(
            !text.contains("`yes` is the string"),
            "{format} quotes `password: yes`:\n{text}"
        );
        assert!(
            text.contains(
                "YAML 1.1 boolean word: this value is a secret, so it is not quoted here"
            ),
            "{format}: {text}"
        );
    }
}

#[test]
fn the_human_snippets_mask_secret_values() {
    let text = output_of(&[
        "check",
        "fixtures/secrets",
        "--no-config",
        "--color",
        "never",
    ]);
    assert!(text.contains("key: *********************"), "{text}");
}

#[test]
fn apply_logs_do_not_print_secrets() {
    let text = output_of(&["apply", "fixtures/secrets", "--no-config"]);
    assert!(text.contains("refusing to apply"), "{text}");
    assert_no_secret("apply", &text);
}

#[test]
fn inspect_masks_secret_values_unless_asked() {
    let text = output_of(&["inspect", "fixtures/secrets", "--no-config"]);
    assert!(text.contains("\"client_secret\": \"***\""), "{text}");
    assert!(text.contains("\"secret\": \"***\""), "{text}");
    // Not secrets: limit-count's `key` names a variable; references stay.
    assert!(text.contains("\"key\": \"remote_addr\""), "{text}");
    assert!(text.contains("$env://PORTAL_API_KEY"), "{text}");
    assert_no_secret("inspect", &text);
    let shown = output_of(&[
        "inspect",
        "fixtures/secrets",
        "--no-config",
        "--show-secrets",
    ]);
    // All but the key of the file that does not parse (not in the policy input).
    for secret in SECRETS.iter().filter(|s| !s.contains("PemSecretLine")) {
        assert!(shown.contains(secret), "--show-secrets hides `{secret}`");
    }
    assert!(shown.contains("\"client_secret\": 90817263"), "{shown}");
}

#[test]
fn standalone_dry_run_diff_masks_secrets_and_resolved_values() {
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join("env");
    std::fs::create_dir(&env).unwrap();
    std::fs::write(
        env.join("consumers.yaml"),
        "consumers:\n  - username: alice\n    description: owned by ${TEAM_NAME}\n    credentials:\n      - name: primary\n        type: key-auth\n        config:\n          key: l1teral-k3y-0006\n",
    )
    .unwrap();
    let out = dir.path().join("apisix.yaml");
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(dir.path())
        .env("TEAM_NAME", "t3am-from-env-0007")
        .args([
            "apply",
            "env",
            "--no-config",
            "--no-builtin-policies",
            "--engine",
            "standalone",
            "--out",
            out.to_str().unwrap(),
            "--dry-run",
        ])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("+        key: ***1"), "{text}");
    assert!(text.contains("owned by ${TEAM_NAME}"), "{text}");
    for secret in ["l1teral-k3y-0006", "t3am-from-env-0007"] {
        assert!(
            !text.contains(secret),
            "the dry run prints `{secret}`:\n{text}"
        );
    }
}
