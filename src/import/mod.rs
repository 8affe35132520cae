//! Labelled scans → labelled Gaussian scenes (`rtgs2 import`): a coloured point cloud or mesh
//! with NYU40 labels per point becomes flat, surface-aligned Gaussians plus cameras in the
//! room's free space, written as a trainer output folder that every command reads. This is
//! how real scanned rooms (ScanNet and the like) are evaluated and trained on.

pub mod neighbours;
pub mod points;
pub mod surfels;
pub mod viewpoints;

use std::path::{Path, PathBuf};

use glam::Vec3;
use serde::Serialize;
use thiserror::Error;

pub use points::{LabelledPoints, read_points, scan_name};
pub use surfels::{SurfelOptions, SurfelStats};
pub use viewpoints::ViewOptions;

use crate::scene::Camera;
use crate::scene::Scene;
use crate::scene::trainer_folder::{DEFAULT_ITERATION, write_trainer_folder};

#[derive(Debug, Error)]
pub enum ImportError {
    /// The OS message is in the text and not also a `source`: anyhow's `{:#}` would print it twice.
    #[error("{path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{path}: {problem}")]
    Invalid { path: String, problem: String },
    #[error(transparent)]
    Npy(#[from] crate::util::npy::NpyError),
    #[error(transparent)]
    Scene(#[from] crate::scene::SceneError),
    /// `height` says how tall the scan is in metres along the up axis at the scale used: a
    /// wrong `--units-per-metre` (or `--up`) shows there as no room's height.
    #[error(
        "{path}: no free space to place cameras in (the scan is {} m tall along --up at {} units per metre: are --up and --units-per-metre right? the scan must be a room seen from inside)",
        short_number(*.height),
        short_number(*.units_per_metre)
    )]
    NoViews { path: String, height: f32, units_per_metre: f32 },
}

/// A number for a message: plain where it is of everyday size, else in exponent form (an
/// f32's Display writes 1e30 with 31 digits).
fn short_number(v: f32) -> String {
    if v == 0.0 || (1e-3..1e5).contains(&v.abs()) { format!("{v:.3}") } else { format!("{v:.3e}") }
}

impl ImportError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io { path: path.display().to_string(), error: source }
    }

    pub fn invalid(path: &Path, problem: impl Into<String>) -> Self {
        Self::Invalid { path: path.display().to_string(), problem: problem.into() }
    }
}

/// A scan made into a scene with cameras.
pub struct Imported {
    pub scene: Scene,
    pub cameras: Vec<Camera>,
    pub report: ImportReport,
}

/// What `import.json` records beside the scene.
#[derive(Clone, Debug, Serialize)]
pub struct ImportReport {
    pub source: String,
    pub points: usize,
    pub labels_repaired: usize,
    pub colours_clamped: usize,
    pub up: [f32; 3],
    /// World units per metre the cameras were placed with (given, or estimated).
    pub units_per_metre: f32,
    pub surfels: SurfelStats,
    pub cameras: usize,
    pub class_counts: std::collections::BTreeMap<&'static str, usize>,
}

/// Converts one scan; `scale` is world units per metre (`None`: estimated from the scan).
pub fn import_points(
    source: &Path,
    points: &LabelledPoints,
    up: Vec3,
    scale: Option<f32>,
    surfel_opts: &SurfelOptions,
    view_opts: &ViewOptions,
) -> Result<Imported, ImportError> {
    let pts: Vec<Vec3> = points.positions.iter().map(|p| Vec3::from_array(*p)).collect();
    let grid = neighbours::Grid::for_surface(&pts);
    let (scene, stats) = surfels::surfels(points, &grid, surfel_opts);
    let metre = match scale {
        Some(s) => s,
        None => crate::scene::scale::estimate_scale_with_up(&pts, up).map_or(1.0, |e| e.scale),
    };
    let cameras = viewpoints::place_cameras(&pts, &grid, up, metre, view_opts);
    if cameras.is_empty() {
        let heights = pts.iter().map(|p| p.dot(up));
        let (lo, hi) = heights.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), h| (lo.min(h), hi.max(h)));
        return Err(ImportError::NoViews {
            path: source.display().to_string(),
            height: (hi - lo) / metre,
            units_per_metre: metre,
        });
    }
    let mut class_counts = std::collections::BTreeMap::new();
    for &l in &points.labels {
        *class_counts.entry(crate::classes::name(l)).or_insert(0) += 1;
    }
    let report = ImportReport {
        source: source.display().to_string(),
        points: points.len(),
        labels_repaired: points.labels_repaired,
        colours_clamped: points.colours_clamped,
        up: up.to_array(),
        units_per_metre: metre,
        surfels: stats,
        cameras: cameras.len(),
        class_counts,
    };
    Ok(Imported { scene, cameras, report })
}

/// Writes the trainer folder (`point_cloud/iteration_N/point_cloud.ply`, `cameras.json`) and
/// `import.json`, each atomically. Returns the PLY's path.
pub fn write_imported(dir: &Path, imported: &Imported) -> Result<PathBuf, ImportError> {
    let ply = write_trainer_folder(dir, &imported.scene, &imported.cameras, DEFAULT_ITERATION)?;
    let json = serde_json::to_vec_pretty(&imported.report).expect("the report serialises to JSON");
    let path = dir.join("import.json");
    crate::util::atomic_write::write_bytes_atomically(&path, &json).map_err(|e| ImportError::io(&path, e))?;
    Ok(ply)
}

/// Why `--up` could not be read; the text given is quoted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UpError {
    #[error("expected x, y, z (optionally signed) or X,Y,Z; got {0:?}")]
    Unreadable(String),
    #[error("expected X,Y,Z; got {0:?}")]
    NotThree(String),
    #[error("the up vector {0:?} must be finite and not zero")]
    Degenerate(String),
}

/// Parses an up axis: `x`, `y`, `z` with an optional sign, or `X,Y,Z`.
pub fn parse_up(s: &str) -> Result<Vec3, UpError> {
    let t = s.trim().to_ascii_lowercase();
    let (sign, axis) = match t.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, t.strip_prefix('+').unwrap_or(&t)),
    };
    let v = match axis {
        "x" => Vec3::X,
        "y" => Vec3::Y,
        "z" => Vec3::Z,
        _ => {
            let parts: Vec<f32> = s
                .split(',')
                .map(|p| p.trim().parse::<f32>())
                .collect::<Result<_, _>>()
                .map_err(|_| UpError::Unreadable(s.to_string()))?;
            let [x, y, z] = <[f32; 3]>::try_from(parts.as_slice()).map_err(|_| UpError::NotThree(s.to_string()))?;
            return Vec3::new(x, y, z)
                .try_normalize()
                .filter(|v| v.is_finite())
                .ok_or_else(|| UpError::Degenerate(s.to_string()));
        }
    };
    Ok(v * sign)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_axes_parse() {
        assert_eq!(parse_up("z"), Ok(Vec3::Z));
        assert_eq!(parse_up("-Y"), Ok(-Vec3::Y));
        assert_eq!(parse_up("0,0,2"), Ok(Vec3::Z));
        assert_eq!(parse_up("0,0,0"), Err(UpError::Degenerate("0,0,0".into())));
        assert_eq!(parse_up("up"), Err(UpError::Unreadable("up".into())));
        assert_eq!(parse_up("1,2").expect_err("two").to_string(), "expected X,Y,Z; got \"1,2\"");
    }
}
