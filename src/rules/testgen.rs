//! Test tokens, made at run time.
//!
//! Rule examples and tests must never hold a literal that looks like a live key
//! (it would trip this very tool, and every other scanner, on our own repo). An
//! example writes `<<alnum:25>>` instead, and this module fills it in with a
//! deterministic pseudo-random token that has the character mix of a real key.

/// Expands every `<<kind:len>>` in `template`. `seed` makes different examples
/// get different tokens while keeping runs reproducible.
pub fn expand(template: &str, seed: u64) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    let mut n = 0u64;
    while let Some(start) = rest.find("<<") {
        let Some(len) = rest[start..].find(">>") else {
            break;
        };
        let spec = &rest[start + 2..start + len];
        match parse(spec) {
            Some((kind, count)) => {
                out.push_str(&rest[..start]);
                out.push_str(&token(kind, count, seed.wrapping_mul(1000).wrapping_add(n)));
                n += 1;
            }
            None => out.push_str(&rest[..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

fn parse(spec: &str) -> Option<(&str, usize)> {
    let (kind, len) = spec.split_once(':')?;
    let len: usize = len.parse().ok()?;
    KINDS.contains(&kind).then_some((kind, len))
}

/// `alnum`, `hex` (lower case), `HEX` (upper case), `upper`, `lower`, `digits`,
/// `base64`, `base64url`; `crc32` is `len` base62 characters followed by their
/// six-character base62 CRC32 (GitHub's and npm's token format), `crc32bad` the
/// same with a wrong checksum.
pub const KINDS: &[&str] = &[
    "alnum",
    "hex",
    "HEX",
    "upper",
    "lower",
    "digits",
    "base64",
    "base64url",
    "crc32",
    "crc32bad",
];

/// A token of `len` characters drawn from `kind`'s alphabet. Alphanumeric
/// tokens always mix upper case, lower case and digits, as real keys do.
pub fn token(kind: &str, len: usize, seed: u64) -> String {
    if kind == "crc32" || kind == "crc32bad" {
        let body = token("alnum", len, seed);
        let mut crc = crc32fast::hash(body.as_bytes());
        if kind == "crc32bad" {
            crc ^= 0x5a5a;
        }
        return body + &super::base62_checksum(crc);
    }
    let alphabet: &[u8] = match kind {
        "hex" => b"0123456789abcdef",
        "HEX" => b"0123456789ABCDEF",
        "base64url" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        "upper" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "lower" => b"abcdefghijklmnopqrstuvwxyz",
        "digits" => b"0123456789",
        "base64" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        _ => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    };
    let mut state = seed ^ 0x9e37_79b9_7f4a_7c15;
    loop {
        let s: String = (0..len)
            .map(|_| alphabet[(splitmix(&mut state) % alphabet.len() as u64) as usize] as char)
            .collect();
        let mixed = kind != "alnum"
            || len < 3
            || (s.bytes().any(|b| b.is_ascii_uppercase())
                && s.bytes().any(|b| b.is_ascii_lowercase())
                && s.bytes().any(|b| b.is_ascii_digit()));
        if mixed {
            return s;
        }
    }
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_each_placeholder_with_its_own_token() {
        let s = expand("A=<<alnum:25>> B=test_<<alnum:25>> C=<<hex:8>>", 7);
        let parts: Vec<&str> = s.split(' ').collect();
        assert_eq!(parts[0].len(), 2 + 25);
        assert!(parts[1].starts_with("B=test_") && parts[1].len() == 7 + 25);
        assert_ne!(&parts[0][2..], &parts[1][7..]);
        assert!(parts[2][2..].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(expand("x <<nope:3>> y", 1), "x <<nope:3>> y");
    }

    #[test]
    fn checksummed_tokens_validate_and_bad_ones_do_not() {
        for seed in 0..50 {
            let good = format!("ghp_{}", token("crc32", 30, seed));
            let bad = format!("ghp_{}", token("crc32bad", 30, seed));
            assert_eq!(good.len(), 40);
            assert!(crate::rules::crc32_base62_ok(&good), "{seed}");
            assert!(!crate::rules::crc32_base62_ok(&bad), "{seed}");
        }
    }

    #[test]
    fn alnum_tokens_mix_classes_and_are_reproducible() {
        for seed in 0..200 {
            let t = token("alnum", 25, seed);
            assert!(t.bytes().any(|b| b.is_ascii_digit()), "{seed}");
            assert!(t.bytes().any(|b| b.is_ascii_uppercase()), "{seed}");
            assert_eq!(t, token("alnum", 25, seed));
        }
    }
}
