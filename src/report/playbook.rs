//! A leaked credential's playbook, from its rule: what the key can do, how
//! to rotate and revoke it, how to check for misuse, how to find what will
//! break, and how to keep it out of code next time, with a snippet per way
//! in for Python, JavaScript, Go, Java and Ruby. Provider facts come from the
//! rule; the "keep it out of code" part is shared, filled in with the rule's
//! environment variable name.
//!
//! One source for every place a playbook is shown: `leakgate explain` prints
//! [`text`], SARIF carries [`text`] and [`markdown`] as each rule's help.

use std::fmt::Write as _;

use crate::rules::Rule;

const LANGS: [&str; 5] = ["Python", "JavaScript", "Go", "Java", "Ruby"];

/// (way in, note, one snippet per language in LANGS order). `{ENV}` is the
/// environment variable, `{PATH}` the secret's path in a secret store.
const WAYS: &[(&str, &str, [&str; 5])] = &[
    (
        "An environment variable",
        "set by your deployment (CI secrets, Kubernetes Secret, systemd EnvironmentFile), never committed",
        [
            r#"key = os.environ["{ENV}"]"#,
            r#"const key = process.env.{ENV};"#,
            r#"key := os.Getenv("{ENV}")"#,
            r#"String key = System.getenv("{ENV}");"#,
            r#"key = ENV.fetch("{ENV}")"#,
        ],
    ),
    (
        "AWS Secrets Manager",
        "secret id {PATH}; the code's IAM role needs secretsmanager:GetSecretValue on it",
        [
            r#"key = boto3.client("secretsmanager").get_secret_value(SecretId="{PATH}")["SecretString"]"#,
            "const { SecretsManagerClient, GetSecretValueCommand } = require(\"@aws-sdk/client-secrets-manager\");\nconst { SecretString: key } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: \"{PATH}\" }));",
            "out, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(\"{PATH}\")})\nkey := aws.ToString(out.SecretString)",
            r#"String key = SecretsManagerClient.create().getSecretValue(GetSecretValueRequest.builder().secretId("{PATH}").build()).secretString();"#,
            r#"key = Aws::SecretsManager::Client.new.get_secret_value(secret_id: "{PATH}").secret_string"#,
        ],
    ),
    (
        "HashiCorp Vault",
        "KV v2 at secret/{PATH}, field `value`; clients read VAULT_ADDR and VAULT_TOKEN (or use an auth method) from the environment",
        [
            r#"key = hvac.Client().secrets.kv.v2.read_secret_version(path="{PATH}")["data"]["data"]["value"]"#,
            "const vault = require(\"node-vault\")();\nconst key = (await vault.read(\"secret/data/{PATH}\")).data.data.value;",
            "client, _ := vault.NewClient(vault.DefaultConfig())\ns, err := client.KVv2(\"secret\").Get(ctx, \"{PATH}\")\nkey := s.Data[\"value\"].(string)",
            "Vault vault = new Vault(new VaultConfig().engineVersion(2).build());\nString key = vault.logical().read(\"secret/{PATH}\").getData().get(\"value\");",
            r#"key = Vault.kv("secret").read("{PATH}").data[:value]"#,
        ],
    ),
    (
        "CyberArk Conjur",
        "variable {PATH}, read by a host identity with `read` and `execute` on it (or injected as {ENV} by Summon)",
        [
            r#"key = conjur_client.get("{PATH}").decode()"#,
            "const res = await fetch(`${CONJUR_URL}/secrets/${ACCOUNT}/variable/${encodeURIComponent(\"{PATH}\")}`, { headers: { Authorization: `Token token=\"${conjurToken}\"` } });\nconst key = await res.text();",
            r#"key, err := conjurClient.RetrieveSecret("{PATH}")"#,
            r#"String key = new Conjur().variables().retrieveSecret("{PATH}");"#,
            r##"key = conjur_api.resource("#{account}:variable:{PATH}").value"##,
        ],
    ),
];

/// What a playbook says, in order; [`text`] and [`markdown`] only lay it out.
struct Playbook {
    /// (title, body) of each prose section.
    sections: Vec<(&'static str, String)>,
    /// The environment variable and secret-store path the snippets use.
    env: String,
    path: String,
    docs: Option<String>,
    /// The pages that document the key's format, when they are not the docs.
    formats: Vec<String>,
}

impl Playbook {
    fn of(rule: &Rule) -> Playbook {
        let env = rule.env_var.clone().unwrap_or_else(|| {
            format!(
                "{}_API_KEY",
                slug(&rule.provider).to_ascii_uppercase().replace('-', "_")
            )
        });
        let path = format!("prod/{}/{}", slug(&rule.provider), slug(&env));
        let or = |v: &Option<String>, default: &str| v.clone().unwrap_or_else(|| default.into());
        let mut sections = vec![
            ("What someone holding it can do", or(&rule.impact,
                "Whatever the account or token's scopes allow, as you, until it is revoked. Assume the worst scope it can have.",
            )),
            ("Rotate and revoke it", or(&rule.rotate,
                "Revoke it in the provider's dashboard and issue a new one (see the docs below).",
            )),
            ("Check whether it was misused", or(&rule.misuse,
                "Read the provider's audit or usage logs for the whole time the key was exposed (from the commit that added it until it was revoked): requests from unknown IPs, unusual volume, new resources, changed settings.",
            )),
            ("Find what will break", rule.dependents.clone().unwrap_or_else(|| format!(
                "Find every place that uses it before you revoke it: `git grep -n {env}` across your repositories, your CI/CD secret settings, deployment manifests and secret stores, and the provider's usage view for which keys are active. Move each one to the new key, then revoke the old."
            ))),
        ];
        if let Some(prevent) = &rule.prevent {
            sections.push(("Keep the file out of the repository", prevent.clone()));
        }
        Playbook {
            sections,
            formats: rule
                .references
                .iter()
                .filter(|r| rule.docs.as_ref() != Some(*r))
                .cloned()
                .collect(),
            docs: rule.docs.clone(),
            env,
            path,
        }
    }

    fn fill(&self, s: &str) -> String {
        s.replace("{ENV}", &self.env).replace("{PATH}", &self.path)
    }
}

const KEEP_OUT: &str = "Keep it out of code next time";
const AT_RUN_TIME: &str =
    "Read it at run time; the value then lives in your deployment's secret store, not in git.";

fn headline(rule: &Rule) -> String {
    format!(
        "provider: {}   severity: {}   {}",
        rule.provider,
        rule.severity,
        if rule.block {
            "blocks commits and pushes"
        } else {
            "warns, does not block"
        }
    )
}

/// The playbook as `leakgate explain` prints it.
pub fn text(rule: &Rule) -> String {
    let book = Playbook::of(rule);
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})\n{}\n", rule.name, rule.id, headline(rule));
    for (title, body) in &book.sections {
        section(&mut out, title, body);
    }
    let _ = writeln!(out, "{KEEP_OUT}");
    let _ = writeln!(out, "  {AT_RUN_TIME}\n");
    for (way, note, snippets) in WAYS {
        let _ = writeln!(out, "  {way}: {}", book.fill(note));
        for (lang, snippet) in LANGS.iter().zip(snippets) {
            let filled = book.fill(snippet);
            let mut lines = filled.lines();
            let _ = writeln!(out, "    {lang:<11} {}", lines.next().unwrap_or_default());
            for l in lines {
                let _ = writeln!(out, "    {:<11} {l}", "");
            }
        }
        let _ = writeln!(out);
    }
    if let Some(docs) = &book.docs {
        let _ = writeln!(out, "Provider docs: {docs}");
    }
    if !book.formats.is_empty() {
        let _ = writeln!(out, "Key format: {}", book.formats.join(", "));
    }
    out
}

/// The same playbook as Markdown (SARIF's `help.markdown`: GitHub shows it
/// beside each alert). Rule text is prose written by the rule's author;
/// snippets go in fenced code blocks.
pub fn markdown(rule: &Rule) -> String {
    let book = Playbook::of(rule);
    let mut out = String::new();
    let _ = writeln!(out, "**{}** (`{}`)\n", rule.name, rule.id);
    let _ = writeln!(out, "{}\n", headline(rule).replace("   ", " · "));
    for (title, body) in &book.sections {
        let _ = writeln!(out, "### {title}\n");
        for l in body.trim().lines() {
            let _ = writeln!(out, "{}", l.trim());
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "### {KEEP_OUT}\n\n{AT_RUN_TIME}\n");
    for (way, note, snippets) in WAYS {
        let _ = writeln!(out, "**{way}**: {}\n", book.fill(note));
        for (lang, snippet) in LANGS.iter().zip(snippets) {
            let fence = lang.to_ascii_lowercase();
            let _ = writeln!(out, "```{fence}\n{}\n```\n", book.fill(snippet));
        }
    }
    if let Some(docs) = &book.docs {
        let _ = writeln!(out, "Provider docs: <{docs}>\n");
    }
    if !book.formats.is_empty() {
        let links: Vec<String> = book.formats.iter().map(|r| format!("<{r}>")).collect();
        let _ = writeln!(out, "Key format: {}\n", links.join(", "));
    }
    out
}

fn section(out: &mut String, title: &str, body: &str) {
    let _ = writeln!(out, "{title}");
    for l in body.trim().lines() {
        let _ = writeln!(out, "  {}", l.trim());
    }
    let _ = writeln!(out);
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Catalog;

    #[test]
    fn messagebird_playbook_is_complete() {
        let catalog = Catalog::builtin().unwrap();
        let text = text(catalog.get("messagebird-access-key").unwrap());
        for needle in [
            "What someone holding it can do",
            "Developers -> API access",
            "Check whether it was misused",
            "Find what will break",
            "os.environ[\"MESSAGEBIRD_ACCESS_KEY\"]",
            "process.env.MESSAGEBIRD_ACCESS_KEY",
            "os.Getenv(\"MESSAGEBIRD_ACCESS_KEY\")",
            "System.getenv(\"MESSAGEBIRD_ACCESS_KEY\")",
            "ENV.fetch(\"MESSAGEBIRD_ACCESS_KEY\")",
            "AWS Secrets Manager",
            "HashiCorp Vault",
            "CyberArk Conjur",
            "Provider docs: https://",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
        }
        // Every way in has a snippet for each of the five languages.
        for lang in LANGS {
            assert_eq!(
                text.matches(&format!("    {lang} ")).count(),
                WAYS.len(),
                "{lang}"
            );
        }
        assert!(!text.contains("{ENV}") && !text.contains("{PATH}"));
    }

    #[test]
    fn markdown_says_what_the_text_says() {
        let catalog = Catalog::builtin().unwrap();
        let rule = catalog.get("messagebird-access-key").unwrap();
        let md = markdown(rule);
        for needle in [
            "### What someone holding it can do",
            "### Rotate and revoke it",
            "### Check whether it was misused",
            "### Find what will break",
            "Developers -> API access",
            "```python\nkey = os.environ[\"MESSAGEBIRD_ACCESS_KEY\"]\n```",
            "**HashiCorp Vault**",
            "Provider docs: <https://",
        ] {
            assert!(md.contains(needle), "missing {needle:?} in:\n{md}");
        }
        assert_eq!(md.matches("```ruby").count(), WAYS.len());
        assert!(!md.contains("{ENV}") && !md.contains("{PATH}"));
    }

    #[test]
    fn references_are_shown_as_the_key_format() {
        let catalog = Catalog::builtin().unwrap();
        let rule = catalog
            .rules
            .iter()
            .find(|r| !r.references.is_empty() && r.docs.as_ref() != Some(&r.references[0]))
            .expect("a rule with a reference apart from its docs");
        let text = text(rule);
        assert!(
            text.contains(&format!("Key format: {}", rule.references[0])),
            "{text}"
        );
    }

    #[test]
    fn every_rule_has_rotation_steps_and_docs() {
        let catalog = Catalog::builtin().unwrap();
        for rule in &catalog.rules {
            assert!(rule.rotate.is_some(), "{} has no rotate steps", rule.id);
            assert!(
                rule.docs
                    .as_deref()
                    .is_some_and(|d| d.starts_with("https://")),
                "{} has no docs link",
                rule.id
            );
        }
    }
}
