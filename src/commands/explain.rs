//! `leakgate explain <rule-id>`: the playbook for a leaked credential.
//!
//! What the key can do, how to rotate and revoke it, how to check for misuse,
//! how to find what will break, and how to keep it out of code next time, with
//! a snippet per way in for Python, JavaScript, Go, Java and Ruby. Provider
//! facts come from the rule; the "keep it out of code" part is shared, filled in
//! with the rule's environment variable name.

use std::fmt::Write as _;

use anyhow::{anyhow, Result};

use crate::cli::{ColorChoice, Format};
use crate::context::Context;
use crate::output::{Exit, Output};
use crate::rules::Rule;

/// Prints the playbook of `rule` (built-in, or the project's own).
pub fn run(rule: &str) -> Result<Exit> {
    let ctx = Context::discover(None)?;
    let r = ctx
        .settings
        .catalog
        .get(rule)
        .ok_or_else(|| anyhow!("no rule `{rule}` (see `leakgate rules list` for the ids)"))?;
    Output::stdout(Format::Human, ColorChoice::Never).text(&render(r))?;
    Ok(Exit::Clean)
}

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

pub fn render(rule: &Rule) -> String {
    let env = rule.env_var.clone().unwrap_or_else(|| {
        format!(
            "{}_API_KEY",
            slug(&rule.provider).to_ascii_uppercase().replace('-', "_")
        )
    });
    let path = format!("prod/{}/{}", slug(&rule.provider), slug(&env));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({})\nprovider: {}   severity: {}   {}\n",
        rule.name,
        rule.id,
        rule.provider,
        rule.severity,
        if rule.block {
            "blocks commits and pushes"
        } else {
            "warns, does not block"
        }
    );
    section(&mut out, "What someone holding it can do", rule.impact.as_deref().unwrap_or(
        "Whatever the account or token's scopes allow, as you, until it is revoked. Assume the worst scope it can have.",
    ));
    section(
        &mut out,
        "Rotate and revoke it",
        rule.rotate.as_deref().unwrap_or(
            "Revoke it in the provider's dashboard and issue a new one (see the docs below).",
        ),
    );
    section(&mut out, "Check whether it was misused", rule.misuse.as_deref().unwrap_or(
        "Read the provider's audit or usage logs for the whole time the key was exposed (from the commit that added it until it was revoked): requests from unknown IPs, unusual volume, new resources, changed settings.",
    ));
    let dependents = rule.dependents.clone().unwrap_or_else(|| {
        format!(
            "Find every place that uses it before you revoke it: `git grep -n {env}` across your repositories, your CI/CD secret settings, deployment manifests and secret stores, and the provider's usage view for which keys are active. Move each one to the new key, then revoke the old."
        )
    });
    section(&mut out, "Find what will break", &dependents);
    if let Some(prevent) = &rule.prevent {
        section(&mut out, "Keep the file out of the repository", prevent);
    }

    let _ = writeln!(out, "Keep it out of code next time");
    let _ = writeln!(
        out,
        "  Read it at run time; the value then lives in your deployment's secret store, not in git.\n"
    );
    for (way, note, snippets) in WAYS {
        let fill = |s: &str| s.replace("{ENV}", &env).replace("{PATH}", &path);
        let _ = writeln!(out, "  {way}: {}", fill(note));
        for (lang, snippet) in LANGS.iter().zip(snippets) {
            let mut lines = fill(snippet)
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
                .into_iter();
            let _ = writeln!(out, "    {lang:<11} {}", lines.next().unwrap_or_default());
            for l in lines {
                let _ = writeln!(out, "    {:<11} {l}", "");
            }
        }
        let _ = writeln!(out);
    }
    if let Some(docs) = &rule.docs {
        let _ = writeln!(out, "Provider docs: {docs}");
    }
    // The pages that document the key's format, when they are not the page
    // above.
    let formats: Vec<&String> = rule
        .references
        .iter()
        .filter(|r| rule.docs.as_ref() != Some(*r))
        .collect();
    if !formats.is_empty() {
        let _ = writeln!(
            out,
            "Key format: {}",
            formats
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
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
        let text = render(catalog.get("messagebird-access-key").unwrap());
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
    fn references_are_shown_as_the_key_format() {
        let catalog = Catalog::builtin().unwrap();
        let rule = catalog
            .rules
            .iter()
            .find(|r| !r.references.is_empty() && r.docs.as_ref() != Some(&r.references[0]))
            .expect("a rule with a reference apart from its docs");
        let text = render(rule);
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
