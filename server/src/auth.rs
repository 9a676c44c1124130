//! Request signatures, as the official SDKs compute them (read from
//! `alibabacloud_tea_openapi` 0.4.6, `utils.py` `get_authorization` and
//! `get_rpcsignature`):
//!
//! - ACS3-HMAC-SHA256 (the SDK's default): `Authorization: ACS3-HMAC-SHA256
//!   Credential=<id>,SignedHeaders=<a;b;…>,Signature=<hex>` over
//!   `METHOD\n/\n<canonical query>\n<name:value\n per signed header>\n<signed
//!   headers>\n<x-acs-content-sha256>`, the string to sign being
//!   `ACS3-HMAC-SHA256\n<hex sha256 of that>`, keyed with the secret. The
//!   query is the URL's alone (a form body is covered by the content hash,
//!   which must equal the body's SHA-256). A header's value is trimmed; one
//!   header given several times is its values sorted and joined by `,`.
//!   `x-acs-date` and `x-acs-signature-nonce` must be present, and every
//!   `x-acs-*` header the request carries must be signed (else an attacker
//!   could change the action or the content hash): otherwise
//!   `IncompleteSignature`.
//! - HMAC-SHA1 (`signature_algorithm = "v2"` in the SDK's config): the
//!   parameters of the query and the form body, `Signature` left out,
//!   as `METHOD&%2F&encode(canonical query)`, keyed with `secret&`,
//!   base64. `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`,
//!   `AccessKeyId`, `Signature`, `SignatureNonce` and `Timestamp` are
//!   required (else `IncompleteSignature`).
//!
//! Both sort the decoded names and re-encode names and values (RFC 3986);
//! the raw query (where the SDK writes `+` for a space) is never signed.
//!
//! Order of checks: the signature's parts, the key, the signature, the
//! time (±15 minutes, `YYYY-MM-DDThh:mm:ssZ`, optional fraction), then the
//! nonce, spent only by a request that passed all of them. Secrets live
//! only in [`Credentials`] and are compared through the MAC's constant-time
//! `verify_slice`; nothing here logs.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use hyper::HeaderMap;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::engine::ServerError;
use crate::params::{self, Params};

/// The time window for timestamps and nonces.
const WINDOW_SECS: i64 = 15 * 60;

/// The keys of `--credentials`.
pub struct Credentials {
    secrets: HashMap<String, String>,
    nonces: Mutex<Nonces>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Entry {
    access_key_id: String,
    access_key_secret: String,
}

/// Nonces seen in the window: a set of hashes of (key, nonce), and the
/// same in arrival order to forget them.
#[derive(Default)]
struct Nonces {
    seen: HashSet<[u8; 16]>,
    order: VecDeque<(i64, [u8; 16])>,
}

impl Credentials {
    /// Reads the JSON array of `{"AccessKeyId", "AccessKeySecret"}`.
    pub fn parse(text: &[u8]) -> Result<Credentials, String> {
        let entries: Vec<Entry> = serde_json::from_slice(text).map_err(|e| e.to_string())?;
        let mut secrets = HashMap::new();
        for entry in entries {
            if entry.access_key_id.is_empty() {
                return Err("an empty AccessKeyId".into());
            }
            if secrets
                .insert(entry.access_key_id.clone(), entry.access_key_secret)
                .is_some()
            {
                return Err(format!("AccessKeyId {:?} given twice", entry.access_key_id));
            }
        }
        Ok(Credentials {
            secrets,
            nonces: Mutex::new(Nonces::default()),
        })
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.secrets.len()
    }

    /// Checks the request's signature (either scheme), and spends its nonce.
    pub fn verify(
        &self,
        method: &str,
        headers: &HeaderMap,
        params: &Params,
        body: &[u8],
    ) -> Result<(), ServerError> {
        let now = unix_now();
        let (key, nonce) = match headers.get(hyper::header::AUTHORIZATION) {
            Some(authorization) => {
                let authorization = authorization
                    .to_str()
                    .map_err(|_| ServerError::IncompleteSignature)?;
                self.verify_acs3(method, authorization, headers, params, body, now)?
            }
            None => self.verify_rpc(method, params, now)?,
        };
        self.spend(&key, &nonce, now)
    }

    fn secret(&self, key: &str) -> Result<&str, ServerError> {
        self.secrets
            .get(key)
            .map(String::as_str)
            .ok_or(ServerError::AccessKeyNotFound)
    }

    fn verify_acs3(
        &self,
        method: &str,
        authorization: &str,
        headers: &HeaderMap,
        params: &Params,
        body: &[u8],
        now: i64,
    ) -> Result<(String, String), ServerError> {
        let incomplete = ServerError::IncompleteSignature;
        let rest = authorization
            .strip_prefix("ACS3-HMAC-SHA256 ")
            .ok_or(incomplete)?;
        let (mut credential, mut signed, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let (name, value) = part.trim().split_once('=').ok_or(incomplete)?;
            let slot = match name {
                "Credential" => &mut credential,
                "SignedHeaders" => &mut signed,
                "Signature" => &mut signature,
                _ => return Err(incomplete),
            };
            if slot.replace(value).is_some() {
                return Err(incomplete);
            }
        }
        let (Some(key), Some(signed), Some(signature)) = (credential, signed, signature) else {
            return Err(incomplete);
        };
        let signature = hex::decode(signature).map_err(|_| incomplete)?;
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let (Some(date), Some(nonce), Some(content_hash)) = (
            header("x-acs-date"),
            header("x-acs-signature-nonce"),
            header("x-acs-content-sha256"),
        ) else {
            return Err(incomplete);
        };
        let signed_names: Vec<&str> = signed.split(';').collect();
        let valid_list = !signed.is_empty()
            && signed_names.windows(2).all(|w| w[0] < w[1])
            && signed_names
                .iter()
                .all(|n| !n.is_empty() && *n == n.to_ascii_lowercase());
        let all_acs_signed = headers
            .keys()
            .filter(|n| n.as_str().starts_with("x-acs-"))
            .all(|n| signed_names.contains(&n.as_str()));
        if !valid_list || !all_acs_signed {
            return Err(incomplete);
        }
        let secret = self.secret(key)?;

        let mut canonical = String::with_capacity(512);
        canonical.push_str(method);
        canonical.push_str("\n/\n");
        canonical.push_str(&params::canonical(params.query_pairs(), &[]));
        canonical.push('\n');
        for name in &signed_names {
            let mut values = Vec::new();
            for value in headers.get_all(*name) {
                values.push(value.to_str().map_err(|_| incomplete)?.trim());
            }
            values.sort_unstable();
            canonical.push_str(name);
            canonical.push(':');
            canonical.push_str(&values.join(","));
            canonical.push('\n');
        }
        canonical.push('\n');
        canonical.push_str(signed);
        canonical.push('\n');
        canonical.push_str(content_hash);
        let to_sign = format!(
            "ACS3-HMAC-SHA256\n{}",
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| incomplete)?;
        mac.update(to_sign.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| ServerError::SignatureDoesNotMatch)?;
        // The body the request carries is the one the signature covers.
        if !hex::encode(Sha256::digest(body)).eq_ignore_ascii_case(content_hash) {
            return Err(ServerError::SignatureDoesNotMatch);
        }
        check_time(date, now)?;
        Ok((key.to_string(), nonce.to_string()))
    }

    fn verify_rpc(
        &self,
        method: &str,
        all: &Params,
        now: i64,
    ) -> Result<(String, String), ServerError> {
        let incomplete = ServerError::IncompleteSignature;
        let (Some(key), Some(signature), Some(nonce), Some(timestamp)) = (
            all.get("AccessKeyId"),
            all.get("Signature"),
            all.get("SignatureNonce"),
            all.get("Timestamp"),
        ) else {
            return Err(incomplete);
        };
        if all.get("SignatureMethod") != Some("HMAC-SHA1")
            || all.get("SignatureVersion") != Some("1.0")
            || nonce.is_empty()
        {
            return Err(incomplete);
        }
        let signature = base64::engine::general_purpose::STANDARD
            .decode(signature)
            .map_err(|_| incomplete)?;
        let secret = self.secret(key)?;
        let mut to_sign = String::with_capacity(512);
        to_sign.push_str(method);
        to_sign.push_str("&%2F&");
        params::encode_into(
            &params::canonical(all.pairs(), &["Signature"]),
            &mut to_sign,
        );
        let mut mac = Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes())
            .map_err(|_| incomplete)?;
        mac.update(to_sign.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| ServerError::SignatureDoesNotMatch)?;
        check_time(timestamp, now)?;
        Ok((key.to_string(), nonce.to_string()))
    }

    fn spend(&self, key: &str, nonce: &str, now: i64) -> Result<(), ServerError> {
        let mut hash = Sha256::new();
        hash.update((key.len() as u64).to_le_bytes());
        hash.update(key.as_bytes());
        hash.update(nonce.as_bytes());
        let digest = hash.finalize();
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest[..16]);
        let mut nonces = self
            .nonces
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while let Some(&(at, old)) = nonces.order.front() {
            if now - at <= WINDOW_SECS {
                break;
            }
            nonces.seen.remove(&old);
            nonces.order.pop_front();
        }
        if !nonces.seen.insert(id) {
            return Err(ServerError::SignatureNonceUsed);
        }
        nonces.order.push_back((now, id));
        Ok(())
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn check_time(text: &str, now: i64) -> Result<(), ServerError> {
    let at = parse_time(text).ok_or(ServerError::IncompleteSignature)?;
    if (at - now).abs() > WINDOW_SECS {
        return Err(ServerError::TimestampExpired);
    }
    Ok(())
}

/// `YYYY-MM-DDThh:mm:ss[.fff]Z` as Unix seconds.
pub fn parse_time(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(range)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let rest = &text[19..];
    let fraction_ok = match rest.strip_suffix('Z')? {
        "" => true,
        f => f.len() > 1 && f.starts_with('.') && f[1..].bytes().all(|c| c.is_ascii_digit()),
    };
    if !fraction_ok
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("2024-02-29T12:34:56Z"), Some(1_709_210_096));
        assert_eq!(parse_time("2024-02-29T12:34:56.123Z"), Some(1_709_210_096));
        assert_eq!(
            crate::engine::utc_text(1_709_210_096),
            "2024-02-29T12:34:56Z"
        );
        assert_eq!(parse_time("2024-02-29 12:34:56Z"), None);
        assert_eq!(parse_time("2024-13-29T12:34:56Z"), None);
    }

    /// The SDK's own example values (computed with its `get_rpcsignature`).
    #[test]
    fn rpc_matches_python_sdk() {
        let creds =
            Credentials::parse(br#"[{"AccessKeyId":"ak","AccessKeySecret":"sk"}]"#).unwrap();
        let now = parse_time("2024-01-01T00:00:00Z").unwrap();
        let q = b"Action=X&Timestamp=2024-01-01T00%3A00%3A00Z&SignatureNonce=n1&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&AccessKeyId=ak&Description=a+b";
        let all = Params::decode(q, None).unwrap();
        let mut to_sign = String::from("GET&%2F&");
        params::encode_into(
            &params::canonical(all.pairs(), &["Signature"]),
            &mut to_sign,
        );
        assert!(to_sign.contains("Description%3Da%2520b"));
        let mut mac = Hmac::<Sha1>::new_from_slice(b"sk&").unwrap();
        mac.update(to_sign.as_bytes());
        let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let mut with = q.to_vec();
        with.extend_from_slice(b"&Signature=");
        let mut enc = String::new();
        params::encode_into(&sig, &mut enc);
        with.extend_from_slice(enc.as_bytes());
        let all = Params::decode(&with, None).unwrap();
        assert!(creds.verify_rpc("GET", &all, now).is_ok());
        assert_eq!(
            creds.verify_rpc("POST", &all, now),
            Err(ServerError::SignatureDoesNotMatch)
        );
        assert_eq!(
            creds.verify_rpc("GET", &all, now + 901),
            Err(ServerError::TimestampExpired)
        );
    }
}
