# Developer platforms, CI/CD and infrastructure (rules/50-devops*.toml).
#
# Run by bench/corpus.py with its helpers in scope (rand, ALNUM, HEX, B64,
# B64URL, R, string, base64). Every secret is built here from the provider's
# documented shape (prefix, length, alphabet), never copied from a rule
# example, and nothing in this file is a literal key.

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32_UPPER = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"


def jwt(payload_len=160):
    # A JWT's shape: base64url header and payload (both JSON, so `eyJ`), signature.
    return "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ" + rand(B64URL, payload_len) + "." + rand(B64URL, 43)


SECRETS = {
    "Azure DevOps": [
        ("AZURE_DEVOPS_EXT_PAT", lambda: rand(ALNUM, 76) + "AZDO" + rand(ALNUM, 4)),
        ("AZDO_PERSONAL_ACCESS_TOKEN", lambda: rand(string.ascii_lowercase + "234567", 52)),
    ],
    "Bitbucket": [
        ("BITBUCKET_APP_PASSWORD", lambda: "ATBB" + rand(ALNUM, 24) + rand("0123456789ABCDEF", 8)),
        ("BITBUCKET_ACCESS_TOKEN", lambda: "ATCTT3xFfGN0" + rand(B64URL, 172) + "=" + rand("0123456789ABCDEF", 8)),
    ],
    "CircleCI": [
        ("CIRCLECI_TOKEN", lambda: "CCIPAT_" + rand(BASE58, 22) + "_" + rand(HEX, 40)),
        ("CIRCLE_PROJECT_TOKEN", lambda: "CCIPRJ_" + rand(BASE58, 22) + "_" + rand(HEX, 40)),
        ("CIRCLECI_API_TOKEN", lambda: rand(HEX, 40)),
    ],
    "Travis CI": [("TRAVIS_API_TOKEN", lambda: rand(ALNUM, 22))],
    "Drone": [("DRONE_TOKEN", lambda: rand(ALNUM, 32))],
    "Harness": [
        ("HARNESS_PLATFORM_API_KEY", lambda: f"pat.{rand(ALNUM, 22)}.{rand(HEX, 24)}.{rand(ALNUM, 20)}"),
        ("HARNESS_SAT", lambda: f"sat.{rand(ALNUM, 22)}.{rand(HEX, 24)}.{rand(ALNUM, 20)}"),
    ],
    "Codecov": [("CODECOV_TOKEN", uuid4)],
    "Code Climate": [("CC_TEST_REPORTER_ID", lambda: rand(HEX, 64))],
    "Buildkite": [("BUILDKITE_API_TOKEN", lambda: "bkua_" + rand(HEX, 40))],
    "Jenkins": [("JENKINS_API_TOKEN", lambda: "11" + rand(HEX, 32))],
    "Octopus Deploy": [("OCTOPUS_API_KEY", lambda: "API-" + with_digit(UPPER_DIGITS, 26))],
    "Gradle": [("GRADLE_PUBLISH_SECRET", lambda: rand(ALNUM, 32))],
    "JFrog": [
        ("ARTIFACTORY_API_KEY", lambda: "AKCp" + rand(ALNUM, 69)),
        ("JFROG_ACCESS_TOKEN", lambda: "cmVmdGtuOjAxOj" + rand(ALNUM, 50)),
    ],
    "Clojars": [("CLOJARS_DEPLOY_TOKEN", lambda: "CLOJARS_" + rand(HEX, 60))],
    "SonarQube": [
        ("SONAR_TOKEN", lambda: R.choice(["squ_", "sqp_", "sqa_"]) + rand(HEX, 40)),
        ("SONARCLOUD_TOKEN", lambda: rand(HEX, 40)),
    ],
    "Snyk": [("SNYK_TOKEN", uuid4)],
    "Sourcegraph": [
        ("SRC_ACCESS_TOKEN", lambda: "sgp_" + rand(HEX, 16) + "_" + rand(HEX, 40)),
        ("SOURCEGRAPH_TOKEN", lambda: "sgp_" + rand(HEX, 40)),
    ],
    "Infracost": [("INFRACOST_API_KEY", lambda: "ico-" + rand(ALNUM, 32))],
    "Pulumi": [("PULUMI_ACCESS_TOKEN", lambda: "pul-" + rand(HEX, 40))],
    "Prefect": [("PREFECT_API_KEY", lambda: R.choice(["pnu_", "pnb_"]) + rand(ALNUM, 36))],
    "Netlify": [("NETLIFY_AUTH_TOKEN", lambda: with_digit(B64URL, 43))],
    "Vercel": [("VERCEL_TOKEN", lambda: rand(ALNUM, 24))],
    "Fly.io": [("FLY_API_TOKEN", lambda: "fm2_" + rand(B64, 220) + "==")],
    "Scalingo": [("SCALINGO_API_TOKEN", lambda: "tk-us-" + rand(B64URL, 48))],
    "Render": [("RENDER_API_KEY", lambda: "rnd_" + rand(ALNUM, 32))],
    "Railway": [("RAILWAY_TOKEN", uuid4)],
    "Supabase": [
        ("SUPABASE_ACCESS_TOKEN", lambda: "sbp_" + rand(HEX, 40)),
        ("SUPABASE_SECRET_KEY", lambda: "sb_secret_" + rand(B64URL, 31)),
        ("SUPABASE_SERVICE_ROLE_KEY", lambda: jwt(180)),
    ],
    "PlanetScale": [
        ("PLANETSCALE_SERVICE_TOKEN", lambda: "pscale_tkn_" + rand(B64URL, 43)),
        ("DATABASE_PASSWORD", lambda: "pscale_pw_" + rand(B64URL, 43)),
        ("PLANETSCALE_OAUTH_TOKEN", lambda: "pscale_oauth_" + rand(B64URL, 43)),
    ],
    "Fastly": [("FASTLY_API_TOKEN", lambda: rand(ALNUM, 32))],
    "OpenShift": [("OPENSHIFT_TOKEN", lambda: "sha256~" + rand(B64URL, 43))],
    "TrueNAS": [("TRUENAS_API_KEY", lambda: f"{R.randint(1, 40)}-{rand(ALNUM, 64)}")],
    "Defined Networking": [("DN_API_KEY", lambda: f"dnkey-{rand(UPPER_DIGITS, 26)}-{rand(ALNUM, 52)}")],
    "Dynatrace": [("DT_API_TOKEN", lambda: f"dt0c01.{rand(UPPER_DIGITS, 24)}.{rand(UPPER_DIGITS, 64)}")],
    "Grafana": [
        ("GRAFANA_SERVICE_ACCOUNT_TOKEN", lambda: "glsa_" + rand(ALNUM, 32) + "_" + rand(HEX, 8)),
        ("GRAFANA_CLOUD_TOKEN", lambda: "glc_" + base64.b64encode(
            ('{"o":"%d","n":"stack-%d-write","k":"%s","m":{"r":"prod-eu-west-2"}}'
             % (R.randint(100000, 999999), R.randint(100000, 999999), rand(ALNUM, 24))).encode()).decode()),
    ],
    "Honeycomb": [
        ("HONEYCOMB_INGEST_KEY", lambda: "hcaik_" + rand(LOWER_DIGITS, 26) + rand(ALNUM, 32)),
        ("HONEYCOMB_API_KEY", lambda: rand(ALNUM, 22)),
    ],
    "Sumo Logic": [("SUMOLOGIC_ACCESSKEY", lambda: rand(ALNUM, 64))],
    "Rollbar": [("ROLLBAR_ACCESS_TOKEN", lambda: rand(HEX, 32))],
    "Segment": [("SEGMENT_WRITE_KEY", lambda: rand(ALNUM, 32))],
    "Opsgenie": [("OPSGENIE_API_KEY", uuid4)],
    "Looker": [("LOOKERSDK_CLIENT_SECRET", lambda: rand(ALNUM, 24))],
    "Confluent": [("CONFLUENT_CLOUD_API_SECRET", lambda: with_digit(B64, 64))],
    "LaunchDarkly": [
        ("LAUNCHDARKLY_ACCESS_TOKEN", lambda: "api-" + uuid4()),
        ("LAUNCHDARKLY_SDK_KEY", lambda: "sdk-" + uuid4()),
    ],
    "1Password": [
        ("OP_SERVICE_ACCOUNT_TOKEN", lambda: "ops_" + base64.b64encode(
            ('{"signInAddress":"acme.1password.com","userAuth":{"method":"SRPg-4096","alg":"PBES2g-HS256","iterations":650000,"salt":"%s"},"email":"%s@acme.1passwordserviceaccounts.com","srpX":"%s","muk":{"alg":"A256GCM","ext":true,"k":"%s","key_ops":["encrypt","decrypt"],"kty":"oct","kid":"mp"},"secretKey":"A3-%s","throttleSecret":{"seed":"%s","deviceUuid":"%s"},"deviceUuid":"%s"}'
             % (rand(B64URL, 22), rand(LOWER_DIGITS, 26), rand(HEX, 64), rand(B64URL, 43), rand(UPPER_DIGITS, 26),
                rand(HEX, 64), rand(LOWER_DIGITS, 26), rand(LOWER_DIGITS, 26))).encode()).decode().rstrip("=")),
        ("OP_CONNECT_TOKEN", lambda: "eyJhbGciOiJFUzI1NiIsImtpZCI6" + rand(B64URL, 40) + ".eyJ" + rand(B64URL, 320) + "." + rand(B64URL, 86)),
    ],
    "age": [("SOPS_AGE_KEY", lambda: "AGE-SECRET-KEY-1" + rand(BECH32_UPPER, 58))],
    "Algolia": [("ALGOLIA_ADMIN_API_KEY", lambda: rand(HEX, 32))],
    "Contentful": [
        ("CONTENTFUL_MANAGEMENT_TOKEN", lambda: "CFPAT-" + rand(B64URL, 43)),
        ("CONTENTFUL_DELIVERY_TOKEN", lambda: with_digit(B64URL, 43)),
    ],
    "Mattermost": [("MATTERMOST_TOKEN", lambda: with_digit(LOWER_DIGITS, 26))],
    "Gitter": [("GITTER_TOKEN", lambda: rand(HEX, 40))],
}


def positives():
    """Secrets in the places these tools actually keep them, by hand."""
    out = []
    for _ in range(3):
        pat = rand(ALNUM, 76) + "AZDO" + rand(ALNUM, 4)
        out.append(("Azure DevOps", "sh", f"#!/bin/sh\ngit clone https://build:{pat}@dev.azure.com/acme/web/_git/web\n", 2))
        old = rand(string.ascii_lowercase + "234567", 52)
        out.append(("Azure DevOps", "sh", f"#!/bin/sh\ngit remote add origin https://me:{old}@dev.azure.com/acme/web/_git/web\n", 2))
        out.append(("CircleCI", "sh", f"curl -s https://circleci.com/api/v2/me \\\n  -H 'Circle-Token: {rand(HEX, 40)}'\n", 2))
        out.append(("Opsgenie", "yml",
                    "route:\n  receiver: ops\nreceivers:\n  - name: ops\n    opsgenie_configs:\n"
                    f"      - api_key: {uuid4()}\n        priority: P2\n", 6))
        out.append(("Looker", "ini",
                    "[Looker]\nbase_url=https://acme.cloud.looker.com\n"
                    f"client_id={rand(ALNUM, 20)}\nclient_secret={rand(ALNUM, 24)}\nverify_ssl=True\n", 4))
        out.append(("Confluent", "properties",
                    f"bootstrap.servers=pkc-{rand(LOWER_DIGITS, 5)}.eu-west-1.aws.confluent.cloud:9092\n"
                    "security.protocol=SASL_SSL\nsasl.mechanisms=PLAIN\n"
                    f"sasl.username={rand(UPPER_DIGITS, 16)}\nsasl.password={with_digit(B64, 64)}\n", 5))
        out.append(("Honeycomb", "yml",
                    "exporters:\n  otlp:\n    endpoint: api.honeycomb.io:443\n    headers:\n"
                    f"      x-honeycomb-team: {rand(ALNUM, 22)}\n", 5))
        out.append(("Fastly", "sh", f"curl -X POST -H 'Fastly-Key: {rand(ALNUM, 32)}' https://api.fastly.com/service/{rand(ALNUM, 22)}/purge_all\n", 1))
        out.append(("Snyk", "sh", f"#!/bin/sh\nsnyk auth {uuid4()}\nsnyk test\n", 2))
        out.append(("Vercel", "yml",
                    "steps:\n  - run: npm ci\n"
                    f"  - run: npx vercel deploy --prod --token {rand(ALNUM, 24)}\n", 3))
        out.append(("OpenShift", "yaml",
                    "apiVersion: v1\nkind: Config\nusers:\n- name: dev/api-ocp-acme-io:6443\n  user:\n"
                    f"    token: sha256~{rand(B64URL, 43)}\n", 6))
        out.append(("Jenkins", "yml", f"jenkins:\n  url: https://jenkins.acme.io\n  user: deploy\n  token: 11{rand(HEX, 32)}\n", 4))
    return out


def decoys():
    """Identifiers, public keys and placeholders of the same providers."""
    out = []
    for _ in range(4):
        out.append(("env", f"NETLIFY_SITE_ID={uuid4()}\nVERCEL_PROJECT_ID=prj_{rand(ALNUM, 28)}\nVERCEL_ORG_ID=team_{rand(ALNUM, 24)}\n"))
        out.append(("env", f"SUPABASE_URL=https://{rand(string.ascii_lowercase, 20)}.supabase.co\nSUPABASE_ANON_KEY={jwt(180)}\n"
                           f"SUPABASE_PUBLISHABLE_KEY=sb_publishable_{rand(B64URL, 31)}\n"))
        out.append(("env", f"LAUNCHDARKLY_MOBILE_KEY=mob-{uuid4()}\nLAUNCHDARKLY_CLIENT_SIDE_ID={rand(HEX, 24)}\n"))
        out.append(("env", f"DT_TOKEN_ID=dt0c01.{rand(UPPER_DIGITS, 24)}\nDT_ENVIRONMENT_ID={rand(string.ascii_lowercase, 3)}{rand(string.digits, 5)}\n"))
        out.append(("env", f"ALGOLIA_APP_ID={rand(UPPER_DIGITS, 10)}\nALGOLIA_SEARCH_API_KEY={rand(HEX, 32)}\n"))
        out.append(("env", f"LOOKERSDK_CLIENT_ID={rand(ALNUM, 20)}\nLOOKERSDK_BASE_URL=https://acme.cloud.looker.com\n"))
        out.append(("env", f"CONFLUENT_CLOUD_API_KEY={rand(UPPER_DIGITS, 16)}\nSUMOLOGIC_ACCESSID=su{rand(ALNUM, 12)}\n"))
        out.append(("env", f"ROLLBAR_CLIENT_TOKEN={rand(HEX, 32)}\nSEGMENT_SOURCE_ID={rand(ALNUM, 10)}\n"))
        out.append(("env", f"RAILWAY_PROJECT_ID={uuid4()}\nOPSGENIE_TEAM_ID={uuid4()}\nSNYK_ORG_ID={uuid4()}\n"))
        out.append(("env", f"CIRCLE_SHA1={rand(HEX, 40)}\nCIRCLE_BUILD_NUM={R.randint(100, 99999)}\nTRAVIS_COMMIT={rand(HEX, 40)}\n"))
        out.append(("env", f"CONTENTFUL_SPACE_ID={rand(LOWER_DIGITS, 12)}\nMATTERMOST_TEAM_ID={rand(LOWER_DIGITS, 26)}\n"))
        out.append(("env", f"gradle.publish.key={rand(ALNUM, 32)}\nPLANETSCALE_SERVICE_TOKEN_ID={rand(LOWER_DIGITS, 12)}\n"))
        out.append(("txt", f"# public key: age1{rand('qpzry9x8gf2tvdw0s3jn54khce6mua7l', 58)}\n"))
        out.append(("Dockerfile", f"FROM quay.io/acme/web@sha256:{rand(HEX, 64)}\n"))
        out.append(("yml", f"service:\n  name: api-{uuid4()}\n  replicas: 2\n"))
        out.append(("py", f"SESSION_KEY = \"{rand(ALNUM, 24)}\"\nCACHE_KEY = \"{rand(HEX, 40)}\"\n"))
    for text in [
        "AZURE_DEVOPS_EXT_PAT=$(System.AccessToken)\n",
        "BITBUCKET_APP_PASSWORD=${{ secrets.BITBUCKET_APP_PASSWORD }}\n",
        "CIRCLECI_TOKEN=CCIPAT_xxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
        "GRAFANA_SERVICE_ACCOUNT_TOKEN=glsa_xxxxxxxxxxxx\n",
        "Authorization: Bearer glsa_HOruNAb7SOiCdshU9algkrq7F...\n",
        "HARNESS_API_KEY=pat.account_id.random.random\n",
        "OCTOPUS_API_KEY=API-XXXXXXXXXXXXXXXXXXXXXXXXXX\n",
        "PLANETSCALE_SERVICE_TOKEN=pscale_tkn_...\n",
        "DATABASE_URL=mysql://user:pscale_pw_<password>@aws.connect.psdb.cloud/app\n",
        "SRC_ACCESS_TOKEN=sgp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
        "NETLIFY_AUTH_TOKEN: ${{ secrets.NETLIFY_AUTH_TOKEN }}\n",
        "VERCEL_TOKEN=<your-vercel-token>\n",
        "FLY_API_TOKEN=$(fly tokens create deploy -x 999999h)\n",
        "SONAR_TOKEN=${SONAR_TOKEN}\n",
        "PULUMI_ACCESS_TOKEN=pul-...\n",
        "OP_SERVICE_ACCOUNT_TOKEN=ops_...\n",
        "SOPS_AGE_KEY_FILE=~/.config/sops/age/keys.txt\n",
        "JENKINS_URL=https://jenkins.acme.io\n",
        "Set SNYK_TOKEN to the token from your Snyk account settings.\n",
    ]:
        out.append(("txt", text))
    return out
