//! Outcomes for the reporters' tests: none, one and many findings (more than the
//! chunked writer holds at once), with related places, unlocated findings, findings
//! without an environment, baseline entries, suppressed findings, several
//! environments, and texts and file names that need escaping in every format.

use crate::check::{EnvironmentReport, Outcome};
use crate::finding::{Finding, Location, Severity, Text};
use crate::source::{Position, SourceFile, Span};
use crate::suppress::Suppressed;
use std::sync::Arc;

/// Texts that every format escapes in its own way.
const AWKWARD: &[&str] = &[
    "plain",
    "quote \" backslash \\ slash /",
    "control \u{1} \u{1b}[31m escape \u{7f} del",
    "line\nbreak\r\nand tab\t",
    "markup <b>&amp;</b> 'single' 50% a:b,c",
    "unicode é 🦀 \u{fffe} \u{ffff} \u{2028}",
    "",
];

fn position(line: u32, column: u32) -> Position {
    Position {
        offset: 0,
        line,
        column,
    }
}

fn sources() -> Vec<Arc<SourceFile>> {
    [
        "a.yaml",
        "dir/b c.yaml",
        "odd \"name\"%:,<&>.yaml",
        "tab\tand\nline.yaml",
        "z.yaml",
    ]
    .iter()
    .map(|name| Arc::new(SourceFile::new((*name).into(), String::new())))
    .collect()
}

/// `count` findings over the sources, their texts and places varied.
fn findings(sources: &[Arc<SourceFile>], count: usize, environment: &str) -> Vec<Finding> {
    let rules: Vec<Text> = ["policy/route-needs-timeout", "schema/x", "parse/a:b,c%"]
        .into_iter()
        .map(Text::from)
        .collect();
    let helps: Vec<Text> = AWKWARD
        .iter()
        .map(|h| Text::from(format!("fix {h}")))
        .collect();
    let environment = Text::from(environment);
    (0..count)
        .map(|i| {
            let line = u32::try_from(i % 700 + 1).unwrap_or(1);
            let start = position(line, u32::try_from(i % 7 + 1).unwrap_or(1));
            // Some spans empty, some ending before they start (as a span may on a
            // line of its own).
            let end = match i % 5 {
                0 => start,
                1 => position(line, 1),
                _ => position(line + 2, 9),
            };
            let location = Location {
                source: sources[i % sources.len()].clone(),
                span: Span::new(start, end),
                pointer: if i % 6 == 0 {
                    String::new()
                } else {
                    format!("/services/{i}/routes/0/{}", AWKWARD[i % AWKWARD.len()])
                },
            };
            let severity = [Severity::Info, Severity::Warning, Severity::Error][i % 3];
            let mut finding = Finding::new(
                rules[i % rules.len()].clone(),
                severity,
                format!("finding {i}: {}", AWKWARD[(i / 2) % AWKWARD.len()]),
                helps[(i / 3) % helps.len()].clone(),
                location.clone(),
            );
            if i % 4 != 3 {
                finding.environment = Some(environment.clone());
            }
            finding.unlocated = i % 11 == 5;
            for r in 0..(i % 3) {
                let mut place = location.clone();
                place.source = sources[(i + r + 1) % sources.len()].clone();
                finding = finding.with_related(format!("related {r} {}", AWKWARD[r]), place);
            }
            finding
        })
        .collect()
}

fn environment(
    name: &str,
    findings: Vec<Finding>,
    suppressed: Vec<Suppressed>,
) -> EnvironmentReport {
    let mut model = crate::model::Environment {
        name: name.into(),
        ..Default::default()
    };
    let mut files: Vec<String> = findings.iter().map(|f| f.file().to_owned()).collect();
    files.push("no-findings.yaml".into());
    files.sort();
    files.dedup();
    model.files = files;
    let mut findings = findings;
    crate::finding::sort_findings(&mut findings);
    EnvironmentReport {
        name: name.into(),
        model,
        files: findings.len() + 1,
        findings,
        suppressed,
        checked: Vec::new(),
        policy_timings: Vec::new(),
    }
}

/// The outcomes every reporter is tested on.
pub fn outcomes() -> Vec<Outcome> {
    let sources = sources();
    let many = 2 * super::chunked::IN_FLIGHT + 77;
    let mut outcomes = Vec::new();
    for (count, suppressed) in [(0, 0), (1, 0), (2, 1), (many, 3)] {
        let mut found = findings(&sources, count + suppressed, "prod \"one\"");
        let hidden: Vec<Suppressed> = found
            .drain(count..)
            .enumerate()
            .map(|(i, finding)| Suppressed {
                finding,
                reason: format!("reason {}", AWKWARD[i % AWKWARD.len()]),
            })
            .collect();
        let mut outcome = Outcome {
            environments: vec![environment("prod \"one\"", found, hidden)],
            ..Outcome::default()
        };
        if count == many {
            // A second environment, findings about no environment, and a baseline
            // that accepts every seventh finding.
            outcome.environments.push(environment(
                "staging",
                findings(&sources, 300, "staging"),
                Vec::new(),
            ));
            outcome.general_findings = findings(&sources[..1], 3, "");
            for finding in &mut outcome.general_findings {
                finding.environment = None;
            }
            outcome.baseline = outcome
                .findings()
                .iter()
                .step_by(7)
                .map(|f| crate::baseline::fingerprint(f))
                .collect();
        }
        outcomes.push(outcome);
    }
    outcomes
}
