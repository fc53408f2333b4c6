# More providers (rules/90-more-providers.toml): GitLab's remaining prefixed
# tokens, PostHog, Nylas, Miro, Kubernetes, and context-bound secrets of SaaS,
# analytics, maps and media APIs.
#
# Run by bench/corpus.py with its helpers in scope (rand, ALNUM, HEX, B64,
# B64URL, R, string, base64). Every value is generated from the provider's
# documented shape at run time; nothing here is a literal key.

LOWER = string.ascii_lowercase
DIGITS = string.digits
BASE36 = string.digits + string.ascii_lowercase


def _with_symbol(n):
    # a URL-safe secret holding at least one `-` or `_`
    while True:
        s = rand(B64URL, n)
        if ("-" in s or "_" in s) and s[0] not in "-_" and s[-1] not in "-_":
            return s


def _jwt(header, payload_len, sig_len):
    return f"{header}.eyJ{rand(B64URL, payload_len)}.{rand(B64URL, sig_len)}"


def _pem_b64(label):
    body = "\n".join(rand(B64, 64) for _ in range(16))
    pem_text = f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"
    return base64.b64encode(pem_text.encode()).decode()


SECRETS = {
    "GitLab": [
        ("GITLAB_OAUTH_CLIENT_SECRET", lambda: "gloas-" + rand(HEX, 64)),
        ("GITLAB_FEED_TOKEN", lambda: "glft-" + rand(B64URL, 20)),
        ("GITLAB_INCOMING_EMAIL_TOKEN", lambda: "glimt-" + with_digit(BASE36, 25)),
        ("GITLAB_AGENT_TOKEN", lambda: "glagent-" + rand(B64URL, 50)),
        ("GITLAB_SCIM_TOKEN", lambda: "glsoat-" + rand(ALNUM, 20)),
        ("UNLEASH_INSTANCE_ID", lambda: "glffct-" + rand(ALNUM, 20)),
        ("GITLAB_JOB_TOKEN", lambda: "glcbt-64_" + rand(ALNUM, 20)),
        ("GITLAB_RUNNER_TOKEN", lambda: "glrtr-" + rand(ALNUM, 20)),
        ("GITLAB_REGISTRATION_TOKEN", lambda: "GR1348941" + rand(ALNUM, 20)),
    ],
    "PostHog": [
        ("POSTHOG_PERSONAL_API_KEY", lambda: "phx_" + rand(ALNUM, R.choice([43, 47, 48]))),
        ("POSTHOG_FEATURE_FLAGS_SECURE_API_KEY", lambda: "phs_" + rand(ALNUM, 48)),
        ("POSTHOG_OAUTH_ACCESS_TOKEN", lambda: "pha_" + rand(ALNUM, 44)),
    ],
    "Nylas": [("NYLAS_API_KEY", lambda: "nyk_v0_" + rand(ALNUM, 64))],
    "Miro": [("MIRO_ACCESS_TOKEN", lambda: "eyJtaXJvLm9yaWdpbiI6I" + R.choice(["mV1MDE", "nVzMDE"]) + "ifQ_" + rand(B64URL, 27))],
    "Kubernetes": [("KUBE_CLIENT_KEY_DATA", lambda: _pem_b64(R.choice(["RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY"])))],
    "Salesforce": [
        ("SALESFORCE_ACCESS_TOKEN", lambda: f"00D{rand(ALNUM, 12)}!AQ{rand(ALNUM, 40)}.{rand(ALNUM, 54)}"),
        ("SALESFORCE_CONSUMER_SECRET", lambda: rand("0123456789ABCDEF", 64)),
    ],
    "Auth0": [
        ("AUTH0_CLIENT_SECRET", lambda: rand(B64URL, 64)),
        ("AUTH0_MANAGEMENT_API_TOKEN", lambda: _jwt("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6I" + rand(B64URL, 30), R.choice([300, 420]), 342)),
    ],
    "Okta": [("OKTA_CLIENT_SECRET", lambda: rand(B64URL, R.choice([40, 64])))],
    "Discord": [("DISCORD_CLIENT_SECRET", lambda: rand(B64URL, 32))],
    "Zoom": [("ZOOM_WEBHOOK_SECRET_TOKEN", lambda: rand(B64URL, 22))],
    "Mixpanel": [("MIXPANEL_API_SECRET", lambda: rand(HEX, 32)),
                 ("MIXPANEL_SERVICE_ACCOUNT_SECRET", lambda: rand(ALNUM, 32))],
    "Amplitude": [("AMPLITUDE_SECRET_KEY", lambda: rand(HEX, 32))],
    "Tableau": [("TABLEAU_PAT_SECRET", lambda: f"{rand(B64, 22)}==:{rand(ALNUM, 32)}")],
    "Snowflake": [("SNOWFLAKE_PASSWORD", lambda: rand(ALNUM, 18)),
                  ("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE", lambda: rand(ALNUM, 14) + R.choice("!#%*+.?@") + rand(DIGITS, 2))],
    "Particle": [("PARTICLE_ACCESS_TOKEN", lambda: rand(HEX, 40))],
    "Flickr": [("FLICKR_API_SECRET", lambda: rand(HEX, 16))],
    "Etsy": [("ETSY_SHARED_SECRET", lambda: with_digit(LOWER_DIGITS, 10))],
    "Reddit": [("REDDIT_CLIENT_SECRET", lambda: rand(B64URL, R.choice([27, 30])))],
    "monday.com": [("MONDAY_API_TOKEN", lambda: _jwt("eyJhbGciOiJIUzI1NiJ9", R.choice([150, 180, 210]), 43))],
    "HERE": [("HERE_API_KEY", lambda: rand(B64URL, 43))],
    "TomTom": [("TOMTOM_API_KEY", lambda: rand(ALNUM, 32))],
    "Unsplash": [("UNSPLASH_SECRET_KEY", lambda: rand(B64URL, 43))],
    "Vimeo": [("VIMEO_ACCESS_TOKEN", lambda: rand(HEX, 32))],
    "HashiCorp Consul": [("CONSUL_HTTP_TOKEN", uuid4)],
    "Gradle Develocity": [("DEVELOCITY_ACCESS_KEY", lambda: "develocity.acme.io=" + with_digit(LOWER_DIGITS, 52))],
}


def positives():
    out = []
    for _ in range(5):
        out.append(("Kubernetes", "yaml",
                    "apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n    server: https://10.0.0.1:6443\n"
                    "users:\n- name: ci\n  user:\n"
                    f"    token: eyJhbGciOiJSUzI1NiIsImtpZCI6I{rand(B64URL, 40)}.eyJ{rand(B64URL, 300)}.{rand(B64URL, 342)}\n", 10))
        out.append(("Kubernetes", "yaml",
                    "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n"
                    f"    username: admin\n    password: {rand(ALNUM, 24)}\n", 7))
        out.append(("Kubernetes", "yaml",
                    "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n"
                    f"    client-certificate-data: {base64.b64encode(b'-----BEGIN CERTIFICATE-----').decode()}{rand(B64, 600)}\n"
                    f"    client-key-data: {_pem_b64('RSA PRIVATE KEY')}\n", 7))
        out.append(("GitLab", "txt",
                    f"https://gitlab.example.com/dashboard/issues.atom?feed_token=glft-{rand(HEX, 32)}-{rand(DIGITS, 4)}&state=opened\n", 1))
        out.append(("Salesforce", "py",
                    "from simple_salesforce import Salesforce\n\n"
                    f"sf = Salesforce(instance_url='https://acme.my.salesforce.com', session_id='00D{rand(ALNUM, 12)}!AR{rand(ALNUM, 96)}')\n", 3))
        out.append(("HERE", "txt", f"GET https://router.hereapi.com/v8/routes?transportMode=car&apiKey={rand(B64URL, 43)}\n", 1))
        out.append(("TomTom", "txt", f"https://api.tomtom.com/routing/1/calculateRoute/52.5,13.4:52.6,13.5/json?key={rand(ALNUM, 32)}\n", 1))
        out.append(("HashiCorp Consul", "sh", f"#!/bin/sh\ncurl -s -H \"X-Consul-Token: {uuid4()}\" http://127.0.0.1:8500/v1/kv/app\n", 2))
        out.append(("Reddit", "py",
                    f"import praw\n\nreddit = praw.Reddit(client_id='{rand(B64URL, 14)}', client_secret='{rand(B64URL, 30)}', user_agent='bot')\n", 3))
        out.append(("Tableau", "py",
                    "import tableauserverclient as TSC\n\n"
                    f"auth = TSC.PersonalAccessTokenAuth('ci', '{rand(B64, 22)}==:{rand(ALNUM, 32)}', site_id='acme')\n", 3))
    return out


def decoys():
    out = []
    for _ in range(10):
        # public keys and identifiers of the same providers
        out.append(("env", f"NEXT_PUBLIC_POSTHOG_KEY=phc_{rand(ALNUM, 43)}\nPOSTHOG_HOST=https://eu.i.posthog.com\n"))
        out.append(("env", f"MIXPANEL_TOKEN={rand(HEX, 32)}\nMIXPANEL_PROJECT_ID={rand(DIGITS, 7)}\n"))
        out.append(("env", f"AMPLITUDE_API_KEY={rand(HEX, 32)}\n"))
        out.append(("env", f"UNSPLASH_ACCESS_KEY={rand(B64URL, 43)}\n"))
        out.append(("env", f"CONSUL_ACCESSOR_ID={uuid4()}\nCONSUL_HTTP_ADDR=http://127.0.0.1:8500\n"))
        out.append(("env", f"NYLAS_CLIENT_ID={uuid4()}\nNYLAS_API_URI=https://api.us.nylas.com\n"))
        out.append(("env", f"AUTH0_CLIENT_ID={rand(ALNUM, 32)}\nAUTH0_DOMAIN=acme.eu.auth0.com\n"))
        out.append(("env", f"OKTA_CLIENT_ID=0oa{rand(ALNUM, 17)}\nDISCORD_CLIENT_ID={rand(DIGITS, 18)}\n"))
        out.append(("env", f"SALESFORCE_CLIENT_ID=3MVG9{rand(ALNUM, 80)}\nSALESFORCE_ORG_ID=00D{rand(ALNUM, 12)}\n"))
        out.append(("env", f"ETSY_KEYSTRING={with_digit(LOWER_DIGITS, 24)}\nFLICKR_API_KEY={rand(HEX, 32)}\n"))
        out.append(("env", f"REDDIT_CLIENT_ID={rand(B64URL, 14)}\nVIMEO_CLIENT_ID={rand(HEX, 40)}\n"))
        out.append(("env", f"MIRO_BOARD_ID=uXjV{rand(ALNUM, 8)}=\nHERE_APP_ID={rand(ALNUM, 20)}\n"))
        out.append(("yaml", "apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster:\n"
                    f"    certificate-authority-data: {base64.b64encode(b'-----BEGIN CERTIFICATE-----').decode()}{rand(B64, 800)}\n"))
        # the same shapes with no provider in sight
        out.append(("py", f"SESSION_ID = \"{uuid4()}\"\nETAG = \"{rand(HEX, 32)}\"\nSIG = \"{rand(B64URL, 43)}\"\n"))
        out.append(("env", f"WHERE_API_KEY={rand(B64URL, 43)}\nSESSION_JWT={_jwt('eyJhbGciOiJIUzI1NiJ9', 150, 43)}\n"))
        out.append(("txt", f"build 2026-11-02 ok {rand(HEX, 40)} GR1348941 registration disabled\n"))
    for text in [
        "POSTHOG_PERSONAL_API_KEY=phx_...\n",
        "POSTHOG_PERSONAL_API_KEY=phx_xyz789\n",
        "NYLAS_API_KEY=nyk_v0_your-api-key\n",
        "NYLAS_API_KEY=nyk_v0_...\n",
        "GITLAB_AGENT_TOKEN=glagent-xxx\n",
        "feed_token=glft-xxxxxxxxxxxxxxxxxxxx\n",
        "CI_JOB_TOKEN=${CI_JOB_TOKEN}\n",
        "AUTH0_CLIENT_SECRET=your-client-secret\n",
        "OKTA_CLIENT_SECRET={clientSecret}\n",
        "SNOWFLAKE_PASSWORD=${SNOWFLAKE_PASSWORD}\n",
        "CONSUL_HTTP_TOKEN=${CONSUL_TOKEN}\n",
        "DEVELOCITY_ACCESS_KEY=${{ secrets.DEVELOCITY_ACCESS_KEY }}\n",
        "MIRO_ACCESS_TOKEN=eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_...\n",
        "apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    token: ${KUBE_TOKEN}\n",
        "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    password: changeme\n",
    ]:
        out.append(("txt", text))
    return out
