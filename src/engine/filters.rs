//! Telling a real key from something shaped like one.
//!
//! These checks run only on values that already have a secret's shape and sit
//! in a provider's context, so they can afford to be thorough. Each returns the
//! reason a value is *not* a secret, which the tests and `--verbose` output can
//! show; `None` means it passed.

/// Words that mark a value as a stand-in, not a credential.
const PLACEHOLDER_WORDS: &[&str] = &[
    "your",
    "example",
    "changeme",
    "change_me",
    "placeholder",
    "xxxx",
    "dummy",
    "sample",
    "redacted",
    "fake",
    "insert",
    "replace",
    "secret",
    "apikey",
    "accesskey",
    "token",
    "password",
    "notreal",
    "invalid",
];

const PLACEHOLDER_MAX_LEN: usize = 80;

/// `reject` holds the rule's reject words, lower-case (see `Rule::reject`).
pub fn not_a_secret(
    value: &str,
    reject: &[String],
    entropy_floor: Option<f64>,
) -> Option<&'static str> {
    // Checks look at the random part: a fixed prefix such as `secret_` or
    // `test_` says nothing about whether the rest is a stand-in.
    let body = random_part(value);
    if body.is_empty() {
        return Some("empty");
    }
    let lower = body.to_ascii_lowercase();
    // In a long random body (a private key, a JWT) a four-letter word turns up
    // by chance; placeholders are short.
    if body.len() <= PLACEHOLDER_MAX_LEN && PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return Some("contains a placeholder word");
    }
    // A provider's name inside the value (`MessagebirdLiveKey1`) marks an
    // identifier, not a key; a value may start with it (`npm_…`).
    let whole = value.to_ascii_lowercase();
    if reject
        .iter()
        .any(|k| !whole.starts_with(k.as_str()) && lower.contains(k.as_str()))
    {
        return Some("contains the provider's name");
    }
    if body.bytes().all(|b| b == body.as_bytes()[0]) {
        return Some("one repeated character");
    }
    if longest_sequential_run(body) >= 8 {
        return Some("a sequential run (abcdefgh, 12345678)");
    }
    if is_periodic(body) {
        return Some("a short pattern repeated");
    }
    if looks_like_identifier(body) {
        return Some("reads as words (an identifier, not random)");
    }
    if let Some(floor) = entropy_floor {
        if shannon_entropy(body) < floor {
            return Some("entropy below the rule's floor");
        }
    }
    None
}

/// A specific rule's entropy floor for `value`: never above what random
/// strings of the value's shape reach ([`random_floor`]). (The generic rule
/// keeps its floor: there the floor is what tells a secret from a name.)
pub fn calibrated_floor(value: &str, floor: f64) -> f64 {
    floor.min(random_floor(random_part(value), floor))
}

/// An entropy that 999 in 1,000 truly random strings of `body`'s alphabet
/// and length reach (measured by sampling: hex, and letters with digits).
/// A rule's floor above it would drop real keys by chance: a floor of 3.3
/// refuses one random 32-character hex secret in forty. Lengths between the
/// measured ones take the lower neighbour; under 16 characters the rule's
/// floor stands. A floor above 3.5 says the rule refuses hex (a hash where
/// its key has all letters), so a hex value keeps such a floor.
fn random_floor(body: &str, floor: f64) -> f64 {
    const LENGTHS: [usize; 6] = [16, 20, 24, 32, 40, 64];
    const HEX: [f64; 6] = [2.48, 2.72, 2.88, 3.12, 3.30, 3.54];
    const ALNUM: [f64; 6] = [3.20, 3.48, 3.74, 4.07, 4.35, 4.81];
    let Some(i) = LENGTHS.iter().rposition(|&n| n <= body.len()) else {
        return f64::INFINITY;
    };
    let b = body.as_bytes();
    let hex = b.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
        || b.iter().all(|c| matches!(c, b'0'..=b'9' | b'A'..=b'F'));
    match (hex, floor <= 3.5) {
        (true, true) => HEX[i],
        (true, false) => f64::INFINITY,
        (false, _) => ALNUM[i],
    }
}

/// The part of a token after a fixed prefix like `test_`, `ghp_`,
/// `FLWSECK_TEST-` or `sk-ant-api03-`: everything after the last `_` or `-`
/// within the first 16 characters, unless what comes before it looks random:
/// mixed case with a digit (`Xb3dK_`), the start of a base64url value whose
/// `_` and `-` are characters like any other (judging only the rest would
/// miss a short key whose separator fell late). Code (`utils.Hex_`) and
/// prefixes of one case keep being judged by what follows them.
pub fn random_part(value: &str) -> &str {
    let head = &value.as_bytes()[..value.len().min(16)];
    match head.iter().rposition(|&b| b == b'_' || b == b'-') {
        Some(i) if i + 1 < value.len() && !looks_random(&head[..i]) => &value[i + 1..],
        _ => value,
    }
}

fn looks_random(head: &[u8]) -> bool {
    head.iter().any(u8::is_ascii_lowercase)
        && head.iter().any(u8::is_ascii_uppercase)
        && head.iter().any(u8::is_ascii_digit)
        && head
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
}

pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

fn longest_sequential_run(s: &str) -> usize {
    let b = s.as_bytes();
    let (mut best, mut up, mut down) = (1, 1, 1);
    for w in b.windows(2) {
        up = if w[1] == w[0].wrapping_add(1) {
            up + 1
        } else {
            1
        };
        down = if w[1] == w[0].wrapping_sub(1) {
            down + 1
        } else {
            1
        };
        best = best.max(up).max(down);
    }
    best
}

/// `abcabcabc…`, `12341234…`: a unit of up to 6 characters repeated (the last
/// repetition may be cut short).
fn is_periodic(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=6).any(|p| b.len() >= 2 * p && (p..b.len()).all(|i| b[i] == b[i - p]))
}

/// CamelCase words with no digits: `MessagebirdLiveAccessKey`. Random keys
/// essentially never split into words of three or more lowercase letters.
fn looks_like_identifier(s: &str) -> bool {
    if s.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut words = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if c.is_ascii_uppercase() && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    words.push(cur);
    words.len() >= 2
        && words.iter().all(|w| {
            // Split after the first character, not the first byte: a word
            // may start with a non-ASCII letter (`éabc`).
            let mut chars = w.chars();
            chars.next();
            w.len() >= 3 && chars.as_str().bytes().all(|b| b.is_ascii_lowercase())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random keys of any shape pass the entropy check as often as chance
    /// allows: a 32-character hex secret with entropy 3.25 is still one.
    #[test]
    fn entropy_floors_never_exceed_what_random_keys_reach() {
        let low_hex = "b48852ba4888bc8e04487626d74ec622";
        assert!(shannon_entropy(low_hex) < 3.3);
        assert_eq!(
            not_a_secret(low_hex, &[], Some(calibrated_floor(low_hex, 3.3))),
            None
        );
        assert!(not_a_secret(low_hex, &[], Some(3.3)).is_some());
        // A structured value stays refused.
        assert!(not_a_secret("abababababababababababababababab", &[], Some(3.3)).is_some());
        assert!(not_a_secret("aaaabbbbccccddddaaaabbbbccccdddd", &[], Some(3.0)).is_some());
        // Short values keep the rule's floor.
        assert!(random_floor("abc123", 3.0).is_infinite());
        // A rule whose floor refuses hex still refuses a hash.
        let sha = "3f786850e387550fdab836ed7e6dc881de23001b";
        assert!(not_a_secret(sha, &[], Some(calibrated_floor(sha, 4.1))).is_some());
    }

    /// A head of one case, or one that reads as code, is a prefix; a random
    /// one (mixed case, a digit) is part of the value.
    #[test]
    fn random_part_strips_prefixes_not_random_heads() {
        assert_eq!(random_part("sk_live_abcDEF123"), "abcDEF123");
        assert_eq!(random_part("FLWSECK_TEST-abcDEF123"), "abcDEF123");
        assert_eq!(random_part("sk-ant-api03-abcDEF123"), "abcDEF123");
        assert_eq!(random_part("Xb3dKq9_Zt7Lm2Pw"), "Xb3dKq9_Zt7Lm2Pw");
        assert_eq!(random_part("aQ9vLr2TkW_x8Hn"), "aQ9vLr2TkW_x8Hn");
        assert_eq!(random_part("utils.Hex8_abcDEF"), "abcDEF");
    }
    use crate::rules::testgen::token;

    #[test]
    fn random_tokens_pass() {
        for seed in 0..500 {
            let t = token("alnum", 25, seed);
            assert_eq!(not_a_secret(&t, &[], Some(3.2)), None, "{t}");
        }
    }

    #[test]
    fn non_ascii_values_do_not_split_a_character() {
        for v in ["éabcDéf", "Ωmega", "日本語Key", "aÉ", "é", "ŁódźCity"] {
            let _ = not_a_secret(v, &["messagebird".into()], Some(3.2));
            let _ = random_part(v);
        }
        assert!(!looks_like_identifier("éabcDéf"));
    }

    #[test]
    fn stand_ins_fail() {
        for v in [
            "aaaaaaaaaaaaaaaaaaaaaaaaa",
            "abcdefghijklmnopqrstuvwxy",
            "abcabcabcabcabcabcabcabca",
            "YourAccessKeyGoesHere1234",
            "MessagebirdLiveAccessKey",
            "ProductionLiveSmsGateway",
            "test_xxxxxxxxxxxxxxxxxxxxxxxxx",
        ] {
            assert!(
                not_a_secret(v, &["messagebird".into()], Some(3.2)).is_some(),
                "{v}"
            );
        }
    }
}
