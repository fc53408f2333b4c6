# Files known by their name (rules/97-files-by-name.toml): each case is the
# tool's own file, written at its name, with one credential (and OpenVPN keys,
# which their markers name anywhere); decoys are the
# same files with nothing to report, and the same contents under other names.


def positives():
    out = []
    for i in range(4):
        key = rand(HEX, 32)
        name = R.choice(["config/master.key", "config/credentials/production.key",
                         "app/config/master.key"])
        out.append(("Ruby on Rails", name, key + ("\n" if i % 2 else ""), 1))
    for i in range(4):
        tok = R.choice("sbr") + "." + rand(ALNUM, 24)
        out.append(("HashiCorp Vault", R.choice([".vault-token", "home/ci/.vault-token"]), tok + "\n", 1))
    for i in range(4):
        port = R.choice(["15432", "6543", "25060", "*"])
        lines = ["# hostname:port:database:username:password",
                 f"{R.choice(['db.internal', '10.1.2.3', 'pg.example.org'])}:{port}:"
                 f"{R.choice(['app', 'orders', '*'])}:{R.choice(['deploy', 'svc_ro'])}:{rand(ALNUM, 18)}"]
        out.append(("PostgreSQL", R.choice([".pgpass", "home/dev/.pgpass", "postgresql/pgpass.conf"]),
                    "\n".join(lines) + "\n", 2))
    for i in range(4):
        des = rand("./" + ALNUM, 13)
        out.append(("Apache htpasswd", R.choice([".htpasswd", "public/.htpasswd", "conf/htpasswd"]),
                    f"{R.choice(['admin', 'editor', 'ops'])}:{des}\n", 1))
    # Whole files known by name (their contents are binary in life; any
    # bytes stand for them here).
    for provider, name in [("Java keystore", "signing/release.jks"), ("Java keystore", "app/upload.keystore"),
                           ("PKCS #12", "certs/server.pfx"), ("PKCS #12", "ios/dist.p12"),
                           ("KeePass", "ops/team.kdbx"), ("Firefox", "fixtures/profile/key4.db"),
                           ("Chrome", "fixtures/Default/Login Data")]:
        out.append((provider, name, rand(ALNUM, 48) + "\n", 1))
    # OpenVPN keys: a ta.key, and inline in a client profile.
    for i in range(4):
        body = "\n".join(rand(HEX, 32) for _ in range(16))
        block = f"-----BEGIN OpenVPN Static key V1-----\n{body}\n-----END OpenVPN Static key V1-----\n"
        if i % 2:
            out.append(("OpenVPN", "vpn/ta.key", "#\n# 2048 bit OpenVPN static key\n#\n" + block, 4))
        else:
            head = "client\ndev tun\nremote vpn.example.org 1194\nkey-direction 1\n<tls-auth>\n"
            out.append(("OpenVPN", "profiles/office.ovpn", head + block + "</tls-auth>\n", 6))
    return out


def decoys():
    return [
        # The same shapes where no tool reads them.
        ("notes/master.key.txt", rand(HEX, 32) + "\n"),
        ("README.md", "Put your key in config/master.key:\n\n    " + "0" * 32 + "\n"),
        ("vault-token.txt", "s." + rand(ALNUM, 24) + "\n"),
        ("data/hosts.txt", "db.internal:15432:app:deploy:" + rand(ALNUM, 18) + "\n"),
        ("users.txt", "admin:" + rand("./" + ALNUM, 13) + "\n"),
        # The tools' files with nothing to report.
        ("config/master.key", "\n"),
        (".pgpass", "# hostname:port:database:username:password\n*:*:*:*:\n"),
        (".htpasswd", "# no users yet\n"),
        # The Android debug keystore project templates commit, and an empty
        # placeholder keystore.
        ("android/app/debug.keystore", rand(ALNUM, 48) + "\n"),
        ("signing/release.jks", ""),
    ]

