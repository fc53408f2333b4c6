//! Real container images for the image tests, made with the tools people
//! make them with: Debian's `umoci` builds an OCI image layout layer by
//! layer from a rootfs folder (a deleted file becomes the whiteout umoci
//! writes; `umoci config` sets `Env`, `Labels`, `Cmd`, `Entrypoint` and a
//! history entry), and `skopeo` converts it to a `docker save` tarball, an
//! OCI archive, or a layout with zstd layers.
//!
//! Everything runs `--rootless` (tests may run as root or not). A missing
//! tool fails the test, naming it and how to install it: never a skip.
//!
//! What umoci 0.4.7 writes (checked by hand, and asserted where a test
//! depends on it): gzip layers only; a deleted file or folder is a
//! `.wh.NAME` entry beside it, also when a folder is emptied and refilled
//! or removed and made again: `umoci repack` never writes an opaque
//! whiteout (`.wh..wh..opq`). [`ImageWorld::tar_layer`] appends a layer
//! made by GNU tar from a folder, for the one entry umoci cannot make.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{sandbox_path, Sandbox};

/// Where `tool` is; fails the test with what to install when it is not.
pub fn image_tool(tool: &str) -> PathBuf {
    std::env::split_paths(sandbox_path())
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{tool}` is not on PATH: the image tests build real images with umoci and \
                 skopeo; install them with `apt-get install umoci skopeo` (.ci/run does)"
            )
        })
}

/// An OCI image layout at `dir`, tag `tag`, and the umoci bundle its next
/// layer is made in.
pub struct ImageWorld<'s> {
    sb: &'s Sandbox,
    /// The OCI layout folder.
    pub dir: PathBuf,
    tag: String,
    bundle: PathBuf,
    /// The bundle no longer matches the tag (a config change or a raw
    /// layer moved it): unpacked again before the next file is written.
    stale: bool,
}

impl<'s> ImageWorld<'s> {
    /// `umoci init` a layout at `rel` in the sandbox, with an empty image
    /// tagged `latest`.
    pub fn new(sb: &'s Sandbox, rel: &str) -> ImageWorld<'s> {
        let dir = sb.path(rel);
        let bundle = sb.path(&format!("{rel}.bundle"));
        let w = ImageWorld {
            sb,
            dir,
            tag: "latest".to_string(),
            bundle,
            stale: false,
        };
        w.umoci(&["init", "--layout", w.dir.to_str().unwrap()]);
        w.umoci(&["new", "--image", &w.image()]);
        w.unpack();
        w
    }

    /// `DIR:TAG`, as umoci names an image.
    pub fn image(&self) -> String {
        format!("{}:{}", self.dir.display(), self.tag)
    }

    fn umoci(&self, args: &[&str]) {
        let umoci = image_tool("umoci");
        self.sb
            .run(self.sb.dir.path(), umoci.to_str().unwrap(), args)
            .expect_ok(&format!("umoci {}", args.join(" ")));
    }

    fn unpack(&self) {
        if self.bundle.exists() {
            std::fs::remove_dir_all(&self.bundle).unwrap();
        }
        let image = self.image();
        let bundle = self.bundle.to_str().unwrap();
        self.umoci(&["unpack", "--rootless", "--image", &image, bundle]);
    }

    fn rootfs(&mut self) -> PathBuf {
        if self.stale {
            self.unpack();
            self.stale = false;
        }
        self.bundle.join("rootfs")
    }

    /// Writes a file into the next layer (folders made as needed).
    pub fn write(&mut self, path: &str, bytes: impl AsRef<[u8]>) -> &mut Self {
        let p = self.rootfs().join(path.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
        self
    }

    /// Deletes a file or a folder: the next layer holds its whiteout.
    pub fn delete(&mut self, path: &str) -> &mut Self {
        let p = self.rootfs().join(path.trim_start_matches('/'));
        if p.is_dir() {
            std::fs::remove_dir_all(p).unwrap();
        } else {
            std::fs::remove_file(p).unwrap();
        }
        self
    }

    /// `umoci repack`: what changed in the rootfs since the last layer
    /// becomes a new layer, with `created_by` in the image's history.
    pub fn layer(&mut self, created_by: &str) -> &mut Self {
        let _ = self.rootfs();
        let image = self.image();
        let by = format!("--history.created_by={created_by}");
        let bundle = self.bundle.to_str().unwrap().to_string();
        self.umoci(&[
            "repack",
            "--refresh-bundle",
            &by,
            "--image",
            &image,
            &bundle,
        ]);
        self
    }

    /// Saves the next layer (and config change) under `tag` instead: the
    /// old tag keeps the image as it is, and the two share its layers.
    pub fn retag(&mut self, tag: &str) -> &mut Self {
        let _ = self.rootfs();
        self.tag = tag.to_string();
        self
    }

    /// `umoci config` with its own flags (`--config.env=K=V`,
    /// `--config.label=K=V`, `--config.cmd=...`, `--config.entrypoint=...`,
    /// `--history.created_by=...`), each flag one argument.
    pub fn config(&mut self, flags: &[&str]) -> &mut Self {
        let image = self.image();
        let mut args = vec!["config", "--image", &image];
        args.extend_from_slice(flags);
        self.umoci(&args);
        self.stale = true;
        self
    }

    /// Appends a layer that GNU tar makes from the folder `from` (relative
    /// to the sandbox), for entries `umoci repack` never writes (an opaque
    /// whiteout). The layer is added as it is, by `umoci raw add-layer`.
    pub fn tar_layer(&mut self, from: &str, created_by: &str) -> &mut Self {
        let tar = self.sb.path(&format!("{from}.tar"));
        let src = self.sb.path(from);
        self.sb
            .run(
                self.sb.dir.path(),
                "tar",
                &[
                    "--numeric-owner",
                    "--owner=0",
                    "--group=0",
                    "-cf",
                    tar.to_str().unwrap(),
                    "-C",
                    src.to_str().unwrap(),
                    ".",
                ],
            )
            .expect_ok("tar -cf");
        let image = self.image();
        let by = format!("--history.created_by={created_by}");
        self.umoci(&[
            "raw",
            "add-layer",
            &by,
            "--image",
            &image,
            tar.to_str().unwrap(),
        ]);
        self.stale = true;
        self
    }

    /// The image's manifest, as umoci wrote it.
    pub fn manifest(&self) -> Value {
        manifest_of(&self.dir)
    }

    /// The layers' digests (compressed, as the OCI layout names them), in
    /// order.
    pub fn layer_digests(&self) -> Vec<String> {
        layer_digests_of(&self.dir)
    }

    /// The config's `rootfs.diff_ids` (the uncompressed layers' digests,
    /// which `docker save` archives name layers by), in order.
    pub fn diff_ids(&self) -> Vec<String> {
        let m = self.manifest();
        let config = read_blob(&self.dir, m["config"]["digest"].as_str().unwrap());
        config["rootfs"]["diff_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_string())
            .collect()
    }

    fn skopeo(&self, args: &[&str]) {
        let skopeo = image_tool("skopeo");
        let mut all = vec!["--insecure-policy", "copy", "--quiet"];
        all.extend_from_slice(args);
        self.sb
            .run(self.sb.dir.path(), skopeo.to_str().unwrap(), &all)
            .expect_ok(&format!("skopeo {}", all.join(" ")));
    }

    fn oci_ref(&self) -> String {
        format!("oci:{}", self.image())
    }

    /// `skopeo copy` to a `docker save` tarball at `rel`, tagged
    /// `app:latest`; returns its path.
    pub fn docker_archive(&self, rel: &str) -> PathBuf {
        let out = self.sb.path(rel);
        let dest = format!("docker-archive:{}:app:latest", out.display());
        self.skopeo(&[&self.oci_ref(), &dest]);
        out
    }

    /// `skopeo copy` to an OCI archive (the layout as a tar) at `rel`.
    pub fn oci_archive(&self, rel: &str) -> PathBuf {
        let out = self.sb.path(rel);
        let dest = format!("oci-archive:{}:{}", out.display(), self.tag);
        self.skopeo(&[&self.oci_ref(), &dest]);
        out
    }

    /// `skopeo copy --dest-compress-format zstd` to a new OCI layout at
    /// `rel`: the same image with zstd layers.
    pub fn zstd_layout(&self, rel: &str) -> PathBuf {
        let out = self.sb.path(rel);
        let dest = format!("oci:{}:{}", out.display(), self.tag);
        self.skopeo(&[
            "--dest-compress",
            "--dest-compress-format",
            "zstd",
            &self.oci_ref(),
            &dest,
        ]);
        out
    }
}

fn read_blob(layout: &Path, digest: &str) -> Value {
    let hex = digest.strip_prefix("sha256:").unwrap();
    let bytes = std::fs::read(layout.join("blobs/sha256").join(hex)).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The manifest of the first image an OCI layout's `index.json` lists.
pub fn manifest_of(layout: &Path) -> Value {
    let index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    read_blob(layout, index["manifests"][0]["digest"].as_str().unwrap())
}

/// The layer digests of an OCI layout's first image, in order.
pub fn layer_digests_of(layout: &Path) -> Vec<String> {
    manifest_of(layout)["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["digest"].as_str().unwrap().to_string())
        .collect()
}

/// `sha256:` and the first 12 hex digits: how a finding names its layer.
pub fn short(digest: &str) -> String {
    let hex = digest.strip_prefix("sha256:").unwrap();
    format!("sha256:{}", &hex[..12])
}
