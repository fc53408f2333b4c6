//! AWS Signature Version 4, for the one request AWS keys are checked with
//! (STS `GetCallerIdentity`, which any valid key may call and which
//! changes nothing). Written from AWS's published signing steps: canonical
//! request, string to sign, derived key, signature.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::fingerprint::hex;
use crate::rules::schema::SignSpec;

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], data: &str) -> Vec<u8> {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes a key of any length");
    m.update(data.as_bytes());
    m.finalize().into_bytes().to_vec()
}

/// The `X-Amz-Date` and `Authorization` headers for a request to `host`
/// at `path_and_query` with `body`, covering the `headers` already set
/// (lower-cased and sorted, with `host` and `x-amz-date`).
#[allow(clippy::too_many_arguments)]
pub fn sign(
    spec: &SignSpec,
    host: &str,
    path_and_query: &str,
    body: &str,
    headers: &[(String, String)],
    key_id: &str,
    secret: &str,
    now: time::OffsetDateTime,
) -> Vec<(String, String)> {
    let date = format!(
        "{:04}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    );
    let stamp = format!(
        "{date}T{:02}{:02}{:02}Z",
        now.hour(),
        now.minute(),
        now.second()
    );
    let mut signed: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("authorization"))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    signed.push(("host".into(), host.to_string()));
    signed.push(("x-amz-date".into(), stamp.clone()));
    signed.sort();
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    params.sort_unstable();
    let names: Vec<&str> = signed.iter().map(|(k, _)| k.as_str()).collect();
    let names = names.join(";");
    let canonical_headers: String = signed.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let canonical = format!(
        "POST\n{path}\n{}\n{canonical_headers}\n{names}\n{}",
        params.join("&"),
        hex(&Sha256::digest(body.as_bytes()))
    );
    let scope = format!("{date}/{}/{}/aws4_request", spec.region, spec.service);
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let mut key = mac(format!("AWS4{secret}").as_bytes(), &date);
    for part in [spec.region.as_str(), spec.service.as_str(), "aws4_request"] {
        key = mac(&key, part);
    }
    let signature = hex(&mac(&key, &to_sign));
    vec![
        ("X-Amz-Date".into(), stamp),
        (
            "Authorization".into(),
            format!(
                "AWS4-HMAC-SHA256 Credential={key_id}/{scope}, SignedHeaders={names}, Signature={signature}"
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::schema::SignScheme;

    /// The derivation checked against HMAC-SHA256's own test vector (RFC
    /// 4231, case 2), and the signature's shape and dependence on each input.
    #[test]
    fn signs_with_the_derived_key_and_covers_every_input() {
        assert_eq!(
            hex(&mac(b"Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let spec = SignSpec {
            scheme: SignScheme::AwsSigV4,
            region: "us-east-1".into(),
            service: "sts".into(),
        };
        let at = time::OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let headers = vec![(
            "Content-Type".to_string(),
            "application/x-www-form-urlencoded; charset=utf-8".to_string(),
        )];
        let body = "Action=GetCallerIdentity&Version=2011-06-15";
        let run = |secret: &str, body: &str| {
            sign(
                &spec,
                "sts.amazonaws.com",
                "/",
                body,
                &headers,
                "KEYID",
                secret,
                at,
            )
        };
        let out = run("s3cr3t", body);
        assert_eq!(out[0], ("X-Amz-Date".into(), "20270115T080000Z".into()));
        let auth = &out[1].1;
        assert!(auth.starts_with(
            "AWS4-HMAC-SHA256 Credential=KEYID/20270115/us-east-1/sts/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, Signature="
        ));
        assert_eq!(auth.rsplit('=').next().unwrap().len(), 64);
        assert!(!auth.contains("s3cr3t"));
        assert_eq!(run("s3cr3t", body), out, "deterministic");
        assert_ne!(run("other", body)[1], out[1]);
        assert_ne!(run("s3cr3t", "Action=x")[1], out[1]);
    }
}
