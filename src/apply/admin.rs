//! Reading the running configuration of an APISIX in API-driven standalone mode.
//!
//! `GET <server>/apisix/admin/configs` answers the whole configuration APISIX holds
//! (JSON, with a `<kind>_conf_version` per resource kind and a `modifiedIndex` per
//! resource). The token (from `apply.token_env`, `ADC_TOKEN` by default) goes in the
//! `X-API-KEY` header, never on a command line or in a message; redirects are not
//! followed, so it is sent to the configured server only. TLS follows the `apply`
//! settings: `ca_cert_file`, `tls_client_cert_file` / `tls_client_key_file` and
//! `tls_skip_verify`. Nothing is written to the gateway.

use crate::config::ApplyConfig;
use crate::error::ToolError;
use serde_json::Value;
use std::time::Duration;

/// The path of the standalone configuration on the Admin API.
pub const CONFIGS_PATH: &str = "/apisix/admin/configs";

/// The largest answer read (a configuration of many thousand routes fits).
const MAX_BODY: u64 = 256 * 1024 * 1024;

/// Fetch the configuration the gateway runs. `Ok(Err(why))` when the gateway could
/// not be reached or did not answer with a configuration (`why` says which, without
/// the token); `Err` when the settings themselves are unusable (a certificate file
/// that cannot be read).
///
/// # Errors
/// A [`ToolError`] for a TLS file that cannot be read or parsed.
pub fn fetch_configuration(
    settings: &ApplyConfig,
    server: &str,
) -> Result<Result<Value, String>, ToolError> {
    let url = format!("{}{CONFIGS_PATH}", server.trim_end_matches('/'));
    let token_env = settings
        .token_env
        .as_deref()
        .unwrap_or(super::adc::DEFAULT_TOKEN_ENV);
    let token = std::env::var(token_env).ok().filter(|t| !t.is_empty());
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .max_redirects(0)
        .tls_config(tls_config(settings)?)
        .build();
    let agent: ureq::Agent = config.into();
    let mut request = agent.get(&url).header("Accept", "application/json");
    if let Some(token) = &token {
        request = request.header("X-API-KEY", token);
    }
    let hide = |text: String| match &token {
        Some(token) => text.replace(token.as_str(), crate::secrets::MASK),
        None => text,
    };
    let mut response = match request.call() {
        Ok(response) => response,
        Err(e) => return Ok(Err(hide(format!("cannot reach {url}: {e}")))),
    };
    let status = response.status();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_string();
    let body = match body {
        Ok(body) => body,
        Err(e) => return Ok(Err(hide(format!("{url}: cannot read the answer: {e}")))),
    };
    if !status.is_success() {
        // APISIX says why in `error_msg`; the rest of the body is not shown.
        let why = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| {
                v.get("error_msg")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        let hint = if status.as_u16() == 401 {
            format!(" (check the token in `{token_env}`)")
        } else {
            String::new()
        };
        return Ok(Err(hide(format!(
            "{url} answered HTTP {}{why}{hint}",
            status.as_u16()
        ))));
    }
    match serde_json::from_str::<Value>(&body) {
        Ok(value) if value.is_object() => Ok(Ok(value)),
        _ => Ok(Err(format!(
            "{url} did not answer with a JSON configuration; is `apply.server` the Admin API of an APISIX in API-driven standalone mode?"
        ))),
    }
}

/// The TLS settings of `apply`.
fn tls_config(settings: &ApplyConfig) -> Result<ureq::tls::TlsConfig, ToolError> {
    use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts};
    let read = |path: &std::path::Path| {
        std::fs::read(path)
            .map_err(|e| ToolError::new(format!("{}: cannot read: {e}", path.display())))
    };
    let certificates = |path: &std::path::Path| -> Result<Vec<Certificate<'static>>, ToolError> {
        let pem = read(path)?;
        let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(PemItem::Certificate(cert)) => Some(cert),
                _ => None,
            })
            .collect();
        if certs.is_empty() {
            return Err(ToolError::new(format!(
                "{}: no PEM certificate in it",
                path.display()
            )));
        }
        Ok(certs)
    };
    let mut builder = ureq::tls::TlsConfig::builder();
    if let Some(ca) = &settings.ca_cert_file {
        builder = builder.root_certs(RootCerts::new_with_certs(&certificates(ca)?));
    }
    if let (Some(cert), Some(key)) = (
        &settings.tls_client_cert_file,
        &settings.tls_client_key_file,
    ) {
        let chain = certificates(cert)?;
        let key = PrivateKey::from_pem(&read(key)?).map_err(|e| {
            ToolError::new(format!("{}: not a PEM private key: {e}", key.display()))
        })?;
        builder = builder.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
    }
    Ok(builder
        .disable_verification(settings.tls_skip_verify == Some(true))
        .build())
}
