//! Assignment contexts: a key with no prefix is found by the name it is
//! assigned to (src/engine/assign.rs finds "name = value" and the keys that
//! enclose a value; src/engine/mod.rs matches names on whole word parts).
//! Every case goes through the real binary on standard input; keys are
//! generated at run time.

use crate::common::*;
use leakgate::rules::testgen::token;

/// The rule ids `leakgate scan -` reports for `text`, in order.
fn found(sb: &Sandbox, text: &str) -> Vec<String> {
    let run = sb.leakgate_stdin(sb.dir.path(), &["scan", "--format", "json", "-"], text);
    assert!(
        matches!(run.code, Some(0 | 1)),
        "exit {:?} for {text:?}:\n{}",
        run.code,
        run.all()
    );
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("a JSON report");
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule_id"].as_str().expect("rule_id").to_string())
        .collect()
}

/// Each case (with `{k}` standing for a fresh MessageBird key) is reported
/// once, as MessageBird's. (Bird's own rule also takes a 25-character key
/// under a name with a `bird` word part, so `MESSAGE_BIRD_KEY` is Bird's
/// too, as it was before names were split; see rules/30-payments-and-messaging.toml.)
fn messagebird_in_each(sb: &Sandbox, seed: u64, cases: &[&str]) {
    for (i, case) in cases.iter().enumerate() {
        let text = case.replace("{k}", &key(seed * 100 + i as u64));
        let ids = found(sb, &text);
        let mb = ids
            .iter()
            .filter(|id| *id == "messagebird-access-key")
            .count();
        let others = ids
            .iter()
            .filter(|id| *id != "messagebird-access-key" && *id != "bird-access-key")
            .count();
        assert!(mb == 1 && others == 0, "case {i}: {case:?} gave {ids:?}");
    }
}

/// No case reports anything.
fn nothing_in_each(sb: &Sandbox, seed: u64, cases: &[&str]) {
    for (i, case) in cases.iter().enumerate() {
        let text = case.replace("{k}", &key(seed * 100 + i as u64));
        let ids = found(sb, &text);
        assert!(ids.is_empty(), "case {i}: {case:?} gave {ids:?}");
    }
}

#[test]
fn go_declarations_name_their_value() {
    let sb = Sandbox::new();
    messagebird_in_each(
        &sb,
        1,
        &[
            "var messagebirdKey string = \"{k}\"\n",
            "var messagebirdKey = \"{k}\"\n",
            "\tmessagebirdKey := \"{k}\"\n",
            "const MESSAGEBIRD_ACCESS_KEY = \"{k}\"\n",
            "const (\n\tMessageBirdAccessKey string = \"{k}\"\n\tretries = 3\n)\n",
            "var (\n\tmessageBirdKey = \"{k}\"\n)\n",
            "var (\n\tdebug bool\n\tmessageBirdKey   string = `{k}`\n)\n",
        ],
    );
}

#[test]
fn go_environment_reads_and_references_are_not_secrets() {
    let sb = Sandbox::new();
    nothing_in_each(
        &sb,
        2,
        &[
            "x := os.Getenv(\"MESSAGEBIRD_ACCESS_KEY\")\n",
            "messagebirdKey := os.Getenv(\"MESSAGEBIRD_ACCESS_KEY\")\n",
            "var messagebirdKey string = os.Getenv(\"MESSAGEBIRD_ACCESS_KEY\")\n",
            "var messagebirdKey = cfg.MessageBirdAccessKey\n",
            // a token under an unrelated name in a file that uses MessageBird
            "client := messagebird.New(key)\nvar sessionID string = \"{k}\"\n",
            // a block closes: what follows it is not in it
            "const (\n\tmessagebirdHost string = \"rest.messagebird.com\"\n)\nvar requestID string = \"{k}\"\n",
        ],
    );
}

#[test]
fn php_assignments_defines_and_arrays_name_their_value() {
    let sb = Sandbox::new();
    messagebird_in_each(
        &sb,
        3,
        &[
            "<?php\n$messagebirdKey = '{k}';\n",
            "$messageBirdAccessKey .= '{k}';\n",
            "$config['messagebird_key'] = \"{k}\";\n",
            "define('MESSAGEBIRD_ACCESS_KEY', '{k}');\n",
            "define(\"MESSAGEBIRD_ACCESS_KEY\",\"{k}\");\n",
            "return [\n    'messagebird_access_key' => '{k}',\n];\n",
            "return ['messagebird' => ['access_key' => '{k}']];\n",
        ],
    );
    nothing_in_each(
        &sb,
        4,
        &[
            "$messagebirdKey = getenv('MESSAGEBIRD_ACCESS_KEY');\n",
            "define('MESSAGEBIRD_ACCESS_KEY', env('MESSAGEBIRD_ACCESS_KEY'));\n",
            "'messagebird_access_key' => $_ENV['MESSAGEBIRD_ACCESS_KEY'],\n",
            "$messagebird = new \\MessageBird\\Client($key);\n$requestId = '{k}';\n",
        ],
    );
}

#[test]
fn make_assignments_of_every_flavour_name_their_value() {
    let sb = Sandbox::new();
    messagebird_in_each(
        &sb,
        5,
        &[
            "MESSAGEBIRD_KEY = {k}\n",
            "MESSAGEBIRD_KEY := {k}\n",
            "MESSAGEBIRD_KEY ::= {k}\n",
            "MESSAGEBIRD_KEY :::= {k}\n",
            "MESSAGEBIRD_KEY ?= {k}\n",
            "MESSAGEBIRD_KEY += {k}\n",
            "MESSAGEBIRD_KEY?={k}\n",
            "export MESSAGEBIRD_KEY = {k}\n",
            "export MESSAGEBIRD_KEY := {k}\n",
            "deploy:\n\tcurl -s $(API)\n\nMESSAGEBIRD_ACCESS_KEY ::= {k}\n",
        ],
    );
    nothing_in_each(
        &sb,
        6,
        &[
            "MESSAGEBIRD_KEY ?= $(shell cat .messagebird-key)\n",
            "MESSAGEBIRD_KEY := $(MESSAGEBIRD_ACCESS_KEY)\n",
            "export MESSAGEBIRD_KEY ?= ${MESSAGEBIRD_ACCESS_KEY}\n",
            "MESSAGEBIRD_KEY ::=\nSESSION_ID := {k}\n",
        ],
    );
}

#[test]
fn xml_values_between_tags_and_in_keyed_elements_name_their_value() {
    let sb = Sandbox::new();
    messagebird_in_each(
        &sb,
        7,
        &[
            "<messageBirdAccessKey>{k}</messageBirdAccessKey>\n",
            "<config>\n  <messagebirdKey>\n     {k}\n  </messagebirdKey>\n</config>\n",
            "<messagebird>\n  <accessKey>\n    {k}\n  </accessKey>\n</messagebird>\n",
            "<messagebird>\n  <accessKey>{k}</accessKey>\n</messagebird>\n",
            "<appSettings>\n  <add key=\"MessageBirdKey\" value=\"{k}\"/>\n</appSettings>\n",
            "<add key=\"MessageBird:AccessKey\" value=\"{k}\" />\n",
            "<entry key=\"messagebird.access.key\">{k}</entry>\n",
            "<properties>\n  <entry key=\"messagebirdAccessKey\">\n    {k}\n  </entry>\n</properties>\n",
            "<property name=\"messagebird_access_key\">{k}</property>\n",
        ],
    );
}

#[test]
fn a_token_in_an_unrelated_xml_tag_is_not_messagebirds() {
    let sb = Sandbox::new();
    nothing_in_each(
        &sb,
        8,
        &[
            "<!-- sends through MessageBird -->\n<sessionId>{k}</sessionId>\n",
            "<messagebirdOriginator>Acme</messagebirdOriginator>\n<requestId>\n  {k}\n</requestId>\n",
            "<provider>messagebird</provider><traceId>{k}</traceId>\n",
            "<entry key=\"messagebird.originator\">Acme</entry>\n<entry key=\"session\">{k}</entry>\n",
            // the closing tag is another element's: not this name's value
            "<messagebirdKey/>\n<cache>\n  {k}\n</cache>\n",
            "<messagebirdKey>${MESSAGEBIRD_ACCESS_KEY}</messagebirdKey>\n",
            "<add key=\"MessageBirdKey\" value=\"%MESSAGEBIRD_KEY%\"/>\n",
        ],
    );
}

#[test]
fn properties_keys_with_dots_and_any_separator_name_their_value() {
    let sb = Sandbox::new();
    messagebird_in_each(
        &sb,
        9,
        &[
            "messagebird.access.key={k}\n",
            "messagebird.access.key = {k}\n",
            "messagebird.access.key: {k}\n",
            "messagebird.access.key {k}\n",
            "app.messagebird.accessKey\t\t{k}\n",
            "message-bird.key={k}\n",
            "# sms\nsms.provider=messagebird\nmessagebird.access-key   {k}\r\n",
        ],
    );
    nothing_in_each(
        &sb,
        10,
        &[
            "messagebird.access.key=${MESSAGEBIRD_ACCESS_KEY}\n",
            "messagebird.access.key {{MESSAGEBIRD_ACCESS_KEY}}\n",
            "See messagebird.access.key for the live key.\n",
            "messagebird.originator Acme\nsession.id {k}\n",
        ],
    );
}

#[test]
fn hcl_blocks_name_the_provider_of_their_attributes() {
    let sb = Sandbox::new();
    messagebird_in_each(
        &sb,
        11,
        &[
            "provider \"messagebird\" {\n  access_key = \"{k}\"\n}\n",
            "provider \"messagebird\" { access_key = \"{k}\" }\n",
            "resource \"messagebird_webhook\" \"main\" {\n  url        = \"https://example.com/hook\"\n  access_key = \"{k}\"\n}\n",
            "resource \"messagebird_x\" \"y\" {\n  auth {\n    key = \"{k}\"\n  }\n}\n",
            "variable \"messagebird_access_key\" {\n  type    = string\n  default = \"{k}\"\n}\n",
        ],
    );
    nothing_in_each(
        &sb,
        12,
        &[
            "provider \"messagebird\" {\n  access_key = var.messagebird_access_key\n}\n",
            "# uses messagebird\nresource \"aws_instance\" \"web\" {\n  ami = \"{k}\"\n}\n",
            "provider \"messagebird\" {\n  access_key = var.key\n}\n\nresource \"null_resource\" \"x\" {\n  id = \"{k}\"\n}\n",
        ],
    );
}

#[test]
fn ini_sections_and_toml_tables_are_parents() {
    let sb = Sandbox::new();
    messagebird_in_each(
        &sb,
        13,
        &[
            "[messagebird]\naccess_key = {k}\n",
            "[MessageBird]\nAccessKey={k}\n",
            "[messagebird]\nendpoint = https://rest.messagebird.com\n\n; the live one\naccess_key = \"{k}\"\n",
            "[services.messagebird]\nkey = \"{k}\"\n",
            "[sms.message_bird]\napi_key = '{k}'\n",
            "[[notifiers.messagebird]]\nkey = \"{k}\"\n",
        ],
    );
    nothing_in_each(
        &sb,
        14,
        &[
            "[messagebird]\noriginator = Acme\n[cache]\nsession = \"{k}\"\n",
            "[messagebird]\noriginator = Acme\n\n[[queue]]\nsession = \"{k}\"\n",
        ],
    );
}

#[test]
fn defaults_of_environment_reads_are_committed_values() {
    let sb = Sandbox::new();
    messagebird_in_each(
        &sb,
        15,
        &[
            "'key' => env('MESSAGEBIRD_ACCESS_KEY', '{k}'),\n",
            "key = os.getenv(\"MESSAGEBIRD_ACCESS_KEY\", \"{k}\")\n",
            "key = os.environ.get('MESSAGEBIRD_ACCESS_KEY', '{k}')\n",
            "key = os.getenv(\"MESSAGEBIRD_ACCESS_KEY\") or \"{k}\"\n",
            "const key = process.env.MESSAGEBIRD_ACCESS_KEY || '{k}';\n",
            "const key = process.env.MESSAGEBIRD_ACCESS_KEY ?? \"{k}\";\n",
            "const key = process.env['MESSAGEBIRD_ACCESS_KEY'] || '{k}';\n",
            "key = ENV.fetch(\"MESSAGEBIRD_ACCESS_KEY\", \"{k}\")\n",
            "key = ENV[\"MESSAGEBIRD_ACCESS_KEY\"] || \"{k}\"\n",
            "String key = System.getenv().getOrDefault(\"MESSAGEBIRD_ACCESS_KEY\", \"{k}\");\n",
            "curl -H \"Authorization: AccessKey ${MESSAGEBIRD_ACCESS_KEY:-{k}}\" \"$URL\"\n",
            "services:\n  sms:\n    environment:\n      - API_KEY=${MESSAGEBIRD_ACCESS_KEY:-{k}}\n",
            "KEY=\"${MESSAGEBIRD_ACCESS_KEY-{k}}\"\n",
            ": \"${MESSAGEBIRD_ACCESS_KEY:={k}}\"\n",
        ],
    );
}

#[test]
fn environment_reads_without_a_default_are_references() {
    let sb = Sandbox::new();
    nothing_in_each(
        &sb,
        16,
        &[
            "'key' => env('MESSAGEBIRD_ACCESS_KEY'),\n",
            "'key' => env('MESSAGEBIRD_ACCESS_KEY', null),\n",
            "const key = process.env.MESSAGEBIRD_ACCESS_KEY;\n",
            "const key = process.env.MESSAGEBIRD_ACCESS_KEY || '';\n",
            "const key = process.env.MESSAGEBIRD_ACCESS_KEY || process.env.MB_KEY;\n",
            "KEY=${MESSAGEBIRD_ACCESS_KEY}\n",
            "KEY=${MESSAGEBIRD_ACCESS_KEY:-}\n",
            "KEY=${MESSAGEBIRD_ACCESS_KEY:?set the MessageBird key}\n",
            "KEY=${MESSAGEBIRD_ACCESS_KEY:-$FALLBACK_KEY}\n",
            "key = os.getenv(\"MESSAGEBIRD_ACCESS_KEY\", \"YOUR_ACCESS_KEY_HERE\")\n",
            // the default is someone else's name
            "session = os.getenv(\"SESSION_ID\", \"{k}\")  # messagebird\n",
        ],
    );
}

#[test]
fn names_match_on_whole_word_parts_in_every_case_style() {
    let sb = Sandbox::new();
    messagebird_in_each(
        &sb,
        17,
        &[
            "messageBirdKey = \"{k}\"\n",
            "MESSAGE_BIRD_KEY={k}\n",
            "message-bird.key: {k}\n",
            "messagebird_access_key = \"{k}\"\n",
            "MessageBirdAccessKey: {k}\n",
            "$messageBird = '{k}';\n",
            "sms.MessageBird.Key={k}\n",
        ],
    );
    // `bird` alone is Bird's (the platform's new name), not inside a word.
    nothing_in_each(
        &sb,
        18,
        &[
            "notmessagebird_key = \"{k}\"\n",
            "MESSAGEBIRDS_FEED_ID={k}\n",
        ],
    );
    // `(?i)okta` names Okta in oktaToken and OKTA_API_TOKEN, not in rookTable.
    let okta = |seed| secret(format!("00{}", token("base64url", 40, 700 + seed)));
    for (name, yes) in [
        ("oktaToken", true),
        ("OKTA_API_TOKEN", true),
        ("okta.api-token", true),
        ("rookTable", false),
        ("brooktail", false),
    ] {
        let text = format!("{name} = \"{}\"\n", okta(name.len() as u64));
        let ids = found(&sb, &text);
        let is_okta = ids.iter().any(|id| id == "okta-api-token");
        assert_eq!(is_okta, yes, "{name}: {ids:?}");
    }
}

#[test]
fn the_generic_rule_warns_for_secret_words_in_every_case_style() {
    let sb = Sandbox::new();
    for (i, name) in [
        "FOO_TOKEN",
        "foo_token",
        "fooToken",
        "foo-token",
        "slackBotToken",
        "db_password",
        "clientSecret",
    ]
    .iter()
    .enumerate()
    {
        let v = secret(token("alnum", 32, 800 + i as u64));
        let text = format!("{name} = \"{v}\"\n");
        let run = sb.leakgate_stdin(sb.dir.path(), &["scan", "--format", "json", "-"], &text);
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        let f = doc["findings"].as_array().unwrap();
        assert_eq!(f.len(), 1, "{name}: {}", run.stdout);
        assert_eq!(f[0]["rule_id"], "generic-secret-assignment", "{name}");
        assert_eq!(f[0]["blocking"], false, "{name}: a warning");
        assert_eq!(run.code, Some(0), "{name}: warnings do not fail a scan");
    }
    for (i, name) in [
        "token_id",
        "tokenId",
        "password_min_length",
        "secret_name",
        "secretName",
        "token_url",
        "tokenizer",
        "mytoken",
        "TOKEN_TYPE",
    ]
    .iter()
    .enumerate()
    {
        let v = secret(token("alnum", 32, 900 + i as u64));
        let ids = found(&sb, &format!("{name} = \"{v}\"\n"));
        assert!(ids.is_empty(), "{name}: {ids:?}");
    }
}
