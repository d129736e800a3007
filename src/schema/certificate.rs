//! The certificate checks of SSL objects, shared by two rules that judge
//! differently:
//!
//! - `schema/ssl-certificate` (the schema stage): what APISIX cannot use. For each
//!   certificate/key pair (ADC `certificates[]`; standalone `cert`/`key` and
//!   `certs`/`keys`) the certificate PEM parses as X.509 (every certificate of a
//!   chain), the private key parses, has no passphrase and belongs to the
//!   certificate (RSA, EC P-256/P-384 — other curves through the public key stored
//!   in the key, when there is one — and Ed25519); `client.ca` parses. APISIX
//!   refuses an object whose certificate or key does not parse; a key of another
//!   certificate it stores, but no TLS handshake with the pair succeeds.
//! - `policy/ssl-certificate-validity` (a native policy, `src/policy/native/ssl.rs`):
//!   opinions about a certificate APISIX accepts. The leaf certificate is valid now
//!   and for `expiry_days` more days, and each SNI is covered by the DNS names (or IP
//!   addresses) of every certificate of the object, or by its common name when it
//!   has neither.
//!
//! [`problems`] runs both and tags each problem with the rule that reports it.
//! `$secret://`, `$env://` and `${VAR}` values cannot be checked offline and are
//! skipped, and so are keys that do not start with `---`: APISIX takes those as
//! encrypted with its `key_encrypt_salt` keyring. Messages never quote key material.

use crate::model::compact::Array;
use crate::model::JsonRef;
use data_encoding::BASE64;
use pkcs8::der::asn1::{ObjectIdentifier, OctetStringRef};
use pkcs8::der::{DateTime, Decode, SliceReader};
use serde_json::Value;
use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use x509_cert::certificate::{CertificateInner, Raw};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;

/// Days before expiry that are already reported, when the params do not say.
const DEFAULT_EXPIRY_DAYS: u64 = 30;
const SECONDS_PER_DAY: i64 = 86_400;
/// How many names of a certificate a message lists.
const SHOWN: usize = 5;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");

type Certificate = CertificateInner<Raw>;

/// Which rule reports a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judge {
    /// APISIX cannot use the object: `schema/ssl-certificate`.
    Gateway,
    /// An opinion about an object APISIX accepts: `policy/ssl-certificate-validity`.
    Policy,
}

/// A problem of one SSL object, at `path` below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Which rule reports it.
    pub judge: Judge,
    /// The message.
    pub message: String,
    /// Keys and indexes below the SSL object.
    pub path: Vec<String>,
}

/// The problems of one SSL object (`body`). The [`Judge::Policy`] checks (validity
/// period, SNI coverage) run only when `opinions` gives their settings.
#[must_use]
pub fn problems(body: JsonRef<'_>, opinions: Option<&Settings>) -> Vec<Problem> {
    let mut out = Vec::new();
    SslCheck {
        body,
        settings: opinions,
        out: &mut out,
    }
    .run();
    out
}

/// The parameters of `policy/ssl-certificate-validity`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// The time to check against, in seconds since the Unix epoch.
    now: i64,
    /// How many seconds before its expiry a certificate is reported.
    warn_before: i64,
}

impl Settings {
    /// `now` (RFC 3339, default: the current time) and `expiry_days` (default 30).
    ///
    /// # Errors
    /// What is wrong with a parameter.
    pub fn read(params: &Value) -> Result<Self, String> {
        let now = match params.get("now") {
            None | Some(Value::Null) => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, seconds),
            Some(Value::String(text)) => parse_rfc3339(text)
                .ok_or_else(|| format!("param `now` is not an RFC 3339 time: `{text}`"))?,
            Some(_) => return Err("param `now` must be an RFC 3339 time string".to_owned()),
        };
        let days = match params.get("expiry_days") {
            None | Some(Value::Null) => DEFAULT_EXPIRY_DAYS,
            Some(value) => value
                .as_u64()
                .ok_or("param `expiry_days` must be a whole number of days, 0 or more")?,
        };
        let days = i64::try_from(days).unwrap_or(i64::MAX);
        Ok(Settings {
            now,
            warn_before: days.saturating_mul(SECONDS_PER_DAY),
        })
    }
}

/// Whole seconds of a duration since the epoch, as a signed count.
fn seconds(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` as seconds since the Unix epoch
/// (years 1970 to 9999).
fn parse_rfc3339(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let number = |from: usize, to: usize| -> Option<u16> {
        let digits = bytes.get(from..to)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        digits.iter().try_fold(0u16, |n, d| {
            n.checked_mul(10)?.checked_add(u16::from(d - b'0'))
        })
    };
    let separator = |at: usize, allowed: &[u8]| bytes.get(at).is_some_and(|b| allowed.contains(b));
    if !(separator(4, b"-")
        && separator(7, b"-")
        && separator(10, b"Tt ")
        && separator(13, b":")
        && separator(16, b":"))
    {
        return None;
    }
    let year = number(0, 4)?;
    let [month, day, hour, minute, second] = [
        number(5, 7)?,
        number(8, 10)?,
        number(11, 13)?,
        number(14, 16)?,
        number(17, 19)?,
    ]
    .map(|n| u8::try_from(n).unwrap_or(u8::MAX));
    // A leap second counts as the last second of its minute.
    let second = if second == 60 { 59 } else { second };
    let mut rest = text.get(19..)?;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = fraction.get(digits..)?;
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            let zone = rest.as_bytes();
            if zone.len() != 6 || zone[3] != b':' {
                return None;
            }
            let two = |at: usize| -> Option<i64> {
                let pair = zone.get(at..at + 2)?;
                pair.iter()
                    .all(u8::is_ascii_digit)
                    .then(|| i64::from(pair[0] - b'0') * 10 + i64::from(pair[1] - b'0'))
            };
            let (hours, minutes) = (two(1)?, two(4)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let local = DateTime::new(year, month, day, hour, minute, second).ok()?;
    Some(seconds(local.unix_duration()) - offset)
}

/// A time for messages: `2021-01-01T00:00:00Z`.
fn show_time(unix: i64) -> String {
    u64::try_from(unix)
        .ok()
        .and_then(|s| DateTime::from_unix_duration(Duration::from_secs(s)).ok())
        .map_or_else(|| format!("{unix} seconds after 1970"), |t| t.to_string())
}

/// A string field of an SSL object and where it is written below it.
struct Field<'a> {
    text: &'a str,
    path: Vec<String>,
}

impl Field<'_> {
    fn shown(&self) -> String {
        self.path.join("/")
    }
}

/// A certificate and the key that goes with it (either may be missing).
struct Pair<'a> {
    cert: Option<Field<'a>>,
    key: Option<Field<'a>>,
}

/// The certificate/key pairs of an SSL object, in either format.
fn pairs(body: JsonRef<'_>) -> Vec<Pair<'_>> {
    fn field<'a>(value: Option<JsonRef<'a>>, path: &[&str]) -> Option<Field<'a>> {
        value.and_then(JsonRef::as_str).map(|text| Field {
            text,
            path: path.iter().map(|s| (*s).to_owned()).collect(),
        })
    }
    let mut pairs = Vec::new();
    for (i, item) in body
        .get("certificates")
        .and_then(JsonRef::as_array)
        .into_iter()
        .flat_map(Array::iter)
        .enumerate()
    {
        let index = i.to_string();
        pairs.push(Pair {
            cert: field(
                item.get("certificate"),
                &["certificates", &index, "certificate"],
            ),
            key: field(item.get("key"), &["certificates", &index, "key"]),
        });
    }
    if body.get("cert").is_some() || body.get("key").is_some() {
        pairs.push(Pair {
            cert: field(body.get("cert"), &["cert"]),
            key: field(body.get("key"), &["key"]),
        });
    }
    let certs = body.get("certs").and_then(JsonRef::as_array);
    let keys = body.get("keys").and_then(JsonRef::as_array);
    let len = |list: Option<Array<'_>>| list.map_or(0, Array::len);
    for i in 0..len(certs).max(len(keys)) {
        let index = i.to_string();
        pairs.push(Pair {
            cert: field(certs.and_then(|c| c.get(i)), &["certs", &index]),
            key: field(keys.and_then(|k| k.get(i)), &["keys", &index]),
        });
    }
    pairs
}

/// The checks of one SSL object.
struct SslCheck<'a, 'b> {
    body: JsonRef<'a>,
    /// The settings of the [`Judge::Policy`] checks, when they run.
    settings: Option<&'b Settings>,
    out: &'b mut Vec<Problem>,
}

impl SslCheck<'_, '_> {
    /// A problem APISIX has with the object.
    fn report(&mut self, message: String, path: &[String]) {
        self.push(Judge::Gateway, message, path);
    }

    /// An opinion about the object.
    fn opinion(&mut self, message: String, path: &[String]) {
        self.push(Judge::Policy, message, path);
    }

    fn push(&mut self, judge: Judge, message: String, path: &[String]) {
        self.out.push(Problem {
            judge,
            message,
            path: path.to_vec(),
        });
    }

    fn run(mut self) {
        let body = self.body;
        let mut leaves: Vec<(String, Names)> = Vec::new();
        for pair in pairs(body) {
            let leaf = pair
                .cert
                .as_ref()
                .and_then(|cert| self.certificate(cert, true));
            if let Some(key) = &pair.key {
                let public = self.private_key(key);
                if let (Some(leaf), Some(public)) = (&leaf, public) {
                    if !leaf.public_key.matches(&public) {
                        let msg = mismatch_message(&leaf.public_key, &public);
                        self.report(msg, &key.path);
                    }
                }
            }
            if let (Some(leaf), Some(cert)) = (leaf, &pair.cert) {
                leaves.push((cert.shown(), leaf.names));
            }
        }
        if let Some(ca) = body.pointer("/client/ca").and_then(JsonRef::as_str) {
            let ca = Field {
                text: ca,
                path: vec!["client".to_owned(), "ca".to_owned()],
            };
            self.certificate(&ca, false);
        }
        if body.get("type").and_then(JsonRef::as_str) != Some("client") {
            self.snis(&leaves);
        }
    }

    /// Parse a certificate chain; report problems; return its leaf. `dated`: check
    /// the leaf's validity period.
    fn certificate(&mut self, field: &Field<'_>, dated: bool) -> Option<Leaf> {
        if crate::secrets::is_reference(field.text) {
            return None;
        }
        let blocks = match pem_blocks(field.text, |label| CERTIFICATE_LABELS.contains(&label)) {
            Ok(blocks) if blocks.is_empty() => {
                self.report(
                    "certificate is not PEM: no `-----BEGIN CERTIFICATE-----` block".to_owned(),
                    &field.path,
                );
                return None;
            }
            Ok(blocks) => blocks,
            Err(problem) => {
                self.report(
                    format!("certificate is not valid PEM: {problem}"),
                    &field.path,
                );
                return None;
            }
        };
        let mut leaf = None;
        for (i, block) in blocks.iter().enumerate() {
            let which = if i == 0 {
                "certificate".to_owned()
            } else {
                format!("certificate {} of the chain", i + 1)
            };
            let parsed = match BASE64.decode(block.base64.as_bytes()) {
                Err(_) => Err(format!("{which} is not valid base64 inside its PEM block")),
                Ok(der) => decode_first::<Certificate>(&der)
                    .map_err(|e| format!("{which} does not parse as X.509: {e}")),
            };
            match parsed {
                Err(msg) => {
                    self.report(msg, &field.path);
                    return None;
                }
                Ok(cert) if i == 0 => leaf = Some(Leaf::of(&cert)),
                Ok(_) => {}
            }
        }
        let leaf = leaf?;
        if let (true, Some(settings)) = (dated, self.settings) {
            self.validity(settings, &leaf, &field.path);
        }
        Some(leaf)
    }

    /// The leaf's validity period against `now` and `expiry_days`.
    fn validity(&mut self, settings: &Settings, leaf: &Leaf, path: &[String]) {
        let now = settings.now;
        if leaf.not_after <= now {
            self.opinion(
                format!("certificate expired on {}", show_time(leaf.not_after)),
                path,
            );
        } else if leaf.not_after <= now.saturating_add(settings.warn_before) {
            let days = settings.warn_before / SECONDS_PER_DAY;
            self.opinion(
                format!(
                    "certificate expires on {}, in less than {days} days",
                    show_time(leaf.not_after)
                ),
                path,
            );
        }
        if leaf.not_before > now {
            self.opinion(
                format!(
                    "certificate is not valid before {}",
                    show_time(leaf.not_before)
                ),
                path,
            );
        }
    }

    /// Parse a private key and report problems; its public key, when there is
    /// one to compare (not skipped, valid, and of a kind derived here).
    fn private_key(&mut self, field: &Field<'_>) -> Option<PublicKey> {
        let text = field.text;
        if crate::secrets::is_reference(text) || is_keyring_encrypted(text) {
            return None;
        }
        match parse_private_key(text) {
            Ok(public) => public,
            Err(problem) => {
                self.report(problem, &field.path);
                None
            }
        }
    }

    /// Every SNI must be covered by every parsed certificate.
    fn snis(&mut self, leaves: &[(String, Names)]) {
        if leaves.is_empty() || self.settings.is_none() {
            return;
        }
        let body = self.body;
        let mut snis: Vec<(&str, Vec<String>)> = Vec::new();
        if let Some(sni) = body.get("sni").and_then(JsonRef::as_str) {
            snis.push((sni, vec!["sni".to_owned()]));
        }
        for (i, sni) in body
            .get("snis")
            .and_then(JsonRef::as_array)
            .into_iter()
            .flat_map(Array::iter)
            .enumerate()
        {
            if let Some(sni) = sni.as_str() {
                snis.push((sni, vec!["snis".to_owned(), i.to_string()]));
            }
        }
        for (sni, path) in snis {
            if crate::secrets::is_reference(sni) {
                continue;
            }
            let missing: Vec<&(String, Names)> = leaves
                .iter()
                .filter(|(_, names)| !names.covers(sni))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let which: Vec<String> = missing
                .iter()
                .map(|(at, names)| {
                    if leaves.len() == 1 {
                        format!("the certificate ({})", names.describe())
                    } else {
                        format!("the certificate at `{at}` ({})", names.describe())
                    }
                })
                .collect();
            self.opinion(
                format!("SNI `{sni}` is not covered by {}", which.join(" nor by ")),
                &path,
            );
        }
    }
}

/// What the rule needs from a leaf certificate.
struct Leaf {
    public_key: PublicKey,
    names: Names,
    not_before: i64,
    not_after: i64,
}

impl Leaf {
    fn of(cert: &Certificate) -> Leaf {
        let tbs = cert.tbs_certificate();
        let spki = tbs.subject_public_key_info();
        let key_bytes = spki.subject_public_key.raw_bytes();
        let curve = || {
            spki.algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
        };
        let public_key = match spki.algorithm.oid {
            oid if oid == RSA_ENCRYPTION || oid == RSA_PSS => {
                match pkcs1::RsaPublicKey::<pkcs1::UintRef<'_>>::from_der(key_bytes) {
                    Ok(rsa) => {
                        PublicKey::rsa(rsa.modulus.as_bytes(), rsa.public_exponent.as_bytes())
                    }
                    Err(_) => PublicKey::Other(oid.to_string()),
                }
            }
            oid if oid == EC_PUBLIC_KEY => match curve() {
                Some(curve) => PublicKey::ec(curve, key_bytes),
                None => PublicKey::Other(oid.to_string()),
            },
            oid if oid == ED25519 => PublicKey::Ed25519(key_bytes.to_vec()),
            oid => PublicKey::Other(oid.to_string()),
        };
        let validity = tbs.validity();
        Leaf {
            public_key,
            names: Names::of(cert),
            not_before: seconds(validity.not_before.to_unix_duration()),
            not_after: seconds(validity.not_after.to_unix_duration()),
        }
    }
}

/// Decode one DER value from the start of `der`, ignoring trailing data (as
/// OpenSSL does, e.g. for `TRUSTED CERTIFICATE` blocks).
fn decode_first<'a, T: Decode<'a, Error = pkcs8::der::Error>>(
    der: &'a [u8],
) -> Result<T, pkcs8::der::Error> {
    let mut reader = SliceReader::new(der)?;
    T::decode(&mut reader)
}

/// The host names and addresses a certificate is valid for.
#[derive(Debug, Default)]
struct Names {
    dns: Vec<String>,
    ips: Vec<IpAddr>,
    common_name: Option<String>,
}

impl Names {
    fn of(cert: &Certificate) -> Names {
        let tbs = cert.tbs_certificate();
        let mut names = Names::default();
        if let Ok(Some((_, SubjectAltName(general)))) = tbs.get_extension::<SubjectAltName>() {
            for name in general {
                match name {
                    GeneralName::DnsName(dns) => {
                        names.dns.push(dns.to_string().to_ascii_lowercase());
                    }
                    GeneralName::IpAddress(octets) => {
                        let bytes = octets.as_bytes();
                        if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
                            names.ips.push(IpAddr::from(v4));
                        } else if let Ok(v6) = <[u8; 16]>::try_from(bytes) {
                            names.ips.push(IpAddr::from(v6));
                        }
                    }
                    _ => {}
                }
            }
        }
        names.common_name = tbs
            .subject()
            .common_name()
            .ok()
            .flatten()
            .map(|cn| cn.value().to_ascii_lowercase());
        names
    }

    /// Whether a TLS client asking for `sni` accepts this certificate. A wildcard
    /// SNI (`*.example.com`) needs a name that covers the same set of hosts.
    fn covers(&self, sni: &str) -> bool {
        let sni = sni.trim_end_matches('.').to_ascii_lowercase();
        if let Ok(ip) = sni.parse::<IpAddr>() {
            return self.ips.contains(&ip);
        }
        if self.dns.is_empty() && self.ips.is_empty() {
            return self
                .common_name
                .as_deref()
                .is_some_and(|cn| name_covers(cn, &sni));
        }
        self.dns.iter().any(|name| name_covers(name, &sni))
    }

    fn describe(&self) -> String {
        let mut shown: Vec<String> = self.dns.clone();
        shown.extend(self.ips.iter().map(ToString::to_string));
        let kind = if shown.is_empty() {
            match &self.common_name {
                Some(cn) => {
                    shown.push(cn.clone());
                    "common name, no subject alternative names"
                }
                None => return "it names no host".to_owned(),
            }
        } else {
            "names"
        };
        let more = shown.len().saturating_sub(SHOWN);
        shown.truncate(SHOWN);
        let list = shown.join(", ");
        if more > 0 {
            format!("{kind}: {list} and {more} more")
        } else {
            format!("{kind}: {list}")
        }
    }
}

/// Whether the certificate name `name` (lowercase) covers host `sni` (lowercase):
/// equal, or `*.rest` for one more label in front of `rest`.
fn name_covers(name: &str, sni: &str) -> bool {
    let name = name.trim_end_matches('.');
    if name == sni {
        return true;
    }
    let Some(rest) = name.strip_prefix("*.") else {
        return false;
    };
    sni.strip_suffix(rest)
        .and_then(|front| front.strip_suffix('.'))
        .is_some_and(|label| !label.is_empty() && !label.contains('.') && label != "*")
}

/// A public key, normalized for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PublicKey {
    /// Modulus and exponent, without leading zero bytes.
    Rsa {
        modulus: Vec<u8>,
        exponent: Vec<u8>,
    },
    /// A named curve and its point (uncompressed when the curve is supported).
    Ec {
        curve: ObjectIdentifier,
        point: Vec<u8>,
    },
    Ed25519(Vec<u8>),
    /// Another algorithm, by OID.
    Other(String),
}

impl PublicKey {
    fn rsa(modulus: &[u8], exponent: &[u8]) -> Self {
        let strip = |bytes: &[u8]| {
            let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
            bytes[start..].to_vec()
        };
        PublicKey::Rsa {
            modulus: strip(modulus),
            exponent: strip(exponent),
        }
    }

    /// An EC point as written in SEC1 form, made uncompressed for P-256/P-384.
    fn ec(curve: ObjectIdentifier, point: &[u8]) -> Self {
        let normalized = if curve == P256 {
            p256::PublicKey::from_sec1_bytes(point)
                .ok()
                .map(|p| p.to_sec1_bytes().to_vec())
        } else if curve == P384 {
            p384::PublicKey::from_sec1_bytes(point)
                .ok()
                .map(|p| p.to_sec1_bytes().to_vec())
        } else {
            None
        };
        PublicKey::Ec {
            curve,
            point: normalized.unwrap_or_else(|| point.to_vec()),
        }
    }

    /// Whether a private key's public half is this certificate key. Points of
    /// curves not derived here are compared only when written the same way.
    fn matches(&self, key: &PublicKey) -> bool {
        match (self, key) {
            (PublicKey::Ec { curve: a, point: p }, PublicKey::Ec { curve: b, point: q })
                if a == b && p.first() != q.first() =>
            {
                true
            }
            _ => self == key,
        }
    }

    /// The key's type: `RSA 2048-bit`, `EC P-256`, `Ed25519`, ...
    fn type_name(&self) -> String {
        match self {
            PublicKey::Rsa { modulus, .. } => {
                let bits = modulus
                    .first()
                    .map_or(0, |top| modulus.len() * 8 - top.leading_zeros() as usize);
                format!("RSA {bits}-bit")
            }
            PublicKey::Ec { curve, .. } => match *curve {
                c if c == P256 => "EC P-256".to_owned(),
                c if c == P384 => "EC P-384".to_owned(),
                c if c == P521 => "EC P-521".to_owned(),
                c => format!("EC (curve {c})"),
            },
            PublicKey::Ed25519(_) => "Ed25519".to_owned(),
            PublicKey::Other(oid) => format!("algorithm {oid}"),
        }
    }

    /// `an RSA 2048-bit key`, `an EC P-256 key`, `a key of algorithm ...`.
    fn describe(&self) -> String {
        match self {
            PublicKey::Other(oid) => format!("a key of algorithm {oid}"),
            PublicKey::Rsa { .. } | PublicKey::Ec { .. } => format!("an {} key", self.type_name()),
            PublicKey::Ed25519(_) => "an Ed25519 key".to_owned(),
        }
    }
}

fn mismatch_message(cert: &PublicKey, key: &PublicKey) -> String {
    let kind = cert.type_name();
    if kind == key.type_name() {
        format!("private key does not match the certificate: both are {kind} keys, but from different key pairs")
    } else {
        format!(
            "private key does not match the certificate: the certificate has {}, this is {}",
            cert.describe(),
            key.describe()
        )
    }
}

/// APISIX decrypts keys that do not start with `---` with its keyring (a base64
/// AES ciphertext); such a key cannot be checked offline.
fn is_keyring_encrypted(text: &str) -> bool {
    !text.starts_with("---")
        && !text.is_empty()
        && text.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=') || b.is_ascii_whitespace()
        })
}

/// Labels OpenSSL reads as a certificate.
const CERTIFICATE_LABELS: &[&str] = &["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"];

/// One PEM block.
struct PemBlock {
    label: String,
    /// The base64 body, without whitespace.
    base64: String,
    /// A `Proc-Type: 4,ENCRYPTED` header (legacy OpenSSL encryption).
    encrypted: bool,
}

/// The PEM blocks of `text` whose label is `wanted`; other blocks (such as
/// `EC PARAMETERS`) and text around blocks are skipped. Errors name what is
/// broken without quoting the content.
fn pem_blocks(text: &str, wanted: impl Fn(&str) -> bool) -> Result<Vec<PemBlock>, String> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let end = format!("-----END {label}-----");
        let mut block = PemBlock {
            label: label.to_owned(),
            base64: String::new(),
            encrypted: false,
        };
        let mut closed = false;
        for line in lines.by_ref() {
            if line == end {
                closed = true;
                break;
            }
            if line.starts_with("-----") {
                return Err(format!("the `{label}` block ends with a wrong line"));
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.trim() == "Proc-Type" && value.contains("ENCRYPTED") {
                    block.encrypted = true;
                }
                continue;
            }
            block.base64.push_str(line);
        }
        if !closed {
            return Err(format!("the `{label}` block has no `{end}` line"));
        }
        if wanted(label) {
            blocks.push(block);
        }
    }
    Ok(blocks)
}

/// Parse a PEM private key: `Ok(Some(public key))`, `Ok(None)` when the key is
/// valid but of a kind whose public key is not derived here, or a message.
fn parse_private_key(text: &str) -> Result<Option<PublicKey>, String> {
    let blocks = pem_blocks(text, |label| label.ends_with("PRIVATE KEY"))
        .map_err(|problem| format!("private key is not valid PEM: {problem}"))?;
    let Some(block) = blocks.first() else {
        return Err(
            "private key is not PEM: no `-----BEGIN ... PRIVATE KEY-----` block".to_owned(),
        );
    };
    if block.label == "ENCRYPTED PRIVATE KEY" || block.encrypted {
        return Err("private key is protected by a passphrase; APISIX cannot load it".to_owned());
    }
    let der = BASE64
        .decode(block.base64.as_bytes())
        .map_err(|_| "private key is not valid base64 inside its PEM block".to_owned())?;
    match block.label.as_str() {
        "PRIVATE KEY" => {
            let info = decode_first::<pkcs8::PrivateKeyInfoRef<'_>>(&der)
                .map_err(|_| unparsable("a PKCS#8 key"))?;
            pkcs8_public_key(&info).map_err(unparsable)
        }
        "RSA PRIVATE KEY" => {
            let rsa = decode_first::<pkcs1::RsaPrivateKey<pkcs1::UintRef<'_>>>(&der)
                .map_err(|_| unparsable("a PKCS#1 RSA key"))?;
            Ok(Some(PublicKey::rsa(
                rsa.modulus.as_bytes(),
                rsa.public_exponent.as_bytes(),
            )))
        }
        "EC PRIVATE KEY" => {
            let ec = decode_first::<sec1::EcPrivateKey<'_>>(&der)
                .map_err(|_| unparsable("a SEC1 EC key"))?;
            let curve = ec.parameters.map(|sec1::EcParameters::NamedCurve(oid)| oid);
            ec_public_key(&ec, curve).map_err(unparsable)
        }
        // DSA and other legacy kinds: nothing to compare here.
        _ => Ok(None),
    }
}

fn unparsable(what: &str) -> String {
    format!("private key does not parse as {what}")
}

/// The public key of a PKCS#8 private key, or what it failed to parse as.
fn pkcs8_public_key(
    info: &pkcs8::PrivateKeyInfoRef<'_>,
) -> Result<Option<PublicKey>, &'static str> {
    let inner = info.private_key.as_bytes();
    match info.algorithm.oid {
        oid if oid == RSA_ENCRYPTION || oid == RSA_PSS => {
            let rsa = decode_first::<pkcs1::RsaPrivateKey<pkcs1::UintRef<'_>>>(inner)
                .map_err(|_| "an RSA key")?;
            Ok(Some(PublicKey::rsa(
                rsa.modulus.as_bytes(),
                rsa.public_exponent.as_bytes(),
            )))
        }
        oid if oid == EC_PUBLIC_KEY => {
            let ec = decode_first::<sec1::EcPrivateKey<'_>>(inner).map_err(|_| "an EC key")?;
            let curve = info
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .or(ec.parameters.map(|sec1::EcParameters::NamedCurve(oid)| oid));
            ec_public_key(&ec, curve)
        }
        oid if oid == ED25519 => {
            let seed = decode_first::<&OctetStringRef>(inner).map_err(|_| "an Ed25519 key")?;
            let seed: [u8; 32] = seed.as_bytes().try_into().map_err(|_| "an Ed25519 key")?;
            let public = ed25519_dalek::SigningKey::from_bytes(&seed)
                .verifying_key()
                .to_bytes();
            Ok(Some(PublicKey::Ed25519(public.to_vec())))
        }
        _ => Ok(None),
    }
}

/// The public key of an EC private key on `curve`: derived for P-256/P-384, else
/// the public key the key carries, if any.
fn ec_public_key(
    ec: &sec1::EcPrivateKey<'_>,
    curve: Option<ObjectIdentifier>,
) -> Result<Option<PublicKey>, &'static str> {
    let Some(curve) = curve else {
        return Err("an EC key with a named curve");
    };
    let derived = if curve == P256 {
        let secret = p256::SecretKey::from_slice(ec.private_key).map_err(|_| "a P-256 key")?;
        Some(secret.public_key().to_sec1_bytes().to_vec())
    } else if curve == P384 {
        let secret = p384::SecretKey::from_slice(ec.private_key).map_err(|_| "a P-384 key")?;
        Some(secret.public_key().to_sec1_bytes().to_vec())
    } else {
        ec.public_key.map(<[u8]>::to_vec)
    };
    Ok(derived.map(|point| PublicKey::Ec { curve, point }))
}

/// The public JWK members of a private key, as openssl's JWK dump gives them:
/// `kty`, then `crv`/`x`/`y` (EC), `e`/`n` (RSA) or `crv`/`x` (Ed25519), values
/// base64url without padding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateKeyJwk {
    /// `RSA`, `EC` or `OKP`.
    pub kty: &'static str,
    /// The curve: `P-256`, `P-384`, `P-521` or `Ed25519`.
    pub crv: Option<&'static str>,
    /// The other members, by name.
    pub members: Vec<(&'static str, String)>,
}

/// The public JWK of the PEM private key `text`: `Ok(None)` when the key parses
/// but its public members are not derived here (another algorithm, an EC curve
/// whose key carries no public point), `Err` when it is no usable private key.
///
/// # Errors
/// What is wrong with the key, without quoting it.
pub fn private_key_jwk(text: &str) -> Result<Option<PrivateKeyJwk>, String> {
    use data_encoding::BASE64URL_NOPAD;
    let Some(key) = parse_private_key(text)? else {
        return Ok(None);
    };
    let jwk = match key {
        PublicKey::Rsa { modulus, exponent } => PrivateKeyJwk {
            kty: "RSA",
            crv: None,
            members: vec![
                ("e", BASE64URL_NOPAD.encode(&exponent)),
                ("n", BASE64URL_NOPAD.encode(&modulus)),
            ],
        },
        PublicKey::Ec { curve, point } => {
            let crv = match curve {
                c if c == P256 => "P-256",
                c if c == P384 => "P-384",
                c if c == P521 => "P-521",
                _ => return Ok(None),
            };
            let members = match point.split_first() {
                Some((4, coordinates)) if coordinates.len() % 2 == 0 => {
                    let (x, y) = coordinates.split_at(coordinates.len() / 2);
                    vec![
                        ("x", BASE64URL_NOPAD.encode(x)),
                        ("y", BASE64URL_NOPAD.encode(y)),
                    ]
                }
                _ => Vec::new(),
            };
            PrivateKeyJwk {
                kty: "EC",
                crv: Some(crv),
                members,
            }
        }
        PublicKey::Ed25519(public) => PrivateKeyJwk {
            kty: "OKP",
            crv: Some("Ed25519"),
            members: vec![("x", BASE64URL_NOPAD.encode(&public))],
        },
        PublicKey::Other(_) => return Ok(None),
    };
    Ok(Some(jwk))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Format;
    use crate::model::Environment;
    use crate::policy::PolicyResult;
    use serde_json::json;

    macro_rules! pem {
        ($name:literal) => {
            include_str!(concat!(
                "../../fixtures/rules/ssl-certificate-validity/pem/",
                $name
            ))
        };
    }
    const RSA_CRT: &str = pem!("rsa.crt");
    const RSA_KEY: &str = pem!("rsa.key");
    const RSA_PKCS1_KEY: &str = pem!("rsa-pkcs1.key");
    const EC256_CRT: &str = pem!("ec256.crt");
    const EC256_KEY: &str = pem!("ec256.key");
    const EC384_CRT: &str = pem!("ec384.crt");
    const EC384_KEY: &str = pem!("ec384.key");
    const ED25519_CRT: &str = pem!("ed25519.crt");
    const ED25519_KEY: &str = pem!("ed25519.key");
    const EXPIRED_CRT: &str = pem!("expired.crt");
    const EXPIRED_KEY: &str = pem!("expired.key");
    const ENCRYPTED_KEY: &str = pem!("encrypted.key");

    const NOW: &str = "2026-06-01T12:00:00Z";

    fn model(ssls: &[Value], format: Format) -> Environment {
        let text = json!({ "ssls": ssls }).to_string();
        crate::model::of_text("ssl.json", &text, format)
    }

    /// The problems of both rules, in the order they are found; bad `params`
    /// give one unlocated result, as the policy reports them.
    fn run_with(ssls: &[Value], format: Format, params: &Value) -> Vec<PolicyResult> {
        let env = model(ssls, format);
        let settings = match Settings::read(params) {
            Ok(settings) => settings,
            Err(problem) => {
                let mut out = Vec::new();
                crate::policy::native::ssl_check(&env, params, &mut out);
                assert!(out[0].msg.ends_with(&problem));
                return out;
            }
        };
        let mut all = Vec::new();
        for ssl in &env.ssls {
            for problem in problems(ssl.body.json(), Some(&settings)) {
                let field: Vec<&str> = problem.path.iter().map(String::as_str).collect();
                all.push(PolicyResult::at_origin(
                    problem.message,
                    ssl.origin.file(),
                    &ssl.origin.pointer,
                    &field,
                ));
            }
        }
        all
    }

    /// `(field, message)` of each result for ADC SSLs checked at `NOW`.
    fn results(ssls: &[Value]) -> Vec<(String, String)> {
        run_with(ssls, Format::Adc, &json!({ "now": NOW }))
            .into_iter()
            .map(|r| (r.field.join("/"), r.msg))
            .collect()
    }

    fn fields(found: &[(String, String)]) -> Vec<&str> {
        found.iter().map(|(f, _)| f.as_str()).collect()
    }

    fn adc(snis: &[&str], cert: &str, key: &str) -> Value {
        json!({ "snis": snis, "certificates": [{ "certificate": cert, "key": key }] })
    }

    #[test]
    fn valid_pairs_of_every_key_kind_pass() {
        let ssls = [
            adc(&["example.com", "www.example.com"], RSA_CRT, RSA_KEY),
            adc(&["example.com"], RSA_CRT, RSA_PKCS1_KEY),
            adc(&["api.example.org", "192.0.2.10"], EC256_CRT, EC256_KEY),
            adc(&["legacy.example.net"], EC384_CRT, EC384_KEY),
            adc(&["ed.example.com"], ED25519_CRT, ED25519_KEY),
        ];
        assert_eq!(results(&ssls), []);
    }

    #[test]
    fn dual_certificates_must_each_cover_every_sni() {
        let ssl = json!({ "snis": ["api.example.org"], "certificates": [
            { "certificate": EC256_CRT, "key": EC256_KEY },
            { "certificate": RSA_CRT, "key": RSA_KEY },
        ]});
        let found = results(&[ssl]);
        assert_eq!(fields(&found), ["snis/0"]);
        assert_eq!(
            found[0].1,
            "SNI `api.example.org` is not covered by the certificate at `certificates/1/certificate` (names: example.com, *.example.com)"
        );
    }

    #[test]
    fn garbage_pem_is_reported_at_the_field() {
        let garbage = "-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----\n";
        let found = results(&[adc(&["example.com"], garbage, RSA_KEY)]);
        assert_eq!(fields(&found), ["certificates/0/certificate"]);
        assert!(
            found[0]
                .1
                .starts_with("certificate does not parse as X.509: "),
            "{}",
            found[0].1
        );

        let found = results(&[adc(&["example.com"], "just some text", RSA_KEY)]);
        assert_eq!(
            found,
            [(
                "certificates/0/certificate".to_owned(),
                "certificate is not PEM: no `-----BEGIN CERTIFICATE-----` block".to_owned()
            )]
        );

        let not_base64 = "-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----";
        let found = results(&[adc(&["example.com"], not_base64, RSA_KEY)]);
        assert_eq!(
            found[0].1,
            "certificate is not valid base64 inside its PEM block"
        );

        let unterminated = "-----BEGIN CERTIFICATE-----\nAAAA\n";
        let found = results(&[adc(&["example.com"], unterminated, RSA_KEY)]);
        assert_eq!(
            found[0].1,
            "certificate is not valid PEM: the `CERTIFICATE` block has no `-----END CERTIFICATE-----` line"
        );
    }

    #[test]
    fn garbage_keys_are_reported_without_their_content() {
        let secret =
            "-----BEGIN PRIVATE KEY-----\nU0VDUkVUU0VDUkVUU0VDUkVU\n-----END PRIVATE KEY-----";
        let found = results(&[adc(&["example.com"], RSA_CRT, secret)]);
        assert_eq!(
            found,
            [(
                "certificates/0/key".to_owned(),
                "private key does not parse as a PKCS#8 key".to_owned()
            )]
        );
        let found = results(&[adc(&["example.com"], RSA_CRT, "---not a key---")]);
        assert_eq!(
            found,
            [(
                "certificates/0/key".to_owned(),
                "private key is not PEM: no `-----BEGIN ... PRIVATE KEY-----` block".to_owned()
            )]
        );
        let truncated: String = EC256_KEY
            .lines()
            .filter(|l| !l.starts_with("MHcC"))
            .collect::<Vec<_>>()
            .join("\n");
        let found = results(&[adc(&["api.example.org"], EC256_CRT, &truncated)]);
        assert_eq!(fields(&found), ["certificates/0/key"]);
        for (_, msg) in &found {
            for line in EC256_KEY.lines().filter(|l| !l.starts_with("-----")) {
                assert!(!msg.contains(line), "key material in `{msg}`");
            }
        }
    }

    #[test]
    fn key_of_another_certificate_is_reported() {
        let found = results(&[adc(&["example.com"], RSA_CRT, EC256_KEY)]);
        assert_eq!(
            found,
            [(
                "certificates/0/key".to_owned(),
                "private key does not match the certificate: the certificate has an RSA 2048-bit key, this is an EC P-256 key"
                    .to_owned()
            )]
        );
        let found = results(&[adc(&["api.example.org"], EC256_CRT, EXPIRED_KEY)]);
        assert_eq!(
            found,
            [(
                "certificates/0/key".to_owned(),
                "private key does not match the certificate: both are EC P-256 keys, but from different key pairs".to_owned()
            )]
        );
        let found = results(&[adc(&["ed.example.com"], ED25519_CRT, EC384_KEY)]);
        assert_eq!(fields(&found), ["certificates/0/key"]);
        let found = results(&[adc(&["legacy.example.net"], EC384_CRT, EC256_KEY)]);
        assert!(
            found[0]
                .1
                .ends_with("the certificate has an EC P-384 key, this is an EC P-256 key"),
            "{found:?}"
        );
    }

    #[test]
    fn expired_and_expiring_certificates_are_reported() {
        let found = results(&[adc(&["old.example.com"], EXPIRED_CRT, EXPIRED_KEY)]);
        assert_eq!(
            found,
            [(
                "certificates/0/certificate".to_owned(),
                "certificate expired on 2021-01-01T00:00:00Z".to_owned()
            )]
        );
        let ssl = [adc(&["example.com"], RSA_CRT, RSA_KEY)];
        let soon = run_with(&ssl, Format::Adc, &json!({ "now": "2124-12-15T00:00:00Z" }));
        assert_eq!(soon.len(), 1);
        assert_eq!(
            soon[0].msg,
            "certificate expires on 2125-01-01T00:00:00Z, in less than 30 days"
        );
        assert_eq!(soon[0].field, ["certificates", "0", "certificate"]);
        let shorter = run_with(
            &ssl,
            Format::Adc,
            &json!({ "now": "2124-12-15T00:00:00Z", "expiry_days": 10 }),
        );
        assert_eq!(shorter, []);
        let edge = run_with(&ssl, Format::Adc, &json!({ "now": "2124-12-02T00:00:00Z" }));
        assert_eq!(edge.len(), 1, "exactly 30 days left is within 30 days");
        let early = run_with(&ssl, Format::Adc, &json!({ "now": "2124-12-01T23:59:59Z" }));
        assert_eq!(early, []);
        let before = run_with(&ssl, Format::Adc, &json!({ "now": "2024-06-01T00:00:00Z" }));
        assert_eq!(before.len(), 1);
        assert_eq!(
            before[0].msg,
            "certificate is not valid before 2025-01-01T00:00:00Z"
        );
    }

    #[test]
    fn snis_need_a_covering_name_with_one_label_wildcards() {
        let snis = [
            "example.com",
            "A.Example.com",
            "a.b.example.com",
            "other.org",
            "*.example.com",
            "*.b.example.com",
            "www.example.com.",
            "192.0.2.10",
        ];
        let found = results(&[adc(&snis, RSA_CRT, RSA_KEY)]);
        assert_eq!(fields(&found), ["snis/2", "snis/3", "snis/5", "snis/7"]);
        assert_eq!(
            found[0].1,
            "SNI `a.b.example.com` is not covered by the certificate (names: example.com, *.example.com)"
        );
    }

    #[test]
    fn common_name_counts_only_without_alternative_names() {
        let found = results(&[adc(
            &["legacy.example.net", "LEGACY.example.net", "x.example.net"],
            EC384_CRT,
            EC384_KEY,
        )]);
        assert_eq!(fields(&found), ["snis/2"]);
        assert_eq!(
            found[0].1,
            "SNI `x.example.net` is not covered by the certificate (common name, no subject alternative names: legacy.example.net)"
        );
        // ec256 has SANs (api.example.org and an IP): its CN does not count on its own.
        let found = results(&[adc(&["192.0.2.11"], EC256_CRT, EC256_KEY)]);
        assert_eq!(fields(&found), ["snis/0"]);
    }

    #[test]
    fn references_and_keyring_encrypted_keys_are_skipped() {
        let ssls = [
            adc(
                &["example.com"],
                "$secret://vault/ssl/cert",
                "$secret://vault/ssl/key",
            ),
            adc(&["example.com"], "$env://SSL_CERT", "$env://SSL_KEY"),
            adc(&["nothing.covers.this"], "${SSL_CERT}", RSA_KEY),
            adc(&["example.com"], RSA_CRT, "${SSL_KEY}"),
            adc(
                &["example.com"],
                RSA_CRT,
                "c2VjcmV0IGtleSBlbmNyeXB0ZWQgd2l0aCB0aGUga2V5cmluZw==",
            ),
        ];
        assert_eq!(results(&ssls), []);
    }

    #[test]
    fn passphrase_protected_keys_are_reported() {
        let found = results(&[adc(&["legacy.example.net"], EC384_CRT, ENCRYPTED_KEY)]);
        assert_eq!(
            found,
            [(
                "certificates/0/key".to_owned(),
                "private key is protected by a passphrase; APISIX cannot load it".to_owned()
            )]
        );
        let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----";
        let found = results(&[adc(&["example.com"], RSA_CRT, legacy)]);
        assert_eq!(
            found[0].1,
            "private key is protected by a passphrase; APISIX cannot load it"
        );
    }

    #[test]
    fn standalone_fields_are_located() {
        let ssl = json!({
            "id": "1",
            "sni": "nope.example.org",
            "cert": EC256_CRT,
            "key": EC256_KEY,
            "certs": [RSA_CRT, EXPIRED_CRT],
            "keys": [EC384_KEY, EXPIRED_KEY],
            "client": { "ca": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----" },
        });
        let found: Vec<(String, String)> =
            run_with(&[ssl], Format::Standalone, &json!({ "now": NOW }))
                .into_iter()
                .map(|r| {
                    assert_eq!(r.at, Some(("ssl.json".to_owned(), "/ssls/0".to_owned())));
                    (r.field.join("/"), r.msg)
                })
                .collect();
        assert_eq!(fields(&found), ["keys/0", "certs/1", "client/ca", "sni"]);
        assert_eq!(
            found[3].1,
            "SNI `nope.example.org` is not covered by the certificate at `cert` (names: api.example.org, 192.0.2.10) \
             nor by the certificate at `certs/0` (names: example.com, *.example.com) \
             nor by the certificate at `certs/1` (names: old.example.com)"
        );
    }

    #[test]
    fn client_certificates_have_no_sni_check() {
        let ssl = json!({ "type": "client", "cert": RSA_CRT, "key": RSA_KEY });
        assert_eq!(
            run_with(&[ssl], Format::Standalone, &json!({ "now": NOW })),
            []
        );
    }

    #[test]
    fn chains_are_parsed_and_only_the_leaf_is_dated() {
        let chain = format!("{RSA_CRT}{EXPIRED_CRT}");
        assert_eq!(results(&[adc(&["example.com"], &chain, RSA_KEY)]), []);
        let broken =
            format!("{RSA_CRT}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        let found = results(&[adc(&["example.com"], &broken, RSA_KEY)]);
        assert_eq!(fields(&found), ["certificates/0/certificate"]);
        assert!(
            found[0]
                .1
                .starts_with("certificate 2 of the chain does not parse as X.509"),
            "{found:?}"
        );
    }

    #[test]
    fn bad_params_give_one_unlocated_result() {
        let ssl = [adc(&["example.com"], RSA_CRT, RSA_KEY)];
        for params in [
            json!({ "now": "yesterday" }),
            json!({ "now": 5 }),
            json!({ "expiry_days": -1 }),
        ] {
            let found = run_with(&ssl, Format::Adc, &params);
            assert_eq!(found.len(), 1, "{params}");
            assert_eq!(found[0].at, None);
            assert!(
                found[0].msg.starts_with("ssl-certificate-validity: param"),
                "{}",
                found[0].msg
            );
        }
        // No params at all: the current time and 30 days (valid until 2125).
        assert_eq!(run_with(&ssl, Format::Adc, &Value::Null), []);
    }

    #[test]
    fn rfc3339_times() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2021-01-01T00:00:00Z"), Some(1_609_459_200));
        assert_eq!(
            parse_rfc3339("2021-01-01T01:30:00+01:30"),
            Some(1_609_459_200)
        );
        assert_eq!(
            parse_rfc3339("2020-12-31t19:00:00.123456-05:00"),
            Some(1_609_459_200)
        );
        assert_eq!(parse_rfc3339("2021-01-01 00:00:00z"), Some(1_609_459_200));
        assert_eq!(parse_rfc3339("2016-12-31T23:59:60Z"), Some(1_483_228_799));
        for bad in [
            "",
            "2021-01-01",
            "2021-01-01T00:00:00",
            "2021-13-01T00:00:00Z",
            "2021-02-30T00:00:00Z",
            "2021-01-01T24:00:00Z",
            "2021-01-01T00:00:00.Z",
            "2021-01-01T00:00:00+0100",
            "2021-01-01T00:00:00+24:00",
            "1969-12-31T23:59:59Z",
            "２０２1-01-01T00:00:00Z",
            "2021-01-01T00:00:00Zjunk",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn wildcard_names() {
        assert!(name_covers("*.example.com", "a.example.com"));
        assert!(name_covers("*.example.com", "*.example.com"));
        assert!(!name_covers("*.example.com", "example.com"));
        assert!(!name_covers("*.example.com", "a.b.example.com"));
        assert!(!name_covers("*.example.com", ".example.com"));
        assert!(!name_covers("*.example.com", "aexample.com"));
        assert!(!name_covers("a.example.com", "*.example.com"));
        assert!(name_covers("example.com.", "example.com"));
    }

    #[test]
    fn hostile_values_do_not_panic() {
        let weird = [
            json!({ "snis": "not a list", "certificates": "nope" }),
            json!({ "snis": [1, null], "certificates": [null, 5, { "certificate": 7, "key": [] }] }),
            json!({ "cert": "-----BEGIN CERTIFICATE-----\n-----BEGIN X-----\n", "key": "-----BEGIN PRIVATE KEY-----\n\n-----END PRIVATE KEY-----" }),
            json!({ "certs": [RSA_CRT], "keys": [] , "sni": "example.com" }),
            json!({ "certs": [], "keys": ["-----BEGIN EC PRIVATE KEY-----\nMAA=\n-----END EC PRIVATE KEY-----"] }),
        ];
        let found = run_with(&weird, Format::Standalone, &json!({ "now": NOW }));
        let fields: Vec<String> = found.iter().map(|r| r.field.join("/")).collect();
        assert_eq!(fields, ["cert", "key", "keys/0"]);
    }
}
