//! Gateway-shaped YAML documents for the differential test (`tests/yaml_diff.rs`).
//!
//! Each document is an ADC or APISIX standalone file (services with upstreams and
//! routes, plugins, consumers, labels), written in the many ways YAML allows: block
//! and flow collections, indentless sequences, plain, quoted and block scalars (every
//! chomping, some ending the file on a line of indentation), anchors, aliases and
//! merge keys (some that merge nothing), tags, comments, tabs after `:`, documents
//! without a final line break. A share of the values is drawn from a pool of scalars
//! that YAML loaders type differently (YAML 1.1 and 1.2 numbers and booleans,
//! infinity, integers beyond 2^53, dates). A document depends only on its seed.

use std::fmt::Write as _;

/// `SplitMix64`: small, fast, and the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Plain scalars loaders disagree about, or that are easy to get wrong.
const TRICKY_PLAIN: &[&str] = &[
    // YAML 1.2 core numbers.
    "0",
    "-1",
    "+12",
    "0o17",
    "0x1F",
    "0xff",
    "1.5",
    ".5",
    "1.",
    "-0.0",
    "1e3",
    "1E-3",
    "6.02e+23",
    "0.1",
    "123456789012345678",
    // Leading zeros and YAML 1.1-only numbers.
    "007",
    "0755",
    "1_000",
    "0b101",
    "+0x1F",
    "-0x1F",
    "12:30",
    "190:20:30.15",
    "1_000.5",
    "0x1_F",
    // Beyond what JSON or a double holds.
    "1e400",
    "-1e400",
    ".inf",
    "-.Inf",
    "+.INF",
    ".nan",
    ".NaN",
    "99999999999999999999",
    "9007199254740993",
    "18446744073709551615",
    "-9223372036854775808",
    "0x1FFFFFFFFFFFFFFFF",
    "100000000000000000000",
    // Booleans and nulls, YAML 1.2 and 1.1.
    "true",
    "True",
    "FALSE",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "~",
    "null",
    "Null",
    "NULL",
    // Strings that look like something else.
    "1.2.3",
    "10.0.0.0/8",
    "127.0.0.1:8080",
    "http://127.0.0.1:8080/x?a=1",
    "2024-01-02",
    "2001-12-14t21:59:43.10-05:00",
    "10:70",
    "0b",
    "0x",
    "1e",
    "x -",
    "a - b",
    "100%",
    "$secret://vault/1/key",
    "$env://TOKEN",
    "${{UPSTREAM_HOST}}",
    "^/api/(.*)$",
    "é-svc",
    "日本語",
    "a'b",
    "x#y",
    "~x",
    "-dash",
    "a:b",
];

/// Double- and single-quoted scalars.
const QUOTED: &[&str] = &[
    "\"80\"",
    "'0x1F'",
    "\"\"",
    "''",
    "\"a\\nb\"",
    "\"tab\\there\"",
    "\"\\u00e9\\x41\"",
    "\"quote \\\" and \\\\\"",
    "'it''s'",
    "\"*\"",
    "'#not a comment'",
    "\"yes\"",
    "'.inf'",
    "\"line one\n  line two\"",
    "'a: b'",
    "\"x -\"",
    "\"\\/\"",
];

/// Tagged scalars whose content fits a core-schema tag.
const TAGGED: &[&str] = &[
    "!!str 5",
    "!!int \"7\"",
    "!!int 0x1F",
    "!!float 1",
    "!!float .inf",
    "!!bool true",
    "!!null ~",
    "!!str yes",
    "! 12",
];

/// Tagged scalars gwlint reports: content that does not fit, and other tags.
const BAD_TAGGED: &[&str] = &[
    "!!int abc",
    "!!float abc",
    "!!bool yes",
    "!!null x",
    "!custom x",
    "!!binary aGVsbG8=",
    "!!timestamp 2001-12-14",
    "!!map x",
];

const WORDS: &[&str] = &[
    "orders", "users", "billing", "health", "api", "v1", "gateway", "edge", "internal", "blue",
    "green", "canary", "eu-west", "auth",
];

const HOSTS: &[&str] = &[
    "10.0.0.1",
    "10.0.0.2",
    "backend.svc.cluster.local",
    "httpbin.org",
    "127.0.0.1",
    "[::1]",
];

/// One document's text.
pub fn document(rng: &mut Rng) -> String {
    let mut doc = Doc {
        rng,
        text: String::new(),
        step: 2,
        map_anchors: Vec::new(),
        anchors: Vec::new(),
        next_anchor: 0,
        tabs: false,
        last_block: None,
    };
    doc.step = if doc.rng.chance(20) { 4 } else { 2 };
    doc.tabs = doc.rng.chance(10);
    match doc.rng.below(20) {
        0 => doc.text.push_str("---\n"),
        1 => doc.text.push_str("%YAML 1.2\n---\n"),
        2 => doc.text.push_str("# gateway configuration\n"),
        _ => {}
    }
    if doc.rng.chance(60) {
        doc.adc();
    } else {
        doc.standalone();
    }
    doc.ending();
    doc.text
}

struct Doc<'r> {
    rng: &'r mut Rng,
    text: String,
    /// Indentation step.
    step: usize,
    /// Anchors on mappings defined so far (for merge keys).
    map_anchors: Vec<String>,
    /// Every anchor defined so far.
    anchors: Vec<String>,
    /// The number of anchors written.
    next_anchor: usize,
    /// Whether some values are separated from their key by a tab (ruamel.yaml refuses
    /// these documents, so only some have them).
    tabs: bool,
    /// The indentation of the last line written, when it ended a block scalar.
    last_block: Option<usize>,
}

/// A field's value: how to write it.
enum Field {
    Scalar(String),
    Map(Vec<(String, Field)>),
    Seq(Vec<Field>),
    /// A sequence written in flow style on one line.
    FlowSeq(Vec<String>),
    /// A block scalar: header and lines.
    Block(String, Vec<String>),
}

impl Doc<'_> {
    fn adc(&mut self) {
        let mut top = Vec::new();
        let services = (0..=self.rng.below(3)).map(|_| self.service()).collect();
        top.push(("services".to_owned(), Field::Seq(services)));
        if self.rng.chance(40) {
            let consumers = (0..=self.rng.below(2)).map(|_| self.consumer()).collect();
            top.push(("consumers".to_owned(), Field::Seq(consumers)));
        }
        if self.rng.chance(20) {
            top.push(("global_rules".to_owned(), self.plugins()));
        }
        self.mapping(&top, 0);
    }

    fn standalone(&mut self) {
        let mut top = Vec::new();
        let routes = (0..=self.rng.below(3))
            .map(|i| {
                let mut route = vec![
                    ("id".to_owned(), self.value_or(&format!("{}", i + 1))),
                    ("uri".to_owned(), self.value_or("/api/*")),
                ];
                if self.rng.chance(50) {
                    route.push(("upstream_id".to_owned(), self.value_or("1")));
                } else {
                    route.push(("upstream".to_owned(), self.upstream()));
                }
                if self.rng.chance(60) {
                    route.push(("plugins".to_owned(), self.plugins()));
                }
                self.extra(&mut route);
                Field::Map(route)
            })
            .collect();
        top.push(("routes".to_owned(), Field::Seq(routes)));
        if self.rng.chance(50) {
            let mut upstream = vec![("id".to_owned(), self.value_or("1"))];
            if let Field::Map(fields) = self.upstream() {
                upstream.extend(fields);
            }
            top.push((
                "upstreams".to_owned(),
                Field::Seq(vec![Field::Map(upstream)]),
            ));
        }
        self.mapping(&top, 0);
        if self.rng.chance(30) {
            self.text.push_str("#END\n");
            self.last_block = None;
        }
    }

    fn service(&mut self) -> Field {
        let word = self.rng.pick(WORDS);
        let mut fields = vec![("name".to_owned(), self.value_or(word))];
        if self.rng.chance(30) {
            fields.push(("description".to_owned(), self.block_or_text()));
        }
        if self.rng.chance(30) {
            let mut labels: Vec<(String, Field)> = Vec::new();
            for _ in 0..=self.rng.below(3) {
                let key = self.rng.pick(WORDS).to_owned();
                let word = self.rng.pick(WORDS);
                let value = self.value_or(word);
                if labels.iter().all(|(written, _)| *written != key) {
                    labels.push((key, value));
                }
            }
            fields.push(("labels".to_owned(), Field::Map(labels)));
        }
        fields.push(("upstream".to_owned(), self.upstream()));
        let routes = (0..=self.rng.below(3)).map(|_| self.route()).collect();
        fields.push(("routes".to_owned(), Field::Seq(routes)));
        if self.rng.chance(30) {
            fields.push(("plugins".to_owned(), self.plugins()));
        }
        self.extra(&mut fields);
        Field::Map(fields)
    }

    fn upstream(&mut self) -> Field {
        let kind = self.rng.pick(&["roundrobin", "chash", "least_conn"]);
        let mut fields = vec![("type".to_owned(), self.value_or(kind))];
        let nodes = (0..=self.rng.below(3))
            .map(|_| {
                let host = self.rng.pick(HOSTS);
                let port = self.rng.pick(&["80", "443", "8080", "9080"]);
                Field::Map(vec![
                    ("host".to_owned(), self.value_or(host)),
                    ("port".to_owned(), self.value_or(port)),
                    ("weight".to_owned(), self.value_or("100")),
                ])
            })
            .collect();
        fields.push(("nodes".to_owned(), Field::Seq(nodes)));
        if self.rng.chance(40) {
            fields.push((
                "timeout".to_owned(),
                Field::Map(vec![
                    ("connect".to_owned(), self.value_or("3")),
                    ("send".to_owned(), self.value_or("5.5")),
                    ("read".to_owned(), self.value_or("60")),
                ]),
            ));
        }
        if self.rng.chance(30) {
            fields.push(("retries".to_owned(), self.value_or("2")));
        }
        if self.rng.chance(20) {
            fields.push(("scheme".to_owned(), self.value_or("https")));
        }
        self.extra(&mut fields);
        Field::Map(fields)
    }

    fn route(&mut self) -> Field {
        let word = self.rng.pick(WORDS);
        let mut fields = vec![("name".to_owned(), self.value_or(word))];
        let uris = (0..=self.rng.below(2))
            .map(|_| {
                format!(
                    "/{}/{}",
                    self.rng.pick(WORDS),
                    self.rng.pick(&["*", "x", "v1"])
                )
            })
            .collect::<Vec<_>>();
        if self.rng.chance(50) {
            fields.push(("uris".to_owned(), Field::FlowSeq(uris)));
        } else {
            let items = uris.into_iter().map(Field::Scalar).collect();
            fields.push(("uris".to_owned(), Field::Seq(items)));
        }
        if self.rng.chance(60) {
            let mut methods: Vec<String> = (0..=self.rng.below(3))
                .map(|_| self.rng.pick(&["GET", "POST", "PUT", "DELETE"]).to_owned())
                .collect();
            if self.rng.chance(15) {
                // A plain item ending in ` -`, which saphyr-parser 0.3 refused.
                methods.push(self.rng.pick(&["x -", "GET -", "a -b"]).to_owned());
            }
            if self.rng.chance(15) {
                methods.push(self.tricky_flow_item());
            }
            fields.push(("methods".to_owned(), Field::FlowSeq(methods)));
        }
        if self.rng.chance(30) {
            fields.push(("priority".to_owned(), self.value_or("10")));
        }
        if self.rng.chance(20) {
            fields.push(("enable_websocket".to_owned(), self.value_or("false")));
        }
        if self.rng.chance(50) {
            fields.push(("plugins".to_owned(), self.plugins()));
        }
        self.extra(&mut fields);
        Field::Map(fields)
    }

    fn consumer(&mut self) -> Field {
        let name = self.rng.pick(WORDS);
        Field::Map(vec![
            ("username".to_owned(), self.value_or(name)),
            (
                "plugins".to_owned(),
                Field::Map(vec![(
                    "key-auth".to_owned(),
                    Field::Map(vec![("key".to_owned(), self.value_or("secret-key"))]),
                )]),
            ),
        ])
    }

    fn plugins(&mut self) -> Field {
        let mut plugins = Vec::new();
        for _ in 0..=self.rng.below(3) {
            let plugin = match self.rng.below(6) {
                0 => (
                    "limit-count",
                    vec![
                        ("count", self.value_or("100")),
                        ("time_window", self.value_or("60")),
                        ("rejected_code", self.value_or("503")),
                        ("key", self.value_or("remote_addr")),
                    ],
                ),
                1 => ("key-auth", Vec::new()),
                2 => (
                    "proxy-rewrite",
                    vec![
                        (
                            "regex_uri",
                            Field::FlowSeq(vec!["\"^/api/(.*)\"".into(), "\"/$1\"".into()]),
                        ),
                        (
                            "headers",
                            Field::Map(vec![(
                                "set".to_owned(),
                                Field::Map(vec![("X-Api".to_owned(), self.value_or("v1"))]),
                            )]),
                        ),
                    ],
                ),
                3 => (
                    "cors",
                    vec![
                        ("allow_origins", self.value_or("\"*\"")),
                        ("allow_credential", self.value_or("false")),
                        ("max_age", self.value_or("5")),
                    ],
                ),
                4 => (
                    "ip-restriction",
                    vec![(
                        "whitelist",
                        Field::Seq(vec![
                            self.value_or("10.0.0.0/8"),
                            self.value_or("127.0.0.1"),
                        ]),
                    )],
                ),
                _ => (
                    "response-rewrite",
                    vec![
                        ("status_code", self.value_or("200")),
                        ("body", self.block_or_text()),
                    ],
                ),
            };
            let (name, fields) = plugin;
            let fields = fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            // One configuration per plugin (a repeated name is a duplicate key).
            if plugins.iter().all(|(written, _)| written != name) {
                plugins.push((name.to_owned(), Field::Map(fields)));
            }
        }
        Field::Map(plugins)
    }

    /// Sometimes an extra field with any value, sometimes a duplicate key.
    fn extra(&mut self, fields: &mut Vec<(String, Field)>) {
        if self.rng.chance(15) {
            let value = self.tricky();
            fields.push(("extra".to_owned(), Field::Scalar(value)));
        }
        if self.rng.chance(5) {
            let key = self
                .rng
                .pick(&["200", "1", "true", "x-api", "\"quoted key\"", "'k'"]);
            let value = self.tricky();
            fields.push((key.to_owned(), Field::Scalar(value)));
        }
        if self.rng.chance(2) && !fields.is_empty() {
            let key = fields[0].0.clone();
            fields.push((key, Field::Scalar("again".into())));
        }
    }

    /// The natural value `natural` most of the time, a tricky one otherwise.
    fn value_or(&mut self, natural: &str) -> Field {
        if self.rng.chance(85) {
            Field::Scalar(natural.to_owned())
        } else {
            Field::Scalar(self.tricky())
        }
    }

    fn tricky(&mut self) -> String {
        match self.rng.below(40) {
            0..=27 => self.rng.pick(TRICKY_PLAIN).to_owned(),
            28..=35 => self.rng.pick(QUOTED).to_owned(),
            36..=38 => self.rng.pick(TAGGED).to_owned(),
            _ => self.rng.pick(BAD_TAGGED).to_owned(),
        }
    }

    /// An item for a one-line flow sequence.
    fn tricky_flow_item(&mut self) -> String {
        if self.rng.chance(5) {
            // A lone `-` before a flow indicator, which YAML 1.2 refuses.
            return "-".into();
        }
        loop {
            let item = self.tricky();
            let flow_safe = !item.contains([',', '[', ']', '{', '}', '#', '\n'])
                && !item.contains(": ")
                && !item.ends_with(':');
            if flow_safe {
                return item;
            }
        }
    }

    fn block_or_text(&mut self) -> Field {
        if self.rng.chance(60) {
            let header = self
                .rng
                .pick(&["|", "|-", "|+", ">", ">-", ">+", "|2"])
                .to_owned();
            let mut lines = Vec::new();
            for _ in 0..=self.rng.below(3) {
                match self.rng.below(8) {
                    0 => lines.push(String::new()),
                    1 => lines.push(format!("  {}", self.rng.pick(WORDS))),
                    _ => lines.push(format!("{} {}", self.rng.pick(WORDS), self.rng.pick(WORDS))),
                }
            }
            // The first line sets the indentation (no more-indented or empty first line,
            // which would set it deeper than the lines after).
            if lines[0].starts_with(' ') || lines[0].is_empty() {
                lines.insert(0, "text".into());
            }
            if self.rng.chance(30) {
                lines.push(String::new());
            }
            Field::Block(header, lines)
        } else {
            Field::Scalar(self.tricky())
        }
    }

    /// Write `fields` as a block mapping at `indent`.
    fn mapping(&mut self, fields: &[(String, Field)], indent: usize) {
        let pad = " ".repeat(indent);
        if self.rng.chance(4) {
            let _ = writeln!(self.text, "{pad}# {}", self.rng.pick(WORDS));
        }
        if !self.map_anchors.is_empty() && self.rng.chance(8) {
            self.merge_key(&pad);
        }
        for (key, value) in fields {
            let _ = write!(self.text, "{pad}{key}:");
            self.value(value, indent);
        }
    }

    /// A `<<` line: mostly an alias to a mapping, sometimes something that merges
    /// nothing, sometimes twice.
    fn merge_key(&mut self, pad: &str) {
        let first = self.map_anchors[self.rng.below(self.map_anchors.len())].clone();
        let last = self.map_anchors[self.rng.below(self.map_anchors.len())].clone();
        let line = match self.rng.below(16) {
            0 => "<<: 5".to_owned(),
            1 => format!("<<: [*{first}, 5]"),
            2 => format!("<<: *{first}\n{pad}<<: *{last}"),
            3..=6 => format!("<<: [*{first}, *{last}]"),
            _ => format!("<<: *{first}"),
        };
        let _ = writeln!(self.text, "{pad}{line}");
        self.last_block = None;
    }

    /// Write a value after `key:` (the key at `indent`).
    fn value(&mut self, value: &Field, indent: usize) {
        let inner = indent + self.step;
        let separator = if self.tabs && self.rng.chance(10) {
            "\t"
        } else {
            " "
        };
        match value {
            Field::Scalar(text) => {
                if !self.anchors.is_empty() && self.rng.chance(3) {
                    let name = self.anchors[self.rng.below(self.anchors.len())].clone();
                    let _ = writeln!(self.text, "{separator}*{name}");
                } else {
                    let (name, anchor) = self.anchor();
                    let text = text.replace('\n', &format!("\n{}", " ".repeat(inner)));
                    let comment = if self.rng.chance(8) { " # note" } else { "" };
                    let _ = writeln!(self.text, "{separator}{anchor}{text}{comment}");
                    self.defined(name, false);
                }
                self.last_block = None;
            }
            Field::FlowSeq(items) => {
                let (name, anchor) = self.anchor();
                let _ = writeln!(self.text, "{separator}{anchor}[{}]", items.join(", "));
                self.defined(name, false);
                self.last_block = None;
            }
            Field::Block(header, lines) => {
                let _ = writeln!(self.text, " {header}");
                let width = if header.ends_with('2') {
                    indent + 2
                } else {
                    inner
                };
                for line in lines {
                    if line.is_empty() {
                        self.text.push('\n');
                    } else {
                        let _ = writeln!(self.text, "{}{line}", " ".repeat(width));
                    }
                }
                self.last_block = Some(width);
            }
            Field::Map(fields) if fields.is_empty() => {
                let _ = writeln!(self.text, " {{}}");
                self.last_block = None;
            }
            Field::Map(fields) => {
                if self.rng.chance(10)
                    && fields
                        .iter()
                        .all(|(_, v)| matches!(v, Field::Scalar(s) if !s.contains('\n')))
                {
                    let (name, anchor) = self.anchor();
                    let items: Vec<String> = fields
                        .iter()
                        .map(|(k, v)| match v {
                            Field::Scalar(s) => format!("{k}: {}", flow_safe(s)),
                            _ => unreachable!(),
                        })
                        .collect();
                    let _ = writeln!(self.text, " {anchor}{{{}}}", items.join(", "));
                    self.defined(name, true);
                    self.last_block = None;
                } else {
                    let (name, anchor) = self.anchor();
                    let _ = writeln!(self.text, " {}", anchor.trim_end());
                    self.mapping(fields, inner);
                    self.defined(name, true);
                }
            }
            Field::Seq(items) => {
                let _ = writeln!(self.text);
                // Indentless (`- ` at the key's indentation) or indented.
                let dash = if self.rng.chance(30) { indent } else { inner };
                for item in items {
                    let pad = " ".repeat(dash);
                    match item {
                        Field::Map(fields) if !fields.is_empty() => {
                            let _ = write!(self.text, "{pad}- ");
                            let (key, value) = &fields[0];
                            let _ = write!(self.text, "{key}:");
                            self.value(value, dash + 2);
                            self.mapping(&fields[1..], dash + 2);
                        }
                        Field::Scalar(text) => {
                            let _ = writeln!(self.text, "{pad}- {}", text.replace('\n', " "));
                            self.last_block = None;
                        }
                        _ => {
                            let _ = writeln!(self.text, "{pad}- []");
                            self.last_block = None;
                        }
                    }
                }
            }
        }
    }

    /// Sometimes an anchor for the value about to be written: its name, and the
    /// text to write (`&aN `). The name is usable once the value is written (see
    /// [`Doc::defined`]): an alias inside its own node would make a cycle, which JSON
    /// cannot hold.
    fn anchor(&mut self) -> (Option<String>, String) {
        if !self.rng.chance(6) {
            return (None, String::new());
        }
        self.next_anchor += 1;
        let name = format!("a{}", self.next_anchor);
        let text = format!("&{name} ");
        (Some(name), text)
    }

    /// The node anchored as `name` is written: aliases may use it.
    fn defined(&mut self, name: Option<String>, mapping: bool) {
        if let Some(name) = name {
            if mapping {
                self.map_anchors.push(name.clone());
            }
            self.anchors.push(name);
        }
    }

    /// How the file ends: a line break, none, blank lines, or (after a block scalar) a
    /// last line of just its indentation without a line break.
    fn ending(&mut self) {
        match (self.last_block, self.rng.below(10)) {
            (Some(width), 0..=4) => {
                self.text.push_str(&" ".repeat(width));
            }
            (_, 5 | 6) => {
                self.text.pop();
            }
            (_, 7) => self.text.push_str("\n\n"),
            (_, 8) => self.text.push_str("..."),
            _ => {}
        }
    }
}

/// A scalar made safe for a flow mapping: double-quoted (JSON string syntax, which
/// YAML reads the same way) when it holds flow indicators.
fn flow_safe(text: &str) -> String {
    if text.contains([',', '[', ']', '{', '}', '#']) || text.contains(": ") || text.ends_with(':') {
        serde_json::Value::String(text.to_owned()).to_string()
    } else {
        text.to_owned()
    }
}
