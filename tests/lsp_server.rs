//! `gwlint lsp` driven in-process over an in-memory connection: diagnostics of the
//! edited file's environment with exact UTF-16 ranges, related places of duplicates,
//! stale checks never published, completion, hover, code actions, empty answers for
//! unknown documents, and a handler's panic that leaves the server serving.

use gwlint::lsp::{serve, Options};
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/lsp/staging")
        .join(name)
}

fn uri(name: &str) -> String {
    gwlint::lsp::documents::path_to_uri(&fixture(name))
        .unwrap()
        .as_str()
        .to_owned()
}

struct Client {
    connection: Connection,
    server: Option<std::thread::JoinHandle<Result<gwlint::lsp::Ended, String>>>,
    next: i32,
    notes: Vec<Notification>,
}

impl Client {
    fn start() -> Client {
        Client::start_with(Duration::from_millis(20))
    }

    fn start_with(debounce: Duration) -> Client {
        let (server, connection) = Connection::memory();
        let thread = std::thread::spawn(move || serve(&server, Options { debounce }));
        let mut client = Client {
            connection,
            server: Some(thread),
            next: 0,
            notes: Vec::new(),
        };
        let init = client.request(
            "initialize",
            json!({"capabilities": {}, "processId": null, "rootUri": null}),
        );
        assert!(init.response_result.is_ok(), "{init:?}");
        let capabilities = &init.response_result.unwrap()["capabilities"];
        assert_eq!(capabilities["hoverProvider"], json!(true));
        assert_eq!(capabilities["textDocumentSync"]["change"], json!(1));
        client.notify("initialized", json!({}));
        client
    }

    fn request(&mut self, method: &str, params: Value) -> Response {
        self.next += 1;
        let id = RequestId::from(self.next);
        self.connection
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.into(),
                params,
            )))
            .unwrap();
        loop {
            match self
                .connection
                .receiver
                .recv_timeout(Duration::from_secs(60))
                .expect("the server answers")
            {
                Message::Response(response) if response.id == id => return response,
                Message::Notification(note) => self.notes.push(note),
                _ => {}
            }
        }
    }

    fn notify(&self, method: &str, params: Value) {
        self.connection
            .sender
            .send(Message::Notification(Notification::new(
                method.into(),
                params,
            )))
            .unwrap();
    }

    fn open(&self, name: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(name), "languageId": "yaml", "version": 1, "text": text}}),
        );
    }

    fn change(&self, name: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(name), "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// Wait for diagnostics of `name` that satisfy `wanted`; every publication seen
    /// on the way is kept in `self.notes`.
    fn diagnostics(&mut self, name: &str, wanted: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let target = uri(name);
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = 0;
        loop {
            for note in &self.notes[seen..] {
                if note.method == "textDocument/publishDiagnostics"
                    && note.params["uri"] == json!(target)
                {
                    let list = note.params["diagnostics"].as_array().unwrap().clone();
                    if wanted(&list) {
                        return list;
                    }
                }
            }
            seen = self.notes.len();
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no such diagnostics for {name}: {:#?}",
                self.notes
            );
            if let Ok(Message::Notification(note)) = self.connection.receiver.recv_timeout(left) {
                self.notes.push(note);
            }
        }
    }

    /// The completion items at `line`:`character` of the document `uri`.
    fn completion(&mut self, uri: &str, line: u32, character: u32) -> Vec<Value> {
        let response = self.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        );
        response.response_result.unwrap()["items"]
            .as_array()
            .unwrap()
            .clone()
    }

    fn stop(mut self) {
        let response = self.request("shutdown", Value::Null);
        assert!(response.response_result.is_ok());
        self.notify("exit", Value::Null);
        assert_eq!(
            self.server.take().unwrap().join().unwrap(),
            Ok(gwlint::lsp::Ended::Shutdown)
        );
    }
}

/// The labels of completion items.
fn labels(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["label"].as_str().unwrap()).collect()
}

fn has_rule(list: &[Value], rule: &str) -> bool {
    list.iter().any(|d| d["code"] == json!(rule))
}

const ORDERS_BAD: &str = "services:
  - name: orders
    labels: {team: \"é😀\", owner: [1]}
    upstream:
      type: roundrobin
      nodes:
        - host: orders.svc
          port: 8080
          weight: 100
    plugins:
      limit-cont: {}
";

#[test]
fn diagnostics_have_utf16_ranges_rules_and_severities() {
    let mut client = Client::start();
    client.open("orders.yaml", ORDERS_BAD);
    let list = client.diagnostics("orders.yaml", |l| has_rule(l, "schema/unknown-plugin"));
    let label = list
        .iter()
        .find(|d| d["code"] == json!("schema/service"))
        .unwrap();
    // `[1]` follows `é` (one UTF-16 unit) and an emoji (two): character 33, not 32.
    assert_eq!(
        label["range"],
        json!({"start": {"line": 2, "character": 33}, "end": {"line": 2, "character": 36}})
    );
    assert_eq!(label["severity"], json!(1));
    assert_eq!(label["source"], json!("gwlint"));
    let plugin = list
        .iter()
        .find(|d| d["code"] == json!("schema/unknown-plugin"))
        .unwrap();
    assert_eq!(
        plugin["range"],
        json!({"start": {"line": 10, "character": 6}, "end": {"line": 10, "character": 16}})
    );
    let info = list
        .iter()
        .find(|d| d["code"] == json!("policy/upstream-needs-health-checks"))
        .unwrap();
    assert_eq!(info["severity"], json!(3));
    // The other file of the environment gets its own findings (a warning).
    let payments = client.diagnostics("payments.yaml", |l| {
        has_rule(l, "policy/route-needs-rate-limit")
    });
    let warning = payments
        .iter()
        .find(|d| d["code"] == json!("policy/route-needs-rate-limit"))
        .unwrap();
    assert_eq!(warning["severity"], json!(2));
    assert_eq!(
        warning["range"]["start"],
        json!({"line": 11, "character": 8})
    );

    // Fixing the file clears its errors.
    let fixed = ORDERS_BAD
        .replace("owner: [1]", "owner: shop")
        .replace("limit-cont", "limit-count");
    client.change(
        "orders.yaml",
        2,
        &fixed.replace("limit-count: {}", "limit-count: {count: 1, time_window: 1}"),
    );
    let list = client.diagnostics("orders.yaml", |l| !has_rule(l, "schema/unknown-plugin"));
    assert!(!has_rule(&list, "schema/service"), "{list:#?}");
    client.stop();
}

#[test]
fn duplicates_carry_related_information() {
    let mut client = Client::start();
    let payments = std::fs::read_to_string(fixture("payments.yaml")).unwrap();
    client.open(
        "payments.yaml",
        &payments.replace("name: payments", "name: orders"),
    );
    let list = client.diagnostics("payments.yaml", |l| {
        l.iter().any(|d| d["relatedInformation"].is_array())
    });
    let duplicate = list
        .iter()
        .find(|d| d["relatedInformation"].is_array())
        .unwrap();
    let related = &duplicate["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], json!(uri("orders.yaml")));
    assert_eq!(related["location"]["range"]["start"]["line"], json!(1));
    client.stop();
}

#[test]
fn a_parse_error_is_a_diagnostic_and_the_server_goes_on() {
    let mut client = Client::start();
    client.open("orders.yaml", "services:\n  - name: [unclosed\n");
    let list = client.diagnostics("orders.yaml", |l| {
        l.iter()
            .any(|d| d["code"].as_str().is_some_and(|c| c.starts_with("parse/")))
    });
    assert_eq!(list[0]["severity"], json!(1));
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri("orders.yaml")}, "position": {"line": 99, "character": 99}}),
    );
    assert_eq!(hover.response_result.ok(), Some(Value::Null));
    client.stop();
}

#[test]
fn a_newer_edit_makes_an_older_check_stale() {
    // Edits sent back to back fall in one debounce window even on a loaded machine.
    let mut client = Client::start_with(Duration::from_millis(300));
    let base = std::fs::read_to_string(fixture("orders.yaml")).unwrap();
    client.open("orders.yaml", &base);
    for version in 2..12 {
        client.change(
            "orders.yaml",
            version,
            &base.replace(
                "key-auth: {}",
                &format!("key-auth: {{}}\n      plugin-{version}: {{}}"),
            ),
        );
    }
    let list = client.diagnostics("orders.yaml", |l| {
        l.iter()
            .any(|d| d["message"].as_str().unwrap().contains("`plugin-11`"))
    });
    assert!(has_rule(&list, "schema/unknown-plugin"));
    // No publication for an intermediate text: each was stale before it was checked.
    let stale = client.notes.iter().any(|n| {
        n.params["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|d| {
                let message = d["message"].as_str().unwrap_or_default();
                (2..11).any(|v| message.contains(&format!("`plugin-{v}`")))
            })
    });
    assert!(!stale, "a stale check was published: {:#?}", client.notes);
    client.stop();
}

#[test]
fn completion_lists_plugins_fields_and_values() {
    let mut client = Client::start();
    let text = "services:\n  - name: orders\n    plugins:\n      limit-co\n";
    client.open("orders.yaml", text);
    let orders = uri("orders.yaml");
    let items = client.completion(&orders, 3, 14);
    let names = labels(&items);
    for plugin in ["limit-count", "key-auth", "proxy-rewrite", "cors"] {
        assert!(names.contains(&plugin), "{names:?}");
    }
    // Every HTTP plugin of the selected version, each once.
    let registry = gwlint::schema::plugins::PluginRegistry::builtin().unwrap();
    let http: Vec<String> = registry.iter().map(|p| p.name.clone()).collect();
    assert_eq!(names, http);
    let limit = items
        .iter()
        .find(|i| i["label"] == json!("limit-count"))
        .unwrap();
    assert_eq!(limit["kind"], json!(9));
    assert_eq!(
        limit["textEdit"]["range"],
        json!({"start": {"line": 3, "character": 6}, "end": {"line": 3, "character": 14}})
    );

    let text = "services:\n  - name: orders\n    plugins:\n      limit-count:\n        po\n";
    client.change("orders.yaml", 2, text);
    let items = client.completion(&orders, 4, 10);
    let policy = items
        .iter()
        .find(|i| i["label"] == json!("policy"))
        .unwrap();
    let docs = policy["documentation"]["value"].as_str().unwrap();
    assert_eq!(
        docs,
        "**`policy`**: `string`\n\n- default: `\"local\"`\n- one of: `\"local\"`, `\"redis\"`, `\"redis-cluster\"`, `\"redis-sentinel\"`"
    );
    assert!(items.iter().any(|i| i["label"] == json!("time_window")));

    let text = "services:\n  - name: orders\n    plugins:\n      limit-count:\n        policy: \n";
    client.change("orders.yaml", 3, text);
    let items = client.completion(&orders, 4, 16);
    let values = labels(&items);
    assert_eq!(
        values,
        ["local", "redis", "redis-cluster", "redis-sentinel"]
    );

    // Resource fields of a service, from the ADC schema.
    let text = "services:\n  - name: orders\n    ups\n";
    client.change("orders.yaml", 4, text);
    let items = client.completion(&orders, 2, 7);
    assert!(items.iter().any(|i| i["label"] == json!("upstream")));
    assert!(items.iter().any(|i| i["label"] == json!("routes")));
    client.stop();
}

#[test]
fn hover_shows_schemas_and_rule_documentation() {
    let mut client = Client::start();
    client.open("orders.yaml", ORDERS_BAD);
    client.diagnostics("orders.yaml", |l| has_rule(l, "schema/unknown-plugin"));
    let hover = |client: &mut Client, line: u32, character: u32| {
        client
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri("orders.yaml")}, "position": {"line": line, "character": character}}),
            )
            .response_result
            .unwrap()
    };
    let unknown = hover(&mut client, 10, 9);
    let text = unknown["contents"]["value"].as_str().unwrap();
    assert!(text.contains("# schema/unknown-plugin: "), "{text}");
    let text =
        "services:\n  - name: orders\n    plugins:\n      limit-count:\n        time_window: 60\n";
    client.change("orders.yaml", 2, text);
    client.diagnostics("orders.yaml", |l| !has_rule(l, "schema/unknown-plugin"));
    let plugin = hover(&mut client, 3, 9);
    let value = plugin["contents"]["value"].as_str().unwrap();
    assert!(value.contains("**plugin `limit-count`**"), "{value}");
    assert!(value.contains("`time_window`"), "{value}");
    let field = hover(&mut client, 4, 10);
    let value = field["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with("**`time_window`**: `integer | string`"),
        "{value}"
    );
    assert!(value.contains("- greater than: `0`"), "{value}");
    assert!(!value.contains("# policy/"), "{value}");
    client.stop();
}

#[test]
fn code_actions_ignore_and_apply_the_suggestion() {
    let mut client = Client::start();
    client.open("orders.yaml", ORDERS_BAD);
    client.diagnostics("orders.yaml", |l| has_rule(l, "schema/unknown-plugin"));
    let response = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri("orders.yaml")},
            "range": {"start": {"line": 10, "character": 8}, "end": {"line": 10, "character": 8}},
            "context": {"diagnostics": []}
        }),
    );
    let actions = response.response_result.unwrap();
    let actions = actions.as_array().unwrap();
    let fix = actions
        .iter()
        .find(|a| a["title"] == json!("Replace with `limit-conn`"))
        .unwrap();
    assert_eq!(
        fix["edit"]["changes"][uri("orders.yaml")],
        json!([{"range": {"start": {"line": 10, "character": 6}, "end": {"line": 10, "character": 16}}, "newText": "limit-conn"}])
    );
    let ignore = actions
        .iter()
        .find(|a| a["title"] == json!("Ignore `schema/unknown-plugin` here (gwlint-ignore)"))
        .unwrap();
    assert_eq!(
        ignore["edit"]["changes"][uri("orders.yaml")],
        json!([{"range": {"start": {"line": 10, "character": 0}, "end": {"line": 10, "character": 0}}, "newText": "      # gwlint-ignore schema/unknown-plugin: <reason>\n"}])
    );
    // The inserted comment silences the finding.
    let mut lines: Vec<&str> = ORDERS_BAD.lines().collect();
    lines.insert(
        10,
        "      # gwlint-ignore schema/unknown-plugin: a plugin of our own build",
    );
    client.change("orders.yaml", 2, &(lines.join("\n") + "\n"));
    let list = client.diagnostics("orders.yaml", |l| !has_rule(l, "schema/unknown-plugin"));
    assert!(has_rule(&list, "schema/service"));
    client.stop();
}

#[test]
fn unknown_documents_get_empty_answers() {
    let mut client = Client::start();
    let missing = "file:///nowhere/at/all.yaml";
    for method in ["textDocument/hover", "textDocument/completion"] {
        let response = client.request(
            method,
            json!({"textDocument": {"uri": missing}, "position": {"line": 0, "character": 0}}),
        );
        assert_eq!(response.response_result.ok(), Some(Value::Null), "{method}");
    }
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": missing}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}),
    );
    assert_eq!(response.response_result.ok(), Some(json!([])));
    client.stop();
}

#[test]
fn a_panicking_handler_is_answered_and_the_server_goes_on() {
    // Safe in edition 2021; only this test's server reads the variable.
    std::env::set_var("GWLINT_LSP_TEST_PANIC", "1");
    let mut client = Client::start();
    let response = client.request(gwlint::lsp::server::TEST_PANIC_REQUEST, Value::Null);
    let error = response.response_result.expect_err("an error response");
    assert!(error.message.contains("failed"), "{}", error.message);
    // A check that panics is logged; the next edit is checked.
    client.open(
        "orders.yaml",
        &format!("{}\n{ORDERS_BAD}", gwlint::lsp::server::TEST_PANIC_MARK),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while !client.notes.iter().any(|n| {
        n.method == "window/logMessage"
            && n.params["message"]
                .as_str()
                .unwrap()
                .contains("its diagnostics are not updated")
    }) {
        assert!(
            Instant::now() < deadline,
            "no log of the failed check: {:#?}",
            client.notes
        );
        if let Ok(Message::Notification(note)) = client
            .connection
            .receiver
            .recv_timeout(Duration::from_secs(1))
        {
            client.notes.push(note);
        }
    }
    assert!(!client
        .notes
        .iter()
        .any(|n| n.method == "textDocument/publishDiagnostics"));
    client.change("orders.yaml", 2, ORDERS_BAD);
    let list = client.diagnostics("orders.yaml", |l| has_rule(l, "schema/unknown-plugin"));
    assert!(!list.is_empty());
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri("orders.yaml")}, "position": {"line": 10, "character": 9}}),
    );
    assert!(hover.response_result.unwrap()["contents"]["value"].is_string());
    client.stop();
}

#[test]
fn only_the_edited_document_is_parsed_again() {
    let projects = std::sync::Arc::new(gwlint::lsp::diagnostics::Projects::default());
    let mut engine = gwlint::lsp::diagnostics::Engine::new(projects);
    let mut overlay = std::collections::HashMap::new();
    let never = || false;
    let first = engine
        .check(&fixture("orders.yaml"), &overlay, &never)
        .unwrap()
        .unwrap();
    assert_eq!(first.environment, "staging");
    assert_eq!(engine.last_parsed, 2);
    engine
        .check(&fixture("orders.yaml"), &overlay, &never)
        .unwrap()
        .unwrap();
    assert_eq!(engine.last_parsed, 0);
    overlay.insert(
        fixture("orders.yaml"),
        std::sync::Arc::new(ORDERS_BAD.to_owned()),
    );
    let checked = engine
        .check(&fixture("orders.yaml"), &overlay, &never)
        .unwrap()
        .unwrap();
    assert_eq!(engine.last_parsed, 1);
    assert!(checked.files[&fixture("orders.yaml")]
        .iter()
        .any(|p| p.finding.rule == "schema/unknown-plugin"));
    let cancelled = || true;
    overlay.insert(
        fixture("orders.yaml"),
        std::sync::Arc::new(String::from("services: []\n")),
    );
    assert!(engine
        .check(&fixture("orders.yaml"), &overlay, &cancelled)
        .unwrap()
        .is_none());
}

#[test]
fn a_json_file_without_config_is_checked_with_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gateway.json");
    let other = dir.path().join("other.json");
    std::fs::write(&other, "{\"services\": [{\"name\": \"b\"}]}\n").unwrap();
    let text = "{\"services\": [{\"name\": \"a\", \"plugins\": {\"limit-cont\": {}}}]}\n";
    std::fs::write(&file, text).unwrap();
    let uri = gwlint::lsp::documents::path_to_uri(&file)
        .unwrap()
        .as_str()
        .to_owned();
    let mut client = Client::start();
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": text}}),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let list = loop {
        assert!(
            Instant::now() < deadline,
            "no diagnostics: {:#?}",
            client.notes
        );
        if let Ok(Message::Notification(note)) = client
            .connection
            .receiver
            .recv_timeout(Duration::from_secs(1))
        {
            if note.method == "textDocument/publishDiagnostics" && note.params["uri"] == json!(uri)
            {
                break note.params["diagnostics"].as_array().unwrap().clone();
            }
            client.notes.push(note);
        }
    };
    let plugin = list
        .iter()
        .find(|d| d["code"] == json!("schema/unknown-plugin"))
        .unwrap();
    assert_eq!(
        plugin["range"],
        json!({"start": {"line": 0, "character": 40}, "end": {"line": 0, "character": 52}})
    );
    // The fix keeps the key's quotes.
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": plugin["range"], "context": {"diagnostics": []}}),
        )
        .response_result
        .unwrap();
    assert_eq!(
        actions,
        json!([{
            "title": "Replace with `limit-conn`",
            "kind": "quickfix",
            "diagnostics": [plugin],
            "edit": {"changes": {uri.clone(): [{"range": plugin["range"], "newText": "\"limit-conn\""}]}},
            "isPreferred": true
        }])
    );
    // Completion inside the quotes of a key of the plugin map.
    let items = client.completion(&uri, 0, 47);
    let labels = labels(&items);
    assert!(
        labels.contains(&"limit-count") && labels.contains(&"cors"),
        "{labels:?}"
    );
    client.stop();
}

#[test]
fn standalone_files_complete_from_the_standalone_schema() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("apisix.yaml");
    let text = "routes:\n  - uri: /a\n    upstream:\n      ty\n#END\n";
    std::fs::write(&file, text).unwrap();
    let uri = gwlint::lsp::documents::path_to_uri(&file)
        .unwrap()
        .as_str()
        .to_owned();
    let mut client = Client::start();
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
    );
    let items = client.completion(&uri, 3, 8);
    let labels = labels(&items);
    for field in ["type", "nodes", "scheme", "timeout"] {
        assert!(labels.contains(&field), "{labels:?}");
    }
    let kind = items.iter().find(|i| i["label"] == json!("type")).unwrap();
    assert_eq!(kind["kind"], json!(5));
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 5}}),
        )
        .response_result
        .unwrap();
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.starts_with("**`uri`**: `string`"), "{value}");
    client.stop();
}

/// The built binary over stdio: `messages` framed as LSP asks, then standard input
/// closed; its exit code and standard error.
fn run_binary(messages: &[Value]) -> (Option<i32>, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .arg("lsp")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for message in messages {
        let body = message.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    }
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_binary_exits_0_after_shutdown_and_1_when_the_editor_goes_away() {
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"capabilities": {}, "processId": null, "rootUri": null}});
    let initialized = json!({"jsonrpc": "2.0", "method": "initialized", "params": {}});
    let shutdown = json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null});
    let exit = json!({"jsonrpc": "2.0", "method": "exit", "params": null});
    let (code, stderr) = run_binary(&[initialize.clone(), initialized.clone(), shutdown, exit]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr, "");
    // Standard input closed without shutdown (an editor that quit, or was killed).
    let (code, stderr) = run_binary(&[initialize, initialized]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stderr,
        "gwlint lsp: the editor closed the connection without shutting the server down\n"
    );
}

#[test]
fn a_deleted_file_leaves_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.yaml");
    let b = dir.path().join("b.yaml");
    std::fs::write(&a, "services:\n  - name: a\n").unwrap();
    std::fs::write(&b, "services:\n  - name: b\n").unwrap();
    let projects = std::sync::Arc::new(gwlint::lsp::diagnostics::Projects::default());
    let mut engine = gwlint::lsp::diagnostics::Engine::new(projects);
    let overlay = std::collections::HashMap::new();
    let never = || false;
    engine.check(&a, &overlay, &never).unwrap().unwrap();
    assert_eq!((engine.last_parsed, engine.cached_files()), (2, 2));
    std::fs::remove_file(&b).unwrap();
    engine.check(&a, &overlay, &never).unwrap().unwrap();
    assert_eq!((engine.last_parsed, engine.cached_files()), (0, 1));
}
