//! One entry point for every scene source: detects the format, decodes, applies the
//! sanitising policy ([`super::sanitize`]) and finds the cameras that come with it.

use std::path::{Path, PathBuf};

use super::gltf::GltfForm;
use super::ply_header::{self, Encoding};
use super::{
    Camera, Problem, Scene, SceneError, gltf, ply_compressed, ply_fast, ply_general, ply_layout, sog, splat, spz,
    trainer_folder,
};

/// How strictly to treat damaged Gaussians (see [`super::sanitize`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadOptions {
    /// Reject the file at the first bad Gaussian instead of dropping it with a warning.
    pub strict: bool,
}

/// Which reader decoded the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SceneFormat {
    /// Binary little-endian PLY decoded by the fast path.
    PlyFast,
    /// ASCII / big-endian PLY decoded through ply-rs-bw.
    PlyGeneral,
    /// SuperSplat / PlayCanvas compressed PLY.
    PlyCompressed,
    /// The antimatter15 `.splat` format (32 bytes per Gaussian, no SH beyond DC).
    Splat,
    /// Niantic's SPZ (gzip-compressed, quantised).
    Spz,
    /// PlayCanvas SOG, version 1 or 2, zipped (`.sog`) or a folder with `meta.json`.
    Sog {
        /// 1 or 2.
        version: u8,
        /// Whether it came as a zipped `.sog` (true) or a folder with `meta.json` (false).
        bundled: bool,
    },
    /// glTF (`.gltf` or `.glb`) with `KHR_gaussian_splatting`.
    Gltf(GltfForm),
}

impl std::fmt::Display for SceneFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::PlyFast => "PLY (binary little-endian)",
            Self::PlyGeneral => "PLY (ascii / big-endian)",
            Self::PlyCompressed => "compressed PLY (SuperSplat)",
            Self::Splat => ".splat",
            Self::Spz => ".spz",
            Self::Sog { version, bundled: true } => return write!(f, "SOG version {version} (bundled .sog)"),
            Self::Sog { version, bundled: false } => return write!(f, "SOG version {version} (folder with meta.json)"),
            Self::Gltf(GltfForm::Linear) => "glTF KHR_gaussian_splatting (linear scales: Release Candidate)",
            Self::Gltf(GltfForm::Log) => "glTF KHR_gaussian_splatting (log scales: 2026-01 first version)",
            Self::Gltf(GltfForm::Spz) => "glTF KHR_gaussian_splatting_compression_spz_2",
        })
    }
}

/// A decoded scene and what came with it.
#[derive(Clone, Debug)]
pub struct LoadedScene {
    /// The Gaussians, sanitised.
    pub scene: Scene,
    /// Cameras from `cameras.json` (trainer folders) or the file itself; empty when it has none.
    pub cameras: Vec<Camera>,
    /// Which format and variant was decoded.
    pub format: SceneFormat,
    /// The file the Gaussians came from (inside the folder, for trainer folders).
    pub source: PathBuf,
    /// The `cameras.json` that was read, if any (it may have held no cameras).
    pub cameras_file: Option<PathBuf>,
    /// Repairs made (see [`super::sanitize`]); show these to the user.
    pub warnings: Vec<String>,
    /// World units per metre recorded by `rtgs2 import` beside a trainer folder's PLY.
    pub recorded_scale: Option<f32>,
}

/// Loads a scene file or a trainer output folder.
pub fn load(path: &Path, opts: &LoadOptions) -> Result<LoadedScene, SceneError> {
    // An unbundled SOG scene: its folder, or its meta.json.
    let sog_dir = if path.is_dir() {
        Some(path)
    } else if path.file_name().is_some_and(|n| n == "meta.json") {
        path.parent()
    } else {
        None
    };
    if let Some(dir) = sog_dir.filter(|d| d.join("meta.json").is_file()) {
        let files = sog::SogFiles::Folder(dir.to_path_buf());
        let (scene, version) = sog::read(&files)?;
        return finish(&dir.join("meta.json"), scene, SceneFormat::Sog { version, bundled: false }, opts);
    }
    if path.is_dir() {
        let ply = trainer_folder::find_ply(path)?;
        let mut loaded = load_file(&ply, opts)?;
        let cams = trainer_folder::read_cameras(path)?;
        let file = path.join("cameras.json");
        if !cams.is_empty() {
            loaded.cameras = cams;
            loaded.cameras_file = Some(file);
        } else if loaded.cameras_file.is_none() && file.exists() {
            loaded.cameras_file = Some(file);
        }
        match trainer_folder::read_recorded_scale(path) {
            Ok(scale) => loaded.recorded_scale = scale,
            Err(warning) => loaded.warnings.push(warning.to_string()),
        }
        return Ok(loaded);
    }
    load_file(path, opts)
}

/// Scenes and cameras come from regular files (symbolic links to them included). Reading a
/// named pipe, socket or device could block forever or never end, so any other kind of
/// file is refused before a byte is read. (Trainer folders are directories and are taken
/// apart by [`load`] before this is asked.)
pub(crate) fn check_regular_file(path: &Path) -> Result<(), SceneError> {
    let meta = std::fs::metadata(path).map_err(|e| SceneError::io(path, e))?;
    if meta.is_file() {
        return Ok(());
    }
    Err(SceneError::invalid(
        path,
        Problem::Unsupported(format!(
            "{}, not a regular file; scenes are read from files or trainer folders",
            file_kind(&meta.file_type())
        )),
    ))
}

fn file_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    if t.is_dir() { "a folder" } else { "a special file" }
}

fn load_file(path: &Path, opts: &LoadOptions) -> Result<LoadedScene, SceneError> {
    check_regular_file(path)?;
    let bytes = std::fs::read(path).map_err(|e| SceneError::io(path, e))?;
    let (scene, format) = decode_bytes(path, &bytes)?;
    finish(path, scene, format, opts)
}

/// Sanitises a decoded scene and finds the cameras beside its file.
fn finish(path: &Path, mut scene: Scene, format: SceneFormat, opts: &LoadOptions) -> Result<LoadedScene, SceneError> {
    let repairs = super::sanitize::sanitize(&mut scene, opts.strict).map_err(|p| SceneError::invalid(path, p))?;
    scene.check_consistent().map_err(|m| {
        SceneError::invalid(path, Problem::Malformed(format!("internal: decoded arrays disagree: {m}")))
    })?;
    let (cameras, cameras_file) = match cameras_beside(path)? {
        Some((cams, file)) => (cams, Some(file)),
        None => (Vec::new(), None),
    };
    Ok(LoadedScene {
        scene,
        cameras,
        format,
        source: path.to_path_buf(),
        cameras_file,
        warnings: repairs.warnings(),
        recorded_scale: None,
    })
}

/// Decodes a whole file's bytes (format detected from content, then extension).
pub fn decode_bytes(path: &Path, bytes: &[u8]) -> Result<(Scene, SceneFormat), SceneError> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if bytes.starts_with(b"ply") {
        return decode_ply(path, bytes);
    }
    // gzip-wrapped (every real .spz) or a bare NGSP payload.
    if bytes.starts_with(&[0x1f, 0x8b]) || bytes.starts_with(b"NGSP") || ext.as_deref() == Some("spz") {
        return Ok((spz::read(path, bytes)?, SceneFormat::Spz));
    }
    if bytes.starts_with(b"PK\x03\x04") || ext.as_deref() == Some("sog") {
        let (scene, version) = sog::read(&sog::SogFiles::bundle(path, bytes)?)?;
        return Ok((scene, SceneFormat::Sog { version, bundled: true }));
    }
    if bytes.starts_with(b"glTF") || matches!(ext.as_deref(), Some("gltf" | "glb")) {
        let (scene, form) = gltf::read(path, bytes)?;
        return Ok((scene, SceneFormat::Gltf(form)));
    }
    if ext.as_deref() == Some("splat") {
        return Ok((splat::read(path, bytes)?, SceneFormat::Splat));
    }
    Err(SceneError::invalid(
        path,
        Problem::UnknownFormat(
            "expected a PLY, .splat, .spz, .sog, .gltf or .glb file, a SOG folder (meta.json) or a trainer output folder".into(),
        ),
    ))
}

fn decode_ply(path: &Path, bytes: &[u8]) -> Result<(Scene, SceneFormat), SceneError> {
    let invalid = |p: Problem| SceneError::invalid(path, p);
    let header = ply_header::parse(bytes).map_err(invalid)?;
    if header.element("chunk").is_some() {
        return Ok((ply_compressed::read(path, bytes)?, SceneFormat::PlyCompressed));
    }
    let vertex = header.element("vertex").ok_or_else(|| invalid(Problem::MissingProperty("element vertex".into())))?;
    ply_fast::check_count(vertex, bytes.len() as u64).map_err(invalid)?;
    let layout = ply_layout::VertexLayout::from_element(vertex).map_err(invalid)?;
    if header.encoding == Encoding::BinaryLittleEndian
        && let Some(ranges) = ply_fast::element_ranges(&header)
    {
        ply_fast::check_body_length(&header, &ranges, bytes.len() as u64, vertex).map_err(invalid)?;
        let vi = header.elements.iter().position(|e| e.name == "vertex").expect("vertex element found above");
        let (start, len) = ranges[vi];
        let body = &bytes[start as usize..(start + len) as usize];
        return Ok((ply_fast::decode_vertices(&layout, vertex, body), SceneFormat::PlyFast));
    }
    if header.encoding != Encoding::Ascii
        && let Some(ranges) = ply_fast::element_ranges(&header)
    {
        // Binary big-endian with scalar elements: the exact length check is cheap, do it first.
        ply_fast::check_body_length(&header, &ranges, bytes.len() as u64, vertex).map_err(invalid)?;
    }
    let scene = ply_general::decode(bytes, &header, &layout).map_err(invalid)?;
    Ok((scene, SceneFormat::PlyGeneral))
}

/// Cameras that belong to a lone scene file: `cameras.json` beside it, or at the top of the
/// trainer folder it sits in (`<top>/point_cloud/iteration_N/point_cloud.ply`), with the
/// file they came from; `None` without such a file.
fn cameras_beside(path: &Path) -> Result<Option<(Vec<Camera>, PathBuf)>, SceneError> {
    let beside = path.parent().map(|p| p.join("cameras.json"));
    let top = path.parent().and_then(Path::parent).and_then(Path::parent).map(|p| p.join("cameras.json"));
    let in_trainer_tree =
        path.parent().and_then(Path::parent).and_then(Path::file_name).is_some_and(|n| n == "point_cloud");
    for candidate in [beside, if in_trainer_tree { top } else { None }].into_iter().flatten() {
        if candidate.is_file() {
            return Ok(Some((trainer_folder::read_cameras_file(&candidate)?, candidate)));
        }
    }
    Ok(None)
}

impl LoadedScene {
    /// Why this scene has no cameras, for messages: its `cameras.json` is empty, or it has
    /// none.
    pub fn why_no_cameras(&self) -> String {
        match &self.cameras_file {
            Some(f) => format!("{} is empty (an empty list, no cameras)", f.display()),
            None => format!("no cameras.json came with {}", self.source.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::trainer_folder::{DEFAULT_ITERATION, write_trainer_folder};

    /// Runs `f` on a thread and gives up after a while, so a regression (a read that blocks
    /// forever) fails the test instead of hanging it.
    fn within_seconds<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(std::time::Duration::from_secs(20)).expect("returned instead of blocking")
    }

    fn mkfifo(path: &Path) {
        let ok = std::process::Command::new("mkfifo").arg(path).status().expect("mkfifo runs").success();
        assert!(ok, "mkfifo {}", path.display());
    }

    fn tiny_scene() -> Scene {
        let mut s = Scene::with_capacity(1, 0);
        s.positions.push([0.0, 0.0, 1.0]);
        s.log_scales.push([-2.0; 3]);
        s.rotations.push([1.0, 0.0, 0.0, 0.0]);
        s.opacity_logits.push(1.0);
        s.sh.extend([0.1, 0.2, 0.3]);
        s
    }

    /// `info` on a FIFO named x.ply used to block forever in the read.
    #[cfg(unix)]
    #[test]
    fn special_files_are_refused_without_reading_them() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fifo = dir.path().join("x.ply");
        mkfifo(&fifo);
        let f = fifo.clone();
        let msg =
            within_seconds(move || load(&f, &LoadOptions::default()).map(|_| ()).expect_err("a FIFO").to_string());
        assert!(msg.contains("x.ply") && msg.contains("named pipe") && msg.contains("not a regular file"), "{msg}");
        let msg = load(Path::new("/dev/null"), &LoadOptions::default()).expect_err("a device").to_string();
        assert!(msg.contains("/dev/null") && msg.contains("a device"), "{msg}");

        // A trainer folder is a directory and loads; a FIFO for its cameras.json is refused.
        let room = dir.path().join("room");
        write_trainer_folder(&room, &tiny_scene(), &[], DEFAULT_ITERATION).expect("write");
        assert!(load(&room, &LoadOptions::default()).is_ok());
        let cams = room.join("cameras.json");
        std::fs::remove_file(&cams).expect("remove");
        mkfifo(&cams);
        let msg =
            within_seconds(move || load(&room, &LoadOptions::default()).map(|_| ()).expect_err("FIFO").to_string());
        assert!(msg.contains("cameras.json") && msg.contains("named pipe"), "{msg}");
    }

    /// An empty cameras.json loads (the scene is still viewable from --eye/--target), and
    /// the loaded scene remembers the file so messages can say it is empty.
    #[test]
    fn an_empty_cameras_json_is_remembered() {
        let dir = tempfile::tempdir().expect("temp dir");
        let room = dir.path().join("room");
        let ply = write_trainer_folder(&room, &tiny_scene(), &[], DEFAULT_ITERATION).expect("write");
        assert_eq!(std::fs::read_to_string(room.join("cameras.json")).expect("written"), "[]");
        for path in [&room, &ply] {
            let loaded = load(path, &LoadOptions::default()).expect("loads");
            assert!(loaded.cameras.is_empty());
            assert_eq!(loaded.cameras_file.as_deref(), Some(room.join("cameras.json").as_path()));
            let why = loaded.why_no_cameras();
            assert!(why.contains("room/cameras.json is empty"), "{why}");
        }
        std::fs::remove_file(room.join("cameras.json")).expect("remove");
        let loaded = load(&room, &LoadOptions::default()).expect("loads");
        assert_eq!(loaded.cameras_file, None);
        assert!(loaded.why_no_cameras().contains("no cameras.json"), "{}", loaded.why_no_cameras());
    }
}
