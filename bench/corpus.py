#!/usr/bin/env python3
"""Generate the detection corpus: real-shaped secrets in realistic files, and decoys.

Nothing here is a literal key: every secret is built at run time from its
documented shape (prefix, length, alphabet, checksum), so the repository holds
no live-looking token. The corpus is written to a folder with a manifest:

    <out>/cases/<n>.<ext>            one file per case
    <out>/manifest.jsonl             {"file", "provider", "line"} per case;
                                     provider null for decoys

`leakgate rules eval <out>` scans every case and prints precision and recall
per provider and overall.

Cases for more providers live in bench/corpus.d/*.py, one file per rule
family, read in file-name order after the cases above (so adding a family
changes no existing case). Each file is run with this module's helpers
(rand, crc_token, pem, with_digit, uuid4, ALNUM, B62, HEX, B64, B64URL,
LOWER_DIGITS, UPPER_DIGITS, R, string, base64) in scope and may define:

    SECRETS    provider -> [(variable name, generator)], placed in every
               wrapper of WRAPPERS like the ones above
    positives() -> [(provider, ext, text, line)]   secrets placed by hand
    decoys()    -> [(ext, text)]                   look-alikes to leave alone

An `ext` that starts with a dot or holds a `/` is a file name, written as
cases/<n>/<ext> (`.pgpass`, `.aws/credentials`, `FileZilla/sitemanager.xml`),
so rules that know a tool's file by its name see it.

usage: bench/corpus.py [OUT]   (default: bench/work/corpus)
"""

import base64
import json
import os
import random
import shutil
import string
import sys
import zlib

R = random.Random(20261127)
ALNUM = string.ascii_letters + string.digits
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"


def rand(alphabet, n):
    while True:
        s = "".join(R.choice(alphabet) for _ in range(n))
        if alphabet is ALNUM and not (any(c.isdigit() for c in s) and any(c.isupper() for c in s)
                                      and any(c.islower() for c in s)):
            continue
        return s


LOWER_DIGITS = string.ascii_lowercase + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits


def with_digit(alphabet, n):
    """n characters of alphabet with at least one digit and one letter."""
    while True:
        s = rand(alphabet, n)
        if any(c.isdigit() for c in s) and any(c.isalpha() for c in s):
            return s


def uuid4(variant=None):
    """A random UUID (version 4); its variant digit drawn from 89ab unless given."""
    return (f"{rand(HEX, 8)}-{rand(HEX, 4)}-4{rand(HEX, 3)}-"
            f"{variant if variant is not None else R.choice('89ab')}{rand(HEX, 3)}-{rand(HEX, 12)}")


def crc_token(n=30, bad=False):
    body = rand(ALNUM, n)
    crc = zlib.crc32(body.encode()) ^ (0x5A5A if bad else 0)
    digits = ""
    for _ in range(6):
        digits = B62[crc % 62] + digits
        crc //= 62
    return body + digits


def pem(kind):
    body = "\n".join(rand(B64, 64) for _ in range(12))
    if kind == "openssh":
        # The body of an OpenSSH key starts with base64 of its "openssh-key-v1" magic.
        body = "b3BlbnNzaC1rZXktdjEAAAAA" + body[24:]
    label = {"rsa": "RSA PRIVATE KEY", "ec": "EC PRIVATE KEY", "pkcs8": "PRIVATE KEY",
             "openssh": "OPENSSH PRIVATE KEY"}[kind]
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"


# provider -> list of (variable name, secret generator, needs_name_context)
SECRETS = {
    "MessageBird": [("MESSAGEBIRD_ACCESS_KEY", lambda: rand(ALNUM, 25)),
                    ("MESSAGEBIRD_TEST_KEY", lambda: "test_" + rand(ALNUM, 25))],
    "GitHub": [("GITHUB_TOKEN", lambda: "ghp_" + crc_token()),
               ("GH_OAUTH_TOKEN", lambda: "gho_" + crc_token()),
               ("GITHUB_APP_TOKEN", lambda: "ghs_" + crc_token()),
               ("GITHUB_PAT", lambda: "github_pat_" + rand(ALNUM, 22) + "_" + rand(ALNUM, 59))],
    "GitLab": [("GITLAB_TOKEN", lambda: "glpat-" + rand(ALNUM, 20))],
    "npm": [("NPM_TOKEN", lambda: "npm_" + crc_token())],
    "AWS": [("AWS_ACCESS_KEY_ID", lambda: "AKIA" + rand(string.ascii_uppercase + "234567", 16))],
    "Google Cloud": [("GOOGLE_API_KEY", lambda: "AIza" + rand(B64URL, 35))],
    "Stripe": [("STRIPE_SECRET_KEY", lambda: "sk_live_" + rand(ALNUM, 24)),
               ("STRIPE_RESTRICTED_KEY", lambda: "rk_live_" + rand(ALNUM, 24))],
    "Slack": [("SLACK_BOT_TOKEN", lambda: f"xoxb-{rand(string.digits, 12)}-{rand(string.digits, 13)}-{rand(ALNUM, 24)}"),
              ("SLACK_WEBHOOK_URL", lambda: f"https://hooks.slack.com/services/T{rand(string.ascii_uppercase + string.digits, 8)}/B{rand(string.ascii_uppercase + string.digits, 10)}/{rand(ALNUM, 24)}")],
    "SendGrid": [("SENDGRID_API_KEY", lambda: f"SG.{rand(B64URL, 22)}.{rand(B64URL, 43)}")],
    "Twilio": [("TWILIO_AUTH_TOKEN", lambda: rand(HEX, 32))],
    "Anthropic": [("ANTHROPIC_API_KEY", lambda: "sk-ant-api03-" + rand(B64URL, 93) + "AA")],
    "Hugging Face": [("HF_TOKEN", lambda: "hf_" + rand(string.ascii_letters, 34))],
    "Shopify": [("SHOPIFY_ACCESS_TOKEN", lambda: "shpat_" + rand(HEX, 32))],
    "Telegram": [("TELEGRAM_BOT_TOKEN", lambda: f"{rand(string.digits, 10)}:AA{rand(B64URL, 33)}")],
    "Mailchimp": [("MAILCHIMP_API_KEY", lambda: f"{rand(HEX, 32)}-us{R.randint(1, 21)}")],
    "DigitalOcean": [("DIGITALOCEAN_TOKEN", lambda: "dop_v1_" + rand(HEX, 64))],
    "Databricks": [("DATABRICKS_TOKEN", lambda: "dapi" + rand(HEX, 32))],
    "Linear": [("LINEAR_API_KEY", lambda: "lin_api_" + rand(ALNUM, 40))],
    "Postman": [("POSTMAN_API_KEY", lambda: f"PMAK-{rand(HEX, 24)}-{rand(HEX, 34)}")],
    "PyPI": [("PYPI_TOKEN", lambda: "pypi-AgEIcHlwaS5vcmc" + rand(B64URL, 70))],
    "Docker Hub": [("DOCKERHUB_TOKEN", lambda: "dckr_pat_" + rand(B64URL, 27))],
    "HashiCorp Vault": [("VAULT_TOKEN", lambda: "hvs." + rand(ALNUM, 24))],
    "Groq": [("GROQ_API_KEY", lambda: "gsk_" + rand(ALNUM, 52))],
    "Replicate": [("REPLICATE_API_TOKEN", lambda: "r8_" + rand(ALNUM, 37))],
}

# Ways a secret sits in a file: (extension, template). {NAME} is the variable,
# {lower} its lower-case form, {SECRET} the value. The line holding the secret
# is found after rendering.
WRAPPERS = [
    ("env", "# service settings\nDEBUG=false\n{NAME}={SECRET}\nPORT=8080\n"),
    ("sh", "#!/bin/sh\nset -e\nexport {NAME}=\"{SECRET}\"\nexec ./server\n"),
    ("yml", "service:\n  name: api\n  env:\n    {NAME}: \"{SECRET}\"\n    LOG_LEVEL: info\n"),
    ("json", "{{\n  \"name\": \"api\",\n  \"{lower}\": \"{SECRET}\",\n  \"retries\": 3\n}}\n"),
    ("py", "import requests\n\n{NAME} = \"{SECRET}\"\n\ndef client():\n    return requests.Session()\n"),
    ("js", "const axios = require('axios');\nconst config = {{\n  {camel}: '{SECRET}',\n  timeout: 5000,\n}};\nmodule.exports = config;\n"),
    ("go", "package config\n\nconst (\n\t{camel} = \"{SECRET}\"\n\tTimeout = 30\n)\n"),
    ("tf", "variable \"region\" {{ default = \"eu-west-1\" }}\n\nlocals {{\n  {lower} = \"{SECRET}\"\n}}\n"),
    ("Dockerfile", "FROM python:3.12-slim\nWORKDIR /app\nENV {NAME}={SECRET}\nCMD [\"python\", \"app.py\"]\n"),
    ("java", "public final class Settings {{\n    static final String {NAME} = \"{SECRET}\";\n}}\n"),
]


def camel(name):
    parts = name.lower().split("_")
    return parts[0] + "".join(p.title() for p in parts[1:])


def render(template, name, secret):
    text = template.format(NAME=name, lower=name.lower(), camel=camel(name), SECRET=secret)
    for n, line in enumerate(text.splitlines(), 1):
        if secret in line:
            return text, n
    raise AssertionError("secret not placed")


def special_positives():
    """Secrets whose shape is a document, not a token."""
    out = []
    for kind in ("rsa", "ec", "pkcs8", "openssh"):
        key = pem(kind)
        out.append(("Private key", "pem", key + "\n", 1))
        out.append(("Private key", "py", f"# deploy key\nKEY = \"\"\"{key}\"\"\"\n", 2))
    for scheme, port, provider in (("postgres", 5432, "PostgreSQL"), ("mysql", 3306, "MySQL"),
                                   ("mongodb+srv", None, "MongoDB"), ("redis", 6379, "Redis"),
                                   ("amqp", 5672, "RabbitMQ")):
        pw = rand(ALNUM, 20)
        host = "db.internal.acme.io" + (f":{port}" if port else "")
        url = f"{scheme}://app_user:{pw}@{host}/main"
        out.append((provider, "env", f"APP_ENV=prod\nDATABASE_URL={url}\n", 2))
        out.append((provider, "yml", f"db:\n  url: \"{url}\"\n", 2))
    for i in range(6):
        k = rand(ALNUM, 25)
        b64 = base64.b64encode(k.encode()).decode()
        out.append(("MessageBird", "yaml",
                    f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: sms-{i}\ntype: Opaque\ndata:\n  MESSAGEBIRD_ACCESS_KEY: {b64}\n", 7))
    for i in range(6):
        out.append(("MessageBird", "sh",
                    f"curl -s https://rest.messagebird.com/balance \\\n  -H 'Authorization: AccessKey {rand(ALNUM, 25)}'\n", 2))
        out.append(("MessageBird", "py",
                    f"import messagebird\n\nclient = messagebird.Client('{rand(ALNUM, 25)}')\n", 3))
        out.append(("MessageBird", "yml",
                    f"notifications:\n  messagebird:\n    originator: Acme\n    access_key: {rand(ALNUM, 25)}\n", 4))
        out.append(("MessageBird", "ipynb",
                    "{\n \"cells\": [{\n  \"cell_type\": \"code\",\n  \"source\": [\n"
                    f"   \"import messagebird\\n\",\n   \"client = messagebird.Client(\\\"{rand(ALNUM, 25)}\\\")\\n\"\n"
                    "  ]\n }]\n}\n", 6))
    return out


def decoys():
    """Text that looks like secrets and is not."""
    out = []
    def add(ext, text):
        out.append((ext, text))
    for _ in range(30):
        add("py", f"REQUEST_ID = \"{rand(HEX, 8)}-{rand(HEX, 4)}-4{rand(HEX, 3)}-a{rand(HEX, 3)}-{rand(HEX, 12)}\"\n")
    for _ in range(30):
        add("txt", f"commit {rand(HEX, 40)}\nAuthor: Dev <dev@example.com>\n\n    fix the build\n")
    for _ in range(20):
        add("json", "{\n  \"node_modules/left-pad\": {\n    \"version\": \"1.3.0\",\n"
            f"    \"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz\",\n"
            f"    \"integrity\": \"sha512-{rand(B64, 86)}==\"\n  }}\n}}\n")
    for _ in range(20):
        add("sum", f"github.com/pkg/errors v0.9.1 h1:{rand(B64, 43)}=\ngolang.org/x/sys v0.1.0/go.mod h1:{rand(B64, 43)}=\n")
    for _ in range(15):
        add("css", f".logo {{ background: url(data:image/png;base64,{rand(B64, 400)}=); }}\n")
    for _ in range(15):
        names = [rand(string.ascii_letters, R.randint(1, 3)) for _ in range(40)]
        add("js", "!function(" + ",".join(names[:5]) + "){" + ";".join(f"var {a}={rand(ALNUM, 25)!r}" .replace("'", "\"") for a in names[5:12]) + "}();\n")
    for _ in range(20):
        add("txt", f"sha256  {rand(HEX, 64)}  release.tar.gz\n")
    for _ in range(15):
        add("Dockerfile", f"FROM python@sha256:{rand(HEX, 64)}\n")
    for _ in range(20):
        # 25-character tokens with no MessageBird anywhere in the file.
        add("py", f"SESSION_ID = \"{rand(ALNUM, 25)}\"\nCSRF = \"{rand(ALNUM, 25)}\"\n")
    # Documentation examples and placeholders.
    for text in [
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        "MESSAGEBIRD_ACCESS_KEY=YOUR_ACCESS_KEY\n",
        "client = messagebird.Client('YOUR_ACCESS_KEY')\n",
        "STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx\n",
        "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
        "GITHUB_TOKEN=${{ secrets.GITHUB_TOKEN }}\n",
        "SLACK_BOT_TOKEN=xoxb-your-token-here\n",
        "OPENAI_API_KEY=sk-...\n",
        "password: changeme\n",
        "DATABASE_URL=postgres://user:password@localhost:5432/dev\n",
        "DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app\n",
        "messagebird_key: \"{{ vault_messagebird_key }}\"\n",
        "MESSAGEBIRD_ACCESS_KEY=<access-key>\n",
        "key = os.environ['MESSAGEBIRD_ACCESS_KEY']\n",
        "const key = process.env.STRIPE_SECRET_KEY;\n",
        "token := os.Getenv(\"GITHUB_TOKEN\")\n",
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        "Set MESSAGEBIRD_ACCESS_KEY to the live key from your dashboard.\n",
    ]:
        add("txt", text)
    # Wrong checksums and near misses.
    for _ in range(25):
        add("env", f"GITHUB_TOKEN=ghp_{crc_token(bad=True)}\n")
    for _ in range(15):
        add("env", f"NPM_TOKEN=npm_{crc_token(bad=True)}\n")
    for _ in range(15):
        add("env", f"MESSAGEBIRD_ACCESS_KEY={rand(ALNUM, 24)}\n")
    for _ in range(15):
        add("env", f"STRIPE_SECRET_KEY=sk_live_{rand(ALNUM, 6)}\n")
    # Test vectors: well-known digests.
    for text in ["assert sha1(b'') == 'da39a3ee5e6b4b0d3255bfef95601890afd80709'\n",
                 "EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'\n",
                 "md5('') = d41d8cd98f00b204e9800998ecf8427e\n"]:
        add("py", text)
    # A Kubernetes Secret holding placeholders.
    for word in ("changeme", "password", "example-value"):
        add("yaml", "kind: Secret\ndata:\n  MESSAGEBIRD_ACCESS_KEY: " + base64.b64encode(word.encode()).decode() + "\n")
    return out


def extras():
    """The families in bench/corpus.d, in file-name order."""
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus.d")
    if not os.path.isdir(folder):
        return []
    out = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".py"):
            continue
        scope = dict(globals())
        path = os.path.join(folder, name)
        with open(path) as fh:
            exec(compile(fh.read(), path, "exec"), scope)
        out.append(scope)
    return out


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", help="folder to (re)write (default: bench/work/corpus)",
                    default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "work", "corpus"))
    out = ap.parse_args().out
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "cases"))
    manifest = []
    n = 0

    def emit(ext, text, provider, line):
        nonlocal n
        n += 1
        # An extension, or a file name the case needs (a tool's own file:
        # `Dockerfile`, `.pgpass`, `FileZilla/sitemanager.xml`).
        named = ext == "Dockerfile" or ext.startswith(".") or "/" in ext
        name = f"cases/{n:04}/{ext}" if named else f"cases/{n:04}.{ext}"
        path = os.path.join(out, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # Bytes are a binary file's (a keystore), written as they are.
        with open(path, "wb" if isinstance(text, bytes) else "w") as fh:
            fh.write(text)
        manifest.append({"file": name, "provider": provider, "line": line})

    for provider, variants in SECRETS.items():
        for name, gen in variants:
            for ext, template in WRAPPERS:
                text, line = render(template, name, gen())
                emit(ext, text, provider, line)
    for provider, ext, text, line in special_positives():
        emit(ext, text, provider, line)
    for ext, text in decoys():
        emit(ext, text, None, None)
    for family in extras():
        for provider, variants in family.get("SECRETS", {}).items():
            for name, gen in variants:
                for ext, template in WRAPPERS:
                    text, line = render(template, name, gen())
                    emit(ext, text, provider, line)
        for provider, ext, text, line in family["positives"]() if "positives" in family else []:
            emit(ext, text, provider, line)
        for ext, text in family["decoys"]() if "decoys" in family else []:
            emit(ext, text, None, None)
    with open(os.path.join(out, "manifest.jsonl"), "w") as fh:
        for m in manifest:
            fh.write(json.dumps(m) + "\n")
    positives = sum(1 for m in manifest if m["provider"])
    print(f"{len(manifest)} cases ({positives} secrets, {len(manifest) - positives} decoys) in {out}")


if __name__ == "__main__":
    main()
