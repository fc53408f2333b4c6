# Tool configs, part two (rules/98-tool-configs.toml): whole files that IDEs,
# editor upload plugins, FTP servers, database clients, container CLIs, CMSs
# and transfer clients write with a credential in them, at the paths the
# tools use.
#
# Run by bench/corpus.py with its helpers in scope (rand, ALNUM, HEX, B64,
# B64URL, R, string, base64). Every value is generated at run time; nothing
# here is a literal credential. One secret per case; decoys are the same
# files with the credential left out, empty, a placeholder or an environment
# reference, and the same shapes where the tool does not read them.

_LOWER = string.ascii_lowercase
_LD = string.ascii_lowercase + string.digits


def _t_host():
    return R.choice(["ftp", "sftp", "web", "files", "www"]) + "." + \
        rand(_LOWER, R.randint(4, 9)) + R.choice([".com", ".net", ".io", ".de"])


def _t_user():
    return R.choice(["deploy", "www", "ops", "web", "ftpuser", "site"]) + R.choice(["", str(R.randint(1, 99))])


def _t_pw(n=None):
    n = n or R.randint(9, 18)
    s = rand(ALNUM, n)
    if R.random() < 0.4:
        i = R.randint(2, n - 2)
        s = s[:i] + R.choice("!*+-.=?@^_~") + s[i + 1:]
    return s


def _t_weak_pw():
    """Lower case and digits, shorter than 16: below the generic PHP rule's bar."""
    return with_digit(_LD, R.randint(8, 14))


def _t_case(provider, name, lines, secret, nl="\n"):
    text = nl.join(lines) + nl
    line = next(i for i, l in enumerate(lines, 1) if secret in l)
    return (provider, name, text, line)


# -- JetBrains WebServers.xml -------------------------------------------------

def _jb_encode(pw):
    return "".join("%04x" % (ord(c) ^ 0xDFAA) for c in pw)


def _jetbrains_cases():
    out = []
    for i in range(4):
        enc = _jb_encode(_t_pw())
        host = _t_host()
        wid = uuid4()
        ind = R.choice(["  ", "    "])
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<project version="4">'] if i % 2 == 0 \
            else ["<application>"]
        lines += [f'{ind}<component name="WebServers">',
                  f'{ind*2}<option name="servers">',
                  f'{ind*3}<webServer id="{wid}" name="{rand(_LOWER, 6)}" url="https://{host}">']
        if i < 2:
            lines += [f'{ind*4}<fileTransfer host="{host}" port="21" password="{enc}" username="{_t_user()}">',
                      f'{ind*5}<advancedOptions>',
                      f'{ind*6}<advancedOptions dataProtectionLevel="Private" passiveMode="true" />',
                      f'{ind*5}</advancedOptions>',
                      f'{ind*5}<option name="port" value="21" />',
                      f'{ind*4}</fileTransfer>']
        else:
            lines += [f'{ind*4}<fileTransfer accessType="SFTP" host="{host}" port="22" '
                      f'rootFolder="/var/www/{rand(_LOWER, 5)}" username="{_t_user()}" password="{enc}" />']
        lines += [f"{ind*3}</webServer>", f"{ind*2}</option>", f"{ind}</component>",
                  "</project>" if i % 2 == 0 else "</application>"]
        name = R.choice([".idea/WebServers.xml", "web/.idea/webServers.xml", "options/webServers.xml"])
        out.append(_t_case("JetBrains IDE", name, lines, enc))
    return out


# -- Atom SFTP-Deployment -------------------------------------------------------

def _sftp_deployment_cases():
    out = []
    for i in range(4):
        pw = _t_pw()
        kind = R.choice(["sftp", "ftp"])
        fields = [f'"type": "{kind}"', f'"host": "{_t_host()}"', f'"username": "{_t_user()}"',
                  f'"password": "{pw}"', f'"port": "{22 if kind == "sftp" else 21}"',
                  f'"remotePath": "/var/www/{rand(_LOWER, 6)}"']
        if i == 3:
            fields.append('"uploadConfigFile": false')
        if i == 1:
            R.shuffle(fields)
        ind = R.choice(["  ", "    ", "\t"])
        lines = ["{"] + [f"{ind}{f}," for f in fields[:-1]] + [f"{ind}{fields[-1]}", "}"]
        out.append(_t_case("SFTP-Deployment", R.choice(["deployment-config.json", "site/deployment-config.json"]),
                           lines, pw))
    return out


# -- vsftpd virtual users ---------------------------------------------------------

def _vsftpd_cases():
    out = []
    names = ["etc/vsftpd/virtual_users.txt", "vsftpd/vusers.txt", "ftp/vsftpd-virtual-user.txt",
             "docker/vsftpd/logins.txt", "provision/files/vusers"]
    for i, name in enumerate(names):
        pw = R.choice([_t_pw(), with_digit(_LD, R.randint(8, 12))])
        user = R.choice([_t_user(), rand(_LOWER, 5) + R.choice([".r", ".r_w", ""])])
        nl = "\r\n" if i == 2 else "\n"
        text = f"{user}{nl}{pw}" + ("" if i == 3 else nl)
        out.append(("vsftpd", name, text, 2))
    return out


# -- DBeaver credentials-config.json (binary, any bytes stand for it) ----------

def _dbeaver_cases():
    return [("DBeaver", name, rand(B64, 64) + "\n", 1)
            for name in [".dbeaver/credentials-config.json", "General/.dbeaver/credentials-config.json",
                         "workspace6/reports/.dbeaver/credentials-config.json"]]


# -- Docker config.json identitytoken / registrytoken ----------------------------

def _docker_token_cases():
    out = []
    for i in range(4):
        tok = R.choice([rand(B64URL, R.randint(60, 140)), rand(HEX, 64), rand(ALNUM, 40)])
        field = "identitytoken" if i != 2 else "registrytoken"
        reg = R.choice(["acme.azurecr.io", "harbor." + rand(_LOWER, 6) + ".net", "registry." + rand(_LOWER, 5) + ".io"])
        lines = ["{", '\t"auths": {', f'\t\t"{reg}": {{']
        if i % 2 == 0:
            lines.append(f'\t\t\t"email": "ci@{rand(_LOWER, 6)}.com",')
        lines += [f'\t\t\t"{field}": "{tok}"', "\t\t}", "\t},",
                  f'\t"currentContext": "{R.choice(["default", "desktop-linux"])}"', "}"]
        out.append(_t_case("Docker", R.choice([".docker/config.json", "ci/docker/config.json"]), lines, tok))
    return out


# -- Joomla configuration.php ---------------------------------------------------------

def _joomla_cases():
    out = []
    for field in ["password", "smtppass", "ftp_pass", "secret", "redis_server_auth"]:
        val = rand(ALNUM, 16) if field == "secret" else _t_pw()
        vals = {"password": "''", "smtppass": "''", "ftp_pass": "''", "secret": "''", "redis_server_auth": "''"}
        vals[field] = f"'{val}'"
        kw = R.choice(["public", "public", "var"])
        lines = ["<?php", "class JConfig", "{",
                 f"\t{kw} $offline = false;", f"\t{kw} $sitename = '{rand(_LOWER, 8).title()}';",
                 f"\t{kw} $dbtype = 'mysqli';", f"\t{kw} $host = 'localhost';",
                 f"\t{kw} $user = '{rand(_LOWER, 6)}';", f"\t{kw} $password = {vals['password']};",
                 f"\t{kw} $db = '{rand(_LOWER, 6)}';", f"\t{kw} $dbprefix = '{rand(_LOWER, 4)}_';",
                 f"\t{kw} $secret = {vals['secret']};", f"\t{kw} $ftp_user = '';",
                 f"\t{kw} $ftp_pass = {vals['ftp_pass']};", f"\t{kw} $smtpuser = 'mail@{rand(_LOWER, 6)}.com';",
                 f"\t{kw} $smtppass = {vals['smtppass']};", f"\t{kw} $smtphost = 'smtp.{rand(_LOWER, 6)}.com';",
                 f"\t{kw} $redis_server_host = 'localhost';",
                 f"\t{kw} $redis_server_auth = {vals['redis_server_auth']};", "}"]
        out.append(_t_case("Joomla", R.choice(["configuration.php", "public_html/configuration.php"]),
                           lines, f"${field} = '{val}'"))
    return out


# -- Drupal settings.php ---------------------------------------------------------------

def _drupal_cases():
    out = []
    for i in range(3):
        pw = _t_weak_pw()
        if i == 1:
            lines = ["<?php", "$databases = array (", "  'default' =>", "  array (", "    'default' =>", "    array (",
                     f"      'database' => '{rand(_LOWER, 6)}',", f"      'username' => '{rand(_LOWER, 6)}',",
                     f"      'password' => '{pw}',", "      'host' => 'localhost',", "      'port' => '',",
                     "      'driver' => 'mysql',", "      'prefix' => '',", "    ),", "  ),", ");",
                     "$update_free_access = FALSE;"]
        else:
            lines = ["<?php", "", "$databases['default']['default'] = [",
                     f"  'database' => '{rand(_LOWER, 6)}',", f"  'username' => '{rand(_LOWER, 6)}',",
                     f"  'password' => '{pw}',", "  'prefix' => '',", f"  'host' => '{R.choice(['localhost', 'db', 'mariadb'])}',",
                     "  'port' => '3306',", "  'namespace' => 'Drupal\\\\mysql\\\\Driver\\\\Database\\\\mysql',",
                     f"  'driver' => '{R.choice(['mysql', 'pgsql'])}',", "];",
                     "$settings['config_sync_directory'] = '../config/sync';"]
        out.append(_t_case("Drupal", "sites/default/settings.php", lines, pw))
    for i in range(3):
        salt = rand(B64URL, 74 if i != 1 else 43)
        if i == 1:
            lines = ["<?php", "$databases = array();", "$update_free_access = FALSE;",
                     f"$drupal_hash_salt = '{salt}';", "ini_set('session.gc_probability', 1);"]
        else:
            lines = ["<?php", "$databases['default']['default'] = [", "  'driver' => 'sqlite',",
                     "  'database' => 'sites/default/files/.ht.sqlite',", "];",
                     f"$settings['hash_salt'] = '{salt}';",
                     "$settings['update_free_access'] = FALSE;"]
        out.append(_t_case("Drupal", R.choice(["sites/default/settings.php", "web/sites/default/settings.php"]),
                           lines, salt))
    return out


# -- WinSCP plain passwords -------------------------------------------------------------

def _winscp_plain_cases():
    out = []
    for key in ["PasswordPlain", "PasswordPlain", "TunnelPasswordPlain", "ProxyPassword"]:
        pw = _t_pw()
        lines = ["[Configuration\\Interface]", "Theme=0", "",
                 f"[Sessions\\{rand(_LOWER, 5)}%20{rand(_LOWER, 4)}]", f"HostName={_t_host()}",
                 f"UserName={_t_user()}"]
        if key == "TunnelPasswordPlain":
            lines += ["Tunnel=1", f"TunnelHostName=bastion.{rand(_LOWER, 6)}.io", "TunnelUserName=ops"]
        if key == "ProxyPassword":
            lines += ["ProxyMethod=3", f"ProxyHost=proxy.{rand(_LOWER, 5)}.local", "ProxyUsername=svc"]
        lines += [f"{key}={pw}", "FSProtocol=2", ""]
        out.append(_t_case("WinSCP", R.choice(["WinSCP.ini", "tools/winscp/WinSCP.ini"]), lines, pw,
                           nl=R.choice(["\n", "\r\n"])))
    return out


# -- Cyberduck CLI credentials ------------------------------------------------------------

def _cyberduck_cases():
    out = []
    for scheme, port in [("sftp", 22), ("ftp", 21), ("https", 443), ("davs", 443)]:
        pw = _t_pw() if scheme != "https" else rand(B64, 40)
        user = _t_user() if scheme != "https" else rand(string.ascii_uppercase + string.digits, 20)
        lines = ["#Credentials", f"#{R.choice(['Mon', 'Tue', 'Wed'])} Mar 0{R.randint(1, 9)} 10:12:44 CET 2024",
                 f"{scheme}\\://{user}@{_t_host()}\\:{port}={pw}"]
        out.append(_t_case("Cyberduck", R.choice([".duck/credentials", "home/ci/.duck/credentials"]), lines, pw))
    return out


# -- gradle.properties and .s3cfg by path -----------------------------------------------------

def _gradle_cases():
    out = []
    for key in ["mavenPassword", "artifactory_password", "githubPackagesToken", "nexus.password"]:
        val = with_digit(ALNUM, R.randint(14, 32))
        lines = ["# credentials for publishing", f"{key.replace('Password', 'User').replace('password', 'user').replace('Token', 'User')}=ci",
                 f"{key}={val}", "kotlin.code.style=official"]
        out.append(_t_case("Gradle", R.choice(["app/gradle.properties", "library/gradle.properties"]), lines, val))
    return out


def _s3cfg_cases():
    out = []
    for i in range(3):
        sec = rand(B64, 40) if i != 1 else rand(ALNUM, 43)
        lines = ["[default]", f"access_key = {rand(string.ascii_uppercase + string.digits, 20)}",
                 f"secret_key = {sec}", "use_https = True"]
        if i == 2:
            lines = ["[default]", f"secret_key={sec}", f"access_key={rand(_LD, 20)}"]
        out.append(_t_case("s3cmd", R.choice([".s3cfg", "home/backup/.s3cfg"]), lines, sec))
    return out


def positives():
    return (_jetbrains_cases() + _sftp_deployment_cases() + _vsftpd_cases() + _dbeaver_cases()
            + _docker_token_cases() + _joomla_cases() + _drupal_cases() + _winscp_plain_cases()
            + _cyberduck_cases() + _gradle_cases() + _s3cfg_cases())


def decoys():
    host = _t_host()
    return [
        # JetBrains: key pair, no password; the attribute in other XML
        (".idea/WebServers.xml",
         '<?xml version="1.0" encoding="UTF-8"?>\n<project version="4">\n  <component name="WebServers">\n'
         '    <option name="servers">\n      <webServer id="' + uuid4() + '" name="prod">\n'
         '        <fileTransfer accessType="SFTP" host="' + host + '" port="22" sshConfig="deploy@' + host
         + ':22 key" keyPair="true" />\n      </webServer>\n    </option>\n  </component>\n</project>\n'),
        ("config/transfer.xml", '<config>\n  <fileTransfer host="' + host + '" password="'
         + _jb_encode(_t_pw()) + '" />\n</config>\n'),
        # SFTP-Deployment: the generated template, a key file
        ("deployment-config.json", '{\n    "type": "sftp",\n    "host": "example.com",\n    "username": "username",\n'
         '    "password": "password",\n    "port": "22",\n    "remotePath": "/example/path"\n}\n'),
        ("deployment-config.json", '{\n    "type": "sftp",\n    "host": "' + host + '",\n    "username": "deploy",\n'
         '    "port": "22",\n    "remotePath": "/var/www",\n    "sshKeyFile": "~/.ssh/id_ed25519"\n}\n'),
        # vsftpd: placeholders, vsftpd's own short example, pairs at a path
        # vsftpd does not use, a denied-users list
        ("etc/vsftpd/virtual_users.txt", "deploy\n${FTP_PASSWORD}\n"),
        ("EXAMPLE/VIRTUAL_USERS/logins.txt", "tom\nfoo\nfred\nbar\n"),
        ("docs/users.txt", "deploy\n" + _t_pw() + "\n"),
        ("etc/vsftpd/ftpusers", "root\nbin\ndaemon\nadm\nlp\nsync\n"),
        ("etc/vsftpd/user_list", "root\nbin\ndaemon\n"),
        # DBeaver: the connection list without passwords, an empty credentials file
        (".dbeaver/data-sources.json", '{"folders": {}, "connections": {"postgres-jdbc-' + rand(HEX, 11)
         + '": {"provider": "postgresql", "configuration": {"host": "localhost", "user": "postgres"}}}}\n'),
        (".dbeaver/credentials-config.json", ""),
        # Docker: a credential store, empty token, token outside auths
        (".docker/config.json", '{\n\t"auths": {\n\t\t"acme.azurecr.io": {}\n\t},\n\t"credsStore": "desktop"\n}\n'),
        (".docker/config.json", '{"auths": {"acme.azurecr.io": {"identitytoken": ""}}}\n'),
        ("api/login.json", '{"identitytoken": "' + rand(ALNUM, 40) + '"}\n'),
        # Joomla: the dist file, a non-Joomla class
        ("installation/configuration.php-dist", "<?php\nclass JConfig\n{\n\tpublic $user = '';\n\tpublic $password = '';\n"
         "\tpublic $secret = '';\n\tpublic $ftp_pass = '';\n\tpublic $smtppass = '';\n}\n"),
        ("src/Settings.php", "<?php\nclass Settings\n{\n\tpublic $password = '" + _t_pw() + "';\n}\n"),
        # Drupal: environment reads, salt from a file
        ("sites/default/settings.php", "<?php\n$databases['default']['default'] = [\n  'database' => 'drupal',\n"
         "  'username' => 'drupal',\n  'password' => getenv('DRUPAL_DB_PASSWORD'),\n  'driver' => 'mysql',\n];\n"
         "$settings['hash_salt'] = file_get_contents('/var/private/salt.txt');\n"),
        ("sites/default/settings.php", "<?php\n$databases['default']['default'] = [\n  'username' => 'root',\n"
         "  'password' => '',\n  'driver' => 'mysql',\n];\n$settings['hash_salt'] = '';\n"),
        # WinSCP: a session without password, PasswordPlain in another INI
        ("WinSCP.ini", "[Sessions\\prod]\nHostName=" + host + "\nUserName=deploy\nFSProtocol=2\n"),
        ("config/app.ini", "[database]\nPasswordPlain=" + _t_pw() + "\n"),
        # Cyberduck: the header alone, the same key shape in another properties file
        (".duck/credentials", "#Credentials\n#Mon Mar 04 10:12:44 CET 2024\n"),
        ("conf/proxy.properties", "# proxies\nhttp\\://svc@proxy.acme.io\\:8080=" + _t_pw() + "\n"),
        # Gradle: environment reference, no credentials, booleans
        ("app/gradle.properties", "mavenUser=ci\nmavenPassword=${MAVEN_PASSWORD}\n"),
        ("lib/gradle.properties", "kotlin.code.style=official\nandroid.useAndroidX=true\nsomeFeatureToken=true\n"),
        ("config/app.properties", "serviceToken=" + with_digit(ALNUM, 24) + "\n"),
        # .s3cfg: empty keys; a secret_key in another file
        (".s3cfg", "[default]\naccess_key =\nsecret_key =\nuse_https = True\n"),
        ("config/storage.ini", "[default]\nsecret_key = " + rand(B64, 40) + "\n"),
    ]
