//! Rule ids that moved: an old id, the ids that replaced it, and where the rule
//! went. Read by the config reader, the suppressions, the rule settings and
//! `gwlint explain`, so a configuration written for an old id keeps working
//! (deprecated).

/// Rule ids that were renamed or split, with the ids that replaced them and where
/// the rule went. A `.gwlint.yaml` rule setting or a `gwlint-ignore` comment that
/// names an old id still applies to every new id (deprecated: old ids will stop
/// working in a later release); `gwlint explain OLD-ID` prints the note.
pub const RENAMED: &[(&str, &[&str], &str)] = &[
    (
        "policy/dangling-reference",
        &[
            "ref/dangling-service",
            "ref/dangling-upstream",
            "ref/dangling-plugin-config",
            "ref/dangling-consumer-group",
            "ref/dangling-ssl",
            "ref/dangling-consumer",
        ],
        "A reference to a resource that does not exist is refused by APISIX, so it is no longer a policy: the merge stage \
         reports it as `ref/dangling-<kind>`, one rule per kind of resource named, whether or not policies run \
         (`--no-builtin-policies` included).",
    ),
    (
        "policy/ssl-certificate",
        &["schema/ssl-certificate", "policy/ssl-certificate-validity"],
        "A certificate, key or client CA that does not parse, or a key of another certificate, is refused or unusable by \
         APISIX: the schema stage reports it as `schema/ssl-certificate`, whether or not policies run. Expiry and SNI \
         coverage stay a policy, `policy/ssl-certificate-validity` (same parameters: `expiry_days`, `now`).",
    ),
];

/// The ids that replaced a renamed rule id (full id), if it is one.
#[must_use]
pub fn renamed(id: &str) -> Option<&'static [&'static str]> {
    RENAMED
        .iter()
        .find(|(old, _, _)| *old == id)
        .map(|(_, new, _)| *new)
}

/// Where a renamed rule id went, as a sentence for `gwlint explain`.
#[must_use]
pub fn renamed_note(id: &str) -> Option<&'static str> {
    RENAMED
        .iter()
        .find(|(old, _, _)| *old == id)
        .map(|(_, _, note)| *note)
}
