//! Signed JSON Web Tokens: what a token-shaped string says about itself.
//!
//! A JWT is three base64url segments, `header.payload.signature`; the first
//! two are JSON. Only a token that decodes, is signed (an `alg` other than
//! `none`, a signature of 16 bytes or more) and is not a documentation
//! example is a credential worth reporting, and the rules (rules/85-jwt.toml)
//! report it only where its context makes it one. The `why` says what the
//! token is (its `alg`, `iss`, `sub`, expiry), never its signature.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde_json::{Map, Value};

use super::finding::escape;
use crate::rules::Validator;

/// base64url, with or without padding.
const URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// What a signed token's header and payload say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwt {
    pub alg: String,
    pub iss: Option<String>,
    pub sub: Option<String>,
    /// Expiry, seconds since the epoch.
    pub exp: Option<i64>,
    /// Issued by a Kubernetes API server for a service account.
    pub kubernetes: bool,
}

impl Jwt {
    pub fn expired_at(&self, now: i64) -> bool {
        self.exp.is_some_and(|e| e <= now)
    }

    pub fn expired(&self) -> bool {
        self.expired_at(now())
    }

    /// `alg RS256, iss `…`, sub `…`, expired 2020-09-13`: for the report.
    pub fn describe(&self) -> String {
        let mut out = format!("alg {}", short(&self.alg));
        if let Some(iss) = &self.iss {
            out.push_str(&format!(", iss `{}`", short(iss)));
        }
        if let Some(sub) = &self.sub {
            out.push_str(&format!(", sub `{}`", short(sub)));
        }
        match self.exp {
            Some(e) if self.expired() => out.push_str(&format!(", expired {}", date(e))),
            Some(e) => out.push_str(&format!(", expires {}", date(e))),
            None => out.push_str(", no expiry"),
        }
        out
    }
}

fn short(s: &str) -> String {
    let s = escape(s);
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}...")
    } else {
        s
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
fn date(secs: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(secs) {
        Ok(t) => format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
        Err(_) => format!("@{secs}"),
    }
}

fn json_object(segment: &str) -> Option<Map<String, Value>> {
    let bytes = URL.decode(segment).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// The token decoded, or `None` when it is no signed JWT: not three
/// segments, header or payload not a JSON object, `alg` missing or `none`,
/// a signature under 16 bytes, or the documentation example (jwt.io's
/// `"sub": "1234567890", "name": "John Doe"` payload).
pub fn parse(token: &str) -> Option<Jwt> {
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header = json_object(h)?;
    let alg = header.get("alg")?.as_str()?.to_string();
    if alg.is_empty() || alg.eq_ignore_ascii_case("none") {
        return None;
    }
    // 22 characters are 16 bytes; the signature is not decoded.
    let sig_char = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
    if s.len() < 22 || !s.bytes().all(sig_char) {
        return None;
    }
    let payload = json_object(p)?;
    let text = |k: &str| payload.get(k).and_then(Value::as_str).map(str::to_string);
    if text("sub").as_deref() == Some("1234567890") && text("name").as_deref() == Some("John Doe") {
        return None;
    }
    let iss = text("iss");
    let kubernetes = iss.as_deref().is_some_and(|i| {
        i == "kubernetes/serviceaccount" || i.starts_with("https://kubernetes.default.svc")
    }) || payload.contains_key("kubernetes.io");
    let exp = payload.get("exp").and_then(|e| {
        e.as_i64()
            .or_else(|| e.as_f64().map(|f| f as i64))
            .or_else(|| e.as_str()?.parse().ok())
    });
    Some(Jwt {
        alg,
        iss,
        sub: text("sub"),
        exp,
        kubernetes,
    })
}

/// Whether `token` is what a JWT validator asks for: `jwt`, a live (not
/// expired) token of any issuer but Kubernetes; `jwt-expired`, the same past
/// its `exp`; `jwt-kubernetes`, a service-account token, expired or not.
/// Other validators are not this module's: always true.
pub fn validates(v: Validator, token: &str) -> bool {
    let want = match v {
        Validator::Jwt => Want::Live,
        Validator::JwtExpired => Want::Expired,
        Validator::JwtKubernetes => Want::Kubernetes,
        // Not a JWT rule's validator: nothing here vouches for the token.
        Validator::Crc32Base62 => return false,
    };
    parse(token).is_some_and(|j| match want {
        Want::Kubernetes => j.kubernetes,
        Want::Live => !j.kubernetes && !j.expired(),
        Want::Expired => !j.kubernetes && j.expired(),
    })
}

enum Want {
    Live,
    Expired,
    Kubernetes,
}

/// What the report adds to a JWT rule's `why`.
pub fn why(v: Option<Validator>, token: &str) -> Option<String> {
    match v? {
        Validator::Jwt | Validator::JwtExpired | Validator::JwtKubernetes => {
            parse(token).map(|j| j.describe())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testgen::token;

    pub fn make(header: &str, payload: &str, sig_len: usize, seed: u64) -> String {
        let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!(
            "{}.{}.{}",
            e(header),
            e(payload),
            token("base64url", sig_len, seed)
        )
    }

    #[test]
    fn signed_tokens_decode_and_say_what_they_are() {
        let t = make(
            r#"{"alg":"RS256","typ":"JWT"}"#,
            r#"{"iss":"https://auth.acme.test","sub":"deployer","exp":4102444800}"#,
            342,
            1,
        );
        let j = parse(&t).unwrap();
        assert!(!j.kubernetes && !j.expired());
        assert_eq!(
            j.describe(),
            "alg RS256, iss `https://auth.acme.test`, sub `deployer`, expires 2100-01-01"
        );
        assert!(validates(Validator::Jwt, &t));
        assert!(!validates(Validator::JwtExpired, &t));
        assert!(!validates(Validator::JwtKubernetes, &t));

        let old = make(
            r#"{"alg":"HS256"}"#,
            r#"{"sub":"x","exp":1600000000}"#,
            43,
            2,
        );
        assert!(parse(&old)
            .unwrap()
            .describe()
            .ends_with("expired 2020-09-13"));
        assert!(validates(Validator::JwtExpired, &old) && !validates(Validator::Jwt, &old));

        let k8s = make(
            r#"{"alg":"RS256","kid":"abc"}"#,
            r#"{"iss":"kubernetes/serviceaccount","sub":"system:serviceaccount:default:ci"}"#,
            342,
            3,
        );
        assert!(validates(Validator::JwtKubernetes, &k8s) && !validates(Validator::Jwt, &k8s));
    }

    #[test]
    fn unsigned_undecodable_and_example_tokens_are_not_jwts() {
        let none = make(r#"{"alg":"none"}"#, r#"{"sub":"x"}"#, 43, 4);
        assert!(parse(&none).is_none());
        let unsigned = format!("{}.", none.rsplit_once('.').unwrap().0);
        assert!(parse(&unsigned).is_none());
        let junk = format!(
            "eyJ{}.eyJ{}.{}",
            token("base64url", 30, 5),
            token("base64url", 40, 6),
            token("base64url", 43, 7)
        );
        assert!(parse(&junk).is_none());
        let example = make(
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"sub":"1234567890","name":"John Doe","iat":1516239022}"#,
            43,
            8,
        );
        assert!(parse(&example).is_none());
        let short_sig = make(r#"{"alg":"HS256"}"#, r#"{"sub":"x"}"#, 21, 9);
        assert!(parse(&short_sig).is_none());
    }
}
