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
    # Whole files known by name and confirmed by their first bytes: each
    # format's signature, then random bytes standing for the rest.
    def body(n):
        return bytes(R.randrange(256) for _ in range(n))
    p12 = lambda: b"\x30\x82\x0a\x1c\x02\x01\x03" + body(300)
    for provider, name, head in [
            ("Java keystore", "signing/release.jks", lambda: b"\xfe\xed\xfe\xed\x00\x00\x00\x02" + body(300)),
            ("Java keystore", "app/upload.keystore", p12),
            ("Java keystore", "keys/legacy.jceks", lambda: b"\xce\xce\xce\xce\x00\x00\x00\x02" + body(200)),
            ("PKCS #12", "certs/server.pfx", p12), ("PKCS #12", "ios/dist.p12", p12),
            ("KeePass", "ops/team.kdbx", lambda: b"\x03\xd9\xa2\x9a\x67\xfb\x4b\xb5" + body(300)),
            ("Firefox", "fixtures/profile/key4.db", lambda: b"SQLite format 3\x00" + body(300)),
            ("Chrome", "fixtures/Default/Login Data", lambda: b"SQLite format 3\x00" + body(300))]:
        out.append((provider, name, head(), 1))
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
        ("android/app/debug.keystore", b"\xfe\xed\xfe\xed\x00\x00\x00\x02" + bytes(range(200))),
        ("signing/release.jks", ""),
        # Names without the formats: a text note, a Git LFS pointer (the
        # bytes are not in the repository), a ZIP named like a keystore.
        ("signing/upload.jks", "ask ops for the upload keystore\n"),
        ("certs/client.p12", "version https://git-lfs.github.com/spec/v1\noid sha256:" + rand(HEX, 64) + "\nsize 2413\n"),
        ("ops/team.kdbx", b"PK\x03\x04" + bytes(range(100))),
    ]

