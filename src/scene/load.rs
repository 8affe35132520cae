//! One entry point for every scene source: detects the format, decodes, applies the
//! sanitising policy ([`super::sanitize`]) and finds the cameras that come with it.

use std::path::{Path, PathBuf};

use super::ply_header::{self, Encoding};
use super::{
    Camera, Problem, Scene, SceneError, ply_compressed, ply_fast, ply_general, ply_layout, splat, spz, trainer_folder,
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
    Splat,
    Spz,
}

impl std::fmt::Display for SceneFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::PlyFast => "PLY (binary little-endian)",
            Self::PlyGeneral => "PLY (ascii / big-endian)",
            Self::PlyCompressed => "compressed PLY (SuperSplat)",
            Self::Splat => ".splat",
            Self::Spz => ".spz",
        })
    }
}

/// A decoded scene and what came with it.
#[derive(Clone, Debug)]
pub struct LoadedScene {
    pub scene: Scene,
    pub cameras: Vec<Camera>,
    pub format: SceneFormat,
    /// The file the Gaussians came from (inside the folder, for trainer folders).
    pub source: PathBuf,
    /// Repairs made (see [`super::sanitize`]); show these to the user.
    pub warnings: Vec<String>,
}

/// Loads a scene file or a trainer output folder.
pub fn load(path: &Path, opts: &LoadOptions) -> Result<LoadedScene, SceneError> {
    if path.is_dir() {
        let ply = trainer_folder::find_ply(path)?;
        let mut loaded = load_file(&ply, opts)?;
        let cams = trainer_folder::read_cameras(path)?;
        if !cams.is_empty() {
            loaded.cameras = cams;
        }
        return Ok(loaded);
    }
    load_file(path, opts)
}

fn load_file(path: &Path, opts: &LoadOptions) -> Result<LoadedScene, SceneError> {
    let bytes = std::fs::read(path).map_err(|e| SceneError::io(path, e))?;
    let (mut scene, format) = decode_bytes(path, &bytes)?;
    let repairs = super::sanitize::sanitize(&mut scene, opts.strict).map_err(|p| SceneError::invalid(path, p))?;
    scene.check_consistent().map_err(|m| {
        SceneError::invalid(path, Problem::Malformed(format!("internal: decoded arrays disagree: {m}")))
    })?;
    Ok(LoadedScene {
        scene,
        cameras: cameras_beside(path)?,
        format,
        source: path.to_path_buf(),
        warnings: repairs.warnings(),
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
    if ext.as_deref() == Some("splat") {
        return Ok((splat::read(path, bytes)?, SceneFormat::Splat));
    }
    Err(SceneError::invalid(
        path,
        Problem::UnknownFormat("expected a PLY, .splat or .spz file, or a trainer output folder".into()),
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
/// trainer folder it sits in (`<top>/point_cloud/iteration_N/point_cloud.ply`).
fn cameras_beside(path: &Path) -> Result<Vec<Camera>, SceneError> {
    let beside = path.parent().map(|p| p.join("cameras.json"));
    let top = path.parent().and_then(Path::parent).and_then(Path::parent).map(|p| p.join("cameras.json"));
    let in_trainer_tree =
        path.parent().and_then(Path::parent).and_then(Path::file_name).is_some_and(|n| n == "point_cloud");
    for candidate in [beside, if in_trainer_tree { top } else { None }].into_iter().flatten() {
        if candidate.is_file() {
            return trainer_folder::read_cameras_file(&candidate);
        }
    }
    Ok(Vec::new())
}
