//! `leakgate scan --image` on real images: built with umoci, converted with
//! skopeo (see `image_world`), keys generated at run time, scanned by the
//! real binary as a docker save tarball, an OCI layout and an OCI archive.

use std::io::Read as _;
use std::path::Path;

use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::common::{env_line, key, Sandbox};
use crate::image_world::{layer_digests_of, manifest_of, short, ImageWorld};

/// The JSON report's findings as (path, line), sorted.
fn places(doc: &Value) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (place(f), f["line"].as_u64().unwrap()))
        .collect();
    v.sort();
    v
}

/// A finding's place as the human report shows it (`IMAGE@sha256:<12
/// hex>:/path`, `IMAGE:config:Env[2]`), from the JSON's `image`, `layer`
/// and `path`.
fn place(f: &Value) -> String {
    let image = f["image"]
        .as_str()
        .expect("an image finding names its image");
    let path = f["path"].as_str().unwrap();
    match f["layer"]["digest"].as_str() {
        Some(d) => format!("{image}@{}:{path}", d.get(..7 + 12).unwrap_or(d)),
        None => format!("{image}:{path}"),
    }
}

fn json_scan(sb: &Sandbox, image: &str) -> Value {
    let run = sb
        .leakgate(
            sb.dir.path(),
            &["scan", "--format", "json", "--image", image],
        )
        .expect_found("scan --image");
    serde_json::from_str(&run.stdout).expect("a JSON report")
}

/// Findings in files a later layer deletes, as the human report marks
/// them, from the JSON's `layer.deleted_in` and `layer.index`.
fn deletion_notices(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| {
            let deleted = f["layer"]["deleted_in"].as_u64()?;
            Some(format!(
                "{}: deleted in layer {deleted}, still shipped in layer {} (anyone who pulls the image can read it)",
                place(f),
                f["layer"]["index"]
            ))
        })
        .collect()
}

fn sha256(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// Stores `layer` as layer `n` of the OCI layout's image with `media` as
/// its media type, and the manifest and index that name it, as a registry
/// client would after recompressing a layer (skopeo cannot write these:
/// several zstd frames, a media type no tool reads).
fn replace_layer(layout: &Path, n: usize, layer: &[u8], media: &str) -> String {
    let put = |bytes: &[u8]| {
        let d = sha256(bytes);
        let hex = d.strip_prefix("sha256:").unwrap();
        std::fs::write(layout.join("blobs/sha256").join(hex), bytes).unwrap();
        d
    };
    let mut manifest = manifest_of(layout);
    let digest = put(layer);
    manifest["layers"][n]["digest"] = digest.clone().into();
    manifest["layers"][n]["size"] = layer.len().into();
    manifest["layers"][n]["mediaType"] = media.into();
    let bytes = serde_json::to_vec(&manifest).unwrap();
    let m = put(&bytes);
    let index_path = layout.join("index.json");
    let mut index: Value = serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
    index["manifests"][0]["digest"] = m.into();
    index["manifests"][0]["size"] = bytes.len().into();
    std::fs::write(index_path, serde_json::to_vec(&index).unwrap()).unwrap();
    digest
}

/// The uncompressed tar of an OCI layout's gzip layer `n`, as umoci wrote it.
fn layer_tar(layout: &Path, n: usize) -> Vec<u8> {
    let digest = &layer_digests_of(layout)[n];
    let hex = digest.strip_prefix("sha256:").unwrap();
    let gz = std::fs::read(layout.join("blobs/sha256").join(hex)).unwrap();
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut tar)
        .unwrap();
    tar
}

/// Two zstd frames, as a compressor that flushes per chunk writes them.
fn zstd_frames(bytes: &[u8]) -> Vec<u8> {
    let (a, b) = bytes.split_at(bytes.len() / 2);
    let level = ruzstd::encoding::CompressionLevel::Fastest;
    let mut out = ruzstd::encoding::compress_to_vec(a, level);
    out.extend(ruzstd::encoding::compress_to_vec(b, level));
    out
}

fn tar(sb: &Sandbox, args: &[&str]) {
    sb.run(sb.dir.path(), "tar", args)
        .expect_ok(&format!("tar {}", args.join(" ")));
}

#[test]
fn docker_archive_finds_a_deleted_file_the_env_and_the_build_history() {
    let sb = Sandbox::new();
    let (in_file, in_env, in_arg) = (key(1), key(2), key(3));
    let mut w = ImageWorld::new(&sb, "oci");
    w.write("app/.env", env_line(&in_file))
        .write("app/main.py", "print('hello')\n")
        .layer("COPY . /app")
        .delete("app/.env")
        .layer("RUN rm /app/.env")
        .config(&[
            "--config.env=PATH=/usr/bin:/bin",
            "--config.env=LANG=C.UTF-8",
            &format!("--config.env={}", env_line(&in_env).trim_end()),
            "--config.cmd=python",
            "--config.cmd=main.py",
            &format!("--history.created_by=|1 MESSAGEBIRD_ACCESS_KEY={in_arg} /bin/sh -c make"),
        ]);
    let first = short(&w.diff_ids()[0]);
    let image = w.docker_archive("app.tar");
    let image = image.to_str().unwrap();

    let doc = json_scan(&sb, image);
    assert_eq!(
        places(&doc),
        vec![
            (format!("{image}:config:Env[2]"), 1),
            (format!("{image}:history[2]"), 1),
            (format!("{image}@{first}:/app/.env"), 1),
        ]
    );
    assert_eq!(
        deletion_notices(&doc),
        vec![format!(
            "{image}@{first}:/app/.env: deleted in layer 2, still shipped in layer 1 (anyone who pulls the image can read it)"
        )]
    );
    assert_eq!(
        doc["summary"]["files_scanned"].as_u64(),
        Some(2 + 3 + 1 + 3),
        "2 files, 3 Env, Cmd, 3 history entries: {}",
        doc["summary"]
    );

    // The human report: the same places, the deletion, the build's fix.
    let run = sb
        .leakgate(sb.dir.path(), &["scan", "--image", image])
        .expect_found("scan --image, human");
    assert!(
        run.stdout
            .contains(&format!("3 secrets in the image {image}")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("RUN --mount=type=secret")
            && run.stdout.contains("delete the old tags from the registry")
            && !run.stdout.contains("Delete the key from the file"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("deleted in layer 2, still shipped in layer 1"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!("{image}:config:Env[2]")),
        "{}",
        run.stdout
    );
}

#[test]
fn oci_layout_and_oci_archive_read_gzip_layers_once_per_digest() {
    let sb = Sandbox::new();
    let k = key(4);
    // Two tags share their first layer: it is one layer, scanned once.
    let mut w = ImageWorld::new(&sb, "layout");
    w.write("srv/config.env", env_line(&k))
        .layer("COPY config.env /srv/");
    let base = w.layer_digests();
    w.retag("app")
        .write("etc/hostname", "box\n")
        .layer("RUN hostname > /etc/hostname");
    assert_eq!(w.layer_digests()[0], base[0], "the tags share a layer");
    let secret_layer = short(&base[0]);

    let layout = w.dir.to_str().unwrap();
    let doc = json_scan(&sb, layout);
    assert_eq!(
        places(&doc),
        vec![(format!("{layout}@{secret_layer}:/srv/config.env"), 1)]
    );
    assert!(
        doc["notices"].to_string().contains("2 layers"),
        "{}",
        doc["notices"]
    );

    // The same image as an OCI archive (skopeo's oci-archive:, the form
    // `docker save` writes since 25).
    let archive = w.oci_archive("layout.tar");
    let archive = archive.to_str().unwrap();
    let doc = json_scan(&sb, archive);
    assert_eq!(
        places(&doc),
        vec![(format!("{archive}@{secret_layer}:/srv/config.env"), 1)]
    );
}

#[test]
fn a_clean_image_exits_0() {
    let sb = Sandbox::new();
    let mut w = ImageWorld::new(&sb, "oci");
    w.write("app/main.py", "print('hello')\n")
        .layer("COPY main.py /app/")
        .config(&["--config.env=PATH=/bin", "--config.cmd=python"]);
    w.docker_archive("clean.tar");
    let run = sb
        .leakgate(sb.dir.path(), &["scan", "--image", "clean.tar"])
        .expect_code(0, "scan --image of a clean image");
    assert!(
        run.stdout
            .contains("this scanned the image clean.tar: 1 layer"),
        "{}",
        run.stdout
    );
}

#[test]
fn bad_images_exit_2_naming_the_file_and_field() {
    let sb = Sandbox::new();
    let mut w = ImageWorld::new(&sb, "oci");
    w.write("a.txt", "a".repeat(64 << 10)).layer("COPY a.txt /");
    let good = w.docker_archive("good.tar");
    let layer = format!("{}.tar", w.diff_ids()[0].strip_prefix("sha256:").unwrap());

    std::fs::write(
        sb.path("garbage.tar"),
        b"this is not a tar archive at all, just text".repeat(20),
    )
    .unwrap();
    // Archives of the wrong things, made by tar from real files.
    std::fs::create_dir_all(sb.path("loose")).unwrap();
    std::fs::write(sb.path("loose/readme.txt"), "hi\n").unwrap();
    tar(
        &sb,
        &["-cf", "no-manifest.tar", "-C", "loose", "readme.txt"],
    );
    // The real archive less a layer, and with its manifest cut short.
    std::fs::copy(&good, sb.path("missing-layer.tar")).unwrap();
    tar(&sb, &["--delete", "-f", "missing-layer.tar", &layer]);
    std::fs::copy(&good, sb.path("bad-manifest.tar")).unwrap();
    tar(
        &sb,
        &["--delete", "-f", "bad-manifest.tar", "manifest.json"],
    );
    std::fs::write(sb.path("loose/manifest.json"), "[{\"Config\": \"c.json\"").unwrap();
    tar(
        &sb,
        &["-rf", "bad-manifest.tar", "-C", "loose", "manifest.json"],
    );

    let missing = format!("manifest.json: [0].Layers[0]: {layer:?} is not in the archive");
    let cases = [
        ("garbage.tar", "not a readable tar archive"),
        (
            "no-manifest.tar",
            "neither manifest.json (docker save) nor index.json",
        ),
        ("bad-manifest.tar", "manifest.json: not valid JSON"),
        ("missing-layer.tar", missing.as_str()),
    ];
    for (name, message) in cases {
        let run = sb
            .leakgate(sb.dir.path(), &["scan", "--image", name])
            .expect_code(2, name);
        assert!(
            run.stderr.contains(name) && run.stderr.contains(message),
            "{name}: expected {message:?}:\n{}",
            run.stderr
        );
    }

    // A layer whose gzip stream is cut short names the layer.
    let digest = &w.layer_digests()[0];
    let blob = w.dir.join("blobs/sha256").join(&digest[7..]);
    let len = std::fs::metadata(&blob).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&blob)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let run = sb
        .leakgate(sb.dir.path(), &["scan", "--image", "oci"])
        .expect_code(2, "a truncated layer");
    assert!(
        run.stderr.contains("oci: layer 1") && run.stderr.contains(digest.as_str()),
        "{}",
        run.stderr
    );
}

#[test]
fn zstd_layers_are_read_frame_after_frame_and_other_media_types_named() {
    let sb = Sandbox::new();
    let k = key(5);
    // Padding puts the key in the second half of the layer.
    let mut w = ImageWorld::new(&sb, "oci");
    w.write("opt/padding.txt", "# padding\n".repeat(2000))
        .layer("COPY padding.txt /opt/")
        .write("opt/app/.env", env_line(&k))
        .layer("COPY .env /opt/app/");

    // skopeo recompresses every layer as zstd.
    let z = w.zstd_layout("zstd");
    let digests = layer_digests_of(&z);
    assert!(
        manifest_of(&z).to_string().contains("tar+zstd"),
        "{}",
        manifest_of(&z)
    );
    let doc = json_scan(&sb, "zstd");
    assert_eq!(
        places(&doc),
        vec![(format!("zstd@{}:/opt/app/.env", short(&digests[1])), 1)]
    );

    // A layer of two zstd frames (skopeo writes one), the key in the second.
    let mut one = ImageWorld::new(&sb, "one");
    one.write("opt/padding.txt", "# padding\n".repeat(2000))
        .write("opt/app/.env", env_line(&k))
        .layer("COPY . /opt/");
    let two = zstd_frames(&layer_tar(&one.dir, 0));
    let media = "application/vnd.oci.image.layer.v1.tar+zstd";
    let d = replace_layer(&sb.path("one"), 0, &two, media);
    let doc = json_scan(&sb, "one");
    assert_eq!(
        places(&doc),
        vec![(format!("one@{}:/opt/app/.env", short(&d)), 1)]
    );

    // docker save names no media type: zstd is known by its first bytes.
    // Docker 25+ can store a zstd blob in a docker-archive; skopeo always
    // decompresses, so the layer member is swapped in with tar.
    let archive = w.docker_archive("zstd.tar");
    let unpacked = sb.path("zstd.d");
    std::fs::create_dir_all(&unpacked).unwrap();
    tar(&sb, &["-xf", archive.to_str().unwrap(), "-C", "zstd.d"]);
    let second = format!("{}.tar", &w.diff_ids()[1][7..]);
    let member = unpacked.join(&second);
    let plain = std::fs::read(&member).unwrap();
    std::fs::remove_file(&member).unwrap();
    std::fs::write(&member, zstd_frames(&plain)).unwrap();
    std::fs::remove_file(&archive).unwrap();
    tar(&sb, &["-cf", "zstd.tar", "-C", "zstd.d", "."]);
    let doc = json_scan(&sb, "zstd.tar");
    assert_eq!(
        places(&doc),
        vec![(
            format!("zstd.tar@{}:/opt/app/.env", short(&w.diff_ids()[1])),
            1
        )]
    );

    let bzip = "application/vnd.example.layer.v1.tar+bzip2";
    replace_layer(&w.dir, 0, &layer_tar(&w.dir, 0), bzip);
    let run = sb
        .leakgate(sb.dir.path(), &["scan", "--image", "oci"])
        .expect_code(2, "an unknown layer media type");
    assert!(
        run.stderr.contains("oci: layer 1") && run.stderr.contains(bzip),
        "{}",
        run.stderr
    );
}

#[test]
fn labels_cmd_entrypoint_large_and_binary_files_are_scanned_and_counted() {
    let sb = Sandbox::new();
    let (in_label, in_cmd, in_large, in_entry) = (key(6), key(7), key(8), key(11));
    // Over the 1 KiB limit below: scanned in windows, the key near the end
    // found at its real line.
    let large = format!("{}{}", "# filler line\n".repeat(300), env_line(&in_large));
    let mut binary = vec![0u8; 64];
    binary.extend_from_slice(b"plain bytes");
    let mut w = ImageWorld::new(&sb, "oci");
    w.write("etc/big.conf", &large)
        .write("usr/bin/tool", &binary)
        .layer("COPY . /")
        .config(&[
            &format!("--config.label=messagebird_access_key={in_label}"),
            "--config.label=maintainer=ops",
            "--config.cmd=sh",
            "--config.cmd=-c",
            &format!("--config.cmd=MESSAGEBIRD_ACCESS_KEY={in_cmd} ./run"),
            "--config.entrypoint=env",
            &format!("--config.entrypoint=MESSAGEBIRD_ACCESS_KEY={in_entry}"),
        ]);
    let first = short(&w.diff_ids()[0]);
    w.docker_archive("app.tar");
    let run = sb
        .leakgate(
            sb.dir.path(),
            &[
                "scan",
                "--format",
                "json",
                "--max-file-size",
                "1KiB",
                "--image",
                "app.tar",
            ],
        )
        .expect_found("scan --image with a size limit");
    let doc: Value = serde_json::from_str(&run.stdout).expect("a JSON report");
    assert_eq!(
        places(&doc),
        vec![
            ("app.tar:config:Cmd".to_string(), 1),
            ("app.tar:config:Entrypoint".to_string(), 1),
            (
                "app.tar:config:Labels[messagebird_access_key]".to_string(),
                1
            ),
            (format!("app.tar@{first}:/etc/big.conf"), 301),
        ]
    );
    assert_eq!(
        doc["summary"]["windowed"].as_u64(),
        Some(1),
        "{}",
        doc["summary"]
    );
    assert_eq!(
        doc["summary"]["binary_searched"].as_u64(),
        Some(1),
        "{}",
        doc["summary"]
    );
}

#[test]
fn an_opaque_whiteout_deletes_a_folder_and_its_files_are_still_reported() {
    let sb = Sandbox::new();
    let (in_srv, in_kept) = (key(9), key(10));
    let mut w = ImageWorld::new(&sb, "oci");
    w.write("srv/conf/app.env", env_line(&in_srv))
        .write("opt/app.env", env_line(&in_kept))
        .layer("COPY . /")
        .write("etc/motd", "hi\n")
        .layer("RUN echo hi > /etc/motd");
    // umoci repack writes a `.wh.NAME` per deleted entry, never an opaque
    // whiteout, so the layer that replaces /srv whole (as docker's overlay
    // driver writes it) is made by GNU tar from a folder holding one.
    std::fs::create_dir_all(sb.path("opaque/srv")).unwrap();
    std::fs::write(sb.path("opaque/srv/.wh..wh..opq"), "").unwrap();
    std::fs::write(sb.path("opaque/srv/new.txt"), "fresh\n").unwrap();
    w.tar_layer("opaque", "RUN rm -rf /srv && mkdir /srv");
    let first = short(&w.diff_ids()[0]);
    w.docker_archive("app.tar");

    let doc = json_scan(&sb, "app.tar");
    assert_eq!(
        places(&doc),
        vec![
            (format!("app.tar@{first}:/opt/app.env"), 1),
            (format!("app.tar@{first}:/srv/conf/app.env"), 1),
        ]
    );
    assert_eq!(
        deletion_notices(&doc),
        vec![format!(
            "app.tar@{first}:/srv/conf/app.env: deleted in layer 3, still shipped in layer 1 (anyone who pulls the image can read it)"
        )]
    );
}

#[test]
fn a_file_a_later_layer_replaces_still_ships_and_every_format_says_where() {
    let sb = Sandbox::new();
    let k = key(21);
    let mut w = ImageWorld::new(&sb, "app");
    w.write("app/.env", env_line(&k)).layer("COPY .env /app/");
    w.write("app/.env", "MESSAGEBIRD_ACCESS_KEY=${FROM_THE_VAULT}\n")
        .layer("COPY .env.example /app/.env");
    let digests = w.layer_digests();

    let doc = json_scan(&sb, "app");
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{doc}");
    let f = &findings[0];
    assert_eq!(f["image"], "app");
    assert_eq!(f["path"], "/app/.env");
    assert_eq!(f["line"], 1);
    assert_eq!(f["layer"]["digest"], digests[0].as_str());
    assert_eq!(f["layer"]["index"], 1);
    assert_eq!(f["layer"]["replaced_in"], 2);
    assert_eq!(f["layer"]["deleted_in"], Value::Null);

    let place = format!("app@{}:/app/.env", short(&digests[0]));
    let human = sb
        .leakgate(sb.dir.path(), &["scan", "--image", "app"])
        .expect_found("a replaced file");
    assert!(
        human.stdout.contains(&format!("{place}:1:"))
            && human
                .stdout
                .contains("replaced in layer 2, still shipped in layer 1"),
        "{}",
        human.stdout
    );

    // SARIF: the path inside the image as the artifact (relative, as code
    // scanning needs), the image and layer as a logical location.
    let out = sb.path("image.sarif");
    sb.leakgate(
        sb.dir.path(),
        &[
            "scan",
            "--image",
            "app",
            "--format",
            "sarif",
            "--output",
            out.to_str().unwrap(),
        ],
    )
    .expect_found("scan --image --format sarif");
    let results = crate::reports::check_sarif(&std::fs::read_to_string(&out).unwrap());
    let loc = &results[0]["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "app/.env"
    );
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        place.as_str()
    );
    assert_eq!(results[0]["properties"]["layer"]["index"], 1);
    crate::reports::validate_sarif(&out);

    // JUnit and GitLab name the same place.
    for format in ["junit", "gitlab"] {
        let run = sb
            .leakgate(
                sb.dir.path(),
                &["scan", "--image", "app", "--format", format],
            )
            .expect_found(format);
        assert!(run.stdout.contains(&place), "{format}: {}", run.stdout);
    }
}

/// A stand-in for the docker or podman CLI (no container engine runs in
/// the test machine): `save -o FILE NAME` copies a saved image to FILE and
/// logs its arguments; anything else fails as the CLI would.
fn engine_cli(sb: &Sandbox, name: &str, body: &str) -> std::path::PathBuf {
    let dir = sb.path(&format!("{name}-bin"));
    std::fs::create_dir_all(&dir).unwrap();
    let cli = dir.join(name);
    std::fs::write(&cli, format!("#!/bin/sh\n{body}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&cli, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

#[test]
fn docker_and_podman_names_are_saved_with_that_cli_into_a_temporary_file() {
    let sb = Sandbox::new();
    let k = key(22);
    let mut w = ImageWorld::new(&sb, "layout");
    w.write("app/.env", env_line(&k)).layer("COPY .env /app/");
    let saved = w.docker_archive("saved.tar");
    let log = sb.path("docker.log");
    let tmp = sb.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let docker = engine_cli(
        &sb,
        "docker",
        &format!(
            "printf '%s\\n' \"$@\" > '{}'\n[ \"$1\" = save ] && [ \"$2\" = -o ] || exit 64\ncp '{}' \"$3\"",
            log.display(),
            saved.display()
        ),
    );
    let run = sb.output(
        sb.command(crate::common::BIN, sb.dir.path())
            .args(["scan", "--format", "json", "--image", "docker:app:1.0"])
            .env("PATH", crate::common::path_with(&docker))
            .env("TMPDIR", &tmp),
    );
    let run = run.expect_found("scan --image docker:NAME");
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        places(&doc),
        vec![(
            format!("docker:app:1.0@{}:/app/.env", short(&w.diff_ids()[0])),
            1
        )]
    );
    let args = std::fs::read_to_string(&log).unwrap();
    let args: Vec<&str> = args.lines().collect();
    assert_eq!((args[0], args[1], args[3]), ("save", "-o", "app:1.0"));
    assert!(args[2].starts_with(tmp.to_str().unwrap()), "{args:?}");
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "the saved image is deleted after the scan"
    );

    // The CLI's own error, named.
    let podman = engine_cli(
        &sb,
        "podman",
        "echo 'Error: app: image not known' >&2\nexit 125",
    );
    let run = sb
        .output(
            sb.command(crate::common::BIN, sb.dir.path())
                .args(["scan", "--image", "podman:app"])
                .env("PATH", crate::common::path_with(&podman))
                .env("TMPDIR", &tmp),
        )
        .expect_code(2, "a failed podman save");
    assert!(
        run.stderr.contains("`podman save app` failed") && run.stderr.contains("image not known"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);

    // No such CLI: the way round it.
    let empty = sb.path("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let run = sb
        .output(
            sb.command(crate::common::BIN, sb.dir.path())
                .args(["scan", "--image", "docker:app"])
                .env("PATH", &empty),
        )
        .expect_code(2, "no docker on PATH");
    assert!(
        run.stderr.contains("`docker` is not on PATH")
            && run.stderr.contains("docker save -o image.tar app"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_progress_line_shows_on_a_terminal_only() {
    let script = crate::common::which("script");
    let sb = Sandbox::new();
    let mut w = ImageWorld::new(&sb, "app");
    w.write("etc/hostname", "box\n").layer("RUN hostname");
    let tty = |args: &str| {
        sb.output(
            sb.command(script.to_str().unwrap(), sb.dir.path())
                .args([
                    "-qec",
                    &format!("'{}' {args}", crate::common::BIN),
                    "/dev/null",
                ])
                .env("LEAKGATE_PROGRESS_DELAY_MS", "0"),
        )
        .stdout
    };
    let shown = tty("scan --image app");
    assert!(shown.contains("scanning image: layer 1/1"), "{shown}");
    let quiet = tty("scan --image app --quiet");
    assert!(!quiet.contains("scanning image:"), "{quiet}");
}

#[test]
fn a_jar_in_a_layer_is_opened_and_an_archive_limit_fails_the_image_scan_closed() {
    use crate::archives::{app_env, over_64k, zip, LOW_LIMIT};
    let sb = Sandbox::new();
    let k = key(23);
    let jar = zip(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
        ("config/app.properties", &app_env(&k)),
    ]);
    let mut w = ImageWorld::new(&sb, "app");
    w.write("opt/app/app.jar", &jar)
        .write("opt/app/broken.zip", &jar[..60])
        .layer("COPY app.jar broken.zip /opt/app/");
    let first = short(&w.layer_digests()[0]);
    let doc = json_scan(&sb, "app");
    assert_eq!(
        places(&doc),
        vec![(
            format!("app@{first}:/opt/app/app.jar!config/app.properties"),
            2
        )]
    );
    assert_eq!(doc["summary"]["archives"], 2, "{}", doc["summary"]);
    // A corrupt archive is counted as skipped, at its place in the image.
    let skipped = doc["summary"]["skipped_files"].to_string();
    assert!(
        skipped.contains(&format!("app@{first}:/opt/app/broken.zip")),
        "{skipped}"
    );

    // The limits are the scan's settings: a zip past them in a layer ends
    // the scan with exit 2 and the archive named, not a clean report.
    w.write("opt/app/big.zip", over_64k())
        .layer("COPY big.zip /opt/app/");
    std::fs::write(sb.path(".leakgate.toml"), LOW_LIMIT).unwrap();
    let run = sb
        .leakgate(sb.dir.path(), &["scan", "--image", "app"])
        .expect_code(2, "an archive past the limit in an image");
    let second = short(&w.layer_digests()[1]);
    assert!(
        run.stderr.contains(&format!(
            "app@{second}:/opt/app/big.zip!inner/big.txt: expands past 64 KiB"
        )),
        "{}",
        run.all()
    );
}

#[test]
fn the_same_bytes_at_other_paths_and_layers_are_scanned_once_and_counted() {
    let sb = Sandbox::new();
    let k = key(24);
    let mut w = ImageWorld::new(&sb, "app");
    w.write("app/.env", env_line(&k))
        .write("srv/copy/.env", env_line(&k))
        .layer("COPY . /");
    w.write("backup/.env", env_line(&k))
        .layer("RUN cp /app/.env /backup/");
    let doc = json_scan(&sb, "app");
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{doc}");
    assert_eq!(findings[0]["layer"]["index"], 1);
    assert_eq!(findings[0]["other_places"], 2);
    assert!(
        doc["notices"]
            .to_string()
            .contains("2 files held the same bytes as one already scanned"),
        "{}",
        doc["notices"]
    );
    let human = sb
        .leakgate(sb.dir.path(), &["scan", "--image", "app"])
        .expect_found("duplicates");
    assert!(
        human
            .stdout
            .contains("2 other files in the image hold the same bytes"),
        "{}",
        human.stdout
    );
}

#[test]
fn a_key_inside_a_jar_a_later_layer_deletes_is_marked_deleted() {
    use crate::archives::{app_env, zip};
    let sb = Sandbox::new();
    let k = key(25);
    let jar = zip(&[("config/app.properties", &app_env(&k))]);
    let mut w = ImageWorld::new(&sb, "app");
    w.write("opt/app/app.jar", &jar)
        .layer("COPY app.jar /opt/app/");
    w.delete("opt/app/app.jar").layer("RUN rm /opt/app/app.jar");
    let doc = json_scan(&sb, "app");
    let f = &doc["findings"][0];
    assert_eq!(f["path"], "/opt/app/app.jar!config/app.properties");
    assert_eq!(f["layer"]["index"], 1);
    assert_eq!(f["layer"]["deleted_in"], 2, "{doc}");
}
