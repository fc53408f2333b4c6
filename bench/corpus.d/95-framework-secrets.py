# Framework secret files (rules/95-framework-secrets.toml): Rails secrets.yml,
# credentials, database.yml, secret_token.rb and RAILS_MASTER_KEY; Mongoid's
# mongoid.yml; Django settings.py; WordPress wp-config.php; PHP database
# configuration; Laravel .env and config/app.php; Phoenix production config;
# shell startup files exporting credentials.
#
# Run by bench/corpus.py with its helpers in scope (rand, ALNUM, HEX, B64, R,
# string, base64). Every value is generated at run time from the shape the
# framework writes (Rails: 128 hex; Django: 50 characters of its alphabet;
# WordPress: 64 printable characters; Laravel: base64 of 32 bytes; Phoenix:
# 64 base64 characters); passwords are random mixes of letters, digits and
# symbols. One secret per case: every other value in a positive is a
# placeholder or an environment read, as in the framework's own templates.

DJANGO_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)"
# wp_generate_password(64, true, true): letters, digits, !@#$%^&*() and
# -_ []{}<>~`+=,.;:/?|
WP_CHARS = string.ascii_letters + string.digits + "!@#$%^&*()" + "-_ []{}<>~`+=,.;:/?|"


def _line_of(text, secret):
    for n, line in enumerate(text.splitlines(), 1):
        if secret in line:
            return n
    raise AssertionError("secret not placed")


def _case(provider, ext, text, secret):
    return (provider, ext, text, _line_of(text, secret))


def _password():
    kind = R.choice(["alnum", "sym", "long"])
    if kind == "alnum":
        return rand(ALNUM, R.choice([12, 16, 20, 24]))
    if kind == "sym":
        return rand(ALNUM, R.choice([8, 10, 12])) + R.choice("!#%&*+-.@^_~") + rand(string.digits, 2)
    return rand(ALNUM, 32)


def _django_key():
    while True:
        k = "".join(R.choice(DJANGO_CHARS) for _ in range(50))
        if any(c.isdigit() for c in k) and any(c.isalpha() for c in k):
            return k


def _wp_salt():
    while True:
        s = "".join(R.choice(WP_CHARS) for _ in range(64))
        if s[0] != " " and s[-1] != " ":
            return s


def _laravel_key():
    return "base64:" + base64.b64encode(bytes(R.getrandbits(8) for _ in range(32))).decode()


def _phoenix_secret():
    while True:
        s = rand(B64, 64)
        if any(c.isdigit() for c in s) and any(c.isupper() for c in s) and any(c.islower() for c in s):
            return s


WP_NAMES = ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
            "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"]


def _wp_config(db_password="password_here", salts=None, spaced=True):
    sp = " " if spaced else ""
    out = ["<?php", "/**", " * The base configuration for WordPress", " *",
           " * @package WordPress", " */", "",
           "// ** Database settings - You can get this info from your web host ** //",
           f"define({sp}'DB_NAME', 'wp_{rand(string.ascii_lowercase, 6)}'{sp});",
           f"define({sp}'DB_USER', 'wp_{rand(string.ascii_lowercase, 5)}'{sp});",
           f"define({sp}'DB_PASSWORD', '{db_password}'{sp});",
           f"define({sp}'DB_HOST', 'localhost'{sp});",
           f"define({sp}'DB_CHARSET', 'utf8mb4'{sp});",
           f"define({sp}'DB_COLLATE', ''{sp});", "",
           "/**#@+", " * Authentication unique keys and salts.", " */"]
    salts = salts or {}
    for name in WP_NAMES:
        v = salts.get(name, "put your unique phrase here")
        out.append(f"define({sp}'{name}',{' ' * (17 - len(name))}'{v}'{sp});")
    out += ["", "/**#@-*/", "", "$table_prefix = 'wp_';", "",
            f"define({sp}'WP_DEBUG', false{sp});", "",
            "if ( ! defined( 'ABSPATH' ) ) {",
            "\tdefine( 'ABSPATH', __DIR__ . '/' );", "}", "",
            "require_once ABSPATH . 'wp-settings.php';", ""]
    return "\n".join(out)


def _settings_py(secret_line, db_password_line="        'PASSWORD': os.environ.get('DB_PASSWORD', ''),",
                 email_line=None):
    app = rand(string.ascii_lowercase, 6)
    lines = ["\"\"\"", f"Django settings for {app} project.", "\"\"\"", "",
             "import os", "from pathlib import Path", "",
             "BASE_DIR = Path(__file__).resolve().parent.parent", "",
             "# SECURITY WARNING: keep the secret key used in production secret!",
             secret_line, "",
             "DEBUG = False", "ALLOWED_HOSTS = ['.example.org']", "",
             "INSTALLED_APPS = [",
             "    'django.contrib.admin',", "    'django.contrib.auth',",
             "    'django.contrib.contenttypes',", f"    '{app}',", "]", "",
             f"ROOT_URLCONF = '{app}.urls'", "",
             "DATABASES = {", "    'default': {",
             "        'ENGINE': 'django.db.backends.postgresql',",
             f"        'NAME': '{app}',", f"        'USER': '{app}',",
             db_password_line,
             "        'HOST': 'db.internal',", "        'PORT': '5432',", "    }", "}", ""]
    if email_line:
        lines += ["EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'",
                  "EMAIL_HOST = 'smtp.example.org'", "EMAIL_HOST_USER = 'noreply@example.org'",
                  email_line, ""]
    lines += ["STATIC_URL = 'static/'", ""]
    return "\n".join(lines)


def _laravel_env(app_key="", db_password="", mail_password="null", redis_password="null"):
    return "\n".join([
        "APP_NAME=Laravel", "APP_ENV=production", f"APP_KEY={app_key}", "APP_DEBUG=false",
        "APP_URL=https://shop.example.org", "", "LOG_CHANNEL=stack", "LOG_LEVEL=error", "",
        "DB_CONNECTION=mysql", "DB_HOST=127.0.0.1", "DB_PORT=3306", "DB_DATABASE=shop",
        "DB_USERNAME=shop", f"DB_PASSWORD={db_password}", "",
        "BROADCAST_DRIVER=log", "CACHE_DRIVER=file", "QUEUE_CONNECTION=sync",
        "SESSION_DRIVER=file", "SESSION_LIFETIME=120", "",
        "REDIS_HOST=127.0.0.1", f"REDIS_PASSWORD={redis_password}", "REDIS_PORT=6379", "",
        "MAIL_MAILER=smtp", "MAIL_HOST=smtp.mailgun.org", "MAIL_PORT=587",
        "MAIL_USERNAME=postmaster@mg.example.org", f"MAIL_PASSWORD={mail_password}",
        "MAIL_ENCRYPTION=tls", ""])


def _bashrc(secret_line):
    head = R.choice([
        "# ~/.bashrc: executed by bash(1) for non-login shells.\n\n"
        "case $- in\n    *i*) ;;\n      *) return;;\nesac\n\n"
        "HISTCONTROL=ignoreboth\nHISTSIZE=1000\nHISTFILESIZE=2000\nshopt -s histappend\n\n"
        "alias ll='ls -alF'\nalias la='ls -A'\n",
        "export ZSH=\"$HOME/.oh-my-zsh\"\nZSH_THEME=\"robbyrussell\"\n"
        "plugins=(git docker kubectl)\nsource $ZSH/oh-my-zsh.sh\n\n"
        "setopt HIST_IGNORE_DUPS\nalias k=kubectl\n",
        "# ~/.profile\n\nif [ -d \"$HOME/bin\" ] ; then\n    PATH=\"$HOME/bin:$PATH\"\nfi\n"
        "export PATH=\"$HOME/.local/bin:$PATH\"\nexport EDITOR=vim\n",
    ])
    tail = "\nexport GOPATH=\"$HOME/go\"\n[ -f ~/.fzf.bash ] && source ~/.fzf.bash\n"
    return head + "\n" + secret_line + "\n" + tail


def positives():
    out = []
    for _ in range(6):
        # --- Rails: secrets.yml with a production key
        k = rand(HEX, 128)
        q = R.choice(["", "\""])
        text = ("# Be sure to restart your server when you modify this file.\n\n"
                "development:\n  secret_key_base: " + rand(HEX, 128) + "\n\n"
                "test:\n  secret_key_base: " + rand(HEX, 128) + "\n\n"
                + R.choice(["production", "staging"]) + ":\n"
                + R.choice(["", "  cdn_host: assets.example.org\n"])
                + "  secret_key_base: " + q + k + q + "\n")
        out.append(_case("Ruby on Rails", "config/secrets.yml", text, k))
        # decrypted credentials committed as plain text
        k = rand(HEX, 128)
        text = ("# aws:\n#   access_key_id: 123\n#   secret_access_key: 345\n\n"
                "# Used as the base secret for all MessageVerifiers in Rails, including the one protecting cookies.\n"
                f"secret_key_base: {k}\n")
        out.append(_case("Ruby on Rails", "config/credentials.yml", text, k))
        # Rails 3 / 4.0 initializer
        k = rand(HEX, 128)
        app = R.choice(["Shop", "Blog", "Tracker"])
        text = ("# Be sure to restart your server when you modify this file.\n\n"
                "# Your secret key for verifying the integrity of signed cookies.\n"
                f"{app}::Application.config.{R.choice(['secret_token', 'secret_key_base'])} = '{k}'\n")
        out.append(_case("Ruby on Rails", "config/initializers/secret_token.rb", text, k))
        # SECRET_KEY_BASE / RAILS_MASTER_KEY in a committed env file or compose
        k = rand(HEX, 128)
        text = f"RAILS_ENV=production\nRAILS_LOG_TO_STDOUT=1\nSECRET_KEY_BASE={k}\n"
        out.append(_case("Ruby on Rails", ".env.production", text, k))
        m = rand(HEX, 32)
        q = R.choice(["", "\""])
        text = ("services:\n  web:\n    build: .\n    environment:\n      RAILS_ENV: production\n"
                f"      RAILS_MASTER_KEY: {q}{m}{q}\n    ports:\n      - \"3000:3000\"\n")
        out.append(_case("Ruby on Rails", "docker-compose.yml", text, m))
        # database.yml
        p = _password()
        adapter = R.choice(["postgresql", "mysql2", "trilogy"])
        q = R.choice(["", "\""])
        text = (f"default: &default\n  adapter: {adapter}\n  encoding: unicode\n"
                "  pool: <%= ENV.fetch(\"RAILS_MAX_THREADS\") { 5 } %>\n\n"
                "development:\n  <<: *default\n  database: shop_development\n\n"
                "production:\n  <<: *default\n  database: shop_production\n  username: shop\n"
                f"  password: {q}{p}{q}\n  host: db.internal\n")
        out.append(_case("Ruby on Rails", "config/database.yml", text, p))
        # --- Mongoid
        p = _password()
        text = ("production:\n  clients:\n    default:\n      database: shop\n      hosts:\n"
                "        - mongo1.internal:27017\n        - mongo2.internal:27017\n      options:\n"
                f"        user: shop\n        password: '{p}'\n        auth_source: admin\n"
                "  options:\n    raise_not_found_error: false\n")
        out.append(_case("Mongoid", "config/mongoid.yml", text, p))
        # --- Django
        k = _django_key()
        q = R.choice(["'", "\""])
        text = _settings_py(f"SECRET_KEY = {q}{k}{q}")
        out.append(_case("Django", "settings.py", text, k))
        p = _password()
        text = _settings_py("SECRET_KEY = os.environ['DJANGO_SECRET_KEY']",
                            f"        'PASSWORD': '{p}',")
        out.append(_case("Django", "mysite/settings.py", text, p))
        p = _password()
        text = _settings_py("SECRET_KEY = os.environ['DJANGO_SECRET_KEY']",
                            email_line=f"EMAIL_HOST_PASSWORD = '{p}'")
        out.append(_case("Django", "config/settings/production.py", text, p))
        # --- WordPress
        p = _password()
        text = _wp_config(db_password=p, spaced=R.choice([True, False]))
        out.append(_case("WordPress", "wp-config.php", text, p))
        s = _wp_salt()
        while "'" in s:
            s = _wp_salt()
        text = _wp_config(salts={R.choice(WP_NAMES): s}, spaced=R.choice([True, False]))
        out.append(_case("WordPress", "wp-config.php", text, s))
        # --- PHP database configuration
        p = _password()
        text = ("<?php\n// database connection settings\n$db_host = 'localhost';\n"
                f"$db_user = 'shop';\n${R.choice(['db_password', 'dbpass', 'db_pass'])} = '{p}';\n"
                "$db_name = 'shop';\n\n$link = mysqli_connect($db_host, $db_user, $dbpass, $db_name);\n")
        out.append(_case("PHP", "config.php", text, p))
        p = _password()
        text = ("<?php\n$config = array();\n$config['db']['host'] = 'localhost';\n"
                "$config['db']['user'] = 'app';\n"
                f"$config['db']['password'] = '{p}';\n$config['db']['name'] = 'app';\n"
                "$config['site']['url'] = 'https://example.org';\n")
        out.append(_case("PHP", "inc/config.php", text, p))
        p = _password()
        text = ("<?php\ndefined('BASEPATH') OR exit('No direct script access allowed');\n\n"
                "$active_group = 'default';\n$query_builder = TRUE;\n\n$db['default'] = array(\n"
                "\t'dsn'\t=> '',\n\t'hostname' => 'localhost',\n\t'username' => 'ci_app',\n"
                f"\t'password' => '{p}',\n\t'database' => 'ci_app',\n\t'dbdriver' => 'mysqli',\n"
                "\t'dbprefix' => '',\n\t'pconnect' => FALSE,\n);\n")
        out.append(_case("PHP", "application/config/database.php", text, p))
        p = _password()
        text = ("<?php\n$dsn = 'mysql:host=localhost;dbname=shop;charset=utf8mb4';\n"
                f"$pdo = new PDO($dsn, 'shop', '{p}', [\n    PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,\n]);\n")
        out.append(_case("PHP", "db.php", text, p))
        # --- Laravel
        k = _laravel_key()
        out.append(_case("Laravel", ".env", _laravel_env(app_key=k), k))
        p = _password()
        out.append(_case("Laravel", ".env", _laravel_env(db_password=p), p))
        p = _password()
        out.append(_case("Laravel", ".env", _laravel_env(mail_password=p), p))
        p = _password()
        out.append(_case("Laravel", ".env", _laravel_env(redis_password=p), p))
        k = _laravel_key()
        text = ("<?php\n\nreturn [\n    'name' => env('APP_NAME', 'Laravel'),\n"
                "    'env' => env('APP_ENV', 'production'),\n"
                f"    'key' => env('APP_KEY', '{k}'),\n    'cipher' => 'AES-256-CBC',\n];\n")
        out.append(_case("Laravel", "config/app.php", text, k))
        # --- Phoenix
        s = _phoenix_secret()
        out.append(_case("Phoenix", ".env", f"MIX_ENV=prod\nPHX_HOST=shop.example.org\nSECRET_KEY_BASE={s}\n", s))
        s = _phoenix_secret()
        text = ("import Config\n\nif config_env() == :prod do\n"
                "  database_url = System.get_env(\"DATABASE_URL\") || raise \"DATABASE_URL is missing\"\n\n"
                "  config :shop, ShopWeb.Endpoint,\n    url: [host: \"shop.example.org\", port: 443, scheme: \"https\"],\n"
                f"    http: [ip: {{0, 0, 0, 0}}, port: 4000],\n    secret_key_base: \"{s}\"\nend\n")
        out.append(_case("Phoenix", "config/runtime.exs", text, s))
        # --- shell startup files
        # Names no provider's rule claims: a provider's token is its rule's.
        name = R.choice(["NEXUS_PASSWORD", "BACKUP_PASSWORD", "DEPLOY_TOKEN", "CI_SECRET",
                         "SMTP_PASSWORD", "REGISTRY_PASSWORD", "BUILD_API_KEY", "LDAP_BIND_PASSWORD"])
        v = R.choice([rand(ALNUM, 24), rand(HEX, 40), _password()])
        q = R.choice(["", "\"", "'"])
        line = f"export {name}={q}{v}{q}"
        rc = R.choice([".bashrc", ".zshrc", ".bash_profile", ".profile"])
        out.append(_case("Shell startup file", rc, _bashrc(line), v))
    return out


def decoys():
    out = []
    for _ in range(6):
        # Rails secrets.yml as generated: development/test keys, production from ENV
        out.append(("config/secrets.yml",
                    "development:\n  secret_key_base: " + rand(HEX, 128) + "\n\n"
                    "test:\n  secret_key_base: " + rand(HEX, 128) + "\n\n"
                    "# Do not keep production secrets in the repository,\n"
                    "# instead read values from the environment.\n"
                    "production:\n  secret_key_base: <%= ENV[\"SECRET_KEY_BASE\"] %>\n"))
        out.append(("config/database.yml",
                    "default: &default\n  adapter: postgresql\n  encoding: unicode\n  pool: 5\n\n"
                    "development:\n  <<: *default\n  database: shop_development\n  username: postgres\n"
                    "  password: postgres\n\nproduction:\n  <<: *default\n  database: shop_production\n"
                    "  username: shop\n  password: <%= ENV[\"SHOP_DATABASE_PASSWORD\"] %>\n"))
        out.append(("config/mongoid.yml",
                    "production:\n  clients:\n    default:\n      database: <%= ENV['MONGO_DATABASE'] %>\n"
                    "      hosts:\n        - <%= ENV['MONGO_HOST'] %>\n      options:\n"
                    "        user: <%= ENV['MONGO_USER'] %>\n        password: <%= ENV['MONGO_PASSWORD'] %>\n"))
        out.append((".env.example", "RAILS_MASTER_KEY=\nSECRET_KEY_BASE=\nDATABASE_URL=\n"))
        # Django: environment reads, the startproject key (a warning), placeholders
        out.append(("settings.py", _settings_py("SECRET_KEY = os.environ['DJANGO_SECRET_KEY']")))
        out.append(("settings.py", _settings_py(f"SECRET_KEY = 'django-insecure-{_django_key()}'")))
        out.append(("settings.py", _settings_py(
            "SECRET_KEY = env('DJANGO_SECRET_KEY')",
            "        'PASSWORD': '{{ db_password }}',",
            email_line="EMAIL_HOST_PASSWORD = os.getenv('EMAIL_HOST_PASSWORD', '')")))
        # WordPress: the sample file, and one that reads the environment
        out.append(("wp-config-sample.php", _wp_config()))
        out.append(("wp-config.php", _wp_config(db_password="root")))
        out.append(("wp-config.php",
                    "<?php\ndefine( 'DB_NAME', getenv('WORDPRESS_DB_NAME') );\n"
                    "define( 'DB_PASSWORD', getenv('WORDPRESS_DB_PASSWORD') );\n"
                    "define( 'AUTH_KEY', getenv('WORDPRESS_AUTH_KEY') );\n"
                    "define( 'NONCE_SALT', '' );\n"))
        # PHP: environment reads, empty local passwords, a login form
        out.append(("config.php", "<?php\n$db_host = getenv('DB_HOST');\n$db_password = getenv('DB_PASSWORD');\n"
                    "$dbpass = '';\n$link = mysqli_connect('localhost', 'root', '', 'test');\n"))
        out.append(("login.php", "<?php\n$username = $_POST['username'];\n$password = $_POST['password'];\n"
                    "$conn = new mysqli($servername, $dbuser, $dbpassword, $dbname);\n"))
        out.append(("config/database.php",
                    "<?php\n\nreturn [\n    'default' => env('DB_CONNECTION', 'mysql'),\n    'connections' => [\n"
                    "        'mysql' => [\n            'driver' => 'mysql',\n"
                    "            'host' => env('DB_HOST', '127.0.0.1'),\n"
                    "            'username' => env('DB_USERNAME', 'forge'),\n"
                    "            'password' => env('DB_PASSWORD', ''),\n        ],\n    ],\n];\n"))
        # Laravel: .env.example, Homestead defaults
        out.append((".env.example", _laravel_env()))
        out.append((".env", _laravel_env(db_password="secret")))
        out.append(("config/app.php", "<?php\n\nreturn [\n    'key' => env('APP_KEY'),\n"
                    "    'cipher' => 'AES-256-CBC',\n];\n"))
        # Phoenix: dev.exs as phx.new writes it; runtime.exs reading the environment
        out.append(("config/dev.exs",
                    "import Config\n\nconfig :shop, ShopWeb.Endpoint,\n  http: [ip: {127, 0, 0, 1}, port: 4000],\n"
                    "  check_origin: false,\n  code_reloader: true,\n  debug_errors: true,\n"
                    f"  secret_key_base: \"{_phoenix_secret()}\",\n  watchers: []\n"))
        out.append(("config/runtime.exs",
                    "import Config\n\nif config_env() == :prod do\n  secret_key_base =\n"
                    "    System.get_env(\"SECRET_KEY_BASE\") ||\n      raise \"\"\"\n"
                    "      environment variable SECRET_KEY_BASE is missing.\n      \"\"\"\n"
                    "  config :shop, ShopWeb.Endpoint, secret_key_base: secret_key_base\nend\n"))
        # shell startup files reading secrets from a password manager
        out.append((".bashrc", _bashrc("export GITLAB_TOKEN=\"$(pass show gitlab/token)\"\n"
                                       "export NEXUS_PASSWORD=$(security find-generic-password -s nexus -w)\n"
                                       "export VAULT_TOKEN=\"${VAULT_TOKEN:-}\"\n"
                                       "[ -f ~/.secrets ] && . ~/.secrets")))
        out.append((".zshrc", _bashrc("export DB_PASSWORD=changeme\nexport API_TOKEN=<your-token>")))
    return out
