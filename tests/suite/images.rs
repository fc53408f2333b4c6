//! `leakgate scan --image`: docker save tarballs, OCI layouts and OCI
//! archives, built here with the `tar` crate (keys generated at run time),
//! scanned by the real binary.

use std::io::Write as _;
use std::path::Path;

use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use crate::common::{env_line, key, Sandbox};

fn sha256(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn hex(digest: &str) -> &str {
    digest.strip_prefix("sha256:").unwrap()
}

/// A tar of regular files.
fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, bytes) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, path, *bytes).unwrap();
    }
    b.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// A `docker save` tarball: `<id>/layer.tar` per layer, `<id>.json` the
/// config (its `rootfs.diff_ids` filled in), `manifest.json`.
fn docker_archive(out: &Path, mut config: Value, layers: &[Vec<u8>]) {
    let ids: Vec<String> = layers.iter().map(|l| sha256(l)).collect();
    config["rootfs"] = json!({"type": "layers", "diff_ids": ids});
    let config = serde_json::to_vec(&config).unwrap();
    let config_name = format!("{}.json", hex(&sha256(&config)));
    let names: Vec<String> = ids
        .iter()
        .map(|d| format!("{}/layer.tar", hex(d)))
        .collect();
    let manifest = serde_json::to_vec(&json!([{
        "Config": config_name,
        "RepoTags": ["app:latest"],
        "Layers": names,
    }]))
    .unwrap();
    let mut files: Vec<(&str, &[u8])> = vec![(&config_name, &config)];
    for (n, l) in names.iter().zip(layers) {
        files.push((n, l));
    }
    files.push(("manifest.json", &manifest));
    std::fs::write(out, tar_of(&files)).unwrap();
}

/// An OCI image layout folder with gzip layers; `layers` lists indexes into
/// `blobs`, so a layer can be listed twice.
fn oci_layout(dir: &Path, config: &Value, blobs: &[Vec<u8>], layers: &[usize]) {
    oci_layout_as(
        dir,
        config,
        blobs,
        layers,
        gzip,
        "application/vnd.oci.image.layer.v1.tar+gzip",
    );
}

fn oci_layout_as(
    dir: &Path,
    config: &Value,
    blobs: &[Vec<u8>],
    layers: &[usize],
    encode: fn(&[u8]) -> Vec<u8>,
    media: &str,
) {
    let put = |bytes: &[u8]| {
        let d = sha256(bytes);
        let p = dir.join("blobs/sha256").join(hex(&d));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
        json!({"digest": d, "size": bytes.len()})
    };
    let mut config_desc = put(&serde_json::to_vec(config).unwrap());
    config_desc["mediaType"] = "application/vnd.oci.image.config.v1+json".into();
    let descs: Vec<Value> = blobs
        .iter()
        .map(|l| {
            let mut d = put(&encode(l));
            d["mediaType"] = media.into();
            d
        })
        .collect();
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config_desc,
        "layers": layers.iter().map(|&i| descs[i].clone()).collect::<Vec<_>>(),
    });
    let mut m = put(&serde_json::to_vec(&manifest).unwrap());
    m["mediaType"] = "application/vnd.oci.image.manifest.v1+json".into();
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": [m]})).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
}

/// The JSON report's findings as (place, line), sorted; a place is what
/// the human report shows, `IMAGE@sha256:<12 hex>:/path` or
/// `IMAGE:config:Env[2]`, built from the JSON's `image`, `layer` and `path`.
fn places(doc: &Value) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let image = f["image"]
                .as_str()
                .expect("an image finding names its image");
            let path = f["path"].as_str().unwrap();
            let place = match f["layer"]["digest"].as_str() {
                Some(d) => format!("{image}@{}:{path}", d.get(..7 + 12).unwrap_or(d)),
                None => format!("{image}:{path}"),
            };
            (place, f["line"].as_u64().unwrap())
        })
        .collect();
    v.sort();
    v
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

#[test]
fn docker_archive_finds_a_deleted_file_the_env_and_the_build_history() {
    let sb = Sandbox::new();
    let (in_file, in_env, in_arg) = (key(1), key(2), key(3));
    let layer1 = tar_of(&[
        ("app/.env", env_line(&in_file).as_bytes()),
        ("app/main.py", b"print('hello')\n"),
    ]);
    let layer2 = tar_of(&[("app/.wh..env", b"")]);
    let config = json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "Env": ["PATH=/usr/bin:/bin", "LANG=C.UTF-8", env_line(&in_env).trim_end()],
            "Cmd": ["python", "main.py"],
        },
        "history": [
            {"created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
            {"created_by": "/bin/sh -c #(nop)  ARG MESSAGEBIRD_ACCESS_KEY"},
            {"created_by": format!("|1 MESSAGEBIRD_ACCESS_KEY={in_arg} /bin/sh -c make"), "empty_layer": true},
        ],
    });
    docker_archive(&sb.path("app.tar"), config, &[layer1.clone(), layer2]);
    let image = sb.path("app.tar");
    let image = image.to_str().unwrap();

    let doc = json_scan(&sb, image);
    let short = hex(&sha256(&layer1))[..12].to_string();
    assert_eq!(
        places(&doc),
        vec![
            (format!("{image}:config:Env[2]"), 1),
            (format!("{image}:history[2]"), 1),
            (format!("{image}@sha256:{short}:/app/.env"), 1),
        ]
    );
    let file = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "/app/.env")
        .unwrap();
    assert_eq!(file["layer"]["index"], 1);
    assert_eq!(file["layer"]["deleted_in"], 2);
    assert_eq!(file["layer"]["replaced_in"], Value::Null);
    let human = sb
        .leakgate(sb.dir.path(), &["scan", "--image", image])
        .expect_code(1, "keys in the image");
    assert!(
        human
            .stdout
            .contains(&format!("{image}@sha256:{short}:/app/.env:1:"))
            && human
                .stdout
                .contains("deleted in layer 2, still shipped in layer 1"),
        "{}",
        human.stdout
    );
    assert_eq!(
        doc["summary"]["files_scanned"].as_u64(),
        Some(2 + 3 + 1 + 3),
        "2 files, 3 Env, Cmd, 3 history"
    );

    // The human report: the same places, the deletion, no whole key.
    let run = sb
        .leakgate(sb.dir.path(), &["scan", "--image", image])
        .expect_found("scan --image, human");
    assert!(
        run.stdout
            .contains(&format!("3 secrets in the image {image}")),
        "{}",
        run.stdout
    );
    // The fix is the build's, not a file's: no "delete it from the file".
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
    let secret_layer = tar_of(&[("srv/config.env", env_line(&k).as_bytes())]);
    let clean_layer = tar_of(&[("etc/hostname", b"box\n")]);
    let config = json!({"config": {"Env": ["PATH=/bin"]}, "history": []});
    let dir = sb.path("layout");
    // The secret layer is listed twice: it is one layer, scanned once.
    oci_layout(
        &dir,
        &config,
        &[secret_layer.clone(), clean_layer],
        &[0, 1, 0],
    );
    let short = hex(&sha256(&gzip(&secret_layer)))[..12].to_string();

    let layout = dir.to_str().unwrap();
    let doc = json_scan(&sb, layout);
    assert_eq!(
        places(&doc),
        vec![(format!("{layout}@sha256:{short}:/srv/config.env"), 1)]
    );
    assert!(
        doc["notices"].to_string().contains("2 layers"),
        "{}",
        doc["notices"]
    );

    // The same layout as a tar (an OCI archive, as `docker save` writes
    // since 25 or skopeo's oci-archive:).
    let mut b = tar::Builder::new(Vec::new());
    b.append_dir_all(".", &dir).unwrap();
    std::fs::write(sb.path("layout.tar"), b.into_inner().unwrap()).unwrap();
    let archive = sb.path("layout.tar");
    let archive = archive.to_str().unwrap();
    let doc = json_scan(&sb, archive);
    assert_eq!(
        places(&doc),
        vec![(format!("{archive}@sha256:{short}:/srv/config.env"), 1)]
    );
}

#[test]
fn a_clean_image_exits_0() {
    let sb = Sandbox::new();
    let layer = tar_of(&[("app/main.py", b"print('hello')\n")]);
    let config = json!({"config": {"Env": ["PATH=/bin"], "Cmd": ["python"]},
                        "history": [{"created_by": "/bin/sh -c #(nop) CMD [\"python\"]"}]});
    docker_archive(&sb.path("clean.tar"), config, &[layer]);
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
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "garbage.tar",
            b"this is not a tar archive at all, just text".repeat(20),
            "not a readable tar archive",
        ),
        (
            "no-manifest.tar",
            tar_of(&[("readme.txt", b"hi\n")]),
            "neither manifest.json (docker save) nor index.json",
        ),
        (
            "bad-manifest.tar",
            tar_of(&[("manifest.json", b"[{\"Config\": \"c.json\"")]),
            "manifest.json: not valid JSON",
        ),
        (
            "missing-layer.tar",
            tar_of(&[
                ("c.json", b"{}"),
                (
                    "manifest.json",
                    br#"[{"Config": "c.json", "Layers": ["abc/layer.tar"]}]"#,
                ),
            ]),
            "manifest.json: [0].Layers[0]: \"abc/layer.tar\" is not in the archive",
        ),
    ];
    for (name, bytes, message) in cases {
        std::fs::write(sb.path(name), bytes).unwrap();
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
    let layer = gzip(&tar_of(&[("a.txt", &[b'a'; 4096])]));
    let cut = layer[..layer.len() / 2].to_vec();
    std::fs::write(sb.path("cut.tar"), []).unwrap();
    docker_archive_raw(&sb.path("cut.tar"), &cut);
    let run = sb
        .leakgate(sb.dir.path(), &["scan", "--image", "cut.tar"])
        .expect_code(2, "a truncated layer");
    assert!(run.stderr.contains("cut.tar: layer 1"), "{}", run.stderr);
}

/// A docker-archive with one layer stored as given (compressed or broken).
fn docker_archive_raw(out: &Path, layer: &[u8]) {
    let manifest = br#"[{"Config": "c.json", "Layers": ["l/layer.tar"]}]"#;
    std::fs::write(
        out,
        tar_of(&[
            ("c.json", b"{}"),
            ("l/layer.tar", layer),
            ("manifest.json", manifest),
        ]),
    )
    .unwrap();
}

/// Two zstd frames, as a compressor that flushes per chunk writes them.
fn zstd_frames(bytes: &[u8]) -> Vec<u8> {
    let (a, b) = bytes.split_at(bytes.len() / 2);
    let level = ruzstd::encoding::CompressionLevel::Fastest;
    let mut out = ruzstd::encoding::compress_to_vec(a, level);
    out.extend(ruzstd::encoding::compress_to_vec(b, level));
    out
}

#[test]
fn zstd_layers_are_read_frame_after_frame_and_other_media_types_named() {
    let sb = Sandbox::new();
    let k = key(5);
    // Padding puts the key in the second frame.
    let padding = "# padding\n".repeat(2000);
    let layer = tar_of(&[
        ("opt/padding.txt", padding.as_bytes()),
        ("opt/app/.env", env_line(&k).as_bytes()),
    ]);
    let config = json!({"config": {}, "history": []});
    let zstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    oci_layout_as(
        &sb.path("oci"),
        &config,
        std::slice::from_ref(&layer),
        &[0],
        zstd_frames,
        zstd,
    );
    let short = hex(&sha256(&zstd_frames(&layer)))[..12].to_string();
    let doc = json_scan(&sb, "oci");
    assert_eq!(
        places(&doc),
        vec![(format!("oci@sha256:{short}:/opt/app/.env"), 1)]
    );

    // docker save names no media type: zstd is known by its first bytes.
    docker_archive_raw(&sb.path("zstd.tar"), &zstd_frames(&layer));
    let doc = json_scan(&sb, "zstd.tar");
    assert_eq!(
        places(&doc),
        vec![("zstd.tar@l/layer.tar:/opt/app/.env".to_string(), 1)]
    );

    let bzip = "application/vnd.example.layer.v1.tar+bzip2";
    oci_layout_as(&sb.path("bzip"), &config, &[layer], &[0], gzip, bzip);
    let run = sb
        .leakgate(sb.dir.path(), &["scan", "--image", "bzip"])
        .expect_code(2, "an unknown layer media type");
    assert!(
        run.stderr.contains("bzip: layer 1") && run.stderr.contains(bzip),
        "{}",
        run.stderr
    );
}

#[test]
fn labels_cmd_large_and_binary_files_are_scanned_and_counted() {
    let sb = Sandbox::new();
    let (in_label, in_cmd, in_large) = (key(6), key(7), key(8));
    // Over the 1 KiB limit below: scanned in windows, the key near the end
    // found at its real line.
    let large = format!("{}{}", "# filler line\n".repeat(300), env_line(&in_large));
    let mut binary = vec![0u8; 64];
    binary.extend_from_slice(b"plain bytes");
    let layer = tar_of(&[
        ("etc/big.conf", large.as_bytes()),
        ("usr/bin/tool", &binary),
    ]);
    let config = json!({
        "config": {
            "Labels": {"messagebird_access_key": in_label, "maintainer": "ops"},
            "Cmd": ["sh", "-c", format!("MESSAGEBIRD_ACCESS_KEY={in_cmd} ./run")],
        },
        "history": [],
    });
    docker_archive(&sb.path("app.tar"), config, std::slice::from_ref(&layer));
    let short = hex(&sha256(&layer))[..12].to_string();
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
            (
                "app.tar:config:Labels[messagebird_access_key]".to_string(),
                1
            ),
            (format!("app.tar@sha256:{short}:/etc/big.conf"), 301),
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
    let layer1 = tar_of(&[
        ("srv/conf/app.env", env_line(&in_srv).as_bytes()),
        ("opt/app.env", env_line(&in_kept).as_bytes()),
    ]);
    let layer2 = tar_of(&[("etc/motd", b"hi\n")]);
    let layer3 = tar_of(&[("srv/.wh..wh..opq", b""), ("srv/new.txt", b"fresh\n")]);
    let config = json!({"config": {}, "history": []});
    docker_archive(
        &sb.path("app.tar"),
        config,
        &[layer1.clone(), layer2, layer3],
    );
    let short = hex(&sha256(&layer1))[..12].to_string();
    let doc = json_scan(&sb, "app.tar");
    assert_eq!(
        places(&doc),
        vec![
            (format!("app.tar@sha256:{short}:/opt/app.env"), 1),
            (format!("app.tar@sha256:{short}:/srv/conf/app.env"), 1),
        ]
    );
    let deleted: Vec<(&str, &Value)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), &f["layer"]["deleted_in"]))
        .collect();
    assert_eq!(
        deleted,
        vec![
            ("/opt/app.env", &Value::Null),
            ("/srv/conf/app.env", &json!(3))
        ]
    );
}
