//! `apply: {tls_skip_verify: ...}` against a real TLS server with a self-signed
//! certificate: the gateway is refused unless `tls_skip_verify: true` (or its CA is
//! given in `ca_cert_file`).
//!
//! No registry has the ADC CLI, so `adc` here is `tests/adc_tls/adc.mjs`: ADC's own
//! connection options, parsed by the option parser ADC uses (commander 15 from npm),
//! connecting as ADC's backend does, with Node's TLS, to `tests/adc_tls/server.mjs`
//! (HTTPS, `fixtures/tls/self-signed.crt`). ADC's parser turns verification off
//! whenever `ADC_TLS_SKIP_VERIFY` exists, even as `false`: the first test shows that
//! with the stand-in alone, the second that gwlint never lets it happen. `.ci/run`
//! installs commander and sets `GWLINT_REQUIRE_ADC_COMMANDER=1`; elsewhere, without
//! node and commander, these tests are reported as ignored.

mod common;

#[test]
fn adc_s_option_parser_is_there_when_required() {
    if std::env::var("GWLINT_REQUIRE_ADC_COMMANDER").as_deref() == Ok("1") {
        assert!(
            option_env!("GWLINT_COMMANDER_MODULES_DIR").is_some(),
            "GWLINT_REQUIRE_ADC_COMMANDER=1 but no node_modules with commander (and node) were found when the tests were built: set GWLINT_NODE_MODULES"
        );
    }
}

#[cfg(gwlint_has_adc_commander)]
mod with_node {
    use super::common::StandIn;
    use std::io::{BufRead, BufReader};
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Output, Stdio};

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    /// The HTTPS server, stopped (its standard input closed) when dropped.
    pub struct Server {
        child: Child,
        pub port: u16,
    }

    impl Server {
        pub fn start() -> Server {
            let tls = root().join("fixtures/tls");
            let mut child = Command::new(env!("GWLINT_COMMANDER_NODE"))
                .arg(root().join("tests/adc_tls/server.mjs"))
                .arg(tls.join("self-signed.crt"))
                .arg(tls.join("self-signed.key"))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut line = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut line)
                .unwrap();
            let port = line.trim().parse().expect("the server prints its port");
            Server { child, port }
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            drop(self.child.stdin.take());
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// `adc` on PATH: the Node stand-in.
    pub fn adc() -> StandIn {
        StandIn::new(&format!(
            "#!/bin/sh\nexec '{}' '{}' \"$@\"\n",
            env!("GWLINT_COMMANDER_NODE"),
            root().join("tests/adc_tls/adc.mjs").display()
        ))
    }

    /// A folder with a `.gwlint.yaml` for `fixtures/example/production` whose `apply:`
    /// points at the server, plus `settings`, and the server's certificate in
    /// `certs/gateway.crt`.
    pub fn config(server: &Server, settings: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("certs")).unwrap();
        std::fs::copy(
            root().join("fixtures/tls/self-signed.crt"),
            dir.path().join("certs/gateway.crt"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join(".gwlint.yaml"),
            format!(
                "environments:\n  production: {}\napply:\n  server: https://127.0.0.1:{}\n{settings}",
                root().join("fixtures/example/production").display(),
                server.port
            ),
        )
        .unwrap();
        dir
    }

    /// `gwlint apply production --dry-run` with `config`, run from `cwd` with the
    /// config named relative to it; `skip` is the shell's `ADC_TLS_SKIP_VERIFY`.
    pub fn apply(adc: &StandIn, cwd: &Path, config: &str, skip: Option<&str>) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gwlint"));
        command
            .current_dir(cwd)
            .args(["apply", "production", "--dry-run", "--config", config])
            .env("PATH", adc.path())
            .env("GWLINT_NODE_MODULES", env!("GWLINT_COMMANDER_MODULES_DIR"))
            .env("ADC_TOKEN", "admin-token")
            .env("NO_COLOR", "1");
        match skip {
            Some(value) => command.env("ADC_TLS_SKIP_VERIFY", value),
            None => command.env_remove("ADC_TLS_SKIP_VERIFY"),
        };
        command.output().unwrap()
    }

    pub fn said(output: &Output) -> String {
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    }
}

#[test]
#[cfg_attr(
    not(gwlint_has_adc_commander),
    ignore = "needs node and commander (npm): set GWLINT_NODE_MODULES to a node_modules holding commander, then rebuild"
)]
fn adc_s_parser_skips_verification_whenever_the_variable_exists() {
    #[cfg(gwlint_has_adc_commander)]
    {
        use with_node::{adc, Server};
        let server = Server::start();
        let adc = adc();
        let work = tempfile::tempdir().unwrap();
        std::fs::write(work.path().join("bundle.yaml"), "{}\n").unwrap();
        let run = |skip: Option<&str>| {
            let mut command = std::process::Command::new(adc.dir.path().join("bin/adc"));
            command
                .current_dir(work.path())
                .args(["diff", "-f", "bundle.yaml"])
                .env("GWLINT_NODE_MODULES", env!("GWLINT_COMMANDER_MODULES_DIR"))
                .env("ADC_SERVER", format!("https://127.0.0.1:{}", server.port))
                .env_remove("ADC_TLS_SKIP_VERIFY")
                .env_remove("ADC_CA_CERT_FILE");
            if let Some(value) = skip {
                command.env("ADC_TLS_SKIP_VERIFY", value);
            }
            command.output().unwrap()
        };
        let refused = run(None);
        assert!(!refused.status.success());
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("self-signed certificate"),
            "{}",
            with_node::said(&refused)
        );
        // What gwlint once passed for `tls_skip_verify: false`: verification is off.
        for value in ["false", "0", ""] {
            let accepted = run(Some(value));
            assert!(
                accepted.status.success(),
                "ADC_TLS_SKIP_VERIFY={value:?}: {}",
                with_node::said(&accepted)
            );
        }
    }
}

#[test]
#[cfg_attr(
    not(gwlint_has_adc_commander),
    ignore = "needs node and commander (npm): set GWLINT_NODE_MODULES to a node_modules holding commander, then rebuild"
)]
fn a_self_signed_gateway_is_refused_unless_tls_skip_verify_is_true() {
    #[cfg(gwlint_has_adc_commander)]
    {
        use with_node::{adc, apply, config, said, Server};
        let server = Server::start();
        let adc = adc();
        for (settings, inherited) in [
            ("  tls_skip_verify: false\n", None),
            // An ADC_TLS_SKIP_VERIFY of the shell is not passed on.
            ("  tls_skip_verify: false\n", Some("false")),
            ("", Some("true")),
        ] {
            let dir = config(&server, settings);
            let output = apply(&adc, dir.path(), ".gwlint.yaml", inherited);
            let said = said(&output);
            assert_eq!(
                output.status.code(),
                Some(1),
                "{settings} {inherited:?}: {said}"
            );
            assert!(
                said.contains("DEPTH_ZERO_SELF_SIGNED_CERT self-signed certificate"),
                "{said}"
            );
            assert!(
                said.contains("gwlint: adc diff failed (adc exited with 1)"),
                "{said}"
            );
            assert!(said.contains("tlsSkipVerify=false"), "{said}");
        }
        // tls_skip_verify: true connects.
        let dir = config(&server, "  tls_skip_verify: true\n");
        let output = apply(&adc, dir.path(), ".gwlint.yaml", None);
        let said_true = said(&output);
        assert_eq!(output.status.code(), Some(0), "{said_true}");
        assert!(said_true.contains("tlsSkipVerify=true"), "{said_true}");
        assert!(
            said_true.contains("adc diff: the gateway answered 200"),
            "{said_true}"
        );
        assert!(
            said_true.contains("gwlint: plan: 0 create, 0 update, 0 delete"),
            "{said_true}"
        );
        // So does verifying against the gateway's own certificate, named relative to a
        // config file given by a relative path.
        let dir = config(&server, "  ca_cert_file: certs/gateway.crt\n");
        let output = apply(
            &adc,
            dir.path().parent().unwrap(),
            &format!(
                "{}/.gwlint.yaml",
                dir.path().file_name().unwrap().to_string_lossy()
            ),
            None,
        );
        let said_ca = said(&output);
        assert_eq!(output.status.code(), Some(0), "{said_ca}");
        assert!(said_ca.contains("tlsSkipVerify=false"), "{said_ca}");
        assert!(said_ca.contains("the gateway answered 200"), "{said_ca}");
    }
}
