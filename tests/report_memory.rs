//! Reports of many findings are streamed: writing one needs memory for a list of
//! references to the findings and for the few hundred findings being rendered
//! (`report::chunked::IN_FLIGHT`), not a document of the whole report (a `serde_json::Value` of 20,000 findings is tens of
//! megabytes). Findings share their rule, help and environment texts.
//!
//! A counting allocator measures the most memory held at once while each format is
//! written to a sink. This test binary runs its tests one at a time (a lock), so the
//! count is the report's own.

use gwlint::check::{EnvironmentReport, Outcome};
use gwlint::finding::{Finding, Location, Severity, Text};
use gwlint::report::chunked::IN_FLIGHT;
use gwlint::report::{self, HumanStyle, OutputFormat};
use gwlint::source::{Position, SourceFile, Span};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static SERIAL: Mutex<()> = Mutex::new(());

// SAFETY: every call is passed on to the system allocator unchanged; the counters
// only observe the sizes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let held = HELD.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(held, Ordering::Relaxed);
        // SAFETY: as the caller's contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as the caller's contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const FINDINGS: usize = 20_000;
const PER_FILE: usize = 20;

/// The files of the outcome, each with `PER_FILE` routes.
fn sources() -> Vec<Arc<SourceFile>> {
    (0..FINDINGS / PER_FILE)
        .map(|file| {
            let text = "routes:\n".to_owned() + &"  - name: r\n".repeat(PER_FILE);
            Arc::new(SourceFile::new(format!("svc-{file:05}.yaml").into(), text))
        })
        .collect()
}

/// `FINDINGS` findings, one per route, like the first run on a tree whose routes have
/// no timeout.
fn findings(sources: &[Arc<SourceFile>]) -> Vec<Finding> {
    let environment = Text::from("production");
    let rule = Text::from("policy/route-needs-timeout");
    let help =
        Text::from("set `timeout` (`connect`, `send`, `read`) on the route or on its upstream");
    let mut findings = Vec::with_capacity(FINDINGS);
    for (file, source) in sources.iter().enumerate() {
        for route in 0..PER_FILE {
            let line = route as u32 + 2;
            let mut finding = Finding::new(
                rule.clone(),
                Severity::Info,
                format!(
                    "route `r-{file}-{route}` has no timeout, and neither has its upstream: \
                     APISIX waits 60 s per phase"
                ),
                help.clone(),
                Location {
                    source: source.clone(),
                    span: Span::new(
                        Position {
                            offset: 0,
                            line,
                            column: 5,
                        },
                        Position {
                            offset: 0,
                            line,
                            column: 12,
                        },
                    ),
                    pointer: format!("/routes/{route}/timeout"),
                },
            );
            finding.environment = Some(environment.clone());
            findings.push(finding);
        }
    }
    findings
}

/// An outcome of one environment with `FINDINGS` findings in its files.
fn outcome() -> Outcome {
    let sources = sources();
    let mut model = gwlint::model::Environment {
        name: "production".into(),
        ..Default::default()
    };
    model.files = sources.iter().map(|s| s.display.clone()).collect();
    Outcome {
        environments: vec![EnvironmentReport {
            name: "production".into(),
            model,
            findings: findings(&sources),
            files: sources.len(),
            suppressed: Vec::new(),
            checked: Vec::new(),
            policy_timings: Vec::new(),
        }],
        ..Outcome::default()
    }
}

/// The most memory held at once while `format` is written, above what was held
/// before, and the size of the report.
fn peak_while_writing(outcome: &Outcome, format: OutputFormat) -> (usize, usize) {
    struct Counted(usize);
    impl std::io::Write for Counted {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Counted(0);
    let before = HELD.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    report::write(outcome, format, HumanStyle::default(), &[], &mut out).unwrap();
    (PEAK.load(Ordering::Relaxed) - before, out.0)
}

#[test]
fn every_format_writes_many_findings_in_little_memory() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let outcome = outcome();
    assert_eq!(outcome.findings().len(), FINDINGS);
    for format in [
        OutputFormat::Json,
        OutputFormat::Sarif,
        OutputFormat::Github,
        OutputFormat::Junit,
        OutputFormat::Human,
    ] {
        let (peak, written) = peak_while_writing(&outcome, format);
        // Every format but the human one (which counts infos without showing them)
        // writes each finding: several megabytes.
        assert!(
            written > 3_000_000 || format == OutputFormat::Human,
            "{format:?}: {written} bytes"
        );
        // The sorted list of references (8 bytes a finding), JUnit's grouping by file
        // (another), a few kilobytes, and the bytes of the findings rendered but not
        // yet written: at most `IN_FLIGHT` findings (a few hundred, however many the
        // report has), in buffers up to twice the size of their contents. A document
        // of the whole report would take more than the report's size.
        let per_finding = written / FINDINGS + 1;
        let allowed = 2 * 8 * FINDINGS + 64 * 1024 + 2 * IN_FLIGHT * per_finding;
        const { assert!(IN_FLIGHT * 10 <= FINDINGS) };
        assert!(
            peak <= allowed,
            "{format:?} held {peak} bytes at once for a report of {written} bytes (allowed {allowed})"
        );
    }
}

#[test]
fn findings_share_their_rule_help_and_environment() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let sources = sources();
    let before = HELD.load(Ordering::Relaxed);
    let findings = findings(&sources);
    let held = HELD.load(Ordering::Relaxed) - before;
    let first = &findings[0];
    for finding in &findings {
        assert!(std::ptr::eq(finding.rule.as_str(), first.rule.as_str()));
        assert!(std::ptr::eq(finding.help.as_str(), first.help.as_str()));
        assert!(std::ptr::eq(
            finding.environment.as_deref().unwrap(),
            first.environment.as_deref().unwrap()
        ));
    }
    // Besides the list, each finding holds its message and pointer, and nothing
    // else: the shared texts were made once (three small allocations in all). A few
    // kilobytes are left for whatever the test harness allocates meanwhile, less than
    // a byte per finding.
    let own: usize = findings
        .iter()
        .map(|f| f.message.capacity() + f.location.pointer.capacity())
        .sum();
    let list = FINDINGS * std::mem::size_of::<Finding>();
    let shared = "production".len() + "policy/route-needs-timeout".len() + first.help.len();
    assert!(
        held <= list + own + shared + 3 * 16 + 4096,
        "{held} bytes for {FINDINGS} findings: list {list}, messages and pointers {own}"
    );
}
