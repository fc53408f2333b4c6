//! Container images: a `docker save` tarball (docker-archive), an OCI image
//! layout (a folder with `oci-layout`, `index.json`, `blobs/`) or that layout
//! as a tar (an OCI archive).
//!
//! Every layer ships every file it holds, even one a later layer deletes (a
//! whiteout hides it from a container, not from anyone who pulls the image),
//! so each layer is scanned whole, and a finding in a file deleted later says
//! so in a notice. The image config's environment, labels, command, entry
//! point and build history are scanned as text too: `ENV` and `ARG` values
//! land there. Layers are streamed (tar, gzip) from the archive: nothing is
//! unpacked to disk, and a member of an archive is read by seeking to it.
//! This module never writes anything.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Instant;

use anyhow::{anyhow, bail, Context as _, Result};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::engine::archive::ZstdFrames;
use crate::engine::blob::{Provenance, Scanner};
use crate::engine::finding::{short_digest, Finding, ImagePlace, LayerPlace};
use crate::rules::Catalog;
use crate::summary::{human_bytes, SkipReason, Summary};

/// What an image scan found and read, and what the report should add.
pub struct ImageScan {
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// Layers scanned (each distinct digest once).
    pub layers: usize,
    /// Files whose bytes were already scanned at another path or layer.
    pub duplicates: usize,
}

/// Files travel to the scan workers in batches of about this many bytes
/// (one lock per batch, not per file); a few batches per worker wait in the
/// queue, so memory stays near `workers × 3 × BATCH_BYTES` plus the largest
/// file.
const BATCH_BYTES: usize = 4 << 20;

/// A file read from a layer, waiting for a scan worker.
struct Job {
    /// `/etc/app.env`
    path: String,
    bytes: Vec<u8>,
    place: Arc<ImagePlace>,
    /// Which distinct content this is (see [`Contents`]).
    content: usize,
}

/// Files by content: the same bytes in several layers, images or paths are
/// scanned once (the first time the reader meets them), as a history scan
/// reads a blob once. Keyed by SHA-256 and the path's class (which rules'
/// `path` regexes it matches), since a rule that knows a file by its name
/// may find in it what it finds nowhere else.
#[derive(Default)]
struct Contents {
    ids: HashMap<([u8; 32], Vec<usize>), usize>,
    /// How many files hold each content.
    copies: Vec<usize>,
}

/// A finding in a layer's file, before it is marked and counted.
struct Hit {
    finding: Finding,
    /// Which distinct content it is in (see [`Contents`]).
    content: usize,
    /// The layer's file, as whiteouts name it: a finding in an archive's
    /// entry (`app.jar!config/x`) is hidden when the archive is.
    file: String,
}

/// What the progress display reads.
#[derive(Default)]
struct Counters {
    layer: AtomicU64,
    files: AtomicU64,
    bytes: AtomicU64,
}

/// What one image's layers delete and write, to mark findings in files a
/// later layer hides.
struct Layout {
    /// The image's layers, bottom first.
    digests: Vec<String>,
    /// Per layer (index 0 is layer 1): its whiteouts, and its regular files.
    deletions: Vec<Vec<Whiteout>>,
    written: Vec<HashSet<String>>,
}

/// Scans the image at `path` (a docker-archive or OCI archive file, or an
/// OCI layout folder), labelling findings with `label` (how the user named
/// it). One thread reads the layers in order (decompressing, walking the
/// tar); the files it reads are scanned by a worker per core.
pub fn scan(
    path: &Path,
    label: &str,
    catalog: &Catalog,
    max_size: u64,
    archives: crate::engine::archive::Limits,
    progress: bool,
) -> Result<ImageScan> {
    let store = Store::open(path).with_context(|| label.to_string())?;
    let images = store.images().with_context(|| label.to_string())?;
    let scanner = Scanner::new(catalog, max_size).with_archives(archives);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (tx, rx) = mpsc::sync_channel::<Vec<Job>>(workers * 2);
    let rx = Mutex::new(rx);
    let counters = Counters::default();
    let total_layers = images
        .iter()
        .flat_map(|i| &i.layers)
        .map(|l| &l.digest)
        .collect::<HashSet<_>>()
        .len();
    let done = AtomicBool::new(false);
    let started = Instant::now();

    let mut summary = Summary::with_max_size(max_size);
    let mut findings = Vec::new();
    let mut contents = Contents::default();
    let (read, found) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| scope.spawn(|| work(scanner, &rx, max_size)))
            .collect();
        let reporter = progress.then(|| {
            scope.spawn(|| {
                super::show_progress(&done, started, |t| {
                    let bytes = counters.bytes.load(Ordering::Relaxed);
                    format!(
                        "scanning image: layer {}/{total_layers}  files {}  {} read  {:.0} MB/s",
                        counters.layer.load(Ordering::Relaxed),
                        counters.files.load(Ordering::Relaxed),
                        human_bytes(bytes),
                        bytes as f64 / t / 1e6
                    )
                })
            })
        });
        // `tx` moves into the reader: when it returns, the workers' queue
        // closes and they finish.
        let read = read_images(
            &store,
            &images,
            label,
            scanner,
            tx,
            &counters,
            &mut summary,
            &mut findings,
            &mut contents,
        );
        let found: Vec<_> = handles
            .into_iter()
            .map(|h| h.join().expect("an image scan worker panicked"))
            .collect();
        done.store(true, Ordering::Relaxed);
        if let Some(r) = reporter {
            let _ = r.join();
        }
        (read, found)
    });
    let (layers, layouts) = read?;
    for (hits, s) in found {
        // A finding in content that other files hold too says how many.
        findings.extend(hits.into_iter().map(|mut hit| {
            hit.finding.other_places = contents.copies[hit.content] - 1;
            mark_hidden(&mut hit, &layouts);
            hit.finding
        }));
        summary.absorb(s);
    }
    let duplicates = contents.copies.iter().map(|n| n - 1).sum();
    findings.sort_by_cached_key(|f| {
        let (image, layer) = match f.image.as_deref() {
            Some(p) => (p.image.clone(), p.layer.as_ref().map(|l| l.index)),
            None => (String::new(), None),
        };
        (image, layer, f.path.clone(), f.line, f.column)
    });
    Ok(ImageScan {
        findings,
        summary,
        layers,
        duplicates,
    })
}

/// A scan worker: takes batches of files until the reader is done.
fn work(
    scanner: Scanner,
    jobs: &Mutex<mpsc::Receiver<Vec<Job>>>,
    max_size: u64,
) -> (Vec<Hit>, Summary) {
    let mut findings = Vec::new();
    let mut summary = Summary::with_max_size(max_size);
    loop {
        let batch = jobs.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(batch) = batch else {
            return (findings, summary);
        };
        for job in batch {
            let at = Provenance::File { path: &job.path };
            let inside = &job.path[1..];
            let (breaches, skips) = (summary.limit_breaches.len(), summary.skipped.len());
            let found = scanner.scan_blob_at(&job.bytes, &at, Some(inside), &mut summary);
            // What the archive code says about a file names its place in
            // the image, as findings do.
            let locate = |said: &mut String| {
                if said.starts_with(job.path.as_str()) {
                    *said = job.place.locate(said);
                }
            };
            summary.limit_breaches[breaches..]
                .iter_mut()
                .for_each(locate);
            summary.skipped[skips..]
                .iter_mut()
                .for_each(|s| locate(&mut s.path));
            findings.extend(found.into_iter().map(|mut finding| {
                finding.image = Some(Box::new(ImagePlace::clone(&job.place)));
                Hit {
                    finding,
                    content: job.content,
                    file: normalize(&job.path),
                }
            }));
        }
    }
}

/// Reads every image's config (scanned here: it is small) and each
/// distinct layer once, sending its files to the workers. Returns the
/// number of layers read and what each image's layers delete and write.
#[allow(clippy::too_many_arguments)]
fn read_images(
    store: &Store,
    images: &[Image],
    label: &str,
    scanner: Scanner,
    tx: mpsc::SyncSender<Vec<Job>>,
    counters: &Counters,
    summary: &mut Summary,
    findings: &mut Vec<Finding>,
    contents: &mut Contents,
) -> Result<(usize, Vec<Layout>)> {
    let mut seen_configs = HashSet::new();
    let mut seen_layers = HashSet::new();
    let many = images.len() > 1;
    let mut layers = 0;
    let mut layouts = Vec::new();
    for image in images {
        // An archive of several images names each by its config's id.
        let name = if many {
            format!("{label}@{}", short_digest(&image.config_id))
        } else {
            label.to_string()
        };
        if seen_configs.insert(image.config.clone()) {
            let config = store.read_json(&image.config, &image.config_field)?;
            scan_config(&config, &name, scanner, summary, findings);
        }
        // Whiteouts are per image: a layer shared by two images is scanned
        // once, and its deletions read in the first image that lists it.
        let mut layout = Layout {
            digests: image.layers.iter().map(|l| l.digest.clone()).collect(),
            deletions: Vec::new(),
            written: Vec::new(),
        };
        for (n, layer) in image.layers.iter().enumerate() {
            if !seen_layers.insert(layer.digest.clone()) {
                layout.deletions.push(Vec::new());
                layout.written.push(HashSet::new());
                continue;
            }
            layers += 1;
            counters.layer.store(layers as u64, Ordering::Relaxed);
            let read = store
                .member(&layer.member)
                .with_context(|| format!("{label}: {}", layer.field))?;
            // A layer is the archive's, whichever of its images lists it.
            let place = Arc::new(ImagePlace {
                image: label.to_string(),
                layer: Some(LayerPlace {
                    digest: layer.digest.clone(),
                    index: n + 1,
                }),
                deleted_in: None,
                replaced_in: None,
            });
            let mut layer_scan = LayerScan {
                place,
                catalog: scanner.catalog,
                contents: &mut *contents,
                tx: &tx,
                batch: Vec::new(),
                batch_bytes: 0,
                counters,
                summary,
                whiteouts: Vec::new(),
                written: HashSet::new(),
            };
            layer_scan.run(read, &layer.compression).with_context(|| {
                format!(
                    "{label}: layer {} ({}, {})",
                    n + 1,
                    layer.digest,
                    layer.field
                )
            })?;
            layout.deletions.push(layer_scan.whiteouts);
            layout.written.push(layer_scan.written);
        }
        layouts.push(layout);
    }
    Ok((layers, layouts))
}

/// A file a later layer deletes, or replaces with another file at its path,
/// still ships in its own layer: each such finding says which layer hid it.
fn mark_hidden(hit: &mut Hit, layouts: &[Layout]) {
    let path = &hit.file;
    let Some(place) = hit.finding.image.as_deref_mut() else {
        return;
    };
    let Some(at) = &place.layer else {
        return;
    };
    let layer = at.index;
    // The image the layer was read in: the first that lists it there.
    let Some(layout) = layouts
        .iter()
        .find(|l| l.digests.get(layer - 1) == Some(&at.digest))
    else {
        return;
    };
    place.deleted_in = layout
        .deletions
        .iter()
        .enumerate()
        .skip(layer)
        .find(|(_, w)| w.iter().any(|w| w.hides(path)))
        .map(|(i, _)| i + 1);
    place.replaced_in = layout
        .written
        .iter()
        .enumerate()
        .skip(layer)
        .find(|(_, w)| w.contains(path))
        .map(|(i, _)| i + 1);
}

/// One image of the archive: its config and layers, in order.
struct Image {
    /// The config's member name in the store.
    config: String,
    config_id: String,
    /// Where the config was named, for errors.
    config_field: String,
    layers: Vec<Layer>,
}

struct Layer {
    member: String,
    /// The layer's digest (OCI), or its uncompressed digest from the
    /// config's `rootfs.diff_ids` (docker-archive), or its member name.
    digest: String,
    /// Where the layer was named, for errors: `manifest.json: Layers[1]`.
    field: String,
    compression: Compression,
}

enum Compression {
    /// Decided by the first bytes (docker-archive names no media type).
    Sniff,
    None,
    Gzip,
    Zstd,
    /// A media type this build cannot read.
    Unsupported(String),
}

/// Where an image's files are: a folder (OCI layout) or the members of a
/// tar archive, indexed by name with their offset and size so that each is
/// read by seeking, never extracted.
enum Store {
    Dir(PathBuf),
    Tar {
        file: PathBuf,
        members: HashMap<String, (u64, u64)>,
    },
}

impl Store {
    fn open(path: &Path) -> Result<Store> {
        if path.is_dir() {
            return Ok(Store::Dir(path.to_path_buf()));
        }
        let file = File::open(path).context("opening the image")?;
        let mut archive = tar::Archive::new(BufReader::new(file));
        let mut members = HashMap::new();
        let entries = archive
            .entries_with_seek()
            .context("not a tar archive (docker save or OCI archive)")?;
        for entry in entries {
            let entry = entry.context("not a readable tar archive (docker save or OCI archive)")?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = entry.path().context("a member's name")?;
            let name = normalize(&name.to_string_lossy());
            members.insert(name, (entry.raw_file_position(), entry.size()));
        }
        if members.is_empty() {
            bail!("not a docker save or OCI archive: it holds no files");
        }
        Ok(Store::Tar {
            file: path.to_path_buf(),
            members,
        })
    }

    fn has(&self, name: &str) -> bool {
        match self {
            Store::Dir(dir) => dir.join(name).is_file(),
            Store::Tar { members, .. } => members.contains_key(name),
        }
    }

    fn member(&self, name: &str) -> Result<Box<dyn Read + '_>> {
        match self {
            Store::Dir(dir) => {
                let f = File::open(dir.join(name)).with_context(|| format!("opening {name}"))?;
                Ok(Box::new(f))
            }
            Store::Tar { file, members } => {
                let Some(&(offset, size)) = members.get(name) else {
                    bail!("{name:?} is not in the archive");
                };
                let mut f = File::open(file).context("opening the image")?;
                f.seek(SeekFrom::Start(offset))
                    .with_context(|| format!("seeking to {name}"))?;
                Ok(Box::new(f.take(size)))
            }
        }
    }

    /// Reads and parses a JSON member; `field` says where it was named.
    fn read_json(&self, name: &str, field: &str) -> Result<Value> {
        let mut bytes = Vec::new();
        self.member(name)
            .with_context(|| field.to_string())?
            .read_to_end(&mut bytes)
            .with_context(|| format!("reading {name}"))?;
        serde_json::from_slice(&bytes).map_err(|e| anyhow!("{name}: not valid JSON: {e}"))
    }

    /// The images the archive holds: docker-archive's `manifest.json` if
    /// present (docker 25+ writes both; its paths point into the OCI
    /// blobs), else the OCI `index.json`.
    fn images(&self) -> Result<Vec<Image>> {
        if self.has("manifest.json") {
            return self.docker_images();
        }
        if self.has("index.json") {
            return self.oci_images();
        }
        bail!("neither manifest.json (docker save) nor index.json (OCI image layout) is in it");
    }

    fn docker_images(&self) -> Result<Vec<Image>> {
        let manifest = self.read_json("manifest.json", "manifest.json")?;
        let Some(list) = manifest.as_array() else {
            bail!("manifest.json: not a list of images");
        };
        let mut images = Vec::new();
        for (i, m) in list.iter().enumerate() {
            let config = string_at(m, "Config")
                .ok_or_else(|| anyhow!("manifest.json: [{i}].Config is missing"))?;
            let config = normalize(config);
            let field = format!("manifest.json: [{i}].Config");
            if !self.has(&config) {
                bail!("{field}: {config:?} is not in the archive");
            }
            let diff_ids: Vec<String> = self
                .read_json(&config, &field)?
                .pointer("/rootfs/diff_ids")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
            let Some(list) = m.get("Layers").and_then(Value::as_array) else {
                bail!("manifest.json: [{i}].Layers is missing");
            };
            let mut layers = Vec::new();
            for (j, l) in list.iter().enumerate() {
                let field = format!("manifest.json: [{i}].Layers[{j}]");
                let member = l
                    .as_str()
                    .map(normalize)
                    .ok_or_else(|| anyhow!("{field}: not a string"))?;
                if !self.has(&member) {
                    bail!("{field}: {member:?} is not in the archive");
                }
                let digest = diff_ids.get(j).cloned().unwrap_or_else(|| member.clone());
                layers.push(Layer {
                    member,
                    digest,
                    field,
                    compression: Compression::Sniff,
                });
            }
            let config_id = config
                .strip_prefix("blobs/sha256/")
                .map(|h| format!("sha256:{h}"))
                .unwrap_or_else(|| config.trim_end_matches(".json").to_string());
            images.push(Image {
                config,
                config_id,
                config_field: field,
                layers,
            });
        }
        Ok(images)
    }

    fn oci_images(&self) -> Result<Vec<Image>> {
        let index = self.read_json("index.json", "index.json")?;
        let mut images = Vec::new();
        self.oci_index(&index, "index.json", &mut images, 0)?;
        if images.is_empty() {
            bail!("index.json: manifests lists no image manifest");
        }
        Ok(images)
    }

    fn oci_index(&self, index: &Value, at: &str, images: &mut Vec<Image>, depth: u8) -> Result<()> {
        if depth > 4 {
            bail!("{at}: indexes nested too deep");
        }
        let Some(list) = index.get("manifests").and_then(Value::as_array) else {
            bail!("{at}: manifests is missing");
        };
        for (i, d) in list.iter().enumerate() {
            let field = format!("{at}: manifests[{i}]");
            let digest = descriptor_digest(d, &field)?;
            let member = blob_path(digest);
            let media = string_at(d, "mediaType").unwrap_or("");
            let value = self.read_json(&member, &field)?;
            let media = string_at(&value, "mediaType").unwrap_or(media).to_string();
            let here = format!("{at} -> {digest}");
            if media.contains("index") || media.contains("manifest.list") {
                self.oci_index(&value, &here, images, depth + 1)?;
                continue;
            }
            // A manifest for an attestation or signature has layers of
            // other kinds; they are scanned as what their media type says.
            let config = value
                .get("config")
                .ok_or_else(|| anyhow!("{here}: config is missing"))?;
            let config_digest = descriptor_digest(config, &format!("{here}: config"))?;
            let Some(list) = value.get("layers").and_then(Value::as_array) else {
                bail!("{here}: layers is missing");
            };
            let mut layers = Vec::new();
            for (j, l) in list.iter().enumerate() {
                let field = format!("{here}: layers[{j}]");
                let digest = descriptor_digest(l, &field)?;
                let media = string_at(l, "mediaType")
                    .ok_or_else(|| anyhow!("{field}: mediaType is missing"))?;
                layers.push(Layer {
                    member: blob_path(digest),
                    digest: digest.to_string(),
                    field,
                    compression: compression_of(media),
                });
            }
            images.push(Image {
                config: blob_path(config_digest),
                config_id: config_digest.to_string(),
                config_field: format!("{here}: config"),
                layers,
            });
        }
        Ok(())
    }
}

fn string_at<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// A descriptor's digest, checked to be `algorithm:hex` so that it names a
/// file under `blobs/` and nothing else.
fn descriptor_digest<'v>(d: &'v Value, field: &str) -> Result<&'v str> {
    let digest = string_at(d, "digest").ok_or_else(|| anyhow!("{field}: digest is missing"))?;
    let ok = digest.split_once(':').is_some_and(|(alg, hex)| {
        !alg.is_empty()
            && !hex.is_empty()
            && alg
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
    });
    if !ok {
        bail!("{field}: digest {digest:?} is not algorithm:hex");
    }
    Ok(digest)
}

fn blob_path(digest: &str) -> String {
    let (alg, hex) = digest.split_once(':').unwrap_or(("sha256", digest));
    format!("blobs/{alg}/{hex}")
}

fn compression_of(media: &str) -> Compression {
    match media {
        "application/vnd.oci.image.layer.v1.tar"
        | "application/vnd.oci.image.layer.nondistributable.v1.tar"
        | "application/vnd.docker.image.rootfs.diff.tar" => Compression::None,
        "application/vnd.oci.image.layer.v1.tar+gzip"
        | "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
        | "application/vnd.docker.image.rootfs.diff.tar.gzip"
        | "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" => Compression::Gzip,
        "application/vnd.oci.image.layer.v1.tar+zstd"
        | "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd" => Compression::Zstd,
        other => Compression::Unsupported(other.to_string()),
    }
}

/// A member or layer path as a key: no `./` or `/` in front.
fn normalize(name: &str) -> String {
    let mut s = name;
    loop {
        if let Some(rest) = s.strip_prefix("./") {
            s = rest;
        } else if let Some(rest) = s.strip_prefix('/') {
            s = rest;
        } else {
            return s.to_string();
        }
    }
}

/// A deletion a layer makes in the layers below it.
enum Whiteout {
    /// `.wh.NAME`: this path (and all under it).
    Path(String),
    /// `.wh..wh..opq`: everything under this folder ("" for the root).
    Opaque(String),
}

impl Whiteout {
    fn hides(&self, path: &str) -> bool {
        match self {
            Whiteout::Path(p) => {
                path == p || (path.starts_with(p.as_str()) && path[p.len()..].starts_with('/'))
            }
            Whiteout::Opaque(dir) => {
                dir.is_empty()
                    || (path.starts_with(dir.as_str()) && path[dir.len()..].starts_with('/'))
            }
        }
    }
}

/// One layer's tar stream, read file by file and sent to the workers.
struct LayerScan<'a> {
    /// The image and this layer, given to every finding in it.
    place: Arc<ImagePlace>,
    catalog: &'a Catalog,
    contents: &'a mut Contents,
    tx: &'a mpsc::SyncSender<Vec<Job>>,
    batch: Vec<Job>,
    batch_bytes: usize,
    counters: &'a Counters,
    summary: &'a mut Summary,
    whiteouts: Vec<Whiteout>,
    /// Every regular file this layer writes, to tell which findings a later
    /// layer replaces.
    written: HashSet<String>,
}

impl LayerScan<'_> {
    fn run(&mut self, read: Box<dyn Read + '_>, compression: &Compression) -> Result<()> {
        let mut read = BufReader::new(read);
        let compression = match compression {
            Compression::Unsupported(media) => {
                bail!("media type {media:?} is not supported (layers are read as tar, tar+gzip or tar+zstd)")
            }
            Compression::Sniff => {
                let head = read.fill_buf().context("reading the layer")?;
                if head.starts_with(&[0x1f, 0x8b]) {
                    &Compression::Gzip
                } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
                    &Compression::Zstd
                } else {
                    &Compression::None
                }
            }
            known => known,
        };
        match compression {
            Compression::Gzip => self.entries(flate2::bufread::MultiGzDecoder::new(read)),
            Compression::Zstd => self.entries(ZstdFrames::new(read)),
            _ => self.entries(read),
        }
    }

    fn entries(&mut self, read: impl Read) -> Result<()> {
        let mut archive = tar::Archive::new(read);
        for entry in archive
            .entries()
            .context("reading the layer's tar stream")?
        {
            let mut entry = entry.context("reading the layer's tar stream")?;
            let path = normalize(&entry.path().context("a file's name")?.to_string_lossy());
            let path = path.trim_end_matches('/').to_string();
            let (dir, name) = match path.rsplit_once('/') {
                Some((d, n)) => (d, n),
                None => ("", path.as_str()),
            };
            if name == ".wh..wh..opq" {
                self.whiteouts.push(Whiteout::Opaque(dir.to_string()));
                continue;
            }
            if let Some(deleted) = name.strip_prefix(".wh.") {
                let p = if dir.is_empty() {
                    deleted.to_string()
                } else {
                    format!("{dir}/{deleted}")
                };
                self.whiteouts.push(Whiteout::Path(p));
                continue;
            }
            let kind = entry.header().entry_type();
            let shown = format!("/{path}");
            if kind.is_symlink() {
                let label = self.place.locate(&shown);
                self.summary.skip(&label, SkipReason::Symlink, None);
                continue;
            }
            // Hard links carry no bytes of their own: their target is read
            // where it is.
            if !kind.is_file() {
                continue;
            }
            self.written.insert(path.clone());
            let mut bytes = Vec::with_capacity(entry.size().min(64 << 20) as usize);
            entry
                .read_to_end(&mut bytes)
                .with_context(|| format!("reading /{path}"))?;
            self.counters.files.fetch_add(1, Ordering::Relaxed);
            self.counters
                .bytes
                .fetch_add(bytes.len() as u64, Ordering::Relaxed);
            let key = (
                Sha256::digest(&bytes).into(),
                self.catalog.path_class(&path),
            );
            let copies = &mut self.contents.copies;
            let next = copies.len();
            let content = *self.contents.ids.entry(key).or_insert(next);
            if content < next {
                copies[content] += 1;
                continue;
            }
            copies.push(1);
            self.batch_bytes += bytes.len();
            self.batch.push(Job {
                path: shown,
                bytes,
                place: self.place.clone(),
                content,
            });
            if self.batch_bytes >= BATCH_BYTES {
                self.send()?;
            }
        }
        self.send()
    }

    fn send(&mut self) -> Result<()> {
        self.batch_bytes = 0;
        if self.batch.is_empty() {
            return Ok(());
        }
        self.tx
            .send(std::mem::take(&mut self.batch))
            .map_err(|_| anyhow!("the scan workers stopped"))
    }
}

/// The config's `Env`, `Labels`, `Cmd`, `Entrypoint` and every
/// `history[].created_by`, each scanned as text at `IMAGE:config:Env[2]`,
/// `IMAGE:history[5]`.
fn scan_config(
    config: &Value,
    image: &str,
    scanner: Scanner,
    summary: &mut Summary,
    findings: &mut Vec<Finding>,
) {
    let mut texts: Vec<(String, String)> = Vec::new();
    let c = config.get("config").unwrap_or(&Value::Null);
    if let Some(env) = c.get("Env").and_then(Value::as_array) {
        for (i, e) in env.iter().enumerate() {
            if let Some(s) = e.as_str() {
                texts.push((format!("config:Env[{i}]"), format!("{s}\n")));
            }
        }
    }
    if let Some(labels) = c.get("Labels").and_then(Value::as_object) {
        for (k, v) in labels {
            if let Some(v) = v.as_str() {
                texts.push((format!("config:Labels[{k}]"), format!("{k}={v}\n")));
            }
        }
    }
    for key in ["Cmd", "Entrypoint"] {
        if let Some(words) = c.get(key).and_then(Value::as_array) {
            let line: Vec<&str> = words.iter().filter_map(Value::as_str).collect();
            if !line.is_empty() {
                texts.push((format!("config:{key}"), line.join(" ") + "\n"));
            }
        }
    }
    if let Some(history) = config.get("history").and_then(Value::as_array) {
        for (i, h) in history.iter().enumerate() {
            if let Some(s) = string_at(h, "created_by") {
                texts.push((format!("history[{i}]"), format!("{s}\n")));
            }
        }
    }
    let place = ImagePlace {
        image: image.to_string(),
        layer: None,
        deleted_in: None,
        replaced_in: None,
    };
    for (field, text) in &texts {
        let at = Provenance::File { path: field };
        let found = scanner.scan_blob_at(text.as_bytes(), &at, None, summary);
        findings.extend(found.into_iter().map(|mut f| {
            f.image = Some(Box::new(place.clone()));
            f
        }));
    }
}
