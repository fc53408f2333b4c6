# SaaS gaps (rules/92-saas-gaps.toml): ClickHouse Cloud API key secrets,
# Squarespace API keys, OAuth tokens and client secrets, Beamer API keys.
#
# Run by bench/corpus.py with its helpers in scope (rand, ALNUM, HEX, B64,
# B64URL, uuid4, R, string). Every value is generated at run time from the
# shape the rule expects; nothing here is a literal key.
#
# Squarespace documents no format: API keys are generated as UUIDs (the shape
# seen in public code); tokens and client secrets as opaque strings inside the
# rules' length ranges.


def _clickhouse_secret():
    return "4b1d" + rand(ALNUM, 38)


def _beamer_key():
    return "b_" + rand(B64, 43) + "="


SECRETS = {
    "ClickHouse Cloud": [
        ("CLICKHOUSE_CLOUD_API_SECRET", _clickhouse_secret),
        ("CLICKHOUSE_TOKEN_SECRET", _clickhouse_secret),
    ],
    "Squarespace": [
        ("SQUARESPACE_API_KEY", uuid4),
        ("SQUARESPACE_REFRESH_TOKEN", lambda: rand(ALNUM, R.choice([40, 64]))),
        ("SQUARESPACE_CLIENT_SECRET", lambda: rand(ALNUM, R.choice([32, 40]))),
    ],
    "Beamer": [("BEAMER_API_KEY", _beamer_key)],
}


def positives():
    out = []
    for _ in range(5):
        s = _clickhouse_secret()
        out.append(("ClickHouse Cloud", "sh",
                    "#!/bin/sh\nset -e\ncurl --silent --user "
                    f"{rand(ALNUM, 20)}:{s} https://api.clickhouse.cloud/v1/organizations\n", 3))
        out.append(("ClickHouse Cloud", "tf",
                    "provider \"clickhouse\" {\n  organization_id = var.organization_id\n"
                    f"  token_key       = \"{rand(ALNUM, 20)}\"\n  token_secret    = \"{s}\"\n}}\n", 4))
        k = uuid4()
        out.append(("Squarespace", "sh",
                    "#!/bin/sh\ncurl 'https://api.squarespace.com/1.0/commerce/orders' \\\n"
                    f"  -H 'Authorization: Bearer {k}' \\\n  -H 'User-Agent: acme-sync'\n", 3))
        b = _beamer_key()
        out.append(("Beamer", "sh",
                    "#!/bin/sh\ncurl -X GET 'https://api.getbeamer.com/v0/posts' \\\n"
                    f"  -H 'Beamer-Api-Key: {b}'\n", 3))
        out.append(("Beamer", "php",
                    "<?php\nclass Beamer {\n  const API_URL = 'https://api.getbeamer.com/v0';\n"
                    f"  const API_KEY = '{b}';\n}}\n", 4))
    return out


def decoys():
    out = []
    for _ in range(10):
        # ClickHouse: the Key ID alone, the organization id, and hex that
        # starts with the same four digits as a secret
        out.append(("env", f"CLICKHOUSE_CLOUD_API_KEY={rand(ALNUM, 20)}\nCLICKHOUSE_ORG_ID={uuid4()}\n"))
        out.append(("py", f"SHA256 = \"4b1d{rand(HEX, 60)}\"\nREV = \"4b1d{rand(HEX, 36)}\"\n"
                          f"TRACE = \"4b1d{rand(HEX, 38)}\"\n"))
        out.append(("json", f"{{\"id\": \"4b1d{rand(HEX, 4)}-{rand(HEX, 4)}-4{rand(HEX, 3)}-a{rand(HEX, 3)}-{rand(HEX, 12)}\"}}\n"))
        # Squarespace: ids and the store domain
        out.append(("env", f"SQUARESPACE_WEBSITE_ID={rand(HEX, 24)}\nSQUARESPACE_PRODUCT_ID={rand(HEX, 24)}\n"
                           f"SQUARESPACE_STORE_DOMAIN=acme-{rand(string.ascii_lowercase, 6)}.squarespace.com\n"))
        out.append(("env", f"SQUARESPACE_CLIENT_ID={rand(ALNUM, 16)}\n"))
        # Beamer: the public product id of the embed snippet, and look-alike
        # products' keys
        out.append(("html", "<script>\n  var beamer_config = {\n"
                            f"    product_id : '{rand(ALNUM, 8)}{rand(string.digits, 5)}'\n  }};\n</script>\n"
                            "<script src=\"https://app.getbeamer.com/js/beamer-embed.js\" defer></script>\n"))
        out.append(("env", f"BEAMER_PRODUCT_ID={rand(ALNUM, 13)}\nCODEBEAMER_API_KEY={rand(ALNUM, 40)}\n"))
        # the shapes with no provider in sight
        out.append(("py", f"SESSION_KEY = \"b_{rand(B64, 43)}=\"\nREQUEST_ID = \"{uuid4()}\"\n"))
    for text in [
        "CLICKHOUSE_CLOUD_API_SECRET=${CLICKHOUSE_CLOUD_API_SECRET}\n",
        "KEY_SECRET=mykeysecret\n",
        "SQUARESPACE_API_KEY=your_api_key_here\n",
        "SQUARESPACE_API_KEY=<your-generated-api-key-from-step-1>\n",
        "SQUARESPACE_CLIENT_SECRET=your_client_secret\n",
        "curl -H \"Beamer-Api-Key: $BEAMER_API_KEY\" https://api.getbeamer.com/v0/posts\n",
        "BEAMER_API_KEY=your-beamer-api-key\n",
    ]:
        out.append(("env", text))
    return out
