//! `ssl-certificate-validity`: opinions about the certificates of SSL objects that
//! APISIX accepts. The leaf certificate of each pair must be valid now and for
//! `expiry_days` more days, and each SNI must be covered by every certificate of
//! the object. The checks live beside the ones APISIX itself makes
//! (`schema/ssl-certificate`) in [`crate::schema::certificate`]; this rule reports
//! only its own, so a certificate that does not parse is a schema finding, whether
//! or not policies run.

use crate::model::Environment;
use crate::policy::PolicyResult;
use crate::schema::certificate::{problems, Judge, Settings};
use serde_json::Value;

/// Check every SSL object of the environment.
pub fn check(env: &Environment, params: &Value, out: &mut Vec<PolicyResult>) {
    let settings = match Settings::read(params) {
        Ok(settings) => settings,
        Err(problem) => {
            out.push(PolicyResult {
                msg: format!("ssl-certificate-validity: {problem}"),
                ..PolicyResult::default()
            });
            return;
        }
    };
    for ssl in &env.ssls {
        for problem in problems(ssl.body.json(), Some(&settings)) {
            if problem.judge == Judge::Policy {
                let field: Vec<&str> = problem.path.iter().map(String::as_str).collect();
                out.push(PolicyResult::at_origin(
                    problem.message,
                    ssl.origin.file(),
                    &ssl.origin.pointer,
                    &field,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::format::Format;
    use serde_json::json;

    #[test]
    fn reports_only_its_own_problems() {
        let broken = "-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----\n";
        let expired =
            include_str!("../../../fixtures/rules/ssl-certificate-validity/pem/expired.crt");
        let key = include_str!("../../../fixtures/rules/ssl-certificate-validity/pem/expired.key");
        let ssls = json!({ "ssls": [
            { "snis": ["broken.example.com"], "certificates": [{ "certificate": broken, "key": key }] },
            { "snis": ["old.example.com"], "certificates": [{ "certificate": expired, "key": key }] },
        ]});
        let env = crate::model::of_text("ssl.json", &ssls.to_string(), Format::Adc);
        let mut out = Vec::new();
        check(&env, &json!({ "now": "2026-06-01T12:00:00Z" }), &mut out);
        let found: Vec<(&str, String)> = out
            .iter()
            .map(|r| (r.at.as_ref().unwrap().1.as_str(), r.field.join("/")))
            .collect();
        assert_eq!(
            found,
            [("/ssls/1", "certificates/0/certificate".to_owned())],
            "the unparsable certificate is `schema/ssl-certificate`'s: {out:?}"
        );
        assert!(
            out[0].msg.starts_with("certificate expired on "),
            "{}",
            out[0].msg
        );
    }
}
