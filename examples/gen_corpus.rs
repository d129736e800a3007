//! Benchmark corpus generator: a deterministic ADC declarative tree of N routes.
//!
//! ```text
//! cargo run --release --example gen_corpus -- --routes N --out DIR [--seed S] [--errors-per-1000 K]
//!     [--environments 1|2] [--routes-per-file R] [--no-timeouts]
//! ```
//!
//! Writes one folder per environment, `DIR/<env>/svc-NNNNN.yaml` (one service with R routes per
//! file, default 20), `DIR/<env>/global.yaml` (global rules) and `DIR/<env>/consumers.yaml`
//! (consumers with credentials given as `${VAR}` or `$env://` references), plus `DIR/.gwlint.yaml`
//! declaring the environments and `DIR/seeded-errors.tsv`, which lists every seeded error with its
//! file and line. About K errors per 1000 routes (default 2) are seeded at places drawn from the
//! random stream. All randomness comes from a splitmix64 stream seeded by `--seed`, so the same
//! arguments always give a byte-identical tree.
//!
//! `--environments 1` puts every service in `production` (default: `production` and `staging`,
//! alternating). `--no-timeouts` leaves out every `timeout` (upstreams' and routes'), so that
//! `policy/route-needs-timeout` reports every route: the first run on an existing tree, where
//! most routes lack something a built-in rule asks for. The random stream is drawn the same
//! way with and without it, so the tree is otherwise the same.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Routes in each service file by default (the last file holds the remainder).
const DEFAULT_ROUTES_PER_FILE: usize = 20;
/// Environment folders; service `i` goes to `ENVIRONMENTS[i % environments]`.
const ENVIRONMENTS: [&str; 2] = ["production", "staging"];
/// The list of seeded errors; its presence marks a folder this program may overwrite.
const MANIFEST: &str = "seeded-errors.tsv";
const DEFAULT_SEED: u64 = 42;
const DEFAULT_ERRORS_PER_1000: usize = 2;
const USAGE: &str = "usage: gen_corpus --routes N --out DIR [--seed S] [--errors-per-1000 K] \
                     [--environments 1|2] [--routes-per-file R] [--no-timeouts]";

/// API domains and the team owning each.
const DOMAINS: [(&str, &str); 16] = [
    ("orders", "commerce"),
    ("payments", "billing"),
    ("catalog", "commerce"),
    ("inventory", "logistics"),
    ("users", "identity"),
    ("invoices", "billing"),
    ("search", "discovery"),
    ("shipping", "logistics"),
    ("reviews", "discovery"),
    ("notifications", "platform"),
    ("media", "platform"),
    ("analytics", "data"),
    ("cart", "commerce"),
    ("pricing", "billing"),
    ("loyalty", "marketing"),
    ("accounts", "identity"),
];
const RESOURCES: [&str; 12] = [
    "items", "profiles", "sessions", "reports", "events", "tokens", "batches", "exports",
    "settings", "quotes", "labels", "tickets",
];
/// Route actions: name, methods, path suffix.
const ACTIONS: [(&str, &str, &str); 6] = [
    ("list", "[GET]", ""),
    ("get", "[GET, HEAD]", "/*"),
    ("create", "[POST]", ""),
    ("update", "[PUT, PATCH]", "/*"),
    ("delete", "[DELETE]", "/*"),
    ("search", "[GET, POST]", "/search"),
];
/// Upstream node names end in these letters (at most three nodes per upstream).
const NODE_LETTERS: [char; 3] = ['a', 'b', 'c'];
const TEAMS: [&str; 8] = [
    "commerce",
    "billing",
    "logistics",
    "identity",
    "discovery",
    "platform",
    "data",
    "marketing",
];

/// The kinds of error seeded into the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ErrorKind {
    MissingUris,
    PortOutOfRange,
    UnknownPlugin,
    LimitCountWithoutTimeWindow,
    DuplicateKey,
    BadMethod,
}

impl ErrorKind {
    const ALL: [ErrorKind; 6] = [
        ErrorKind::MissingUris,
        ErrorKind::PortOutOfRange,
        ErrorKind::UnknownPlugin,
        ErrorKind::LimitCountWithoutTimeWindow,
        ErrorKind::DuplicateKey,
        ErrorKind::BadMethod,
    ];
    /// The kinds placed inside a route (every kind but the upstream's port).
    const IN_ROUTE: [ErrorKind; 5] = [
        ErrorKind::MissingUris,
        ErrorKind::UnknownPlugin,
        ErrorKind::LimitCountWithoutTimeWindow,
        ErrorKind::DuplicateKey,
        ErrorKind::BadMethod,
    ];

    fn label(self) -> &'static str {
        match self {
            ErrorKind::MissingUris => "missing-uris",
            ErrorKind::PortOutOfRange => "port-out-of-range",
            ErrorKind::UnknownPlugin => "unknown-plugin",
            ErrorKind::LimitCountWithoutTimeWindow => "limit-count-without-time_window",
            ErrorKind::DuplicateKey => "duplicate-key",
            ErrorKind::BadMethod => "bad-method",
        }
    }
}

/// splitmix64: a tiny, well-mixed deterministic generator.
struct Rng(u64);

impl Rng {
    /// An independent stream for one item (a service, a consumer) of one seed.
    fn for_item(seed: u64, stream: u64, item: usize) -> Self {
        let mut mixer =
            Rng(seed ^ stream.rotate_left(32) ^ (item as u64).wrapping_mul(0xA076_1D64_78BD_642F));
        Rng(mixer.next_u64())
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`; the modulo bias is far below anything measurable here).
    fn below(&mut self, n: usize) -> usize {
        let value = self.next_u64() % n as u64;
        usize::try_from(value).expect("a value below a usize fits in a usize")
    }

    /// True with the given probability in percent.
    fn percent(&mut self, chance: u64) -> bool {
        self.next_u64() % 100 < chance
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Command-line arguments.
struct Args {
    routes: usize,
    out: PathBuf,
    seed: u64,
    errors_per_1000: usize,
    /// How many of [`ENVIRONMENTS`] are used (1 or 2).
    environments: usize,
    routes_per_file: usize,
    /// Write no `timeout` anywhere.
    no_timeouts: bool,
}

impl Args {
    fn environments(&self) -> &'static [&'static str] {
        &ENVIRONMENTS[..self.environments]
    }
}

fn parse_args(mut words: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut routes, mut out, mut seed, mut errors) =
        (None, None, DEFAULT_SEED, DEFAULT_ERRORS_PER_1000);
    let (mut environments, mut routes_per_file, mut no_timeouts) =
        (ENVIRONMENTS.len(), DEFAULT_ROUTES_PER_FILE, false);
    while let Some(flag) = words.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_string());
        }
        if flag == "--no-timeouts" {
            no_timeouts = true;
            continue;
        }
        let value = words
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--routes" => routes = Some(parse_number(&flag, &value)?),
            "--out" => out = Some(PathBuf::from(value)),
            "--seed" => seed = parse_number(&flag, &value)?,
            "--errors-per-1000" => errors = parse_number(&flag, &value)?,
            "--environments" => environments = parse_number(&flag, &value)?,
            "--routes-per-file" => routes_per_file = parse_number(&flag, &value)?,
            _ => return Err(format!("unknown argument `{flag}`\n{USAGE}")),
        }
    }
    let routes: usize = routes.ok_or_else(|| format!("--routes is required\n{USAGE}"))?;
    if routes == 0 {
        return Err("--routes must be at least 1".to_string());
    }
    if errors > 1000 {
        return Err("--errors-per-1000 must be at most 1000".to_string());
    }
    if !(1..=ENVIRONMENTS.len()).contains(&environments) {
        return Err(format!(
            "--environments must be 1 to {}",
            ENVIRONMENTS.len()
        ));
    }
    if routes_per_file == 0 {
        return Err("--routes-per-file must be at least 1".to_string());
    }
    let out = out.ok_or_else(|| format!("--out is required\n{USAGE}"))?;
    Ok(Args {
        routes,
        out,
        seed,
        errors_per_1000: errors,
        environments,
        routes_per_file,
        no_timeouts,
    })
}

fn parse_number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: `{value}` is not a non-negative whole number"))
}

/// Which route (by global index) carries which seeded error: `round(routes * k / 1000)` distinct
/// routes drawn with Floyd's sampling, at most one port error per service.
fn plan_errors(args: &Args) -> BTreeMap<usize, ErrorKind> {
    let wanted = (args.routes * args.errors_per_1000 + 500) / 1000;
    let mut rng = Rng::for_item(args.seed, 1, 0);
    let mut chosen = BTreeSet::new();
    for upper in args.routes - wanted..args.routes {
        let candidate = rng.below(upper + 1);
        chosen.insert(if chosen.contains(&candidate) {
            upper
        } else {
            candidate
        });
    }
    let mut services_with_port_error = BTreeSet::new();
    let mut plan = BTreeMap::new();
    for route in chosen {
        let mut kind = rng.pick(&ErrorKind::ALL);
        if kind == ErrorKind::PortOutOfRange
            && !services_with_port_error.insert(route / args.routes_per_file)
        {
            kind = rng.pick(&ErrorKind::IN_ROUTE);
        }
        plan.insert(route, kind);
    }
    plan
}

/// A YAML text built line by line, counting lines so seeded errors can be located.
#[derive(Default)]
struct Yaml {
    text: String,
    lines: usize,
}

impl Yaml {
    fn line(&mut self, indent: usize, content: &str) {
        self.text.extend(std::iter::repeat_n(' ', indent));
        self.text.push_str(content);
        self.text.push('\n');
        self.lines += 1;
    }

    /// The 1-based number of the next line written.
    fn next_line(&self) -> usize {
        self.lines + 1
    }
}

/// A seeded error found at `line` of the file being written.
struct Seeded {
    line: usize,
    kind: ErrorKind,
}

/// Everything fixed about one service before its text is written.
struct Service {
    index: usize,
    env: &'static str,
    domain: &'static str,
    team: &'static str,
    /// Service-level authentication and `limit-count`; otherwise each route has its own.
    guarded: bool,
    jwt: bool,
    /// Hosts on each route rather than on the service.
    route_hosts: bool,
    routes: Range<usize>,
    timeouts: Timeouts,
}

/// Whether upstreams and routes get a `timeout`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Timeouts {
    /// Every upstream, and some routes (the default).
    Written,
    /// None anywhere (`--no-timeouts`).
    Left,
}

impl Service {
    fn new(index: usize, routes: Range<usize>, args: &Args, rng: &mut Rng) -> Self {
        let (domain, team) = rng.pick(&DOMAINS);
        let environments = args.environments();
        Service {
            index,
            env: environments[index % environments.len()],
            domain,
            team,
            guarded: rng.percent(50),
            jwt: rng.percent(30),
            route_hosts: rng.percent(40),
            routes,
            timeouts: if args.no_timeouts {
                Timeouts::Left
            } else {
                Timeouts::Written
            },
        }
    }

    fn name(&self) -> String {
        format!("{}-{:05}", self.domain, self.index)
    }

    fn host(&self) -> String {
        let zone = if self.env == "production" {
            "api.example.com"
        } else {
            "api.staging.example.com"
        };
        format!("{}.{zone}", self.name())
    }

    fn is_production(&self) -> bool {
        self.env == "production"
    }
}

/// Write one service file's text; returns the errors seeded into it.
fn write_service(
    service: &Service,
    plan: &BTreeMap<usize, ErrorKind>,
    rng: &mut Rng,
    y: &mut Yaml,
) -> Vec<Seeded> {
    let mut seeded = Vec::new();
    y.line(
        0,
        &format!(
            "# {} API, owned by the {} team.",
            service.domain, service.team
        ),
    );
    y.line(0, "services:");
    y.line(2, &format!("- name: {}", service.name()));
    y.line(
        4,
        &format!(
            "description: {} API shard {} ({} team)",
            service.domain, service.index, service.team
        ),
    );
    y.line(4, "labels:");
    y.line(6, &format!("team: {}", service.team));
    y.line(6, &format!("app: {}", service.domain));
    y.line(
        6,
        &format!("tier: {}", rng.pick(&["gold", "silver", "bronze"])),
    );
    if !service.route_hosts {
        y.line(4, "hosts:");
        y.line(6, &format!("- {}", service.host()));
    }
    let port_error = service
        .routes
        .clone()
        .any(|r| plan.get(&r) == Some(&ErrorKind::PortOutOfRange));
    seeded.extend(write_upstream(service, port_error, rng, y));
    if service.guarded {
        write_service_plugins(service, rng, y);
    }
    y.line(4, "routes:");
    for (position, route) in service.routes.clone().enumerate() {
        let error = plan
            .get(&route)
            .copied()
            .filter(|k| *k != ErrorKind::PortOutOfRange);
        seeded.extend(write_route(service, position, error, rng, y));
    }
    seeded
}

/// The inline upstream: 2–3 nodes, a timeout, health checks on some (all in production).
fn write_upstream(
    service: &Service,
    port_error: bool,
    rng: &mut Rng,
    y: &mut Yaml,
) -> Option<Seeded> {
    let (scheme, port) = if service.is_production() {
        ("https", 8443)
    } else {
        ("http", 8080)
    };
    y.line(4, "upstream:");
    y.line(6, &format!("scheme: {scheme}"));
    match rng.below(20) {
        0..=11 => y.line(6, "type: roundrobin"),
        12..=16 => y.line(6, "type: least_conn"),
        _ => {
            y.line(6, "type: chash");
            y.line(6, "hash_on: vars");
            y.line(6, "key: remote_addr");
        }
    }
    y.line(6, "nodes:");
    let node_count = 2 + rng.below(2);
    let bad_node = port_error.then(|| rng.below(node_count));
    let mut seeded = None;
    for (node, letter) in NODE_LETTERS.iter().enumerate().take(node_count) {
        y.line(
            8,
            &format!(
                "- host: {}-{letter}.{}.svc.cluster.local",
                service.name(),
                service.env
            ),
        );
        if bad_node == Some(node) {
            seeded = Some(Seeded {
                line: y.next_line(),
                kind: ErrorKind::PortOutOfRange,
            });
            y.line(
                10,
                &format!("port: {}", rng.pick(&[0, 65536, 70000, 80800])),
            );
        } else {
            y.line(10, &format!("port: {port}"));
        }
        y.line(
            10,
            &format!(
                "weight: {}",
                if node == 0 { 100 } else { rng.pick(&[100, 50]) }
            ),
        );
    }
    let (connect, send, read) = (
        rng.pick(&[1, 2, 3]),
        rng.pick(&[5, 10, 15]),
        rng.pick(&[10, 30, 60]),
    );
    if service.timeouts == Timeouts::Written {
        write_timeout(6, connect, send, read, y);
    }
    if rng.percent(40) {
        y.line(6, "retries: 2");
    }
    if service.is_production() || rng.percent(40) {
        write_health_checks(scheme, rng, y);
    }
    seeded
}

fn write_timeout(indent: usize, connect: u32, send: u32, read: u32, y: &mut Yaml) {
    y.line(indent, "timeout:");
    y.line(indent + 2, &format!("connect: {connect}"));
    y.line(indent + 2, &format!("send: {send}"));
    y.line(indent + 2, &format!("read: {read}"));
}

fn write_health_checks(scheme: &str, rng: &mut Rng, y: &mut Yaml) {
    let interval = rng.pick(&[2, 5, 10]);
    y.line(6, "checks:");
    y.line(8, "active:");
    y.line(10, &format!("type: {scheme}"));
    y.line(
        10,
        &format!(
            "http_path: {}",
            rng.pick(&["/healthz", "/health", "/status"])
        ),
    );
    y.line(10, "healthy:");
    y.line(12, &format!("interval: {interval}"));
    y.line(12, "successes: 2");
    y.line(10, "unhealthy:");
    y.line(12, &format!("interval: {interval}"));
    y.line(12, "http_failures: 3");
    if rng.percent(30) {
        y.line(8, "passive:");
        y.line(10, "healthy:");
        y.line(12, "http_statuses: [200, 201, 204]");
        y.line(12, "successes: 3");
        y.line(10, "unhealthy:");
        y.line(12, "http_statuses: [500, 502, 503]");
        y.line(12, "http_failures: 3");
    }
}

/// Service-level authentication and `limit-count`.
fn write_service_plugins(service: &Service, rng: &mut Rng, y: &mut Yaml) {
    y.line(4, "plugins:");
    write_auth(service, 6, y);
    y.line(6, "limit-count:");
    y.line(
        8,
        &format!("count: {}", rng.pick(&[500, 1000, 5000, 10000])),
    );
    y.line(8, &format!("time_window: {}", rng.pick(&[1, 60, 3600])));
    y.line(
        8,
        &format!("key: {}", rng.pick(&["remote_addr", "consumer_name"])),
    );
    y.line(8, "rejected_code: 429");
    y.line(8, "policy: local");
}

fn write_auth(service: &Service, indent: usize, y: &mut Yaml) {
    if service.jwt {
        y.line(indent, "jwt-auth:");
        y.line(indent + 2, "header: Authorization");
        y.line(indent + 2, "hide_credentials: true");
    } else {
        y.line(indent, "key-auth: {}");
    }
}

/// One route; returns the error seeded into it, if any.
fn write_route(
    service: &Service,
    position: usize,
    error: Option<ErrorKind>,
    rng: &mut Rng,
    y: &mut Yaml,
) -> Option<Seeded> {
    let (action, methods, suffix) = rng.pick(&ACTIONS);
    let resource = rng.pick(&RESOURCES);
    let start = y.next_line();
    let mut seeded = error.map(|kind| Seeded { line: start, kind });
    y.line(6, &format!("- name: {action}-{resource}-{position:02}"));
    if rng.percent(25) {
        y.line(
            8,
            &format!(
                "description: {action} {resource} of the {} API",
                service.domain
            ),
        );
    }
    if error != Some(ErrorKind::MissingUris) {
        let version = rng.pick(&[1, 2]);
        y.line(8, "uris:");
        y.line(
            10,
            &format!(
                "- /{}/v{version}/{resource}/{position:02}{suffix}",
                service.name()
            ),
        );
    }
    write_methods(methods, error, rng, &mut seeded, y);
    if service.route_hosts {
        y.line(8, "hosts:");
        y.line(10, &format!("- {}", service.host()));
    }
    if rng.percent(30) || error == Some(ErrorKind::DuplicateKey) {
        let priority = rng.pick(&[0, 10, 20]);
        y.line(8, &format!("priority: {priority}"));
        if error == Some(ErrorKind::DuplicateKey) {
            seeded = Some(Seeded {
                line: y.next_line(),
                kind: ErrorKind::DuplicateKey,
            });
            y.line(8, &format!("priority: {}", priority + 5));
        }
    }
    if rng.percent(10) && service.timeouts == Timeouts::Written {
        write_timeout(8, 3, 10, 30, y);
    }
    if rng.percent(60) {
        y.line(8, "labels:");
        y.line(10, &format!("endpoint: {resource}"));
    }
    write_route_plugins(service, error, rng, &mut seeded, y);
    seeded
}

fn write_methods(
    methods: &str,
    error: Option<ErrorKind>,
    rng: &mut Rng,
    seeded: &mut Option<Seeded>,
    y: &mut Yaml,
) {
    if error == Some(ErrorKind::BadMethod) {
        *seeded = Some(Seeded {
            line: y.next_line(),
            kind: ErrorKind::BadMethod,
        });
        let bad = rng.pick(&["FETCH", "get", "GETT"]);
        y.line(8, &format!("methods: [{bad}, {}", &methods[1..]));
    } else {
        y.line(8, &format!("methods: {methods}"));
    }
}

/// The plugins a route may carry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RoutePlugin {
    Auth,
    LimitReq,
    ProxyRewrite,
    Cors,
    IpRestriction,
    ResponseRewrite,
    /// Seeded error: `limit-count` with `count` but no `time_window`.
    BrokenLimitCount,
    /// Seeded error: a plugin APISIX does not have.
    Unknown,
}

fn choose_route_plugins(
    service: &Service,
    error: Option<ErrorKind>,
    rng: &mut Rng,
) -> Vec<RoutePlugin> {
    let mut plugins = Vec::new();
    if !service.guarded {
        plugins.push(RoutePlugin::Auth);
        plugins.push(RoutePlugin::LimitReq);
    } else if rng.percent(10) {
        plugins.push(RoutePlugin::LimitReq);
    }
    let extras = [
        (RoutePlugin::Cors, 15),
        (RoutePlugin::IpRestriction, 8),
        (RoutePlugin::ProxyRewrite, 20),
        (RoutePlugin::ResponseRewrite, 12),
    ];
    for (plugin, chance) in extras {
        if rng.percent(chance) {
            plugins.push(plugin);
        }
    }
    match error {
        Some(ErrorKind::LimitCountWithoutTimeWindow) => plugins.push(RoutePlugin::BrokenLimitCount),
        Some(ErrorKind::UnknownPlugin) => plugins.push(RoutePlugin::Unknown),
        _ => {}
    }
    plugins
}

fn write_route_plugins(
    service: &Service,
    error: Option<ErrorKind>,
    rng: &mut Rng,
    seeded: &mut Option<Seeded>,
    y: &mut Yaml,
) {
    let plugins = choose_route_plugins(service, error, rng);
    if plugins.is_empty() {
        return;
    }
    y.line(8, "plugins:");
    for plugin in plugins {
        if matches!(plugin, RoutePlugin::BrokenLimitCount | RoutePlugin::Unknown) {
            if let Some(seeded) = seeded.as_mut() {
                seeded.line = y.next_line();
            }
        }
        write_route_plugin(plugin, service, rng, y);
    }
}

fn write_route_plugin(plugin: RoutePlugin, service: &Service, rng: &mut Rng, y: &mut Yaml) {
    const AT: usize = 10;
    const IN: usize = 12;
    match plugin {
        RoutePlugin::Auth => write_auth(service, AT, y),
        RoutePlugin::LimitReq => {
            y.line(AT, "limit-req:");
            y.line(IN, &format!("rate: {}", rng.pick(&[5, 20, 50, 100])));
            y.line(IN, &format!("burst: {}", rng.pick(&[0, 10, 25])));
            y.line(IN, "key: remote_addr");
            y.line(IN, "rejected_code: 429");
        }
        RoutePlugin::ProxyRewrite => {
            y.line(AT, "proxy-rewrite:");
            y.line(
                IN,
                &format!("regex_uri: [\"^/{}/v[12]/(.*)\", \"/$1\"]", service.name()),
            );
            y.line(IN, "headers:");
            y.line(IN + 2, "set:");
            y.line(IN + 4, "X-Gateway: apisix");
        }
        RoutePlugin::Cors => {
            y.line(AT, "cors:");
            y.line(
                IN,
                "allow_origins: https://app.example.com,https://admin.example.com",
            );
            y.line(IN, "allow_methods: GET,POST,PUT,DELETE,OPTIONS");
            y.line(IN, "allow_headers: Authorization,Content-Type");
            y.line(IN, "expose_headers: X-Request-Id");
            y.line(IN, "max_age: 3600");
            y.line(IN, "allow_credential: true");
        }
        RoutePlugin::IpRestriction => {
            y.line(AT, "ip-restriction:");
            y.line(IN, "whitelist:");
            y.line(IN + 2, "- 10.0.0.0/8");
            y.line(IN + 2, &format!("- 192.168.{}.0/24", rng.below(256)));
        }
        RoutePlugin::ResponseRewrite => {
            y.line(AT, "response-rewrite:");
            y.line(IN, "headers:");
            y.line(IN + 2, "set:");
            y.line(IN + 4, "Cache-Control: no-store");
        }
        RoutePlugin::BrokenLimitCount => {
            y.line(AT, "limit-count:");
            y.line(IN, "count: 100");
            y.line(IN, "key: remote_addr");
        }
        RoutePlugin::Unknown => {
            y.line(
                AT,
                &format!(
                    "{}:",
                    rng.pick(&["limit-cuont", "rate-limiter", "key-auht"])
                ),
            );
            y.line(IN, "count: 100");
        }
    }
}

/// Consumers of one environment: a key-auth key as `$env://`, jwt-auth secrets as `${VAR}`.
/// Returns the text and the `${VAR}` names used.
fn write_consumers(seed: u64, env_index: usize, count: usize) -> (Yaml, Vec<String>) {
    let mut y = Yaml::default();
    let mut variables = Vec::new();
    y.line(0, "consumers:");
    for number in 0..count {
        let mut rng = Rng::for_item(seed, 3 + env_index as u64, number);
        let team = rng.pick(&TEAMS);
        let upper = format!("{}_CLIENT_{number:04}", team.to_uppercase());
        y.line(2, &format!("- username: {team}_client_{number:04}"));
        y.line(
            4,
            &format!("description: API client {number} of the {team} team"),
        );
        y.line(4, "labels:");
        y.line(6, &format!("team: {team}"));
        y.line(4, "credentials:");
        y.line(6, "- name: primary-key");
        y.line(8, "type: key-auth");
        y.line(8, "config:");
        y.line(10, &format!("key: $env://{upper}_API_KEY"));
        if rng.percent(50) {
            let variable = format!("{upper}_JWT_SECRET");
            y.line(6, "- name: jwt");
            y.line(8, "type: jwt-auth");
            y.line(8, "config:");
            y.line(10, &format!("key: {team}-client-{number:04}"));
            y.line(10, &format!("secret: ${{{variable}}}"));
            y.line(10, "algorithm: HS256");
            variables.push(variable);
        }
        if rng.percent(20) {
            y.line(4, "plugins:");
            y.line(6, "limit-count:");
            y.line(8, &format!("count: {}", rng.pick(&[100, 1000])));
            y.line(8, "time_window: 60");
            y.line(8, "key: consumer_name");
            y.line(8, "rejected_code: 429");
        }
    }
    (y, variables)
}

fn write_global_rules() -> Yaml {
    let mut y = Yaml::default();
    y.line(0, "global_rules:");
    y.line(2, "prometheus:");
    y.line(4, "prefer_name: true");
    y
}

/// `.gwlint.yaml`: the environments, their declared `${VAR}` names, and health checks
/// required only in production.
fn write_config(args: &Args, variables: &[Vec<String>]) -> Yaml {
    let mut y = Yaml::default();
    y.line(
        0,
        &format!(
            "# Benchmark corpus from examples/gen_corpus.rs: {} routes, seed {}, {} errors per 1000 routes.",
            args.routes, args.seed, args.errors_per_1000
        ),
    );
    if args.routes_per_file != DEFAULT_ROUTES_PER_FILE
        || args.environments != ENVIRONMENTS.len()
        || args.no_timeouts
    {
        y.line(
            0,
            &format!(
                "# {} environment(s), {} routes per service file{}.",
                args.environments,
                args.routes_per_file,
                if args.no_timeouts {
                    ", no timeouts"
                } else {
                    ""
                }
            ),
        );
    }
    y.line(0, "environments:");
    for (env, names) in args.environments().iter().zip(variables) {
        y.line(2, &format!("{env}:"));
        y.line(4, &format!("path: {env}"));
        y.line(4, "format: adc");
        if names.is_empty() {
            y.line(4, "variables: []");
        } else {
            y.line(4, "variables:");
            for name in names {
                y.line(6, &format!("- {name}"));
            }
        }
        if *env != "production" {
            y.line(4, "rules:");
            y.line(6, "policy/upstream-needs-health-checks: off");
        }
    }
    y
}

/// Totals for the summary.
#[derive(Default)]
struct Totals {
    files: usize,
    yaml_bytes: usize,
    services: usize,
    consumers: usize,
    seeded: BTreeMap<ErrorKind, usize>,
}

/// Make `out` an empty folder; only a folder this program wrote (it has the manifest) is cleared.
fn prepare_output(out: &Path, environments: &[&str]) -> Result<(), String> {
    let not_empty = std::fs::read_dir(out).is_ok_and(|mut entries| entries.next().is_some());
    if not_empty {
        if !out.join(MANIFEST).is_file() {
            return Err(format!(
                "{}: folder is not empty and is not a corpus written by gen_corpus (no {MANIFEST}); refusing to overwrite",
                out.display()
            ));
        }
        std::fs::remove_dir_all(out)
            .map_err(|e| format!("{}: cannot clear: {e}", out.display()))?;
    }
    for env in environments {
        let folder = out.join(env);
        std::fs::create_dir_all(&folder)
            .map_err(|e| format!("{}: cannot create: {e}", folder.display()))?;
    }
    Ok(())
}

fn write_file(out: &Path, relative: &str, y: &Yaml) -> Result<(), String> {
    let path = out.join(relative);
    std::fs::write(&path, &y.text).map_err(|e| format!("{}: cannot write: {e}", path.display()))
}

fn generate(args: &Args) -> Result<Totals, String> {
    prepare_output(&args.out, args.environments())?;
    let mut totals = Totals::default();
    let manifest = write_services(args, &mut totals)?;
    let variables = write_environment_files(args, &mut totals)?;
    write_file(&args.out, ".gwlint.yaml", &write_config(args, &variables))?;
    std::fs::write(args.out.join(MANIFEST), manifest)
        .map_err(|e| format!("{MANIFEST}: cannot write: {e}"))?;
    Ok(totals)
}

/// Write every service file; returns the manifest of seeded errors.
fn write_services(args: &Args, totals: &mut Totals) -> Result<String, String> {
    let plan = plan_errors(args);
    let mut rows = vec!["file\tline\tkind".to_string()];
    let per_file = args.routes_per_file;
    for index in 0..args.routes.div_ceil(per_file) {
        let routes = index * per_file..args.routes.min((index + 1) * per_file);
        let mut rng = Rng::for_item(args.seed, 2, index);
        let service = Service::new(index, routes, args, &mut rng);
        let mut y = Yaml::default();
        let relative = format!("{}/svc-{index:05}.yaml", service.env);
        for seeded in write_service(&service, &plan, &mut rng, &mut y) {
            rows.push(format!(
                "{relative}\t{}\t{}",
                seeded.line,
                seeded.kind.label()
            ));
            *totals.seeded.entry(seeded.kind).or_default() += 1;
        }
        write_file(&args.out, &relative, &y)?;
        totals.record(&y);
        totals.services += 1;
    }
    rows.push(String::new());
    Ok(rows.join("\n"))
}

/// Write each environment's `consumers.yaml` and `global.yaml`; returns the `${VAR}` names
/// each environment uses.
fn write_environment_files(args: &Args, totals: &mut Totals) -> Result<Vec<Vec<String>>, String> {
    let mut variables = Vec::new();
    let environments = args.environments();
    for (env_index, env) in environments.iter().enumerate() {
        let env_services =
            (totals.services + environments.len() - 1 - env_index) / environments.len();
        let consumer_count = (env_services / 5).max(4);
        let (consumers, names) = write_consumers(args.seed, env_index, consumer_count);
        write_file(&args.out, &format!("{env}/consumers.yaml"), &consumers)?;
        totals.record(&consumers);
        totals.consumers += consumer_count;
        let global = write_global_rules();
        write_file(&args.out, &format!("{env}/global.yaml"), &global)?;
        totals.record(&global);
        variables.push(names);
    }
    Ok(variables)
}

impl Totals {
    fn record(&mut self, y: &Yaml) {
        self.files += 1;
        self.yaml_bytes += y.text.len();
    }
}

fn print_summary(args: &Args, totals: &Totals) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let seeded_total: usize = totals.seeded.values().sum();
    writeln!(out, "corpus: {}", args.out.display())?;
    let environments = args.environments();
    writeln!(out, "environments: {}", environments.join(", "))?;
    writeln!(out, "files: {} YAML ({} services, {} consumers.yaml, {} global.yaml) + .gwlint.yaml + {MANIFEST}",
        totals.files, totals.services, environments.len(), environments.len())?;
    writeln!(out, "routes: {}", args.routes)?;
    writeln!(out, "consumers: {}", totals.consumers)?;
    writeln!(
        out,
        "bytes: {} (YAML files; {} per route)",
        totals.yaml_bytes,
        totals.yaml_bytes / args.routes
    )?;
    writeln!(
        out,
        "seeded errors: {seeded_total} (seed {}, {} per 1000 routes)",
        args.seed, args.errors_per_1000
    )?;
    for kind in ErrorKind::ALL {
        writeln!(
            out,
            "  {}: {}",
            kind.label(),
            totals.seeded.get(&kind).copied().unwrap_or(0)
        )?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "{message}");
            return ExitCode::from(2);
        }
    };
    match generate(&args) {
        Ok(totals) => {
            if print_summary(&args, &totals).is_err() {
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "gen_corpus: {message}");
            ExitCode::from(2)
        }
    }
}
