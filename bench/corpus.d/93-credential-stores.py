# Credential stores of tools (rules/93-credential-stores.toml): whole files as
# the tools write them, each holding one secret, and the same files with
# placeholders, empty values, environment references, or only a host and user.
#
# Run by bench/corpus.py with its helpers in scope (rand, ALNUM, HEX, B64,
# B64URL, R, string, base64). Every value is generated at run time; nothing
# here is a literal password or key.

LOWER = string.ascii_lowercase
HOSTS = ["ftp.acme.io", "files.example-corp.net", "nexus.build.acme.io", "git.internal.acme.io",
         "artifacts.acme.dev", "registry.corp.acme.io"]
USERS = ["deploy", "ci", "backup", "jdoe", "release-bot", "svc_app"]


def _pw(n=None):
    """A password as people and generators make them: letters, digits, a symbol or two."""
    n = n or R.randint(10, 24)
    body = rand(ALNUM, n - 1)
    return body + R.choice("!#@%^*-_+.") if R.random() < 0.5 else rand(ALNUM, n)


def _b64(s):
    return base64.b64encode(s.encode()).decode()


def positives():
    out = []
    for i in range(6):
        host, user, pw = R.choice(HOSTS), R.choice(USERS), _pw()
        # .netrc: multi-line, one-line, with a macro and a default entry
        if i % 3 == 0:
            out.append(("netrc", ".netrc", f"machine {host}\n    login {user}\n    password {pw}\n", 3))
        elif i % 3 == 1:
            out.append(("netrc", ".netrc",
                        f"# mirrors\nmachine {host} login {user} password {pw}\n", 2))
        else:
            out.append(("netrc", "_netrc",
                        f"machine {host}\nlogin {user}\npassword {pw}\n\nmacdef init\nbinary\n\n", 3))
        # .pgpass
        db = R.choice(["app", "billing", "analytics", "*"])
        port = R.choice(["5432", "*", "6432"])
        out.append(("PostgreSQL", ".pgpass",
                    f"# prod\ndb-{rand(LOWER, 5)}.acme.io:{port}:{db}:{user}:{_pw()}\n", 2))
        # .my.cnf
        grp = R.choice(["client", "mysqldump", "mysql", "client"])
        q = R.choice(["", "\"", "'"])
        out.append(("MySQL", ".my.cnf",
                    f"[{grp}]\nuser={user}\nhost=db.acme.io\npassword={q}{_pw()}{q}\n\n[mysqld]\nmax_allowed_packet=64M\n", 4))
        # .npmrc: _auth, _password, _authToken
        reg = f"//{R.choice(HOSTS)}/repository/npm-private/"
        out.append(("npm", ".npmrc",
                    f"registry=https:{reg}\n_auth={_b64(user + ':' + _pw())}\nalways-auth=true\nemail={user}@acme.io\n", 2))
        out.append(("npm", ".npmrc",
                    f"{reg}:username={user}\n{reg}:_password={_b64(_pw())}\n{reg}:email={user}@acme.io\n", 2))
        tok = R.choice([f"NpmToken.{rand(HEX, 8)}-{rand(HEX, 4)}-{rand(HEX, 4)}-{rand(HEX, 4)}-{rand(HEX, 12)}",
                        rand(B64, 64), rand(ALNUM, 40)])
        out.append(("npm", ".npmrc", f"@acme:registry=https:{reg}\n{reg}:_authToken={tok}\n", 2))
        # .pypirc
        out.append(("PyPI", ".pypirc",
                    "[distutils]\nindex-servers =\n    pypi\n    internal\n\n[pypi]\nusername = __token__\n\n"
                    f"[internal]\nrepository = https://{R.choice(HOSTS)}/simple/\nusername = {user}\npassword = {_pw()}\n", 12))
        # ~/.gem/credentials, legacy key
        out.append(("RubyGems", ".gem/credentials", f"---\n:rubygems_api_key: {rand(HEX, 32)}\n", 2))
        # Cargo credentials
        if i % 2:
            out.append(("Cargo", ".cargo/credentials.toml", f"[registry]\ntoken = \"cio{rand(ALNUM, 32)}\"\n", 2))
        else:
            out.append(("Cargo", ".cargo/credentials.toml",
                        f"[registries.{rand(LOWER, 5)}]\ntoken = \"Bearer {rand(B64URL, 40)}\"\n", 2))
        # Composer auth.json
        out.append(("Composer", "auth.json",
                    "{\n    \"http-basic\": {\n        \"repo.magento.com\": {\n"
                    f"            \"username\": \"{rand(HEX, 32)}\",\n            \"password\": \"{rand(HEX, 32)}\"\n"
                    "        }\n    }\n}\n", 5))
        kind = R.choice(["gitlab-token", "bearer"])
        out.append(("Composer", "auth.json",
                    f"{{\n  \"{kind}\": {{\n    \"{R.choice(HOSTS)}\": \"{rand(ALNUM, 24)}\"\n  }}\n}}\n", 3))
        # Maven settings.xml
        pw_xml = R.choice([_pw().replace("&", "").replace("<", ""), "{" + rand(B64, 44) + "}"])
        out.append(("Maven", ".m2/settings.xml",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<settings xmlns=\"http://maven.apache.org/SETTINGS/1.0.0\">\n"
                    "  <servers>\n    <server>\n      <id>releases</id>\n"
                    f"      <username>{user}</username>\n      <password>{pw_xml}</password>\n"
                    "    </server>\n  </servers>\n</settings>\n", 7))
        # gradle.properties
        name = R.choice(["ossrhPassword", "mavenCentralPassword", "signing.password", "sonatypePassword"])
        out.append(("Gradle", "gradle.properties",
                    f"org.gradle.jvmargs=-Xmx2048m\nGROUP=io.acme\nVERSION_NAME=1.{i}.0\n{name}={_pw()}\n", 4))
        out.append(("Gradle", "gradle.properties",
                    f"org.gradle.parallel=true\nartifactoryUser={user}\nartifactoryPassword={_pw()}\n", 3))
        # Docker config.json / .dockercfg
        auth = _b64(user + ":" + _pw())
        out.append(("Docker", ".docker/config.json",
                    f"{{\n\t\"auths\": {{\n\t\t\"{R.choice(HOSTS)}\": {{\n\t\t\t\"auth\": \"{auth}\"\n\t\t}}\n\t}}\n}}\n", 4))
        out.append(("Docker", ".dockercfg",
                    f"{{\"https://index.docker.io/v1/\":{{\"auth\":\"{_b64(user + ':' + _pw())}\",\"email\":\"{user}@acme.io\"}}}}\n", 1))
        # Terraform CLI credentials for a private registry
        out.append(("HashiCorp Terraform", ".terraformrc",
                    f"plugin_cache_dir = \"$HOME/.terraform.d/plugin-cache\"\n\ncredentials \"{R.choice(HOSTS)}\" {{\n"
                    f"  token = \"{rand(B64URL, 48)}\"\n}}\n", 4))
        # .s3cfg for an S3-compatible service
        out.append(("s3cmd", ".s3cfg",
                    f"[default]\naccess_key = {rand(UPPER_DIGITS, 20)}\nhost_base = {R.choice(['nyc3.digitaloceanspaces.com', 'minio.acme.io:9000', 'storage.acme.io'])}\n"
                    f"host_bucket = %(bucket)s.{R.choice(HOSTS)}\nsecret_key = {rand(B64, 40)}\nuse_https = True\n", 5))
        # gcloud application default credentials (user)
        out.append(("Google Cloud", "application_default_credentials.json",
                    "{\n  \"account\": \"\",\n"
                    f"  \"client_id\": \"{rand(string.digits, 12)}-{rand(LOWER_DIGITS, 32)}.apps.googleusercontent.com\",\n"
                    f"  \"client_secret\": \"{rand(B64URL, 24)}\",\n  \"quota_project_id\": \"acme-{rand(LOWER, 6)}\",\n"
                    f"  \"refresh_token\": \"1//{rand(B64URL, 98)}\",\n  \"type\": \"authorized_user\",\n  \"universe_domain\": \"googleapis.com\"\n}}\n", 6))
        # .tugboat
        out.append(("DigitalOcean", ".tugboat",
                    f"---\nauthentication:\n  access_token: {rand(HEX, 64)}\nssh:\n  ssh_user: root\n  ssh_key_path: ~/.ssh/id_rsa\n"
                    "  ssh_port: '22'\ndefaults:\n  region: nyc2\n  size: 512mb\n", 3))
        # hub
        out.append(("GitHub", ".config/hub",
                    f"github.com:\n- user: {user}\n  oauth_token: {rand(HEX, 40)}\n  protocol: https\n", 3))
    return out


def decoys():
    out = []
    for _ in range(4):
        host, user = R.choice(HOSTS), R.choice(USERS)
        # a host and a user, no password
        out.append((".netrc", f"machine {host}\n    login {user}\n"))
        out.append((".netrc", f"machine {host} login {user} password ${{FTP_PASSWORD}}\n"))
        out.append((".pgpass", f"db.acme.io:5432:app:{user}:\n"))
        out.append((".pgpass", "hostname:port:database:username:password\n"))
        out.append((".my.cnf", f"[client]\nuser={user}\nhost=db.acme.io\npassword=\n"))
        out.append((".my.cnf", f"[client]\nuser={user}\npassword=${{MYSQL_PASSWORD}}\n"))
        out.append((".my.cnf", f"[mysqld]\ndatadir=/var/lib/mysql\nsocket=/var/run/mysqld/mysqld.sock\n"))
        out.append((".npmrc", "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"))
        out.append((".npmrc", f"@acme:registry=https://{host}/\nalways-auth=true\n"))
        out.append((".pypirc", "[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = __token__\npassword =\n"))
        out.append((".pypirc", "[pypi]\nusername = <your username>\npassword = <your password>\n"))
        out.append((".gem/credentials", "---\n:rubygems_api_key: \n"))
        out.append((".cargo/config.toml",
                    "[registry]\nglobal-credential-providers = [\"cargo:token\", \"cargo:libsecret\"]\n\n"
                    f"[registries.acme]\nindex = \"sparse+https://{host}/index/\"\n"))
        out.append(("auth.json", "{\n  \"http-basic\": {\n    \"repo.magento.com\": {\n      \"username\": \"<public-key>\",\n"
                                 "      \"password\": \"<private-key>\"\n    }\n  }\n}\n"))
        out.append(("auth.json", "{\n  \"github-oauth\": {\n    \"github.com\": \"\"\n  }\n}\n"))
        out.append((".m2/settings.xml", "<settings>\n  <servers>\n    <server>\n      <id>releases</id>\n"
                                        f"      <username>{user}</username>\n      <password>${{env.MAVEN_PASSWORD}}</password>\n"
                                        "    </server>\n  </servers>\n</settings>\n"))
        out.append(("gradle.properties", f"org.gradle.jvmargs=-Xmx2g\nossrhUsername={user}\nossrhPassword=\n"))
        out.append(("build.gradle", "publishing {\n  repositories {\n    maven {\n      credentials {\n"
                                    "        username = findProperty(\"ossrhUsername\")\n        password = findProperty(\"ossrhPassword\")\n"
                                    "      }\n    }\n  }\n}\n"))
        out.append((".docker/config.json", f"{{\n\t\"auths\": {{\n\t\t\"{host}\": {{}}\n\t}},\n\t\"credsStore\": \"desktop\"\n}}\n"))
        out.append((".docker/config.json", "{\n  \"auths\": {\n    \"ghcr.io\": {\n      \"auth\": \"\"\n    }\n  }\n}\n"))
        out.append((".terraformrc", f"credentials_helper \"vault\" {{\n  args = []\n}}\nplugin_cache_dir = \"$HOME/.terraform.d/plugin-cache\"\n"))
        out.append((".s3cfg", "[default]\naccess_key =\nhost_base = s3.amazonaws.com\nhost_bucket = %(bucket)s.s3.amazonaws.com\nsecret_key =\n"))
        out.append(("application_default_credentials.json",
                    "{\n  \"type\": \"external_account\",\n  \"audience\": \"//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/gh\",\n"
                    "  \"subject_token_type\": \"urn:ietf:params:oauth:token-type:jwt\"\n}\n"))
        out.append((".tugboat", "---\nauthentication:\n  access_token: \nssh:\n  ssh_user: root\n"))
        out.append((".config/hub", f"github.com:\n- user: {user}\n  protocol: https\n"))
        # INI files with a password field that belong to no tool above
        out.append(("config.ini", f"[database]\nhost = db.acme.io\nuser = {user}\npassword = {rand(ALNUM, 16)}\n"))
        # prose
        out.append(("md", "Put `machine HOST login USER password TOKEN` in ~/.netrc, never in the repository.\n"))
    return out
