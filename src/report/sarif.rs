//! SARIF 2.1.0 for code scanning: one run, the tool driver with every rule, one
//! result per finding with its region and a stable fingerprint.
//!
//! The log is streamed: the results are written by hand ([`super::pretty`]), exactly
//! as `serde_json` would pretty-print them, in chunks rendered on every core
//! ([`super::chunked`]).

use super::pretty::{Escaped, Pretty};
use crate::check::Outcome;
use crate::finding::{Finding, Severity};
use crate::rules::RuleInfo;
use serde_json::{json, Value};
use std::io::{self, Write};

/// The SARIF schema URI written in reports.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The rules as the log lists them: those with findings first, then the others, each
/// group in registry order; and the index of each id's first rule, as a linear search
/// would find it.
fn rule_order<'r>(
    findings: &[&Finding],
    rules: &'r [RuleInfo],
) -> (Vec<&'r RuleInfo>, foldhash::HashMap<&'r str, usize>) {
    // Inserted one by one: collecting would make room for as many rules as findings.
    let mut firing: foldhash::HashSet<&str> = foldhash::HashSet::default();
    for finding in findings {
        firing.insert(finding.rule.as_str());
    }
    let (mut used, unused): (Vec<&RuleInfo>, Vec<&RuleInfo>) =
        rules.iter().partition(|r| firing.contains(r.id.as_str()));
    used.extend(unused);
    let mut index_of: foldhash::HashMap<&str, usize> = foldhash::HashMap::default();
    for (index, rule) in used.iter().enumerate() {
        index_of.entry(rule.id.as_str()).or_insert(index);
    }
    (used, index_of)
}

/// Write the SARIF log, one result at a time.
///
/// # Errors
/// Any error of the writer.
pub fn write(outcome: &Outcome, rules: &[RuleInfo], out: &mut dyn Write) -> io::Result<()> {
    let findings = outcome.findings();
    let (used, index_of) = rule_order(&findings, rules);
    let check_baseline = !outcome.baseline.is_empty();
    let mut head = Vec::new();
    let mut p = Pretty::at(&mut head, 0, true);
    p.open_object();
    p.key("$schema");
    p.string(SCHEMA);
    p.key("version");
    p.string("2.1.0");
    p.key("runs");
    p.open_array();
    p.item();
    p.open_object();
    p.key("tool");
    p.open_object();
    p.key("driver");
    p.open_object();
    p.key("name");
    p.string("gwlint");
    p.key("version");
    p.string(env!("CARGO_PKG_VERSION"));
    p.key("rules");
    p.open_array();
    for info in &used {
        p.item();
        p.value(&rule(info));
    }
    p.close_array();
    p.close_object();
    p.close_object();
    p.key("columnKind");
    p.string("unicodeCodePoints");
    p.key("results");
    p.open_array();
    out.write_all(&head)?;
    // The results, rendered on every core; each is an item of the run's `results`,
    // four levels deep.
    super::chunked::write_in_order(&findings, out, |index, chunk, buffer| {
        let mut p = Pretty::at(buffer, 4, index == 0);
        let (mut rule, mut file) = (Escaped::default(), Escaped::default());
        for finding in chunk {
            p.item();
            let fingerprint = crate::baseline::fingerprint(finding);
            write_result(
                &mut p,
                finding,
                &fingerprint,
                index_of.get(finding.rule.as_str()).copied(),
                check_baseline && outcome.baseline.contains(&fingerprint),
                (&mut rule, &mut file),
            );
        }
    })?;
    let mut tail = Vec::new();
    let mut p = Pretty::at(&mut tail, 4, findings.is_empty());
    p.close_array();
    p.close_object();
    p.close_array();
    p.close_object();
    tail.push(b'\n');
    out.write_all(&tail)
}

/// SARIF level of a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule(info: &RuleInfo) -> Value {
    json!({
        "id": info.id,
        "name": rule_name(&info.id),
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": first_paragraph(&info.description)},
        "help": {"text": info.help, "markdown": format!("{}\n\n{}", info.description.trim_end(), info.help)},
        "defaultConfiguration": {"level": level(info.severity)},
    })
}

/// `policy/route-needs-auth` → `RouteNeedsAuth` (SARIF names are identifiers).
fn rule_name(id: &str) -> String {
    id.split(['/', '-', '.', '_'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut chars = p.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn first_paragraph(text: &str) -> String {
    let paragraph: Vec<&str> = text
        .lines()
        .skip_while(|l| l.trim().is_empty() || l.starts_with('#'))
        .take_while(|l| !l.trim().is_empty())
        .collect();
    if paragraph.is_empty() {
        text.trim().to_owned()
    } else {
        paragraph.join(" ")
    }
}

/// One result: rule, level, message, location and fingerprint, then the rule's index,
/// the related places and the baseline state when there are any. `shared` keeps
/// the escaped rule id and file name of the result before.
fn write_result(
    p: &mut Pretty<'_>,
    finding: &Finding,
    fingerprint: &str,
    rule_index: Option<usize>,
    baseline: bool,
    shared: (&mut Escaped, &mut Escaped),
) {
    let (rule, file) = shared;
    p.open_object();
    p.key("ruleId");
    p.shared(&finding.rule, rule);
    p.key("level");
    p.plain(level(finding.severity));
    p.key("message");
    write_message(p, &finding.message);
    p.key("locations");
    p.open_array();
    p.item();
    p.open_object();
    p.key("physicalLocation");
    write_physical(p, finding.file(), finding.location.span, file);
    if !finding.location.pointer.is_empty() {
        p.key("logicalLocations");
        p.open_array();
        p.item();
        p.open_object();
        p.key("fullyQualifiedName");
        p.string(&finding.location.pointer);
        p.key("kind");
        p.plain("object");
        p.close_object();
        p.close_array();
    }
    p.close_object();
    p.close_array();
    p.key("partialFingerprints");
    p.open_object();
    p.key("gwlint/v1");
    p.string(fingerprint);
    p.close_object();
    if let Some(index) = rule_index {
        p.key("ruleIndex");
        p.number(index as u64);
    }
    if !finding.related.is_empty() {
        p.key("relatedLocations");
        p.open_array();
        for (id, related) in finding.related.iter().enumerate() {
            p.item();
            p.open_object();
            p.key("physicalLocation");
            write_physical(
                p,
                &related.location.source.display,
                related.location.span,
                file,
            );
            p.key("id");
            p.number(id as u64);
            p.key("message");
            write_message(p, &related.message);
            p.close_object();
        }
        p.close_array();
    }
    if baseline {
        p.key("baselineState");
        p.plain("unchanged");
    }
    p.close_object();
}

/// `{"text": ...}`
fn write_message(p: &mut Pretty<'_>, text: &str) {
    p.open_object();
    p.key("text");
    p.string(text);
    p.close_object();
}

/// A `physicalLocation`: the file under `%SRCROOT%` and the region. An empty span is
/// shown one column wide; the end never comes before the start.
fn write_physical(
    p: &mut Pretty<'_>,
    file: &str,
    span: crate::source::Span,
    last_file: &mut Escaped,
) {
    let end_column = if span.end == span.start {
        span.start.column + 1
    } else {
        span.end.column
    };
    p.open_object();
    p.key("artifactLocation");
    p.open_object();
    p.key("uri");
    p.shared(file, last_file);
    p.key("uriBaseId");
    p.plain("%SRCROOT%");
    p.close_object();
    p.key("region");
    p.open_object();
    for (key, number) in [
        ("startLine", span.start.line),
        ("startColumn", span.start.column),
        ("endLine", span.end.line.max(span.start.line)),
        ("endColumn", end_column.max(1)),
    ] {
        p.key(key);
        p.number(u64::from(number));
    }
    p.close_object();
    p.close_object();
}

#[cfg(test)]
mod tests {
    //! The log as `serde_json` writes it from these types, which is what the log was
    //! before it was written by hand: the hand-written one must not differ from it
    //! by a byte.

    use super::*;
    use serde::ser::{SerializeMap, SerializeSeq};
    use serde::{Serialize, Serializer};

    fn by_serde(outcome: &Outcome, rules: &[RuleInfo]) -> Vec<u8> {
        let findings = outcome.findings();
        let (used, index_of) = rule_order(&findings, rules);
        let log = Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: [Run {
                tool: Tool {
                    driver: Driver {
                        name: "gwlint",
                        version: env!("CARGO_PKG_VERSION"),
                        rules: Rules(&used),
                    },
                },
                column_kind: "unicodeCodePoints",
                results: Results {
                    findings: &findings,
                    index_of: &index_of,
                    outcome,
                },
            }],
        };
        let mut out = serde_json::to_vec_pretty(&log).unwrap();
        out.push(b'\n');
        out
    }

    #[derive(Serialize)]
    struct Log<'a> {
        #[serde(rename = "$schema")]
        schema: &'static str,
        version: &'static str,
        runs: [Run<'a>; 1],
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Run<'a> {
        tool: Tool<'a>,
        column_kind: &'static str,
        results: Results<'a>,
    }

    #[derive(Serialize)]
    struct Tool<'a> {
        driver: Driver<'a>,
    }

    #[derive(Serialize)]
    struct Driver<'a> {
        name: &'static str,
        version: &'static str,
        rules: Rules<'a>,
    }

    /// The driver's rules, in the order results index them.
    struct Rules<'a>(&'a [&'a RuleInfo]);

    impl Serialize for Rules<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(self.0.iter().map(|r| rule(r)))
        }
    }

    /// Every reported finding as a result.
    struct Results<'a> {
        findings: &'a [&'a Finding],
        index_of: &'a foldhash::HashMap<&'a str, usize>,
        outcome: &'a Outcome,
    }

    impl Serialize for Results<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let check_baseline = !self.outcome.baseline.is_empty();
            let mut seq = serializer.serialize_seq(Some(self.findings.len()))?;
            for finding in self.findings {
                seq.serialize_element(&ResultJson {
                    finding,
                    rule_index: self.index_of.get(finding.rule.as_str()).copied(),
                    baseline: check_baseline && self.outcome.is_baseline(finding),
                })?;
            }
            seq.end()
        }
    }

    /// One result: rule, level, message, location and fingerprint, then the rule's index,
    /// the related places and the baseline state when there are any.
    struct ResultJson<'a> {
        finding: &'a Finding,
        rule_index: Option<usize>,
        baseline: bool,
    }

    impl Serialize for ResultJson<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let finding = self.finding;
            let mut map = serializer.serialize_map(None)?;
            map.serialize_entry("ruleId", &finding.rule)?;
            map.serialize_entry("level", level(finding.severity))?;
            map.serialize_entry(
                "message",
                &Message {
                    text: &finding.message,
                },
            )?;
            map.serialize_entry("locations", &[PrimaryLocation(finding)])?;
            map.serialize_entry(
                "partialFingerprints",
                &Fingerprint {
                    v1: crate::baseline::fingerprint(finding),
                },
            )?;
            if let Some(index) = self.rule_index {
                map.serialize_entry("ruleIndex", &index)?;
            }
            if !finding.related.is_empty() {
                map.serialize_entry("relatedLocations", &RelatedLocations(finding))?;
            }
            if self.baseline {
                map.serialize_entry("baselineState", "unchanged")?;
            }
            map.end()
        }
    }

    /// `{"text": ...}`
    #[derive(Serialize)]
    struct Message<'a> {
        text: &'a str,
    }

    /// `{"gwlint/v1": ...}`
    #[derive(Serialize)]
    struct Fingerprint {
        #[serde(rename = "gwlint/v1")]
        v1: String,
    }

    /// The finding's place, with its JSON pointer as a logical location when it has one.
    struct PrimaryLocation<'a>(&'a Finding);

    impl Serialize for PrimaryLocation<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let finding = self.0;
            let mut map = serializer.serialize_map(None)?;
            map.serialize_entry(
                "physicalLocation",
                &Physical::new(finding.file(), finding.location.span),
            )?;
            if !finding.location.pointer.is_empty() {
                map.serialize_entry(
                    "logicalLocations",
                    &[Logical {
                        fully_qualified_name: &finding.location.pointer,
                        kind: "object",
                    }],
                )?;
            }
            map.end()
        }
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Logical<'a> {
        fully_qualified_name: &'a str,
        kind: &'static str,
    }

    /// The related places, numbered from 0.
    struct RelatedLocations<'a>(&'a Finding);

    impl Serialize for RelatedLocations<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(self.0.related.iter().enumerate().map(|(id, r)| {
                RelatedLocation {
                    physical_location: Physical::new(&r.location.source.display, r.location.span),
                    id,
                    message: Message { text: &r.message },
                }
            }))
        }
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct RelatedLocation<'a> {
        physical_location: Physical<'a>,
        id: usize,
        message: Message<'a>,
    }

    /// A `physicalLocation`: the file under `%SRCROOT%` and the region. An empty span is
    /// shown one column wide; the end never comes before the start.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Physical<'a> {
        artifact_location: Artifact<'a>,
        region: Region,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Artifact<'a> {
        uri: &'a str,
        uri_base_id: &'static str,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Region {
        start_line: u32,
        start_column: u32,
        end_line: u32,
        end_column: u32,
    }

    impl<'a> Physical<'a> {
        fn new(file: &'a str, span: crate::source::Span) -> Self {
            let end_column = if span.end == span.start {
                span.start.column + 1
            } else {
                span.end.column
            };
            Physical {
                artifact_location: Artifact {
                    uri: file,
                    uri_base_id: "%SRCROOT%",
                },
                region: Region {
                    start_line: span.start.line,
                    start_column: span.start.column,
                    end_line: span.end.line.max(span.start.line),
                    end_column: end_column.max(1),
                },
            }
        }
    }

    #[test]
    fn the_log_is_what_serde_json_writes() {
        let rule = |id: &str, severity, description: &str| RuleInfo {
            id: id.into(),
            title: format!("title of {id} \"quoted\""),
            severity,
            help: format!("help of {id}\n\tsecond line"),
            description: description.into(),
            source: "builtin".into(),
        };
        let rules = [
            rule(
                "unused/rule",
                Severity::Error,
                "# Heading\n\nFirst paragraph\ngoes on.\n\nSecond.",
            ),
            rule("schema/x", Severity::Warning, "one line"),
            rule("policy/route-needs-timeout", Severity::Info, ""),
            rule("schema/x", Severity::Error, "the same id again"),
        ];
        for outcome in crate::report::testing::outcomes() {
            for rules in [&rules[..], &rules[..0]] {
                let mut out = Vec::new();
                write(&outcome, rules, &mut out).unwrap();
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    String::from_utf8(by_serde(&outcome, rules)).unwrap()
                );
            }
        }
    }
}
