# Connection lists (rules/94-connection-lists.toml): whole files that FTP/SFTP
# and database clients, editor upload plugins, mail clients and game/voice
# servers write with a saved password in them.
#
# Run by bench/corpus.py with its helpers in scope (rand, ALNUM, HEX, B64, R,
# string, base64). Every password is generated at run time; nothing here is a
# literal credential. One secret per case; decoys are the same files with the
# password left out, empty, a placeholder, an environment reference, or a
# look-alike key in a file the tool did not write.

_SYMBOLS = "!*+-.=?@^_~"


def _pw(n=None):
    """A typed password: letters and digits, sometimes a symbol inside."""
    n = n or R.randint(8, 20)
    body = rand(ALNUM, n)
    if R.random() < 0.5:
        i = R.randint(2, n - 2)
        body = body[:i] + R.choice(_SYMBOLS) + body[i + 1:]
    return body


def _host():
    return R.choice(["ftp", "sftp", "web", "files", "www", "srv"]) + "." + \
        rand(string.ascii_lowercase, R.randint(4, 9)) + R.choice([".com", ".net", ".io", ".de", ".org"])


def _user():
    return R.choice(["deploy", "www", "admin", "ops", "web", "root", "ftpuser"]) + \
        R.choice(["", str(R.randint(1, 99))])


def _case(provider, name, lines, secret):
    text = "\n".join(lines) + "\n"
    line = next(i for i, l in enumerate(lines, 1) if secret in l)
    return (provider, name, text, line)


def _winscp_hex():
    return rand("0123456789ABCDEF", 2 * R.randint(20, 45))


# -- FileZilla ---------------------------------------------------------------

def _filezilla(secret_tag, root="Servers"):
    ind = R.choice(["  ", "    ", "\t"])
    lines = ['<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>',
             f'<FileZilla3 version="3.{R.randint(40, 68)}.{R.randint(0, 5)}" platform="{R.choice(["windows", "mac", "*nix"])}">',
             f"{ind}<{root}>"]
    if root == "Servers" and R.random() < 0.5:
        lines.append(f'{ind*2}<Folder expanded="1">{rand(string.ascii_lowercase, 6)}')
        depth = 3
    else:
        depth = 2
    p = ind * depth
    lines += [f"{p}<Server>",
              f"{p}{ind}<Host>{_host()}</Host>",
              f"{p}{ind}<Port>{R.choice([21, 22, 990])}</Port>",
              f"{p}{ind}<Protocol>{R.choice([0, 1, 4])}</Protocol>",
              f"{p}{ind}<Type>0</Type>",
              f"{p}{ind}<User>{_user()}</User>"]
    if secret_tag is not None:
        lines.append(f"{p}{ind}{secret_tag}")
    lines += [f"{p}{ind}<Logontype>1</Logontype>",
              f"{p}{ind}<EncodingType>Auto</EncodingType>",
              f"{p}{ind}<BypassProxy>0</BypassProxy>"]
    if root == "Servers":
        lines.append(f"{p}{ind}<Name>{rand(string.ascii_lowercase, 7)}</Name>")
    lines.append(f"{p}</Server>")
    if depth == 3:
        lines.append(f"{ind*2}</Folder>")
    lines += [f"{ind}</{root}>", "</FileZilla3>"]
    return lines


def _filezilla_cases():
    out = []
    for i in range(6):
        pw = _pw()
        b = base64.b64encode(pw.encode()).decode()
        root = "RecentServers" if i % 3 == 2 else "Servers"
        name = "FileZilla/recentservers.xml" if root == "RecentServers" else "FileZilla/sitemanager.xml"
        out.append(_case("FileZilla", name, _filezilla(f'<Pass encoding="base64">{b}</Pass>', root), b))
    for _ in range(2):
        pw = _pw()
        out.append(_case("FileZilla", "sitemanager.xml", _filezilla(f"<Pass>{pw}</Pass>"), pw))
    return out


# -- WinSCP ------------------------------------------------------------------

def _winscp_cases():
    out = []
    for i in range(5):
        h = _winscp_hex()
        key = "TunnelPassword" if i == 4 else "Password"
        lines = ["[Configuration\\Interface]", "RandomSeedFile=%APPDATA%\\winscp.rnd",
                 "Theme=Light", ""]
        for _ in range(R.randint(0, 2)):
            lines += [f"[Sessions\\{rand(string.ascii_lowercase, 5)}]", f"HostName={_host()}",
                      f"UserName={_user()}", "FSProtocol=2", ""]
        lines += [f"[Sessions\\{R.choice(['prod', 'staging', 'clients/acme%20web'])}]",
                  f"HostName={_host()}", f"PortNumber={R.choice([22, 2222, 21])}",
                  f"UserName={_user()}"]
        if key == "TunnelPassword":
            lines += ["Tunnel=1", f"TunnelHostName=bastion.{rand(string.ascii_lowercase, 6)}.io",
                      "TunnelUserName=jump"]
        lines += [f"{key}={h}", "FSProtocol=2", "LocalDirectory=C:%5CUsers%5Cdev%5Csite", ""]
        lines += ["[SshHostKeys]", f"ssh-ed25519@22:{_host()}=0x{rand(HEX, 64)}"]
        out.append(_case("WinSCP", R.choice(["WinSCP.ini", "tools/WinSCP.ini"]), lines, h))
    return out


# -- DBeaver, Robo 3T ----------------------------------------------------------

def _dbeaver_cases():
    out = []
    for i in range(5):
        pw = _pw()
        drv = R.choice([("postgresql", "postgres-jdbc", 5432), ("mysql", "mysql8", 3306),
                        ("oracle", "oracle_thin", 1521)])
        cid = f"{drv[1]}-{rand(HEX, 11)}-{rand(HEX, 16)}"
        lines = ["{", '\t"folders": {},', '\t"connections": {', f'\t\t"{cid}": {{',
                 f'\t\t\t"provider": "{drv[0]}",', f'\t\t\t"driver": "{drv[1]}",',
                 f'\t\t\t"name": "{rand(string.ascii_lowercase, 6)}",',
                 '\t\t\t"save-password": true,', '\t\t\t"configuration": {',
                 f'\t\t\t\t"host": "db.{rand(string.ascii_lowercase, 6)}.internal",',
                 f'\t\t\t\t"port": "{drv[2]}",', '\t\t\t\t"database": "app",']
        if i < 3:
            lines += ['\t\t\t\t"type": "prod",', '\t\t\t\t"auth-model": "native",',
                      '\t\t\t\t"auth-properties": {', f'\t\t\t\t\t"userName": "{_user()}",',
                      f'\t\t\t\t\t"userPassword": "{pw}"', "\t\t\t\t}"]
        else:
            lines += [f'\t\t\t\t"user": "{_user()}",', f'\t\t\t\t"password": "{pw}",',
                      '\t\t\t\t"type": "dev"']
        lines += ["\t\t\t}", "\t\t}", "\t}", "}"]
        out.append(_case("DBeaver", R.choice(["data-sources.json", ".dbeaver/data-sources.json"]), lines, pw))
    return out


def _robo3t_cases():
    out = []
    for i in range(4):
        pw = _pw()
        cred_pw = pw if i < 3 else ""
        lines = ["{", '    "autoExpand": true,', '    "connections": [', "        {",
                 '            "configVersion": 4,',
                 f'            "connectionName": "{rand(string.ascii_lowercase, 6)}",',
                 '            "credentials": [', "                {",
                 '                    "databaseName": "admin",', '                    "enabled": true,',
                 f'                    "userName": "{_user()}",',
                 f'                    "userPassword": "{cred_pw}"', "                }", "            ],",
                 f'            "serverHost": "mongo.{rand(string.ascii_lowercase, 6)}.internal",',
                 '            "serverPort": 27017,', '            "ssh": {',
                 f'                "enabled": {"true" if i == 3 else "false"},',
                 f'                "host": "{_host()}",', '                "method": "password",',
                 '                "port": 22,', '                "userName": "ops",',
                 f'                "userPassword": "{pw if i == 3 else ""}"', "            }",
                 "        }", "    ]", "}"]
        out.append(_case("Robo 3T", R.choice(["robo3t.json", ".3T/robo-3t/1.4.4/robo3t.json"]), lines, pw))
    return out


# -- editor upload plugins ------------------------------------------------------

def _sublime_cases():
    out = []
    for _ in range(5):
        pw = _pw()
        lines = ["{", "    // The tab key will cycle through the settings when first created",
                 "    // Visit http://wbond.net/sublime_packages/sftp/settings for help", "",
                 "    // sftp, ftp or ftps", f'    "type": "{R.choice(["sftp", "ftp", "ftps"])}",', "",
                 '    "save_before_upload": true,', f'    "upload_on_save": {R.choice(["true", "false"])},',
                 '    "sync_down_on_open": false,', '    "sync_skip_deletes": false,',
                 '    "confirm_downloads": false,', '    "confirm_sync": true,',
                 '    "confirm_overwrite_newer": false,', "",
                 f'    "host": "{_host()}",', f'    "user": "{_user()}",',
                 f'    "password": "{pw}",', f'    //"port": "{R.choice([21, 22])}",', "",
                 f'    "remote_path": "/var/www/{rand(string.ascii_lowercase, 5)}/",',
                 '    "ignore_regexes": [', '        "\\\\.sublime-(project|workspace)", "sftp-config(-alt\\\\d?)?\\\\.json",',
                 '        "/venv/", "\\\\.git/", "\\\\.DS_Store"', "    ],",
                 '    "connect_timeout": 30,', "}"]
        out.append(_case("Sublime SFTP", "sftp-config.json", lines, pw))
    return out


def _vscode_sftp_cases():
    out = []
    for i in range(5):
        pw = _pw()
        if i < 3:
            lines = ["{", f'    "name": "{rand(string.ascii_lowercase, 6)}",', f'    "host": "{_host()}",',
                     f'    "protocol": "{R.choice(["sftp", "ftp"])}",', f'    "port": {R.choice([21, 22])},',
                     f'    "username": "{_user()}",', f'    "password": "{pw}",',
                     f'    "remotePath": "/srv/{rand(string.ascii_lowercase, 5)}",',
                     '    "uploadOnSave": true,', '    "useTempFile": false,', '    "openSsh": false', "}"]
        elif i == 3:
            lines = ["{", '    "name": "site",', '    "protocol": "sftp",', '    "profiles": {',
                     '        "staging": {', f'            "host": "{_host()}",',
                     f'            "username": "{_user()}",', f'            "password": "{pw}",',
                     '            "remotePath": "/htdocs"', "        },", '        "prod": {',
                     f'            "host": "{_host()}",', '            "username": "deploy",',
                     '            "privateKeyPath": "~/.ssh/id_ed25519",', '            "remotePath": "/htdocs"',
                     "        }", "    },", '    "defaultProfile": "staging"', "}"]
        else:
            lines = ["{", f'    "host": "{_host()}",', '    "protocol": "sftp",', '    "username": "ci",',
                     '    "privateKeyPath": "/home/ci/.ssh/id_rsa",', f'    "passphrase": "{pw}",',
                     '    "remotePath": "/opt/app",', '    "uploadOnSave": false', "}"]
        out.append(_case("VS Code SFTP", ".vscode/sftp.json", lines, pw))
    return out


def _atom_cases():
    out = []
    for i in range(4):
        pw = _pw(R.randint(9, 18))
        proto = R.choice(["ftp", "sftp"])
        lines = ["{", f'    "protocol": "{proto}",', f'    "host": "{_host()}",',
                 f'    "port": {21 if proto == "ftp" else 22},', f'    "user": "{_user()}",',
                 f'    "pass": "{pw}",', '    "promptForPass": false,', '    "remote": "/",',
                 '    "connTimeout": 10000,', '    "keepalive": 10000,', '    "watch": [],',
                 '    "watchTimeout": 500', "}"]
        out.append(_case("Atom Remote-FTP", ".ftpconfig", lines, pw))
    for i in range(4):
        pw = _pw()
        transport = R.choice(["scp", "ftp"])
        key = "passphrase" if i == 3 else "password"
        lines = ["{", f'  "transport": "{transport}",', f'  "hostname": "{_host()}",',
                 f'  "port": {22 if transport == "scp" else 21},', f'  "username": "{_user()}",']
        if key == "passphrase":
            lines.append('  "keyfile": "/home/dev/.ssh/deploy.pem",')
        lines += [f'  "{key}": "{pw}",', f'  "target": "/home/web/{rand(string.ascii_lowercase, 5)}",',
                  '  "ignore": [', '    ".remote-sync.json",', '    ".git/**"', "  ]", "}"]
        out.append(_case("Atom remote-sync", ".remote-sync.json", lines, pw))
    return out


# -- mail clients --------------------------------------------------------------

def _mail_cases():
    out = []
    for i in range(4):
        pw = _pw()
        dom = rand(string.ascii_lowercase, 6) + ".com"
        lines = ["# Set default values for all following accounts.", "defaults", "auth           on",
                 "tls            on", "tls_trust_file /etc/ssl/certs/ca-certificates.crt",
                 "logfile        ~/.msmtp.log", "", f"account        {rand(string.ascii_lowercase, 5)}",
                 f"host           smtp.{dom}", "port           587", f"from           me@{dom}",
                 f"user           me@{dom}",
                 f"password       {pw}" if i % 2 == 0 else f'password       "{pw}"', "",
                 f"account default : {rand(string.ascii_lowercase, 5)}"]
        # the default account line names the one above
        lines[-1] = "account default : " + lines[7].split()[1]
        out.append(_case("msmtp", R.choice([".msmtprc", "dotfiles/msmtprc"]), lines, pw))
    for i in range(3):
        pw = _pw()
        dom = rand(string.ascii_lowercase, 6) + ".net"
        if i == 0:
            lines = [f"identity me@{dom}", f"        hostname smtp.{dom}:587", f'        username "me@{dom}"',
                     f'        password "{pw}"', "        starttls required", "",
                     "mda \"/usr/bin/procmail -d %T\""]
        else:
            lines = ["# esmtp configuration", f"hostname = smtp.{dom}:{R.choice([587, 465])}",
                     f'username = "me@{dom}"', f'password = "{pw}"', "starttls = enabled"]
        out.append(_case("esmtp", ".esmtprc", lines, pw))
    for i in range(5):
        pw = _pw()
        dom = rand(string.ascii_lowercase, 6) + ".com"
        if i < 3:
            key = R.choice(["imap_pass", "smtp_pass", "pop_pass"])
            lines = ["# ~/.muttrc", f'set realname = "{rand(string.ascii_lowercase, 5).title()}"',
                     f'set from = "me@{dom}"', f'set imap_user = "me@{dom}"',
                     f'set {key} = "{pw}"', f'set folder = "imaps://imap.{dom}:993"',
                     'set spoolfile = "+INBOX"', 'set header_cache = ~/.cache/mutt', "set sort = threads"]
        else:
            pw = rand(ALNUM, R.randint(10, 18))
            lines = ["# account file", f'set from = "me@{dom}"',
                     f'set smtp_url = "smtps://me:{pw}@smtp.{dom}:465/"', "set ssl_force_tls = yes",
                     'set record = "+Sent"']
        out.append(_case("Mutt", R.choice([".muttrc", ".mutt/muttrc", "mutt/accounts/work"]), lines, pw))
    return out


# -- game and voice servers ----------------------------------------------------

def _server_cases():
    out = []
    for _ in range(4):
        pw = _pw()
        props = ["spawn-protection=16", "max-tick-time=60000", "query.port=25565",
                 "generator-settings=", "force-gamemode=false", "allow-nether=true",
                 "gamemode=survival", "enable-query=false", "player-idle-timeout=0",
                 "difficulty=easy", "spawn-monsters=true", "op-permission-level=4", "pvp=true",
                 "level-type=minecraft\\:normal", "hardcore=false", "enable-command-block=false",
                 "max-players=20", "rcon.port=25575", "server-port=25565", "server-ip=",
                 "spawn-npcs=true", "allow-flight=false", "level-name=world", "view-distance=10",
                 "white-list=false", "online-mode=true", "enable-rcon=true", "motd=A Minecraft Server"]
        R.shuffle(props)
        props.insert(R.randint(0, len(props)), f"rcon.password={pw}")
        lines = ["#Minecraft server properties", f"#{R.choice(['Mon', 'Tue', 'Sat'])} Mar 0{R.randint(1, 9)} 12:00:00 UTC 2024"] + props
        out.append(_case("Minecraft", "server.properties", lines, pw))
    for i in range(4):
        pw = _pw()
        if i < 3:
            lines = ["// " + "*" * 40, "// server.cfg", "// " + "*" * 40, "",
                     f'hostname "{rand(string.ascii_letters, 8)} | Public"',
                     f'rcon_password "{pw}"' if i % 2 == 0 else f"rcon_password {pw}",
                     'sv_password ""', "sv_cheats 0", "sv_lan 0", "mp_timelimit 30",
                     "mp_friendlyfire 0", "log on", "sv_logbans 1", "exec banned_user.cfg"]
        else:
            lines = ["#!/bin/sh", "cd /home/steam/csgo",
                     f'./srcds_run -game csgo -console -usercon +game_type 0 +map de_dust2 +maxplayers 16 +rcon_password "{pw}" +exec server.cfg']
        out.append(_case("Source engine", R.choice(["cfg/server.cfg", "csgo/cfg/server.cfg"]) if i < 3 else "start.sh", lines, pw))
    for i in range(4):
        pw = _pw(R.randint(12, 30))
        key = ["serverpassword", "icesecretwrite", "dbPassword", "icesecretread"][i]
        lines = ["; Murmur configuration file.", ";", "; General notes:",
                 "database=/var/lib/mumble-server/mumble-server.sqlite", "",
                 "dbus=system", 'ice="tcp -h 127.0.0.1 -p 6502"']
        if key.startswith("ice"):
            lines.append(f"{key}={pw}")
        else:
            lines.append("icesecretwrite=")
        lines += ["logfile=/var/log/mumble-server/mumble-server.log",
                  "pidfile=/run/mumble-server/mumble-server.pid",
                  'welcometext="<br />Welcome to this server running <b>Murmur</b>.<br />"',
                  "port=64738"]
        if key == "serverpassword":
            lines.append(f"serverpassword={pw}")
        else:
            lines.append("serverpassword=")
        if key == "dbPassword":
            lines += ["dbDriver=QMYSQL", "dbUsername=murmur", f'dbPassword="{pw}"', "dbHost=127.0.0.1"]
        lines += ["bandwidth=72000", "users=100", "opusthreshold=100", "allowping=true"]
        out.append(_case("Mumble", R.choice(["murmur.ini", "mumble-server.ini"]), lines, pw))
    return out


def positives():
    return (_filezilla_cases() + _winscp_cases() + _dbeaver_cases() + _robo3t_cases()
            + _sublime_cases() + _vscode_sftp_cases() + _atom_cases() + _mail_cases()
            + _server_cases())


def decoys():
    out = []
    placeholders = ["changeme", "<password>", "${FTP_PASSWORD}", "{{ ftp_password }}",
                    "%(FTP_PASS)s", "xxxxxxxx", "your_password", "PASSWORD_HERE", ""]
    for _ in range(3):
        # FileZilla: no saved password (ask / key file), master-password crypt
        out.append(("FileZilla/sitemanager.xml", "\n".join(_filezilla(None)) + "\n"))
        out.append(("FileZilla/sitemanager.xml",
                    "\n".join(_filezilla(f'<Pass encoding="crypt" pubkey="{rand(ALNUM, 64)}">{rand(B64, 48)}</Pass>')) + "\n"))
        out.append(("sitemanager.xml", "\n".join(_filezilla(f"<Pass>{R.choice(placeholders)}</Pass>")) + "\n"))
        # WinSCP: sessions without passwords, a master password setting
        out.append(("WinSCP.ini", "[Configuration\\Security]\nUseMasterPassword=1\nMasterPasswordVerifier="
                    f"{rand('0123456789ABCDEF', 12)}\n\n[Sessions\\prod]\nHostName={_host()}\n"
                    f"UserName={_user()}\nPublicKeyFile=C:%5Ckeys%5Cprod.ppk\nFSProtocol=2\n"))
        # an INI file with Password= outside WinSCP's Sessions
        out.append(("config.ini", f"[database]\nHostName=db.local\nUserName=app\nPassword={rand(HEX, 12)}\n"))
        # DBeaver after the first connection: user in the file, password encrypted
        out.append(("data-sources.json", '{\n\t"folders": {},\n\t"connections": {\n\t\t"postgres-jdbc-1": {\n'
                    '\t\t\t"provider": "postgresql",\n\t\t\t"driver": "postgres-jdbc",\n\t\t\t"save-password": true,\n'
                    '\t\t\t"configuration": {\n\t\t\t\t"host": "localhost",\n\t\t\t\t"port": "5432",\n'
                    '\t\t\t\t"auth-model": "native"\n\t\t\t}\n\t\t}\n\t}\n}\n'))
        out.append(("data-sources.json", '{"connections": {"pg": {"save-password": true, "configuration": '
                    f'{{"host": "localhost", "user": "postgres", "password": "{R.choice(placeholders)}"}}}}}}}}\n'))
        # Robo 3T with credentials off
        out.append(("robo3t.json", '{\n  "connections": [\n    {\n      "connectionName": "local",\n'
                    '      "credentials": [{"databaseName": "admin", "enabled": false, "userName": "", "userPassword": ""}],\n'
                    '      "serverHost": "localhost",\n      "serverPort": 27017\n    }\n  ]\n}\n'))
        # Sublime SFTP: the generated template, password commented out
        out.append(("sftp-config.json", '{\n    "type": "sftp",\n    "upload_on_save": false,\n'
                    f'    "host": "{_host()}",\n    "user": "{_user()}",\n    //"password": "password",\n'
                    '    //"port": "22",\n    "remote_path": "/example/path/",\n'
                    '    //"ssh_key_file": "~/.ssh/id_rsa",\n}\n'))
        out.append(("sftp-config.json", '{\n    "type": "ftp",\n    "upload_on_save": true,\n    "host": "DOMAIN_HERE",\n'
                    f'    "user": "USER_HERE",\n    "password": "{R.choice(placeholders)}",\n    "remote_path": "/"\n}}\n'))
        # VS Code SFTP: key auth, prompting passphrase, empty template
        out.append((".vscode/sftp.json", '{\n    "name": "prod",\n    "host": "' + _host() + '",\n    "protocol": "sftp",\n'
                    '    "username": "deploy",\n    "privateKeyPath": "~/.ssh/id_ed25519",\n    "passphrase": true,\n'
                    '    "remotePath": "/srv/www",\n    "uploadOnSave": true\n}\n'))
        out.append((".vscode/sftp.json", '{"name": "SERVER", "host": "", "username": "", "password": "", '
                    '"remotePath": "", "uploadOnSave": true, "protocol": "ftp"}\n'))
        # Atom: prompting for the password; the README defaults
        out.append((".ftpconfig", '{\n    "protocol": "ftp",\n    "host": "' + _host() + '",\n    "port": 21,\n'
                    '    "user": "' + _user() + '",\n    "pass": "",\n    "promptForPass": true,\n    "remote": "/"\n}\n'))
        out.append((".ftpconfig", '{\n    "protocol": "sftp",\n    "host": "example.com",\n    "port": 22,\n'
                    '    "user": "user",\n    "pass": "pass",\n    "promptForPass": false,\n    "remote": "/"\n}\n'))
        out.append((".remote-sync.json", '{\n  "transport": "scp",\n  "hostname": "10.10.10.10",\n  "port": 22,\n'
                    '  "username": "vagrant",\n  "useAgent": true,\n  "target": "/home/vagrant/app",\n'
                    '  "ignore": [".git/**"]\n}\n'))
        # msmtp with passwordeval / keyring; a .netrc-like file
        out.append((".msmtprc", "defaults\nauth on\ntls on\n\naccount gmail\nhost smtp.gmail.com\nport 587\n"
                    "from me@gmail.com\nuser me@gmail.com\n"
                    "passwordeval \"gpg --quiet --for-your-eyes-only --no-tty --decrypt ~/.msmtp-gmail.gpg\"\n\n"
                    "account default : gmail\n"))
        out.append((".msmtprc", "account default\nhost smtp.acme.com\nuser ops\npassword "
                    + R.choice(["changeme", "${SMTP_PASSWORD}", "<password>"]) + "\n"))
        out.append((".esmtprc", "hostname = smtp.gmail.com:587\nusername = \"me@gmail.com\"\nstarttls = required\n"))
        out.append(("settings.ini", f"[db]\nhostname = db.internal\nusername = app\npassword = {rand(ALNUM, 10)}\n"))
        # Mutt reading the password from a command or a variable
        out.append((".muttrc", 'set imap_user = "me@gmail.com"\nset imap_pass = "`pass show mail/gmail`"\n'
                    'set smtp_url = "smtps://me@smtp.gmail.com:465/"\nset smtp_pass = $imap_pass\n'))
        # Minecraft: RCON off, empty; the image's env reference
        out.append(("server.properties", "#Minecraft server properties\nenable-rcon=false\nrcon.port=25575\n"
                    "rcon.password=\nserver-port=25565\nlevel-name=world\n"))
        out.append(("server.properties", "enable-rcon=true\nrcon.password=${RCON_PASSWORD}\nserver-port=25565\n"))
        # Source engine: no rcon password, placeholder
        out.append(("cfg/server.cfg", 'hostname "My Server"\nrcon_password ""\nsv_password ""\nsv_cheats 0\n'))
        out.append(("cfg/server.cfg", 'hostname "My Server"\nrcon_password "' + R.choice(["changeme", "<password>", "yourpassword"])
                    + '"\nsv_cheats 0\n'))
        # other tools' files with the same key names
        out.append(("deploy.json", '{"remotePath": "/var/www", "host": "web1", "user": "ci", "password": "'
                    + rand(ALNUM, 10) + '"}\n'))
        out.append(("app.json", '{"serverHost": "api.acme.io", "serverPort": 443, "passphrase": "'
                    + rand(ALNUM, 10) + '"}\n'))
        out.append(("pgbouncer.conf", "[databases]\nhost localhost\nuser app\npassword " + rand(ALNUM, 10) + "\n"))
        out.append((".netrc", f"machine {_host()}\n  login {_user()}\n  account web\n"))
        # Mumble: the shipped defaults (commented, empty)
        out.append(("mumble-server.ini", "; Murmur configuration file.\ndatabase=\n#dbDriver=QMYSQL\n#dbUsername=\n"
                    "#dbPassword=\nice=\"tcp -h 127.0.0.1 -p 6502\"\nicesecretwrite=\nwelcometext=\"Welcome\"\n"
                    "port=64738\nserverpassword=\nbandwidth=72000\nusers=100\n"))
    return out
