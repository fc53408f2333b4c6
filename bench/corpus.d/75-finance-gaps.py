# Finicity (Mastercard Open Banking US) and Bittrex, rules/75-finance-gaps.toml.
# Run by bench/corpus.py with its helpers in scope (rand, ALNUM, HEX, R,
# string). Values are built here from the documented shapes: a Finicity
# Partner Secret as issued is 20 alphanumerics (a chosen one 12-255 characters
# with a letter and a digit), the Partner ID 13 digits; a Bittrex API key is 32
# lower-case hex, its secret the same length. Nothing here is a real key.

DIGITS = string.digits

# A generator of this family's own, so that adding it leaves the random draws
# (and so the cases) of the families after it unchanged.
_R = random.Random(75_2026)


def rand(alphabet, n):
    while True:
        s = "".join(_R.choice(alphabet) for _ in range(n))
        if alphabet is ALNUM and not (any(c.isdigit() for c in s) and any(c.isupper() for c in s)
                                      and any(c.islower() for c in s)):
            continue
        return s


def fin_secret():
    return rand(ALNUM, 20)


def fin_chosen_secret():
    # A partner-chosen secret: letters, digits and one of !@#%&*+. (`_` and `-`
    # are allowed too, but the engine judges a value by its part after a `_` or
    # `-` in the first 16 characters, as for prefixed tokens: a chosen secret
    # with a short tail after one is not reported. Known limitation.)
    return rand(ALNUM, 10) + _R.choice("!@#%&*+") + rand(ALNUM, 5) + rand(DIGITS, 2)


def fin_app_key():
    return rand(HEX, 32)


def btx():
    return rand(HEX, 32)


SECRETS = {
    "Finicity": [("FINICITY_PARTNER_SECRET", fin_secret),
                 ("MASTERCARD_PARTNER_SECRET", fin_chosen_secret),
                 ("FINICITY_APP_KEY", fin_app_key)],
    "Bittrex": [("BITTREX_API_KEY", btx),
                ("BITTREX_API_SECRET", btx)],
}


def positives():
    # One secret per file: the eval counts any other finding as a false positive.
    out = []
    for _ in range(3):
        pid = rand(DIGITS, 13)
        out.append(("Finicity", "sh", (
            "#!/bin/sh\n"
            "curl -s -X POST https://api.finicity.com/aggregation/v2/partners/authentication \\\n"
            f"  -H 'Finicity-App-Key: {fin_app_key()}' \\\n"
            "  -H 'Content-Type: application/json' -H 'Accept: application/json' \\\n"
            f"  -d '{{\"partnerId\": \"{pid}\", \"partnerSecret\": \"'\"$FINICITY_PARTNER_SECRET\"'\"}}'\n"
        ), 3))
        out.append(("Finicity", "py", (
            "import os\nimport requests\n\n"
            "FINICITY_URL = 'https://api.finicity.com'\n\n"
            "def token():\n"
            "    r = requests.post(FINICITY_URL + '/aggregation/v2/partners/authentication',\n"
            "                      headers={'Finicity-App-Key': os.environ['FINICITY_APP_KEY']},\n"
            f"                      json={{'partnerId': '{pid}', 'partnerSecret': '{fin_secret()}'}})\n"
            "    return r.json()['token']\n"
        ), 9))
        out.append(("Finicity", "xml", (
            "<!-- Finicity partner authentication -->\n"
            "<credentials>\n"
            f"  <partnerId>{pid}</partnerId>\n"
            f"  <partnerSecret>{fin_secret()}</partnerSecret>\n"
            "</credentials>\n"
        ), 4))
        # A trading bot's exchange block (freqtrade layout), secret kept elsewhere.
        out.append(("Bittrex", "json", (
            "{\n"
            "  \"max_open_trades\": 3,\n"
            "  \"exchange\": {\n"
            "    \"name\": \"bittrex\",\n"
            f"    \"key\": \"{btx()}\",\n"
            "    \"secret\": \"\",\n"
            "    \"pair_whitelist\": [\"ETH/BTC\", \"LTC/BTC\"]\n"
            "  }\n"
            "}\n"
        ), 5))
        out.append(("Bittrex", "yml", (
            "exchanges:\n"
            "  bittrex:\n"
            "    api_key: ${BITTREX_API_KEY}\n"
            f"    api_secret: {btx()}\n"
        ), 4))
        out.append(("Bittrex", "php", (
            "<?php\n"
            f"$uri = 'https://bittrex.com/api/v1.1/account/getbalances?apikey={btx()}&nonce=' . time();\n"
            "$sign = hash_hmac('sha512', $uri, getenv('BITTREX_API_SECRET'));\n"
        ), 2))
    return out


def decoys():
    out = []

    def add(ext, text):
        out.append((ext, text))

    for _ in range(5):
        # Identifiers of the same providers.
        add("env", f"FINICITY_PARTNER_ID={rand(DIGITS, 13)}\nFINICITY_CUSTOMER_ID={rand(DIGITS, 10)}\n")
        add("json", f"{{\n  \"partnerId\": \"{rand(DIGITS, 13)}\",\n  \"customerId\": \"{rand(DIGITS, 10)}\",\n  \"experience\": \"{rand(HEX, 8)}-{rand(HEX, 4)}-{rand(HEX, 4)}-{rand(HEX, 4)}-{rand(HEX, 12)}\"\n}}\n")
        add("env", "FINICITY_PARTNER_SECRET=<your partner secret>\nFINICITY_APP_KEY=your_app_key_here\n")
        add("sh", "curl -H 'Finicity-App-Key: {{appKey}}' https://api.finicity.com/aggregation/v2/partners/authentication\n")
        add("py", "headers = {'Finicity-App-Key': os.environ['FINICITY_APP_KEY']}\n")
        add("env", f"BITTREX_SUBACCOUNT_ID={rand(HEX, 8)}-{rand(HEX, 4)}-4{rand(HEX, 3)}-8{rand(HEX, 3)}-{rand(HEX, 12)}\n")
        add("py", "# bittrex v3\nheaders = {'Api-Content-Hash': '" + rand(HEX, 128) + "'}\n")
        add("js", "// api.bittrex.com v3\nconst headers = { 'Api-Key': process.env.BITTREX_API_KEY };\n")
        add("py", "my_bittrex = Bittrex(None, None)\n")
        # partnerSecret of other providers, 32-hex values with no Bittrex or Finicity in sight.
        add("js", f"const smile = new SmileID({{ partnerId: '{rand(DIGITS, 4)}', partnerSecret: '{rand(ALNUM, 20)}' }});\n")
        add("env", f"PARTNER_SECRET={rand(ALNUM, 20)}\nAPP_KEY={rand(HEX, 32)}\n")
        add("env", f"EXCHANGE_API_KEY={rand(HEX, 32)}\nEXCHANGE_API_SECRET={rand(HEX, 32)}\n")
    return out
