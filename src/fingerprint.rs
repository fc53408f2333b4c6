//! Fingerprints: the location-free name of a secret, safe to commit.
//!
//! A fingerprint names "this secret, found by this rule" wherever it is found
//! (a file, a commit, stdin), so an allowlist entry survives edits, moves and
//! rebases. It is committed (allowlist, baseline) and printed (reports, CI
//! logs), so it must not let a reader recover the secret.
//!
//! v1 was the first 8 bytes of a SHA-256 of the rule and the secret: fine for
//! a random 148-bit key, but a weak password found by the URL or generic rules
//! fell to a wordlist at billions of guesses a second. v2 is
//! `v2:` + 20 lowercase hex characters (80 bits) of an Argon2id hash with
//! [`M_COST_KIB`], [`T_COST`], [`P_COST`], whose salt is a fixed domain string
//! plus the rule id: every guess costs an Argon2 evaluation for each rule an
//! attacker tries, and the rule-specific salt rules out one precomputed table
//! for all rules. A good random key is not recoverable; a weak password in a
//! wordlist still is, slowly, and the fingerprint confirms a right guess.
//!
//! The slow hash is paid only when a fingerprint is shown or compared with a
//! v2 allowlist entry. A [`Fingerprint`] holds the full 32-byte v1 SHA-256
//! (never printed or serialized; it also lets legacy v1 entries match) and
//! computes v2 on first use, cached per digest for the whole process, so a
//! secret found in a thousand places costs one Argon2 evaluation.

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};

/// Memory per evaluation, in KiB: 8 MiB makes a GPU or ASIC attack pay for
/// memory per parallel guess, and stays cheap for a scan.
#[cfg(not(fuzzing))]
pub const M_COST_KIB: u32 = 8 * 1024;
/// Under `cargo fuzz` (which sets `cfg(fuzzing)`) the memory cost is
/// Argon2's minimum, so the fuzzer's time goes to leakgate's code rather
/// than to hashing; every other line runs as shipped.
#[cfg(fuzzing)]
pub const M_COST_KIB: u32 = 8;
/// Passes over that memory.
pub const T_COST: u32 = 1;
/// Lanes: one, so the cost measured on a laptop is the cost per guess.
pub const P_COST: u32 = 1;
/// Bytes of the Argon2 output shown (20 hex characters): collision-free for
/// any allowlist, short enough to paste.
pub const V2_BYTES: usize = 10;
pub const V2_PREFIX: &str = "v2:";

const V1_DOMAIN: &[u8] = b"leakgate-fingerprint-v1\0";
const V2_SALT_DOMAIN: &[u8] = b"leakgate-fingerprint-v2\0";

/// Which scheme a string written in an allowlist uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// 16 lowercase hex characters: a fast hash, guessable for weak secrets.
    V1,
    /// `v2:` and 20 lowercase hex characters.
    V2,
}

/// The format of `s`, or `None` when it is not a fingerprint.
pub fn format_of(s: &str) -> Option<Format> {
    let lower_hex = |t: &str| t.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if s.len() == 16 && lower_hex(s) {
        return Some(Format::V1);
    }
    match s.strip_prefix(V2_PREFIX) {
        Some(h) if h.len() == V2_BYTES * 2 && lower_hex(h) => Some(Format::V2),
        _ => None,
    }
}

/// What the error messages say a fingerprint looks like.
pub const DESCRIPTION: &str = "`v2:` and 20 lowercase hex characters, as printed with each finding";

/// The identity of one secret found by one rule. Equality and hashing use the
/// digest, so findings merge by secret without computing the slow hash.
#[derive(Clone)]
pub struct Fingerprint {
    /// SHA-256 of the v1 domain, rule id and secret. Never printed.
    digest: [u8; 32],
    /// SHA-1 of the secret alone, as detect-secrets' baselines name a secret
    /// (`hashed_secret`), so `leakgate import detect-secrets` can match one
    /// by comparing hashes. Never printed, serialized or compared with
    /// anything but such a hash.
    value_sha1: [u8; 20],
    rule: Arc<str>,
    v2: OnceLock<Arc<str>>,
}

impl Fingerprint {
    pub fn new(rule_id: &str, secret: &str) -> Fingerprint {
        let mut h = Sha256::new();
        h.update(V1_DOMAIN);
        h.update(rule_id.as_bytes());
        h.update(b"\0");
        h.update(secret.as_bytes());
        Fingerprint {
            digest: h.finalize().into(),
            value_sha1: sha1::Sha1::digest(secret.as_bytes()).into(),
            rule: rule_id.into(),
            v2: OnceLock::new(),
        }
    }

    /// The v2 fingerprint, computed on first use (one Argon2 evaluation per
    /// distinct secret in the process).
    pub fn as_str(&self) -> &str {
        self.v2.get_or_init(|| cached_v2(&self.digest, &self.rule))
    }

    /// Whether the slow hash has been computed for this value (tests check
    /// that matching did not pay for it needlessly).
    pub fn is_computed(&self) -> bool {
        self.v2.get().is_some()
    }

    /// Whether `sha1_hex` (40 hex digits, either case) is the SHA-1 of this
    /// secret: how a detect-secrets baseline names one.
    pub fn value_sha1_is(&self, sha1_hex: &str) -> bool {
        sha1_hex.len() == 40 && hex(&self.value_sha1).eq_ignore_ascii_case(sha1_hex)
    }

    /// The legacy v1 string: only for matching and migrating old entries.
    pub fn v1(&self) -> String {
        hex(&self.digest[..8])
    }

    /// Whether `written` (a v1 or v2 string from an allowlist) names this
    /// secret. A v1 string is compared without the slow hash.
    pub fn matches(&self, written: &str) -> bool {
        match format_of(written) {
            Some(Format::V1) => self.v1() == written,
            Some(Format::V2) => self.as_str() == written,
            None => false,
        }
    }
}

/// Computes the v2 strings of `fps` on every core, each distinct secret once:
/// a JSON report or a baseline of a large history needs thousands.
pub fn compute_all<'a>(fps: impl IntoIterator<Item = &'a Fingerprint>) {
    let mut todo: Vec<&Fingerprint> = fps.into_iter().filter(|f| !f.is_computed()).collect();
    // Duplicates are filled from the process-wide cache when they are read.
    todo.sort_by_key(|f| f.digest);
    todo.dedup_by_key(|f| f.digest);
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(todo.len());
    if threads <= 1 {
        todo.iter().for_each(|f| {
            f.as_str();
        });
        return;
    }
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while let Some(f) = todo.get(next.fetch_add(1, Ordering::Relaxed)) {
                    f.as_str();
                }
            });
        }
    });
}

impl PartialEq for Fingerprint {
    fn eq(&self, other: &Self) -> bool {
        self.digest == other.digest
    }
}

impl Eq for Fingerprint {}

impl Hash for Fingerprint {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digest.hash(state);
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Never shows the digest (a fast hash of the secret), and never pays for v2
/// just to debug-print.
impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.v2.get() {
            Some(v) => write!(f, "Fingerprint({v})"),
            None => write!(f, "Fingerprint(<not computed>)"),
        }
    }
}

/// The v2 string of one digest, computed once per process: a thread that
/// asks while another computes it waits for that result.
fn cached_v2(digest: &[u8; 32], rule: &str) -> Arc<str> {
    type Cell = Arc<OnceLock<Arc<str>>>;
    static CACHE: OnceLock<Mutex<HashMap<[u8; 32], Cell>>> = OnceLock::new();
    let cell = CACHE
        .get_or_init(Default::default)
        .lock()
        .expect("fingerprint cache")
        .entry(*digest)
        .or_default()
        .clone();
    // Computed outside the map's lock, so threads hash different secrets at
    // once.
    cell.get_or_init(|| v2(digest, rule).into()).clone()
}

/// The Argon2id parameters of v2. Changing any of them changes every
/// fingerprint: that needs a v3.
pub fn params() -> Params {
    Params::new(M_COST_KIB, T_COST, P_COST, Some(V2_BYTES)).expect("valid Argon2 parameters")
}

/// v2 from the digest: the password is the 32-byte digest (so the raw secret
/// need not be kept), the salt the domain string and the rule id.
fn v2(digest: &[u8; 32], rule: &str) -> String {
    let mut salt = V2_SALT_DOMAIN.to_vec();
    salt.extend_from_slice(rule.as_bytes());
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
    let mut out = [0u8; V2_BYTES];
    memory::with(argon.params().block_count(), |blocks| {
        argon
            .hash_password_into_with_memory(digest, &salt, &mut out, blocks)
            .expect("Argon2 accepts a 32-byte password and a salt over 8 bytes");
    });
    format!("{V2_PREFIX}{}", hex(&out))
}

/// Argon2's working memory, kept for the whole process and shared by its
/// threads: an attacker reuses memory anyway, so this saves only our time.
///
/// In a short-lived hook the memory cost more than the hash: 2,048 page
/// faults to touch 8 MiB in 4 KiB pages, about two thirds of a fingerprint's
/// time on a virtual machine. On Linux the memory is its own mapping, aligned
/// to 2 MiB and marked for transparent huge pages, so it faults in as four
/// pages where the kernel allows it (`madvise` or `always` in
/// /sys/kernel/mm/transparent_hugepage/enabled) and as small ones otherwise.
/// This is the crate's only `unsafe` code.
mod memory {
    use std::sync::Mutex;

    use argon2::Block;

    /// Runs `f` with `count` blocks of memory (their content is whatever
    /// the last evaluation left: Argon2 overwrites every block it reads).
    pub fn with<R>(count: usize, f: impl FnOnce(&mut [Block]) -> R) -> R {
        static POOL: Mutex<Vec<Memory>> = Mutex::new(Vec::new());
        let taken = POOL.lock().expect("Argon2 memory pool").pop();
        let mut memory = match taken {
            Some(m) if m.len() == count => m,
            _ => Memory::new(count),
        };
        let result = f(memory.blocks());
        POOL.lock().expect("Argon2 memory pool").push(memory);
        result
    }

    enum Memory {
        #[cfg(target_os = "linux")]
        Mapped(Mapped),
        Heap(Vec<Block>),
    }

    impl Memory {
        fn new(count: usize) -> Memory {
            #[cfg(target_os = "linux")]
            if let Some(m) = Mapped::new(count) {
                return Memory::Mapped(m);
            }
            Memory::Heap(vec![Block::default(); count])
        }

        fn len(&self) -> usize {
            match self {
                #[cfg(target_os = "linux")]
                Memory::Mapped(m) => m.count,
                Memory::Heap(v) => v.len(),
            }
        }

        fn blocks(&mut self) -> &mut [Block] {
            match self {
                #[cfg(target_os = "linux")]
                Memory::Mapped(m) => m.blocks(),
                Memory::Heap(v) => v,
            }
        }
    }

    /// `count` blocks in an anonymous mapping of their own, never unmapped
    /// (the pool keeps it until the process ends).
    #[cfg(target_os = "linux")]
    struct Mapped {
        start: std::ptr::NonNull<Block>,
        count: usize,
    }

    // The mapping is owned by one `Mapped` at a time (the pool hands it out
    // by value), so moving it to another thread is moving a `Vec`.
    #[cfg(target_os = "linux")]
    unsafe impl Send for Mapped {}

    #[cfg(target_os = "linux")]
    impl Mapped {
        const HUGE_PAGE: usize = 2 << 20;

        fn new(count: usize) -> Option<Mapped> {
            let bytes = count.checked_mul(std::mem::size_of::<Block>())?;
            let len = bytes.checked_add(Self::HUGE_PAGE)?;
            // SAFETY: a fresh private anonymous mapping: it aliases nothing,
            // and the kernel fills it with zeros.
            let base = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
            };
            if base == libc::MAP_FAILED {
                return None;
            }
            let offset = (base as usize).next_multiple_of(Self::HUGE_PAGE) - base as usize;
            // SAFETY: `offset` < HUGE_PAGE, so `start .. start + bytes` lies
            // inside the mapping.
            let start = unsafe { base.cast::<u8>().add(offset) };
            // SAFETY: advice on memory this function just mapped; it changes
            // how the kernel backs the pages, never their content. A kernel
            // that refuses it (huge pages off) leaves small pages.
            unsafe { libc::madvise(start.cast(), bytes, libc::MADV_HUGEPAGE) };
            Some(Mapped {
                start: std::ptr::NonNull::new(start.cast())?,
                count,
            })
        }

        fn blocks(&mut self) -> &mut [Block] {
            // SAFETY: `start` is 2 MiB-aligned (more than `Block`'s 64),
            // `count` blocks of readable, writable memory follow it that
            // nothing else refers to (`&mut self`), and any bytes are a valid
            // `Block` (128 `u64`s; zeros, as mapped, are `Block::default()`).
            unsafe { std::slice::from_raw_parts_mut(self.start.as_ptr(), self.count) }
        }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SHA-1 a detect-secrets baseline holds is recognised, in either
    /// case, and nothing else is.
    #[test]
    fn value_sha1_matches_only_that_value() {
        let f = Fingerprint::new("r", "hunter2");
        let sha1 = "f3bbbd66a63d4bf1747940578ec3d0103530e21d";
        assert!(f.value_sha1_is(sha1));
        assert!(f.value_sha1_is(&sha1.to_uppercase()));
        assert!(!Fingerprint::new("r", "hunter3").value_sha1_is(sha1));
        assert!(!f.value_sha1_is(&sha1[..39]));
        assert!(!format!("{f:?}").contains(sha1));
    }

    #[test]
    fn same_rule_and_secret_same_fingerprint_else_different() {
        let a = Fingerprint::new("r1", "s");
        assert_eq!(a.as_str(), Fingerprint::new("r1", "s").as_str());
        assert_ne!(a.as_str(), Fingerprint::new("r2", "s").as_str());
        assert_ne!(a.as_str(), Fingerprint::new("r1", "t").as_str());
        assert_eq!(format_of(a.as_str()), Some(Format::V2));
        assert_eq!(a.as_str().len(), 3 + 20);
    }

    /// The v1 digest is kept for matching old entries: it is the old scheme,
    /// bit for bit.
    #[test]
    fn v1_is_the_old_scheme() {
        let mut h = Sha256::new();
        h.update(b"leakgate-fingerprint-v1\0generic-password\0hunter2");
        let old = hex(&h.finalize()[..8]);
        let f = Fingerprint::new("generic-password", "hunter2");
        assert_eq!(f.v1(), old);
        assert!(f.matches(&old));
        assert!(!f.is_computed(), "a v1 match needs no Argon2");
    }

    /// A weak password's fingerprint is the Argon2id of the digest with the
    /// documented parameters: not the old fast hash, nor any plain SHA-256.
    #[test]
    fn weak_password_takes_the_argon2_path() {
        let p = params();
        assert_eq!((p.m_cost(), p.t_cost(), p.p_cost()), (8192, 1, 1));
        assert!(p.m_cost() >= 8 * 1024, "memory-hard: at least 8 MiB");
        let f = Fingerprint::new("generic-password", "password123");
        let fp = f.as_str().to_string();
        assert_ne!(&fp[3..], f.v1());
        let fast = hex(&Sha256::digest(f.digest)[..V2_BYTES]);
        assert_ne!(&fp[3..], fast);
        let mut salt = b"leakgate-fingerprint-v2\0".to_vec();
        salt.extend_from_slice(b"generic-password");
        let mut out = [0u8; V2_BYTES];
        Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 1, 1, Some(V2_BYTES)).unwrap(),
        )
        .hash_password_into(&f.digest, &salt, &mut out)
        .unwrap();
        assert_eq!(fp, format!("v2:{}", hex(&out)));
    }

    #[test]
    fn debug_never_shows_the_digest() {
        let f = Fingerprint::new("r", "hunter2");
        let d = format!("{f:?}");
        assert!(!d.contains(&f.v1()), "{d}");
        assert!(!f.is_computed());
    }

    #[test]
    fn formats() {
        assert_eq!(format_of("0123456789abcdef"), Some(Format::V1));
        assert_eq!(format_of("v2:0123456789abcdef0123"), Some(Format::V2));
        assert_eq!(format_of("0123456789ABCDEF"), None);
        assert_eq!(format_of("v2:0123"), None);
        assert_eq!(format_of("not-a-fingerprint"), None);
    }

    #[test]
    fn compute_all_fills_every_value_as_one_by_one_would() {
        let fps: Vec<Fingerprint> = (0..6)
            .map(|i| Fingerprint::new("r", &format!("s{}", i % 4)))
            .collect();
        compute_all(&fps);
        assert!(fps.iter().take(4).all(Fingerprint::is_computed));
        for f in &fps {
            assert_eq!(f.as_str(), v2(&f.digest, "r"));
        }
    }

    /// The measured cost of one v2 fingerprint, printed with
    /// `cargo test --release --lib cost -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn cost_of_one_v2_fingerprint() {
        let mut times: Vec<_> = (0..41)
            .map(|i| {
                let d = [i as u8; 32];
                let t = std::time::Instant::now();
                let _ = v2(&d, "generic-password");
                t.elapsed()
            })
            .collect();
        times.sort();
        eprintln!(
            "v2 fingerprint: median {:?}, min {:?}, max {:?} over {}",
            times[times.len() / 2],
            times[0],
            times[times.len() - 1],
            times.len()
        );
    }
}
