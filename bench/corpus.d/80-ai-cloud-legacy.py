# AI/ML providers, cloud platforms and legacy formats (rules/80-*.toml).
#
# Run by bench/corpus.py with its helpers in scope (rand, ALNUM, HEX, B64,
# B64URL, R, string). Every value is generated from the provider's documented
# shape at run time; nothing here is a literal key.


SECRETS = {
    # prefixed AI keys
    "OpenRouter": [("OPENROUTER_API_KEY", lambda: "sk-or-v1-" + rand(HEX, 64))],
    "Together AI": [("TOGETHER_API_KEY", lambda: "tgp_v1_" + rand(B64URL, 43)),
                    ("TOGETHER_AI_KEY", lambda: rand(HEX, 64))],
    "LangSmith": [("LANGSMITH_API_KEY", lambda: f"lsv2_pt_{rand(HEX, 32)}_{rand(HEX, 10)}"),
                  ("LANGCHAIN_API_KEY", lambda: f"lsv2_sk_{rand(HEX, 32)}_{rand(HEX, 10)}")],
    "Pinecone": [("PINECONE_API_KEY", lambda: f"pcsk_{rand(ALNUM, 6)}_{rand(ALNUM, 67)}")],
    "Cerebras": [("CEREBRAS_API_KEY", lambda: "csk-" + with_digit(LOWER_DIGITS, 48))],
    # sk- keys that need their provider's name
    "DeepSeek": [("DEEPSEEK_API_KEY", lambda: "sk-" + rand(HEX, 32))],
    "Alibaba Cloud DashScope": [("DASHSCOPE_API_KEY", lambda: "sk-" + rand(HEX, 32))],
    "Stability AI": [("STABILITY_API_KEY", lambda: "sk-" + rand(ALNUM, 48))],
    "ElevenLabs": [("ELEVENLABS_API_KEY", lambda: "sk_" + rand(HEX, 48))],
    "Fireworks AI": [("FIREWORKS_API_KEY", lambda: "fw_" + rand(ALNUM, 24))],
    "Voyage AI": [("VOYAGE_API_KEY", lambda: "pa-" + rand(B64URL, 43))],
    "Runway": [("RUNWAYML_API_SECRET", lambda: "key_" + rand(HEX, 128))],
    # bare hex / base62 under a provider name
    "AssemblyAI": [("ASSEMBLYAI_API_KEY", lambda: rand(HEX, 32))],
    "Deepgram": [("DEEPGRAM_API_KEY", lambda: rand(HEX, 40))],
    "Weights & Biases": [("WANDB_API_KEY", lambda: rand(HEX, 40))],
    "Clarifai": [("CLARIFAI_PAT", lambda: rand(HEX, 32))],
    "AI21 Labs": [("AI21_API_KEY", lambda: rand(ALNUM, 32))],
    "Weaviate": [("WEAVIATE_API_KEY", lambda: rand(ALNUM, 40))],
    "Qdrant": [("QDRANT_API_KEY", lambda: rand(B64URL, 48))],
    "Azure AI services": [("AZURE_OPENAI_API_KEY", lambda: rand(HEX, 32)),
                          ("AZURE_SPEECH_KEY", lambda: rand(ALNUM, 52) + "JQQJ99" + R.choice("ABC")
                           + R.choice("ABCDEFGHIJKL") + rand(ALNUM, 16) + "A" + rand(ALNUM, 7))],
    # cloud
    "Azure Cosmos DB": [("COSMOS_DB_KEY", lambda: rand(B64, 86) + "==")],
    "IBM Cloud": [("IBMCLOUD_API_KEY", lambda: rand(B64URL, 44))],
    "Tencent Cloud": [("TENCENTCLOUD_SECRET_ID", lambda: "AKID" + rand(ALNUM, 32)),
                      ("TENCENTCLOUD_SECRET_KEY", lambda: rand(ALNUM, 32))],
    "Huawei Cloud": [("HUAWEICLOUD_SDK_SK", lambda: rand(ALNUM, 40))],
    "Scaleway": [("SCW_SECRET_KEY", lambda: uuid4('a'))],
    "Linode": [("LINODE_TOKEN", lambda: rand(HEX, 64))],
    "Vultr": [("VULTR_API_KEY", lambda: with_digit(UPPER_DIGITS, 36))],
    "Hetzner": [("HCLOUD_TOKEN", lambda: rand(ALNUM, 64))],
    "OVHcloud": [("OVH_APPLICATION_SECRET", lambda: rand(ALNUM, 32)),
                 ("OVH_CONSUMER_KEY", lambda: rand(ALNUM, 32))],
    "Backblaze": [("B2_APPLICATION_KEY", lambda: f"K00{R.randint(1, 9)}" + rand(ALNUM, 27))],
    "Wasabi": [("WASABI_SECRET_KEY", lambda: rand(B64, 40))],
    "Cloudinary": [("CLOUDINARY_URL", lambda: f"cloudinary://{rand(string.digits, 15)}:{rand(B64URL, 27)}@acme-media")],
    "Firebase": [("FCM_SERVER_KEY", lambda: f"AAAA{rand(B64URL, 7)}:APA91b{rand(B64URL, 134)}")],
    # legacy formats of catalog providers
    "AWS": [("AWS_SESSION_TOKEN", lambda: "IQoJb3JpZ2luX2Vj" + rand(B64, 320)),
            ("AWS_BEARER_KEY_ID", lambda: "ABIA" + rand(string.ascii_uppercase + "234567", 16))],
    "Mailchimp": [("MANDRILL_API_KEY", lambda: with_digit(ALNUM, 22))],
    "Atlassian": [("JIRA_API_TOKEN", lambda: rand(ALNUM, 24))],
    "Cloudflare": [("CLOUDFLARE_TOKEN", lambda: rand(HEX, 37))],
}


def positives():
    out = []
    for _ in range(5):
        sig = rand(ALNUM, 20) + "%2B" + rand(ALNUM, 10) + "%2F" + rand(ALNUM, 11) + "%3D"
        out.append(("Azure", "env",
                    "# exports\nEXPORT_URL=https://acmeprod.blob.core.windows.net/exports?sv=2022-11-02&ss=b&srt=co"
                    f"&sp=rl&se=2030-01-01T00:00:00Z&spr=https&sig={sig}\n", 2))
        out.append(("Azure", "json",
                    "{\n  \"ServiceBus\": \"Endpoint=sb://acme-prod.servicebus.windows.net/;SharedAccessKeyName=send;"
                    f"SharedAccessKey={rand(B64, 43)}=\"\n}}\n", 2))
        out.append(("Azure", "yml",
                    "iot:\n  connection: \"HostName=acme.azure-devices.net;DeviceId=sensor-1;"
                    f"SharedAccessKey={rand(B64, 43)}=\"\n", 2))
        out.append(("Asana", "env", f"ASANA_ACCESS_TOKEN=0/{rand(HEX, 32)}\n", 1))
        out.append(("PostgreSQL", "env",
                    f"DATABASE_URL=postgres://app:{rand(ALNUM, 10)}@{rand(ALNUM, 12)}@db.internal.acme.io:5432/app\n", 1))
        out.append(("Password hash", "htpasswd", f"admin:$apr1${rand(ALNUM, 8)}${rand(ALNUM, 22)}\n", 1))
        out.append(("Password hash", "txt",
                    f"root:$6${rand(ALNUM, 16)}${rand(ALNUM, 86)}:19700:0:99999:7:::\n", 1))
        out.append(("Password hash", "yml",
                    f"http:\n  middlewares:\n    auth:\n      basicAuth:\n        users:\n          - \"ops:$2y$05${rand(ALNUM, 53)}\"\n", 6))
        out.append(("Password hash", "ldif", f"dn: uid=ops,dc=acme,dc=io\nuserPassword: {{SSHA}}{rand(B64, 32)}\n", 2))
    return out


def decoys():
    out = []
    for _ in range(10):
        # identifiers and public values of the same providers
        out.append(("env", f"PINECONE_PROJECT_ID={uuid4('a')}\nPINECONE_INDEX=docs\n"))
        out.append(("env", f"SCW_ACCESS_KEY=SCW{rand(UPPER_DIGITS, 17)}\nSCW_DEFAULT_PROJECT_ID={uuid4('a')}\n"))
        out.append(("env", f"B2_APPLICATION_KEY_ID=00{rand(HEX, 23)}\n"))
        out.append(("env", f"OVH_APPLICATION_KEY={rand(ALNUM, 16)}\n"))
        out.append(("env", f"CLOUDINARY_API_KEY={rand(string.digits, 15)}\nCLOUDINARY_CLOUD_NAME=acme\n"))
        out.append(("env", f"DEEPGRAM_PROJECT_ID={uuid4('a')}\nELEVENLABS_VOICE_ID={rand(ALNUM, 20)}\n"))
        out.append(("env", f"AZURE_OPENAI_ENDPOINT=https://acme.openai.azure.com/\nAZURE_TENANT_ID={uuid4('a')}\n"))
        out.append(("env", f"HUAWEICLOUD_SDK_AK={rand(string.ascii_uppercase, 20)}\n"))
        # the same shapes with no provider in sight
        out.append(("py", f"ORDER_REF = \"sk-{rand(HEX, 32)}\"\nCHECKSUM = \"{rand(HEX, 64)}\"\n"))
        out.append(("py", f"cache_key = \"key_{rand(HEX, 64)}\"\nbuild = \"fw_{rand(ALNUM, 24)}\"\n"))
        out.append(("txt", f"commit {rand(HEX, 40)}\nnonce = {rand(B64, 200)}\n"))
        out.append(("py", f"row_digest = \"$2y$10${rand(ALNUM, 53)}\"\n"))
        out.append(("txt", f"https://api.example.com/callback?id=7&sig={rand(ALNUM, 43)}%3D\n"))
        out.append(("env", f"registration_id=APA91b{rand(B64URL, 134)}\n"))
    for text in [
        "OPENROUTER_API_KEY=sk-or-v1-your-key-here\n",
        "TOGETHER_API_KEY=tgp_v1_your_key_here\n",
        "LANGSMITH_API_KEY=lsv2_pt_...\n",
        "PINECONE_API_KEY=pcsk_...\n",
        "CEREBRAS_API_KEY=csk-...\n",
        "DEEPSEEK_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
        "ELEVENLABS_API_KEY=sk_...\n",
        "VOYAGE_API_KEY=pa-your-key-here\n",
        "RUNWAYML_API_SECRET=key_xxxxx\n",
        "WEAVIATE_API_KEY=your-weaviate-api-key\n",
        "QDRANT_API_KEY=your_qdrant_api_key\n",
        "CLOUDINARY_URL=cloudinary://<api_key>:<api_secret>@acme\n",
        "SERVICEBUS=Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=<your-key>\n",
        "root:*:19700:0:99999:7:::\n",
        "AWS_SESSION_TOKEN=${AWS_SESSION_TOKEN}\n",
        "DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app\n",
    ]:
        out.append(("txt", text))
    return out
