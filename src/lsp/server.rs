//! The message loop: the LSP handshake, document notifications, requests (each run
//! under `catch_unwind`, so a panic in one handler becomes an error response and the
//! server goes on), and the check worker thread that debounces edits, drops stale
//! checks and publishes diagnostics.

use super::diagnostics::{diagnostic, Engine, Projects, Published};
use super::documents::{path_to_uri, uri_to_path, Documents};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    notification, request, CodeActionKind, CodeActionProviderCapability, CompletionOptions,
    HoverProviderCapability, InitializeParams, LogMessageParams, MessageType,
    PublishDiagnosticsParams, SaveOptions, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
};
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The request a test can send to make a handler panic, answered only when
/// `GWLINT_LSP_TEST_PANIC=1` is set in the server's environment.
pub const TEST_PANIC_REQUEST: &str = "gwlint/testPanic";

/// A comment that makes the check of its document panic, when
/// `GWLINT_LSP_TEST_PANIC=1` is set (the tests of panic isolation).
pub const TEST_PANIC_MARK: &str = "# gwlint-lsp-test-panic";

/// Whether the test-only panics are enabled.
fn test_panics() -> bool {
    std::env::var("GWLINT_LSP_TEST_PANIC").as_deref() == Ok("1")
}

/// Settings of a server.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// How long a burst of edits must pause before the check worker checks (an edit
    /// that follows a quiet spell of this length is checked at once).
    pub debounce: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            debounce: Duration::from_millis(50),
        }
    }
}

/// What the request handlers share with the worker.
#[derive(Debug)]
pub struct State {
    /// The open documents.
    pub documents: Documents,
    /// The projects (config, compiled schemas and policies).
    pub projects: Arc<Projects>,
    /// The diagnostics last published, by file.
    pub published: Arc<Mutex<HashMap<PathBuf, Vec<Published>>>>,
}

/// A file to check with the open documents' text of that moment.
struct Job {
    generation: u64,
    path: PathBuf,
    overlay: HashMap<PathBuf, Arc<String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The server's capabilities.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                will_save: None,
                will_save_wait_until: None,
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
            },
        )),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![":".into(), "\"".into(), " ".into()]),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(
            lsp_types::CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                ..lsp_types::CodeActionOptions::default()
            },
        )),
        ..ServerCapabilities::default()
    }
}

/// Serve one client on `connection` until it shuts down.
///
/// # Errors
/// A protocol error (the client broke the handshake or the connection).
pub fn serve(connection: &Connection, mut options: Options) -> Result<Ended, String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    if let Some(ms) = params
        .initialization_options
        .as_ref()
        .and_then(|o| o.get("debounceMs"))
        .and_then(serde_json::Value::as_u64)
    {
        options.debounce = Duration::from_millis(ms);
    }
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": {"name": "gwlint", "version": env!("CARGO_PKG_VERSION")},
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let mut state = State {
        documents: Documents::default(),
        projects: Arc::new(Projects::default()),
        published: Arc::new(Mutex::new(HashMap::new())),
    };
    let generation = Arc::new(Mutex::new(0_u64));
    let (jobs, receiver) = mpsc::channel::<Job>();
    let worker = {
        let sender = connection.sender.clone();
        let generation = generation.clone();
        let projects = state.projects.clone();
        let published = state.published.clone();
        std::thread::Builder::new()
            .name("gwlint-lsp-check".into())
            .spawn(move || {
                Worker {
                    receiver,
                    sender,
                    generation,
                    published,
                    engine: Engine::new(projects.clone()),
                    projects,
                    debounce: options.debounce,
                    sent: HashMap::new(),
                }
                .run();
            })
            .map_err(|e| format!("cannot start the check thread: {e}"))?
    };
    let mut ended = Ended::Disconnected;
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection
                    .handle_shutdown(&request)
                    .map_err(|e| e.to_string())?
                {
                    ended = Ended::Shutdown;
                    break;
                }
                let response = answer(&state, request);
                let _ = connection.sender.send(Message::Response(response));
            }
            Message::Notification(note) => {
                let edited = on_notification(&mut state, &connection.sender, note);
                if let Some(path) = edited {
                    let mut current = lock(&generation);
                    *current += 1;
                    let _ = jobs.send(Job {
                        generation: *current,
                        path,
                        overlay: state.documents.overlay(),
                    });
                }
            }
            Message::Response(_) => {}
        }
    }
    drop(jobs);
    let _ = worker.join();
    Ok(ended)
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The client asked for `shutdown`, then `exit`: exit code 0.
    Shutdown,
    /// The connection closed without a shutdown (the editor went away): exit code 1,
    /// as the protocol asks of an exit without shutdown.
    Disconnected,
}

/// Send a `window/logMessage`.
pub fn log(sender: &crossbeam_channel::Sender<Message>, kind: MessageType, message: String) {
    let _ = sender.send(Message::Notification(Notification::new(
        notification::LogMessage::METHOD.to_owned(),
        LogMessageParams { typ: kind, message },
    )));
}

/// Handle a notification; returns the file to check when a document changed.
fn on_notification(
    state: &mut State,
    sender: &crossbeam_channel::Sender<Message>,
    note: Notification,
) -> Option<PathBuf> {
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| match note.method.as_str() {
        notification::DidOpenTextDocument::METHOD => {
            let params: lsp_types::DidOpenTextDocumentParams =
                serde_json::from_value(note.params).ok()?;
            let doc = params.text_document;
            let path = uri_to_path(&doc.uri)?;
            state
                .documents
                .set(path.clone(), doc.uri, doc.text, doc.version);
            Some(path)
        }
        notification::DidChangeTextDocument::METHOD => {
            let params: lsp_types::DidChangeTextDocumentParams =
                serde_json::from_value(note.params).ok()?;
            let path = uri_to_path(&params.text_document.uri)?;
            // Full synchronisation: the last change holds the whole text.
            let text = params.content_changes.into_iter().last()?.text;
            state.documents.set(
                path.clone(),
                params.text_document.uri,
                text,
                params.text_document.version,
            );
            Some(path)
        }
        notification::DidSaveTextDocument::METHOD => {
            let params: lsp_types::DidSaveTextDocumentParams =
                serde_json::from_value(note.params).ok()?;
            uri_to_path(&params.text_document.uri)
        }
        notification::DidCloseTextDocument::METHOD => {
            let params: lsp_types::DidCloseTextDocumentParams =
                serde_json::from_value(note.params).ok()?;
            let path = uri_to_path(&params.text_document.uri)?;
            state.documents.close(&path);
            Some(path)
        }
        _ => None,
    }));
    match outcome {
        Ok(path) => path.filter(|p| is_config_file(p)),
        Err(panic) => {
            log(
                sender,
                MessageType::ERROR,
                format!(
                    "gwlint lsp: a notification handler failed: {}",
                    panic_text(&*panic)
                ),
            );
            None
        }
    }
}

/// Whether a path is a YAML or JSON file (the files gwlint checks).
fn is_config_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["yaml", "yml", "json"].contains(&e.to_ascii_lowercase().as_str()))
}

/// The message of a panic payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// Answer a request; a panic in its handler becomes an internal-error response.
fn answer(state: &State, request: Request) -> Response {
    let id = request.id.clone();
    let method = request.method.clone();
    match std::panic::catch_unwind(AssertUnwindSafe(|| dispatch(state, request))) {
        Ok(response) => response,
        Err(panic) => Response::new_err(
            id,
            ErrorCode::InternalError as i32,
            format!(
                "gwlint lsp: the handler of {method} failed ({}); the server goes on",
                panic_text(&*panic)
            ),
        ),
    }
}

fn dispatch(state: &State, request: Request) -> Response {
    let id = request.id.clone();
    let ok = |value: serde_json::Value| Response::new_ok(id.clone(), value);
    let invalid = |e: serde_json::Error| {
        Response::new_err(
            id.clone(),
            ErrorCode::InvalidParams as i32,
            format!("invalid parameters: {e}"),
        )
    };
    match request.method.as_str() {
        request::Completion::METHOD => {
            match serde_json::from_value::<lsp_types::CompletionParams>(request.params) {
                Ok(params) => ok(
                    serde_json::to_value(super::completion::complete(state, &params))
                        .unwrap_or_default(),
                ),
                Err(e) => invalid(e),
            }
        }
        request::HoverRequest::METHOD => {
            match serde_json::from_value::<lsp_types::HoverParams>(request.params) {
                Ok(params) => {
                    ok(serde_json::to_value(super::hover::hover(state, &params))
                        .unwrap_or_default())
                }
                Err(e) => invalid(e),
            }
        }
        request::CodeActionRequest::METHOD => {
            match serde_json::from_value::<lsp_types::CodeActionParams>(request.params) {
                Ok(params) => ok(
                    serde_json::to_value(super::actions::actions(state, &params))
                        .unwrap_or_default(),
                ),
                Err(e) => invalid(e),
            }
        }
        TEST_PANIC_REQUEST if test_panics() => {
            panic!("test panic requested with {TEST_PANIC_REQUEST}")
        }
        _ => Response::new_err(
            id.clone(),
            ErrorCode::MethodNotFound as i32,
            format!("gwlint lsp does not handle {}", request.method),
        ),
    }
}

/// The check thread: checks an edit that follows a quiet spell at once and waits
/// for a pause of `debounce` in a burst of edits, checks the edited files'
/// environments, and publishes the diagnostics of a check only if no newer edit came
/// in meanwhile (a newer edit also stops a running check between its stages).
struct Worker {
    receiver: Receiver<Job>,
    sender: crossbeam_channel::Sender<Message>,
    generation: Arc<Mutex<u64>>,
    published: Arc<Mutex<HashMap<PathBuf, Vec<Published>>>>,
    engine: Engine,
    projects: Arc<Projects>,
    debounce: Duration,
    /// The diagnostics last sent for each file (absent: none).
    sent: HashMap<PathBuf, Vec<lsp_types::Diagnostic>>,
}

/// The edits not yet checked.
#[derive(Default)]
struct Pending {
    paths: Vec<PathBuf>,
    overlay: HashMap<PathBuf, Arc<String>>,
    generation: u64,
}

impl Pending {
    fn absorb(&mut self, job: Job) {
        if !self.paths.contains(&job.path) {
            self.paths.push(job.path);
        }
        self.overlay = job.overlay;
        self.generation = job.generation;
    }
}

impl Worker {
    fn run(mut self) {
        let mut pending = Pending::default();
        // When the last edit came in: an edit after a quiet `debounce` is checked at
        // once (the leading edge), edits closer together wait for a pause.
        let mut last_edit: Option<Instant> = None;
        loop {
            let mut wait = true;
            if pending.paths.is_empty() {
                match self.receiver.recv() {
                    Ok(job) => {
                        wait = last_edit.is_some_and(|t| t.elapsed() < self.debounce);
                        last_edit = Some(Instant::now());
                        pending.absorb(job);
                    }
                    Err(_) => return,
                }
                // Edits already queued belong to the same burst.
                while let Ok(job) = self.receiver.try_recv() {
                    last_edit = Some(Instant::now());
                    pending.absorb(job);
                }
            }
            // Debounce: wait until no edit has come for `debounce`.
            while wait {
                match self.receiver.recv_timeout(self.debounce) {
                    Ok(job) => {
                        last_edit = Some(Instant::now());
                        pending.absorb(job);
                    }
                    Err(RecvTimeoutError::Timeout) => wait = false,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            while let Some(path) = pending.paths.first().cloned() {
                if !self.check_one(&path, &mut pending) {
                    break;
                }
                if let Ok(job) = self.receiver.try_recv() {
                    last_edit = Some(Instant::now());
                    pending.absorb(job);
                    break;
                }
            }
        }
    }

    /// Check `path`'s environment and publish; false when a newer edit made the
    /// check stale (it stays pending).
    fn check_one(&mut self, path: &Path, pending: &mut Pending) -> bool {
        let current = pending.generation;
        let generation = self.generation.clone();
        let cancelled = move || *lock(&generation) != current;
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            if test_panics()
                && pending
                    .overlay
                    .get(path)
                    .is_some_and(|t| t.contains(TEST_PANIC_MARK))
            {
                panic!("test panic requested with {TEST_PANIC_MARK}");
            }
            self.engine.check(path, &pending.overlay, &cancelled)
        }));
        match outcome {
            Ok(Ok(Some(checked))) => {
                // Publish under the generation lock: no edit can be registered between
                // the staleness check and the notifications.
                let latest = lock(&self.generation);
                if *latest != current {
                    return false;
                }
                let mut store = lock(&self.published);
                for (file, list) in checked.files {
                    pending.paths.retain(|p| *p != file);
                    let diagnostics: Vec<lsp_types::Diagnostic> =
                        list.iter().map(diagnostic).collect();
                    // Only what changed is sent (an environment of 500 files with
                    // findings in a few sends a few notifications per edit), and always
                    // the edited file's, so its client knows it was checked.
                    let before = self.sent.get(&file).map_or(&[][..], Vec::as_slice);
                    if before != diagnostics.as_slice() || file.as_path() == path {
                        if let Some(uri) = path_to_uri(&file) {
                            let params = PublishDiagnosticsParams {
                                uri,
                                diagnostics: diagnostics.clone(),
                                version: None,
                            };
                            let _ = self.sender.send(Message::Notification(Notification::new(
                                notification::PublishDiagnostics::METHOD.to_owned(),
                                params,
                            )));
                        }
                        if diagnostics.is_empty() {
                            self.sent.remove(&file);
                        } else {
                            self.sent.insert(file.clone(), diagnostics);
                        }
                    }
                    if list.is_empty() {
                        store.remove(&file);
                    } else {
                        store.insert(file, list);
                    }
                }
                pending.paths.retain(|p| p != path);
                true
            }
            Ok(Ok(None)) => {
                if cancelled() {
                    return false;
                }
                pending.paths.retain(|p| p != path);
                true
            }
            Ok(Err(error)) => {
                log(
                    &self.sender,
                    MessageType::ERROR,
                    format!("gwlint lsp: cannot check {}: {error}", path.display()),
                );
                pending.paths.retain(|p| p != path);
                true
            }
            Err(panic) => {
                log(
                    &self.sender,
                    MessageType::ERROR,
                    format!(
                        "gwlint lsp: checking {} failed ({}); its diagnostics are not updated",
                        path.display(),
                        panic_text(&*panic)
                    ),
                );
                // The cache may be half-updated: start afresh.
                self.engine = Engine::new(self.projects.clone());
                pending.paths.retain(|p| p != path);
                true
            }
        }
    }
}

/// The published diagnostics, locked.
pub fn lock_published(state: &State) -> MutexGuard<'_, HashMap<PathBuf, Vec<Published>>> {
    lock(&state.published)
}

/// The published diagnostics of `path` whose range holds `at`.
#[must_use]
pub fn published_at(state: &State, path: &Path, at: lsp_types::Position) -> Vec<Published> {
    lock(&state.published)
        .get(path)
        .map(|list| {
            list.iter()
                .filter(|p| super::position::contains(&p.range, at))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}
