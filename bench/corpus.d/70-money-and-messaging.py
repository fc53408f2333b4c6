# Payments, finance, crypto, logistics, e-mail and messaging providers of
# rules/70-money-and-messaging.toml. Run by bench/corpus.py with its helpers
# in scope (rand, ALNUM, HEX, B64, B64URL, R, string). Every value is built
# here from the provider's documented shape; none is a real key.

B32L = string.ascii_lowercase + "234567"
UPHEX = "0123456789ABCDEF"
LOWDIG = string.ascii_lowercase + string.digits


def uuid(alphabet=HEX):
    return "-".join(rand(alphabet, n) for n in (8, 4, 4, 4, 12))


def b32key():
    # 26 base32 characters and a last one from the same set (Checkout.com).
    return rand(B32L, 20) + R.choice("234567") + rand(B32L, 6)


def kraken():
    return base64.b64encode(bytes(R.getrandbits(8) for _ in range(64))).decode()


SECRETS = {
    "Plaid": [("PLAID_ACCESS_TOKEN", lambda: "access-production-" + uuid()),
              ("PLAID_SECRET", lambda: rand(HEX, 30))],
    "Flutterwave": [("FLW_SECRET_KEY", lambda: f"FLWSECK-{rand(HEX, 32)}-X"),
                    ("FLUTTERWAVE_TEST_SECRET_KEY", lambda: f"FLWSECK_TEST-{rand(HEX, 32)}-X")],
    "Mollie": [("MOLLIE_API_KEY", lambda: "live_" + rand(ALNUM, 30)),
               ("MOLLIE_ACCESS_TOKEN", lambda: "access_" + rand(ALNUM, 40))],
    "Checkout.com": [("CKO_SECRET_KEY", lambda: "sk_" + b32key()),
                     ("CHECKOUT_SANDBOX_SECRET_KEY", lambda: "sk_sbox_" + b32key())],
    "Razorpay": [("RAZORPAY_KEY_SECRET", lambda: rand(ALNUM, 24))],
    # Paystack shares Stripe's `sk_live_` prefix; its body is 40 lower-case hex.
    "Paystack": [("PAYSTACK_SECRET_KEY", lambda: "sk_live_" + rand(HEX, 40))],
    "GoCardless": [("GOCARDLESS_ACCESS_TOKEN", lambda: "live_" + rand(B64URL, 40))],
    "Shippo": [("SHIPPO_API_KEY", lambda: "shippo_live_" + rand(HEX, 40))],
    "Duffel": [("DUFFEL_ACCESS_TOKEN", lambda: "duffel_live_" + rand(B64URL, 43))],
    "Lob": [("LOB_API_KEY", lambda: "live_" + rand(HEX, 35))],
    "EasyPost": [("EASYPOST_API_KEY", lambda: "EZAK" + rand(ALNUM, 54))],
    "SettleMint": [("SETTLEMINT_ACCESS_TOKEN", lambda: "sm_aat_" + rand(ALNUM, 32)),
                   ("SETTLEMINT_PAT", lambda: "sm_pat_" + rand(ALNUM, 32))],
    "Sidekiq": [("BUNDLE_GEMS__CONTRIBSYS__COM", lambda: f"{rand(HEX, 8)}:{rand(HEX, 8)}")],
    "Brevo": [("BREVO_API_KEY", lambda: f"xkeysib-{rand(HEX, 64)}-{rand(ALNUM, 16)}"),
              ("SENDINBLUE_SMTP_PASSWORD", lambda: f"xsmtpsib-{rand(HEX, 64)}-{rand(ALNUM, 16)}")],
    "MailerSend": [("MAILERSEND_API_TOKEN", lambda: "mlsn." + rand(HEX, 64))],
    "Resend": [("RESEND_API_KEY", lambda: f"re_{rand(ALNUM, 8)}_{rand(ALNUM, 24)}")],
    "Mailchimp": [("MANDRILL_API_KEY", lambda: rand(B64URL, 22))],
    "SparkPost": [("SPARKPOST_API_KEY", lambda: rand(HEX, 40))],
    "Mailjet": [("MAILJET_SECRET_KEY", lambda: rand(HEX, 32))],
    "Sendbird": [("SENDBIRD_API_TOKEN", lambda: rand(HEX, 40))],
    "Loops": [("LOOPS_API_KEY", lambda: rand(HEX, 32))],
    "Customer.io": [("CUSTOMERIO_TRACK_API_KEY", lambda: rand(HEX, 20))],
    "Klaviyo": [("KLAVIYO_PRIVATE_KEY", lambda: "pk_" + rand(HEX, 34))],
    "OneSignal": [("ONESIGNAL_REST_API_KEY", lambda: rand(ALNUM, 48))],
    "Pusher": [("PUSHER_APP_SECRET", lambda: rand(HEX, 20))],
    "Ably": [("ABLY_API_KEY", lambda: f"{rand(ALNUM, 6)}.{rand(B64URL, 6)}:{rand(B64URL, 43)}")],
    "Stream": [("STREAM_API_SECRET", lambda: rand(LOWDIG, 64))],
    "Telnyx": [("TELNYX_API_KEY", lambda: f"KEY{rand(UPHEX, 32)}_{rand(B64URL, 22)}")],
    "Infobip": [("INFOBIP_API_KEY", lambda: f"{rand(HEX, 32)}-{uuid()}")],
    "Textmagic": [("TEXTMAGIC_API_KEY", lambda: rand(ALNUM, 30))],
    "ClickSend": [("CLICKSEND_API_KEY", lambda: uuid(UPHEX))],
    "Binance": [("BINANCE_API_SECRET", lambda: rand(ALNUM, 64))],
    "Kraken": [("KRAKEN_PRIVATE_KEY", kraken)],
    "KuCoin": [("KUCOIN_API_SECRET", lambda: uuid())],
    "Coinbase": [("COINBASE_API_SECRET", lambda: rand(ALNUM, 32))],
    "Wise": [("WISE_API_TOKEN", lambda: uuid())],
    "Intuit": [("QUICKBOOKS_CLIENT_SECRET", lambda: rand(ALNUM, 40))],
    "Xero": [("XERO_CLIENT_SECRET", lambda: rand(B64URL, 48))],
    "Freshdesk": [("FRESHDESK_API_KEY", lambda: rand(ALNUM, 20))],
}


def positives():
    out = []
    for _ in range(3):
        out.append(("Sidekiq", "rb", "source 'https://rubygems.org'\n\nsource "
                    f"'https://{rand(HEX, 8)}:{rand(HEX, 8)}@gems.contribsys.com/' do\n  gem 'sidekiq-pro'\nend\n", 3))
        out.append(("Razorpay", "py", "import razorpay\n\nclient = razorpay.Client(auth=("
                    f"'rzp_live_{rand(ALNUM, 14)}', '{rand(ALNUM, 24)}'))\n", 3))
        out.append(("Infobip", "sh", "curl -X POST https://abc123.api.infobip.com/sms/2/text/advanced \\\n"
                    f"  -H 'Authorization: App {rand(HEX, 32)}-{uuid()}'\n", 2))
        out.append(("Mailjet", "sh", f"curl -s --user \"{rand(HEX, 32)}:{rand(HEX, 32)}\" https://api.mailjet.com/v3.1/send\n", 1))
        out.append(("Plaid", "yml", f"plaid:\n  client_id: {rand(HEX, 24)}\n  secret: {rand(HEX, 30)}\n  env: production\n", 3))
    return out


def decoys():
    out = []
    def add(ext, text):
        out.append((ext, text))
    for _ in range(5):
        # Identifiers and public keys of the same providers.
        add("env", f"PLAID_CLIENT_ID={rand(HEX, 24)}\nPLAID_ENV=production\n")
        add("env", f"FLW_PUBLIC_KEY=FLWPUBK-{rand(HEX, 32)}-X\n")
        add("env", f"CKO_PUBLIC_KEY=pk_{b32key()}\n")
        add("env", f"RAZORPAY_KEY_ID=rzp_live_{rand(ALNUM, 14)}\n")
        add("env", f"LOB_PUBLISHABLE_KEY=live_pub_{rand(HEX, 31)}\n")
        add("env", f"PUSHER_APP_ID={rand(string.digits, 7)}\nPUSHER_APP_KEY={rand(HEX, 20)}\nPUSHER_CLUSTER=eu\n")
        add("env", f"SENDBIRD_APP_ID={uuid(UPHEX)}\n")
        add("env", f"CUSTOMERIO_SITE_ID={rand(HEX, 20)}\n")
        add("env", f"KLAVIYO_PUBLIC_KEY={rand(ALNUM, 6)}\n")
        add("env", f"XERO_CLIENT_ID={rand(UPHEX, 32)}\n")
        add("env", f"QUICKBOOKS_CLIENT_ID=AB{rand(ALNUM, 48)}\n")
        add("env", f"BINANCE_API_KEY={rand(ALNUM, 64)}\n")
        add("env", f"KUCOIN_API_KEY={rand(HEX, 24)}\n")
        add("env", f"MAILJET_API_KEY={rand(HEX, 32)}\n")
        add("env", f"ONESIGNAL_APP_ID={uuid()}\n")
        add("env", f"STREAM_API_KEY={rand(string.ascii_lowercase, 12)}\n")
        add("env", f"PLAID_PUBLIC_TOKEN=public-production-{uuid()}\n")
        # Shapes that are not these providers' keys.
        add("py", f"KAFKA_STREAMS_SECRET_HASH = \"{rand(HEX, 64)}\"\n")
        add("env", f"OTHERWISE_TOKEN={uuid()}\n")
        add("env", f"SESSION_KEY=live_{rand(ALNUM, 30)}\n")
        add("py", f"trace = \"{rand(HEX, 32)}-{uuid()}\"\n")
        add("env", f"API_SECRET={rand(ALNUM, 24)}\n")
    for text in [
        "BREVO_API_KEY=xkeysib-your-api-key\n",
        "RESEND_API_KEY=re_123456789\n",
        "SHIPPO_API_KEY=shippo_live_<your token>\n",
        "DUFFEL_ACCESS_TOKEN=duffel_test_...\n",
        "FLW_SECRET_KEY=FLWSECK-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-X\n",
        "TELNYX_API_KEY=KEY_xxxxxxxxxxxxx\n",
        "PLAID_SECRET=${PLAID_SECRET}\n",
        "client = razorpay.Client(auth=(os.environ['RAZORPAY_KEY_ID'], os.environ['RAZORPAY_KEY_SECRET']))\n",
        "source 'https://gems.contribsys.com/' do\n  gem 'sidekiq-pro'\nend\n",
        "MAILERSEND_API_TOKEN=mlsn.\n",
        "Tokens starting with duffel_live_ access live mode; shippo_test_ keys are for tests.\n",
    ]:
        add("txt", text)
    return out
