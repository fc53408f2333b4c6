"""Social, media, productivity and consumer APIs (rules/60-*.toml).

Every secret is built here from its documented shape; decoys are the public
look-alikes (client IDs, app IDs, placeholders) that must stay unreported.
"""

LOWER36 = string.ascii_lowercase + string.digits
LOWER = string.ascii_lowercase
UPPER36 = string.ascii_uppercase + string.digits


def mixed(alphabet, n, need):
    """n characters of alphabet holding at least one character of each set in need."""
    while True:
        s = rand(alphabet, n)
        if all(any(c in group for c in s) for group in need):
            return s


def lower_digits(n):
    return mixed(LOWER36, n, [LOWER, string.digits])


def upper_lower(n):
    return mixed(ALNUM, n, [string.ascii_uppercase, string.ascii_lowercase, string.digits])


SECRETS = {
    "Twitter": [
        ("TWITTER_API_KEY", lambda: upper_lower(25)),
        ("TWITTER_API_SECRET", lambda: upper_lower(50)),
        ("TWITTER_ACCESS_TOKEN", lambda: f"{R.randint(10**6, 10**19)}-{upper_lower(40)}"),
        ("TWITTER_ACCESS_TOKEN_SECRET", lambda: upper_lower(45)),
        ("TWITTER_BEARER_TOKEN", lambda: "A" * 22 + upper_lower(30) + "%2B" + upper_lower(25) + "%3D" + upper_lower(40)),
    ],
    "Meta": [
        ("FACEBOOK_APP_SECRET", lambda: rand(HEX, 32)),
        ("FACEBOOK_PAGE_TOKEN", lambda: "EAA" + R.choice("BGJCD") + upper_lower(R.randint(150, 230))),
    ],
    "Instagram": [("INSTAGRAM_ACCESS_TOKEN", lambda: "IGQVJ" + upper_lower(R.randint(150, 200)))],
    "LinkedIn": [
        ("LINKEDIN_CLIENT_SECRET", lambda: f"WPL_AP1.{upper_lower(16)}.{rand(B64, 6)}=="),
        ("LINKEDIN_OAUTH_SECRET", lambda: upper_lower(16)),
    ],
    "Twitch": [
        ("TWITCH_CLIENT_SECRET", lambda: lower_digits(30)),
        ("TWITCH_BOT_TOKEN", lambda: lower_digits(30)),
    ],
    "Dropbox": [
        ("DROPBOX_ACCESS_TOKEN", lambda: "sl." + upper_lower(R.randint(135, 160))),
        ("DROPBOX_REFRESH_TOKEN", lambda: upper_lower(11) + "A" * 10 + upper_lower(43)),
        ("DROPBOX_APP_SECRET", lambda: lower_digits(15)),
    ],
    "Box": [
        ("BOX_CLIENT_SECRET", lambda: upper_lower(32)),
        ("BOX_DEVELOPER_TOKEN", lambda: upper_lower(32)),
    ],
    "Frame.io": [("FRAMEIO_TOKEN", lambda: "fio-u-" + rand(B64URL, 64))],
    "Typeform": [("TYPEFORM_TOKEN", lambda: f"tfp_{upper_lower(44)}_{upper_lower(14)}")],
    "Intercom": [("INTERCOM_ACCESS_TOKEN", lambda: base64.b64encode(f"tok:{uuid4('a')}:1:0".encode()).decode())],
    "Adobe": [("ADOBE_CLIENT_SECRET", lambda: "p8e-" + upper_lower(32))],
    "ReadMe": [("README_API_KEY", lambda: "rdme_" + lower_digits(70))],
    "Google Cloud": [("GOOGLE_OAUTH_CLIENT_SECRET", lambda: "GOCSPX-" + upper_lower(28))],
    "MaxMind": [("MAXMIND_LICENSE_KEY", lambda: f"{upper_lower(6)}_{upper_lower(29)}_mmk")],
    "Adafruit IO": [("ADAFRUIT_IO_KEY", lambda: "aio_" + upper_lower(28))],
    "Microsoft Teams": [("TEAMS_WEBHOOK_URL", lambda: f"https://acme.webhook.office.com/webhookb2/{uuid4('a')}@{uuid4('a')}/IncomingWebhook/{rand(HEX, 32)}/{uuid4('a')}")],
    "Zapier": [("ZAPIER_HOOK_URL", lambda: f"https://hooks.zapier.com/hooks/catch/{R.randint(10**6, 10**8)}/{lower_digits(7)}/")],
    "IFTTT": [("IFTTT_WEBHOOKS_KEY", lambda: upper_lower(22))],
    "ClickUp": [("CLICKUP_API_TOKEN", lambda: f"pk_{R.randint(10**6, 10**9)}_{mixed(UPPER36, 32, [string.ascii_uppercase, string.digits])}")],
    "Trello": [("TRELLO_TOKEN", lambda: "ATTA" + rand(HEX, 64) + rand("0123456789ABCDEF", 8))],
    "Pinterest": [("PINTEREST_ACCESS_TOKEN", lambda: "pina_" + upper_lower(R.randint(80, 120)))],
    "RapidAPI": [("RAPIDAPI_KEY", lambda: f"{rand(HEX, 10)}msh{rand(HEX, 15)}p1{rand(HEX, 5)}jsn{rand(HEX, 12)}")],
    "Yandex": [
        ("YANDEX_API_KEY", lambda: "AQVN" + upper_lower(36)),
        ("YC_IAM_TOKEN", lambda: "t1.9euelZ" + rand(B64URL, 180) + "." + rand(B64URL, 86)),
        ("YANDEX_OAUTH_TOKEN", lambda: "y0_Ag" + upper_lower(53)),
    ],
    "Alibaba Cloud": [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", lambda: "LTAI" + upper_lower(20)),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", lambda: upper_lower(30)),
    ],
    "Spotify": [("SPOTIFY_CLIENT_SECRET", lambda: rand(HEX, 32))],
    "Cisco Meraki": [("MERAKI_DASHBOARD_API_KEY", lambda: rand(HEX, 40))],
    "OpenWeatherMap": [("OPENWEATHER_API_KEY", lambda: rand(HEX, 32))],
    "Zoom": [("ZOOM_CLIENT_SECRET", lambda: upper_lower(32))],
    "Webflow": [("WEBFLOW_API_TOKEN", lambda: rand(HEX, 64))],
    "Finnhub": [("FINNHUB_API_KEY", lambda: lower_digits(20))],
}


def positives():
    out = []
    for _ in range(3):
        out.append(("Twitter", "py", "import tweepy\n\nauth = tweepy.OAuth1UserHandler(\n"
                    f"    consumer_key=\"{upper_lower(25)}\",\n    consumer_secret=CONSUMER_SECRET,\n)\n", 4))
        out.append(("Cisco Meraki", "sh", "curl -s https://api.meraki.com/api/v1/organizations \\\n"
                    f"  -H 'X-Cisco-Meraki-API-Key: {rand(HEX, 40)}'\n", 2))
        out.append(("OpenWeatherMap", "js", "const url = `https://api.openweathermap.org/data/2.5/weather"
                    f"?q=${{city}}&appid={rand(HEX, 32)}&units=metric`;\n", 1))
        out.append(("IFTTT", "sh", f"curl -X POST https://maker.ifttt.com/trigger/door_open/with/key/{upper_lower(22)}\n", 1))
        out.append(("Box", "json", "{\n  \"boxAppSettings\": {\n"
                    f"    \"clientID\": \"{rand(LOWER36, 32)}\",\n    \"clientSecret\": \"{upper_lower(32)}\"\n  }}\n}}\n", 4))
        out.append(("Meta", "yml", "facebook:\n"
                    f"  app_id: \"{R.randint(10**14, 10**16)}\"\n  app_secret: \"{rand(HEX, 32)}\"\n", 3))
        out.append(("Twitch", "txt", f"PASS oauth:{lower_digits(30)}\nNICK acmebot\nJOIN #acme\n# irc.chat.twitch.tv\n", 1))
    return out


def decoys():
    out = []
    add = lambda ext, text: out.append((ext, text))
    for _ in range(5):
        # public identifiers of the same providers
        add("env", f"TWITCH_CLIENT_ID={lower_digits(30)}\n")
        add("env", f"BOX_CLIENT_ID={rand(LOWER36, 32)}\n")
        add("env", f"FACEBOOK_APP_ID={R.randint(10**14, 10**16)}\nFACEBOOK_CLIENT_TOKEN={rand(HEX, 32)}\n")
        add("env", f"LINKEDIN_CLIENT_ID={rand(LOWER36, 14)}\n")
        add("env", f"DROPBOX_APP_KEY={lower_digits(15)}\n")
        add("env", f"ADOBE_CLIENT_ID={rand(HEX, 32)}\n")
        add("env", f"SPOTIFY_CLIENT_ID={rand(HEX, 32)}\n")
        add("env", f"ZOOM_CLIENT_ID={rand(B64URL, 22)}\n")
        add("env", f"TRELLO_API_KEY={rand(HEX, 32)}\n")
        add("env", f"YANDEX_FOLDER_ID=b1g{rand(LOWER36, 17)}\n")
        add("env", f"GOOGLE_CLIENT_ID={R.randint(10**11, 10**12)}-{rand(LOWER36, 32)}.apps.googleusercontent.com\n")
        add("env", f"MAXMIND_ACCOUNT_ID={R.randint(100000, 999999)}\n")
        # same shapes with no provider anywhere
        add("py", f"SESSION_KEY = \"{upper_lower(25)}\"\nNONCE = \"{upper_lower(45)}\"\n")
        add("py", f"CACHE_KEY = \"{upper_lower(50)}\"\nETAG = \"{rand(HEX, 32)}\"\n")
        add("js", f"const buildHash = '{rand(HEX, 40)}';\nconst checksum = '{rand(HEX, 64)}';\n")
        # too short or elided
        add("env", f"TWITTER_API_KEY={upper_lower(20)}\n")
        add("env", f"MERAKI_DASHBOARD_API_KEY={rand(HEX, 30)}\n")
        add("env", f"RAPIDAPI_KEY={rand(HEX, 10)}msh{rand(HEX, 8)}\n")
    # documentation placeholders
    for text in [
        "TWITTER_BEARER_TOKEN=<your-bearer-token>\n",
        "TWITTER_API_SECRET=${TWITTER_API_SECRET}\n",
        "DROPBOX_ACCESS_TOKEN=sl.xxxxxxxxxxxxxxxx\n",
        "LINKEDIN_CLIENT_SECRET=WPL_AP1.xxxxxxxxxxxxxxxx.xxxxxx==\n",
        "ADOBE_CLIENT_SECRET=p8e-YOUR_CLIENT_SECRET\n",
        "YANDEX_API_KEY=AQVNxxxxxxxxxx...\n",
        "YC_TOKEN=y0_AgAAAAB.........\n",
        "IFTTT url: https://maker.ifttt.com/trigger/{event}/with/key/{your_key}\n",
        "ZAPIER_HOOK_URL=https://hooks.zapier.com/hooks/catch/XXXXXXX/XXXXXX/\n",
        "TEAMS_WEBHOOK_URL=https://acme.webhook.office.com/webhookb2/...\n",
        "client = dropbox.Dropbox(os.environ['DROPBOX_ACCESS_TOKEN'])\n",
        "auth = tweepy.OAuth1UserHandler(os.getenv('TWITTER_API_KEY'), os.getenv('TWITTER_API_SECRET'))\n",
        "MAXMIND_LICENSE_KEY=your_license_key\n",
        "CLICKUP_API_TOKEN=pk_12345678_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n",
        "PINTEREST_ACCESS_TOKEN=pina_xxx\n",
    ]:
        add("txt", text)
    return out
