//! Path regexes (gitleaks' allowlist `paths`, detect-secrets'
//! `--exclude-files`) as leakgate's .gitignore-style globs, when, and only
//! when, the globs match exactly the paths the regex does.
//!
//! Both tools search the regex anywhere in the path (unanchored), so the
//! conversion reads three things: how the regex starts (`^`: at the root;
//! `(^|/)`: at a folder boundary; otherwise anywhere), how it ends (`$`, or
//! open: anything may follow), and a body of literal characters, `/`,
//! `[^/]*` and `[^/]+` (a run within one folder), and `.*` right after a
//! `/` with no `/` after it (any folders, then a file name). Anything else
//! (`\d`, `(a|b)`, a bare `.`, `(?i)`) has no exact glob, and the regex is
//! reported instead of guessed at. A top-level `a|b` converts when each side
//! does.

/// The globs (one or two; the entries they make allow or exclude the union)
/// that match exactly the paths `regex` matches, or why there are none.
pub fn to_globs(regex: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for alt in split_alternatives(regex)? {
        out.extend(one(alt)?);
    }
    out.dedup();
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    Lit(char),
    Slash,
    /// `[^/]*`
    Star,
    /// `[^/]+`
    Plus,
    /// `.*`
    Any,
}

#[derive(PartialEq)]
enum Start {
    Root,
    Boundary,
    Anywhere,
}

/// `a|b|c` at the top level (outside groups, classes and escapes).
fn split_alternatives(regex: &str) -> Result<Vec<&str>, String> {
    let (mut depth, mut class, mut escaped) = (0i32, false, false);
    let mut parts = Vec::new();
    let mut from = 0;
    for (i, c) in regex.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' if !class => class = true,
            ']' if class => class = false,
            '(' if !class => depth += 1,
            ')' if !class => depth -= 1,
            '|' if !class && depth == 0 => {
                parts.push(&regex[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&regex[from..]);
    if parts.iter().any(|p| p.is_empty()) {
        return Err("an empty alternative matches every path".into());
    }
    Ok(parts)
}

fn one(regex: &str) -> Result<Vec<String>, String> {
    let (start, mut rest) = if let Some(r) = regex.strip_prefix('^') {
        (Start::Root, r)
    } else if let Some(r) = regex
        .strip_prefix("(^|/)")
        .or_else(|| regex.strip_prefix("(?:^|/)"))
    {
        (Start::Boundary, r)
    } else {
        (Start::Anywhere, regex)
    };
    let end = match rest.strip_suffix('$') {
        Some(r) if !r.ends_with('\\') => {
            rest = r;
            true
        }
        _ => false,
    };
    let mut toks = tokens(rest)?;
    // A leading `.*` is what an unanchored search does anyway; a trailing
    // one is what an open end does.
    let mut start = start;
    while toks.first() == Some(&Tok::Any) {
        toks.remove(0);
        start = Start::Anywhere;
    }
    let mut end = end;
    while toks.last() == Some(&Tok::Any) {
        toks.pop();
        end = false;
    }
    if toks.is_empty() {
        return Err("it matches every path".into());
    }
    for (i, t) in toks.iter().enumerate() {
        if *t == Tok::Any {
            let after_slash = i > 0 && toks[i - 1] == Tok::Slash;
            if !after_slash || toks[i + 1..].contains(&Tok::Slash) {
                return Err("`.*` crosses folders where no glob can say exactly the same".into());
            }
        }
    }
    let glob: String = toks
        .iter()
        .map(|t| match t {
            Tok::Lit(c) => {
                if "*?[]{}\\!".contains(*c) {
                    format!("\\{c}")
                } else {
                    c.to_string()
                }
            }
            Tok::Slash => "/".into(),
            Tok::Star => "*".into(),
            Tok::Plus => "?*".into(),
            Tok::Any => "**/*".into(),
        })
        .collect();
    let first_slash = toks.first() == Some(&Tok::Slash);
    let last_slash = toks.last() == Some(&Tok::Slash);
    let inner_slash = toks[..toks.len() - usize::from(last_slash)].contains(&Tok::Slash);
    if end && last_slash {
        return Err("a path never ends with `/`, so it matches nothing".into());
    }
    // At any depth when the body has no `/` but a trailing one; under
    // `**/` otherwise (compile_path anchors a pattern with an inner `/`).
    let deep = |g: &str| -> String {
        if inner_slash {
            format!("**/{g}")
        } else {
            g.to_string()
        }
    };
    // Open end: the body, then anything (more of its last folder name, or
    // deeper folders).
    let open = |g: String| -> Vec<String> {
        if last_slash {
            vec![g]
        } else {
            vec![format!("{g}*"), format!("{g}*/")]
        }
    };
    Ok(match (start, end) {
        (Start::Root, true) => vec![format!("/{glob}")],
        (Start::Root, false) => open(format!("/{glob}")),
        (Start::Boundary, _) if first_slash => {
            return Err("`(^|/)` followed by `/` matches no path".into())
        }
        (Start::Boundary, true) => vec![deep(&glob)],
        (Start::Boundary, false) => open(deep(&glob)),
        (Start::Anywhere, true) => vec![if inner_slash || first_slash {
            format!("**/*{glob}")
        } else {
            format!("*{glob}")
        }],
        (Start::Anywhere, false) => open(if inner_slash || first_slash {
            format!("**/*{glob}")
        } else {
            format!("*{glob}")
        }),
    })
}

fn tokens(body: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        let t = match c {
            '\\' => match chars.next() {
                Some('/') => Tok::Slash,
                Some(e) if e.is_ascii_punctuation() => Tok::Lit(e),
                Some(e) => return Err(format!("`\\{e}` is a class of characters, not a glob")),
                None => return Err("it ends in a lone `\\`".into()),
            },
            '/' => Tok::Slash,
            '.' if chars.peek() == Some(&'*') => {
                chars.next();
                // `.*?` (lazy) matches the same set of paths.
                if chars.peek() == Some(&'?') {
                    chars.next();
                }
                Tok::Any
            }
            '[' => {
                let class: String = chars.by_ref().take_while(|&c| c != ']').collect();
                let quantifier = chars.next();
                match (class.as_str(), quantifier) {
                    ("^/", Some('*')) => Tok::Star,
                    ("^/", Some('+')) => Tok::Plus,
                    _ => return Err(format!("`[{class}]` is a class of characters, not a glob")),
                }
            }
            '.' => return Err("a bare `.` matches any character (escape it as `\\.`)".into()),
            '^' | '$' | '(' | ')' | '|' | '+' | '?' | '*' | '{' | '}' | ']' => {
                return Err(format!("`{c}` there has no exact glob"))
            }
            c => Tok::Lit(c),
        };
        toks.push(t);
    }
    Ok(toks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allow::compile_path;

    fn globs(re: &str) -> Vec<String> {
        to_globs(re).unwrap_or_else(|e| panic!("{re}: {e}"))
    }

    /// Each conversion is checked against the regex itself on paths that
    /// tell the cases apart.
    #[test]
    fn conversions_match_exactly_what_the_regex_matches() {
        let paths = [
            "a.lock",
            "x/y.lock",
            "a.lock/inner",
            "lock",
            "vendor/a.go",
            "x/vendor/b/c.go",
            "myvendor/a",
            "vendor",
            "docs/a.md",
            "docs/deep/b.md",
            "x/docs/a.md",
            "docsite/a",
            "docs",
            "go.sum",
            "x/go.sum",
            "ago.sum",
            "go.sum/x",
            "go.sums",
            "a/b/c",
            "x/a/b/c",
            "xa/b/c",
            "a/b",
            "test/fixtures/k.env",
            "fixtures/k.env",
            "a[1]/b",
        ];
        for re in [
            r"\.lock$",
            r"(^|/)vendor/",
            r"^docs/",
            r"go\.sum",
            r"go\.sum$",
            r"^docs",
            r"(?:^|/)vendor$",
            r"a/b",
            r"^a/b$",
            r"^docs/.*\.md$",
            r"^docs/[^/]*\.md$",
            r"fixtures/[^/]+\.env$",
            r"\.lock$|^docs/",
            r"/b/",
            r"a\[1\]/",
            r".*\.lock$",
        ] {
            let regex = regex::Regex::new(re).unwrap();
            let matchers: Vec<_> = globs(re).iter().map(|g| compile_path(g).unwrap()).collect();
            for p in paths {
                assert_eq!(
                    matchers.iter().any(|m| m.is_match(p)),
                    regex.is_match(p),
                    "{re} -> {:?} on {p}",
                    globs(re)
                );
            }
        }
        assert_eq!(globs(r"\.lock$"), ["*.lock"]);
        assert_eq!(globs(r"(^|/)vendor/"), ["vendor/"]);
        assert_eq!(globs(r"^docs/"), ["/docs/"]);
        assert_eq!(globs(r"go\.sum"), ["*go.sum*", "*go.sum*/"]);
    }

    #[test]
    fn what_has_no_exact_glob_is_refused_with_why() {
        for re in [
            r"(.*?)(jpg|gif)$",
            r"go.sum",
            r"\d+\.txt",
            r"(?i)readme",
            r"^docs/$",
            r".*",
            r"a/.*/b",
            r"a|",
        ] {
            assert!(to_globs(re).is_err(), "{re}: {:?}", to_globs(re));
        }
    }
}
