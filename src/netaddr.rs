//! IP addresses and CIDR ranges as APISIX accepts them.
//!
//! One parser for every place that takes an address or a range (ip-restriction,
//! real-ip, route `remote_addrs`, upstream nodes, the `invalid-cidr` rule), built on
//! `std::net`: an IPv4 or IPv6 address, optionally followed by `/` and a prefix
//! length of at most 32 (IPv4) or 128 (IPv6). Host bits may be set, as in APISIX.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Whether `text` is an IP address or a CIDR range.
#[must_use]
pub fn is_ip_or_cidr(text: &str) -> bool {
    validate(text).is_ok()
}

/// Check an address or range; the error says what is wrong.
///
/// # Errors
/// A short description of the problem (empty value, bad address, bad prefix).
pub fn validate(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("the value is empty".to_owned());
    }
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (text, None),
    };
    let (family, max) = if address.parse::<Ipv4Addr>().is_ok() {
        ("IPv4", 32)
    } else if address.parse::<Ipv6Addr>().is_ok() {
        ("IPv6", 128)
    } else if address.is_empty() {
        return Err("the address before `/` is missing".to_owned());
    } else {
        // Name the address only when a prefix follows it.
        let subject = if prefix.is_some() {
            format!("the address `{address}`")
        } else {
            "it".to_owned()
        };
        return Err(if looks_like_ipv4(address) {
            format!("{subject} is not a valid IPv4 address (four numbers from 0 to 255)")
        } else {
            format!("{subject} is neither an IPv4 nor an IPv6 address")
        });
    };
    let Some(prefix) = prefix else {
        return Ok(());
    };
    if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "the prefix length `{prefix}` is not a number from 0 to {max}"
        ));
    }
    let length: u32 = prefix
        .parse()
        .map_err(|_| format!("the prefix length `{prefix}` is not a number"))?;
    if length > max {
        return Err(format!("{family} prefix length {length} is over {max}"));
    }
    Ok(())
}

/// Dotted decimal that is not a valid IPv4 address (`300.1.1.1`, `1.2.3`).
fn looks_like_ipv4(address: &str) -> bool {
    address.contains('.') && address.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_ranges() {
        for good in [
            "10.0.0.1",
            "10.0.0.0/8",
            "10.0.0.1/32",
            "::1",
            "::1/128",
            "2001:db8::/32",
            "0.0.0.0/0",
        ] {
            assert!(is_ip_or_cidr(good), "{good}");
        }
        for bad in [
            "",
            "10.0.0.0/33",
            "::1/129",
            "300.1.1.1",
            "10.0.0.1/",
            "/8",
            "10.0.0.1/+8",
            "host",
            "1.2.3",
        ] {
            assert!(!is_ip_or_cidr(bad), "{bad}");
        }
        assert_eq!(
            validate("::1/129").unwrap_err(),
            "IPv6 prefix length 129 is over 128"
        );
    }
}
