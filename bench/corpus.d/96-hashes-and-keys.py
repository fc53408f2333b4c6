# Password hashes and key files (rules/96-hashes-and-keys.toml): legacy crypt
# schemes in shadow and passwd-format files, crypt hashes in SQL dumps,
# phpass / Django / Werkzeug / Argon2 hashes, MySQL and PostgreSQL account
# hashes, PuTTY and ssh.com private keys, Firefox logins.json.
#
# Run by bench/corpus.py with its helpers in scope (rand, ALNUM, HEX, B64, R,
# string, base64). Every hash and key body is generated at run time in the
# documented alphabet and length; nothing here is a literal hash or key.
# One secret per case: the other accounts in a file are locked (`*`, `!`),
# empty, or system accounts.

CRYPT = "./" + string.digits + string.ascii_uppercase + string.ascii_lowercase
UHEX = "0123456789ABCDEF"


def _c(n):
    return rand(CRYPT, n)


def _des():
    return _c(13)


def _legacy():
    return R.choice([
        lambda: _c(13),
        lambda: "_" + _c(19),
        lambda: f"$gy$j9T${_c(22)}${_c(43)}",
        lambda: f"$7$CU..../....{_c(16)}${_c(43)}",
        lambda: f"$sha1${R.randint(20000, 40000)}${_c(8)}${_c(28)}",
        lambda: f"$md5,rounds=5000${_c(8)}$${_c(22)}",
        lambda: f"$3$${rand(HEX, 32)}",
    ])()


def _bcrypt():
    return f"$2{R.choice('aby')}${R.choice(['10', '12'])}${_c(53)}"


def _sha512():
    return f"$6${_c(16)}${_c(86)}"


def _b64(n):
    return rand(B64, n)


def _shadow(hash_line_user, h):
    days = R.randint(17000, 20000)
    lines = [f"root:*:{days}:0:99999:7:::", f"daemon:*:{days}:0:99999:7:::",
             f"bin:*:{days}:0:99999:7:::", f"sshd:!:{days}::::::",
             f"{hash_line_user}:{h}:{days}:0:99999:7:::", f"nobody:!!:{days}::::::"]
    return "\n".join(lines) + "\n", 5


def _ppk(encrypted, version):
    alg, pub_lines, priv_lines = R.choice([
        ("ssh-rsa", 6, 14), ("ssh-ed25519", 2, 1), ("ecdsa-sha2-nistp256", 3, 1)])
    head = [f"PuTTY-User-Key-File-{version}: {alg}",
            "Encryption: " + ("aes256-cbc" if encrypted else "none"),
            f"Comment: {R.choice(['rsa-key', 'eddsa-key', 'ecdsa-key'])}-2024{R.randint(1000, 1231)}",
            f"Public-Lines: {pub_lines}"]
    head += ["AAAA" + _b64(60)] + [_b64(64) for _ in range(pub_lines - 2)] + [_b64(R.randint(8, 40))]
    if encrypted and version == 3:
        head += ["Key-Derivation: Argon2id", "Argon2-Memory: 8192", "Argon2-Passes: 13",
                 "Argon2-Parallelism: 1", f"Argon2-Salt: {rand(HEX, 32)}"]
    head += [f"Private-Lines: {priv_lines}"] + [_b64(64) for _ in range(priv_lines)]
    head += [f"Private-MAC: {rand(HEX, 40 if version == 2 else 64)}"]
    return head


def _sshcom():
    body = "P2/56w" + _b64(58)
    lines = ["---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----", "Subject: deploy",
             f"Comment: \"2048-bit rsa, deploy@build{R.randint(1, 9)}, Mon Jan 01 2024\"", body]
    lines += [_b64(64) for _ in range(R.randint(6, 14))]
    lines += [_b64(R.randint(10, 60)) + "==", "---- END SSH2 ENCRYPTED PRIVATE KEY ----"]
    return lines


def _ffx():
    return "MDoEEPgAAAAAAAAAAAAAAAAAAAEwFAYIKoZIhvcNAwcECA" + _b64(R.choice([32, 48]))


def positives():
    out = []
    for i in range(6):
        # /etc/shadow with one legacy-scheme hash among locked accounts
        text, line = _shadow(R.choice(["ops", "deploy", "admin", "backup"]), _legacy())
        out.append(("Linux shadow", "etc/shadow", text, line))
        # a rootfs overlay's shadow with a DES hash
        text, line = _shadow("root2", _des())
        out.append(("Linux shadow", "rootfs/etc/shadow", text, line))
        # ProFTPD AuthUserFile written by ftpasswd, DES crypt
        out.append(("passwd file", "ftpd.passwd",
                    "ftpuser:x:2000:2000:locked:/srv/ftp:/bin/false\n"
                    f"web{i}:{_des()}:2001:2001:Website upload:/var/www/site{i}:/bin/false\n", 2))
        # BSD master.passwd
        out.append(("passwd file", "etc/master.passwd",
                    "# $FreeBSD$\n#\nroot:*:0:0::0:0:Charlie &:/root:/bin/csh\n"
                    f"toor:{R.choice([_des(), '_' + _c(19)])}:0:0::0:0:Bourne-again Superuser:/root:\n"
                    "daemon:*:1:1::0:0:Owner of many system processes:/root:/usr/sbin/nologin\n", 4))
        # Pure-FTPd
        out.append(("passwd file", "pureftpd.passwd",
                    f"joe{i}:{_des()}:500:101::/home/ftpusers/joe{i}/./::::::::::::\n", 1))
        # mysqldump of an application's users table
        out.append(("SQL dump", "dump.sql",
                    "-- MySQL dump 10.13  Distrib 8.0.36\n--\n-- Table structure for table `users`\n--\n\n"
                    "DROP TABLE IF EXISTS `users`;\nCREATE TABLE `users` (\n  `id` int NOT NULL AUTO_INCREMENT,\n"
                    "  `email` varchar(255) NOT NULL,\n  `password` varchar(255) NOT NULL,\n  PRIMARY KEY (`id`)\n);\n\n"
                    "LOCK TABLES `users` WRITE;\n"
                    f"INSERT INTO `users` VALUES (1,'admin@acme.io','{_bcrypt()}');\n"
                    "UNLOCK TABLES;\n", 15))
        # pg_dump COPY rows: one hashed user, one without a password
        out.append(("SQL dump", "backup/db.sql",
                    "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n\n"
                    "COPY public.users (id, email, encrypted_password, created_at) FROM stdin;\n"
                    f"1\tjane@acme.io\t{R.choice([_bcrypt(), _sha512()])}\t2024-01-02 10:00:00\n"
                    "2\tbot@acme.io\t\t2024-01-03 11:00:00\n\\.\n", 8))
        # seed file with a multi-line INSERT
        out.append(("SQL dump", "seed.sql",
                    "INSERT INTO accounts (id, login, password_hash, role)\nVALUES\n"
                    f"  (1, 'root', '$5${_c(16)}${_c(43)}', 'admin');\n", 3))
        # WordPress export
        out.append(("WordPress", "wp_backup.sql",
                    "/*!40101 SET NAMES utf8mb4 */;\n"
                    "INSERT INTO `wp_users` (`ID`, `user_login`, `user_pass`, `user_nicename`, `user_email`) VALUES\n"
                    f"(1, 'admin', '$P$B{_c(30)}', 'admin', 'admin@example.com');\n", 3))
        out.append(("WordPress", "phpbb.sql",
                    "INSERT INTO phpbb_users (user_id, username, user_password, user_email) VALUES "
                    f"(2, 'Admin', '$H$9{_c(30)}', 'admin@forum.example');\n", 1))
        # Django dumpdata fixture
        out.append(("Django", "fixtures/users.json",
                    "[\n  {\n    \"model\": \"auth.user\",\n    \"pk\": 1,\n    \"fields\": {\n"
                    f"      \"password\": \"pbkdf2_sha256$870000${rand(ALNUM, 22)}${_b64(43)}=\",\n"
                    "      \"last_login\": null,\n      \"is_superuser\": true,\n      \"username\": \"admin\"\n"
                    "    }\n  }\n]\n", 6))
        out.append(("Django", "fixtures/staff.yaml",
                    "- model: auth.user\n  pk: 3\n  fields:\n"
                    f"    password: pbkdf2_sha256$600000${rand(ALNUM, 22)}${_b64(43)}=\n"
                    "    username: staff\n    is_staff: true\n", 4))
        # Werkzeug / Flask seed
        out.append(("Werkzeug", "instance/seed.sql",
                    "CREATE TABLE user (id INTEGER PRIMARY KEY, username TEXT UNIQUE, password TEXT);\n"
                    f"INSERT INTO user VALUES(1,'admin','scrypt:32768:8:1${rand(ALNUM, 16)}${rand(HEX, 128)}');\n", 2))
        out.append(("Werkzeug", "config.yml",
                    "auth:\n  users:\n    - username: ops\n"
                    f"      password_hash: \"pbkdf2:sha256:600000${rand(ALNUM, 16)}${rand(HEX, 64)}\"\n", 4))
        # Argon2 in Authelia's users database
        out.append(("Password hash", "users_database.yml",
                    "users:\n  alice:\n    disabled: false\n    displayname: \"Alice\"\n"
                    f"    password: \"$argon2id$v=19$m=65536,t=3,p=4${_b64(22)}${_b64(43)}\"\n"
                    "    email: alice@example.com\n", 5))
        # MySQL account hashes
        out.append(("MySQL", "users.sql",
                    "-- mysqldump --all-databases\nUSE `mysql`;\n"
                    f"CREATE USER 'app'@'%' IDENTIFIED WITH 'mysql_native_password' AS '*{rand(UHEX, 40)}' REQUIRE NONE;\n"
                    "GRANT SELECT, INSERT ON `app`.* TO 'app'@'%';\n", 3))
        out.append(("MySQL", "mysql-user.sql",
                    "LOCK TABLES `user` WRITE;\n"
                    "INSERT INTO `user` VALUES ('localhost','root','Y','Y','Y','Y','','','','',0,0,0,0,"
                    f"'mysql_native_password','*{rand(UHEX, 40)}','N','2024-01-01 00:00:00',NULL,'N');\n"
                    "UNLOCK TABLES;\n", 2))
        # PostgreSQL pg_dumpall globals and pgbouncer userlist
        out.append(("PostgreSQL", "globals.sql",
                    "--\n-- Roles\n--\n\nCREATE ROLE app;\n"
                    "ALTER ROLE app WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS "
                    f"PASSWORD 'SCRAM-SHA-256$4096:{_b64(22)}==${_b64(43)}=:{_b64(43)}=';\n", 6))
        out.append(("PostgreSQL", "pgbouncer/userlist.txt",
                    f"\"app\" \"md5{rand(HEX, 32)}\"\n\"admin\" \"\"\n", 1))
        # PuTTY keys
        lines = _ppk(False, R.choice([2, 3]))
        out.append(("PuTTY", "keys/deploy.ppk", "\n".join(lines) + "\n", 1))
        lines = _ppk(True, R.choice([2, 3]))
        out.append(("PuTTY", "id_rsa.ppk", "\r\n".join(lines) + "\r\n", 1))
        # ssh.com key
        out.append(("ssh.com (Tectia)", ".ssh2/id_rsa_2048_a", "\n".join(_sshcom()) + "\n", 1))
        # Firefox logins.json, one line as Firefox writes it
        out.append(("Firefox", "profile/logins.json",
                    "{\"nextId\":3,\"logins\":[{\"id\":1,\"hostname\":\"https://git.acme.io\",\"httpRealm\":null,"
                    "\"formSubmitURL\":\"https://git.acme.io\",\"usernameField\":\"login\",\"passwordField\":\"password\","
                    f"\"encryptedUsername\":\"{_ffx()}\",\"encryptedPassword\":\"{_ffx()}\","
                    "\"guid\":\"{" + uuid4() + "}\",\"encType\":1,\"timeCreated\":1700000000000,"
                    "\"timeLastUsed\":1700000000000,\"timePasswordChanged\":1700000000000,\"timesUsed\":1},"
                    "{\"id\":2,\"hostname\":\"https://mail.acme.io\",\"httpRealm\":null,\"formSubmitURL\":\"\","
                    f"\"usernameField\":\"u\",\"passwordField\":\"p\",\"encryptedUsername\":\"{_ffx()}\","
                    f"\"encryptedPassword\":\"{_ffx()}\",\"guid\":\"{{{uuid4()}}}\",\"encType\":1,"
                    "\"timeCreated\":1700000000000,\"timeLastUsed\":1700000000000,"
                    "\"timePasswordChanged\":1700000000000,\"timesUsed\":4}],"
                    "\"potentiallyVulnerablePasswords\":[],\"dismissedBreachAlertsByLoginGUID\":{},\"version\":3}\n", 1))
    return out


def decoys():
    out = []
    for i in range(5):
        d = R.randint(17000, 20000)
        # a shadow file with every account locked or passwordless
        out.append(("etc/shadow", f"root:*:{d}:0:99999:7:::\nubuntu:!:{d}:0:99999:7:::\n"
                    f"ops:!!:{d}::::::\nguest::{d}:0:99999:7:::\nsvc:*LK*:::::::\n"))
        # /etc/passwd: `x` means the hash is in shadow
        out.append(("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
                    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                    "nobody:*:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"))
        # SQL dumps without hashes, or with placeholders
        out.append(("schema.sql", "CREATE TABLE users (id serial, email text, password_hash text);\n"
                    "INSERT INTO users (id, email, password_hash) VALUES (1, 'dev@example.com', '');\n"
                    "INSERT INTO users VALUES (2, 'x@example.com', '$2y$10$...');\n"))
        out.append(("globals.sql", "CREATE ROLE app;\nALTER ROLE app WITH LOGIN;\n"
                    "-- ALTER ROLE app PASSWORD 'SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>';\n"))
        out.append(("mysql-user.sql", "INSERT INTO `user` VALUES ('localhost','mysql.sys','N','N','','','','',0,0,0,0,"
                    "'mysql_native_password','*THISISNOTAVALIDPASSWORDTHATCANBEUSEDHERE','N');\n"))
        # commit hashes and checksums shaped like 40 hex
        out.append(("txt", f"*{rand(UHEX, 40)} marks the release commit\n"))
        # public keys only
        out.append(("id_ed25519.pub", f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{_b64(43)} ops@build\n"))
        out.append(("key.pub", "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"rsa-key-20240101\"\n"
                    f"AAAAB3NzaC1yc2EAAAABJQAAAQEA{_b64(36)}\n{_b64(64)}\n{_b64(64)}\n---- END SSH2 PUBLIC KEY ----\n"))
        # a PPK placeholder in documentation
        out.append(("md", "Your key file looks like this:\n\n```\nPuTTY-User-Key-File-3: ssh-ed25519\n"
                    "Encryption: none\nComment: eddsa-key\nPublic-Lines: 2\n...\nPrivate-Lines: 1\n...\n"
                    "Private-MAC: ...\n```\n"))
        # an empty Firefox profile and code that handles logins
        out.append(("profile/logins.json", "{\"nextId\":1,\"logins\":[],\"potentiallyVulnerablePasswords\":[],"
                    "\"dismissedBreachAlertsByLoginGUID\":{},\"version\":3}\n"))
        out.append(("js", "const login = { hostname, encryptedUsername: await enc(u), encryptedPassword: await enc(p) };\n"))
        # Django settings naming hashers, no hash
        out.append(("py", "PASSWORD_HASHERS = [\n    'django.contrib.auth.hashers.PBKDF2PasswordHasher',\n"
                    "    'django.contrib.auth.hashers.ScryptPasswordHasher',\n]\n"))
        # pg_hba.conf naming methods
        out.append(("pg_hba.conf", "host all all 10.0.0.0/8 scram-sha-256\nhost all all 0.0.0.0/0 md5\n"))
        # a colon-separated line that is not a passwd entry
        out.append(("txt", f"build:{rand(ALNUM, 13)}:ok\n"))
    return out
