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
/// Why a scan could not be imported.
pub enum ImportError {
    /// The OS message is in the text and not also a `source`: anyhow's `{:#}` would print it twice.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// What the operating system reported.
        error: std::io::Error,
    },
    /// The file was read but its content cannot be imported.
    #[error("{path}: {problem}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong with it.
        problem: String,
    },
    #[error(transparent)]
    /// A `.npy` input could not be read.
    Npy(#[from] crate::util::npy::NpyError),
    #[error(transparent)]
    /// A scene-format input (PLY, ...) could not be read.
    Scene(#[from] crate::scene::SceneError),
    /// `height` says how tall the scan is in metres along the up axis at the scale used: a
    /// wrong `--units-per-metre` (or `--up`) shows there as no room's height.
    #[error(
        "{path}: no free space to place cameras in (the scan is {} m tall along --up at {} units per metre: are --up and --units-per-metre right? the scan must be a room seen from inside)",
        short_number(*.height),
        short_number(*.units_per_metre)
    )]
    NoViews {
        /// The scan file.
        path: String,
        /// The scan's extent along up, metres at the scale used.
        height: f32,
        /// World units per metre used.
        units_per_metre: f32,
    },
}

/// A number for a message: plain where it is of everyday size, else in exponent form (an
/// f32's Display writes 1e30 with 31 digits).
fn short_number(v: f32) -> String {
    if v == 0.0 || (1e-3..1e5).contains(&v.abs()) { format!("{v:.3}") } else { format!("{v:.3e}") }
}

impl ImportError {
    /// An I/O failure on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io { path: path.display().to_string(), error: source }
    }

    /// Unusable content in `path`.
    pub fn invalid(path: &Path, problem: impl Into<String>) -> Self {
        Self::Invalid { path: path.display().to_string(), problem: problem.into() }
    }
}

/// A scan made into a scene with cameras.
pub struct Imported {
    /// One flat Gaussian per point, labels carried.
    pub scene: Scene,
    /// Cameras placed in the room's free space.
    pub cameras: Vec<Camera>,
    /// What the import did, for `import.json`.
    pub report: ImportReport,
}

/// What `import.json` records beside the scene.
#[derive(Clone, Debug, Serialize)]
pub struct ImportReport {
    /// The scan file, as given.
    pub source: String,
    /// Points read.
    pub points: usize,
    /// Labels outside NYU40 that were set to 0.
    pub labels_repaired: usize,
    /// Colour values outside their range that were clamped.
    pub colours_clamped: usize,
    /// Up direction (unit vector) the cameras were placed with.
    pub up: [f32; 3],
    /// How far, in degrees, the scan's horizontal planes moved `--up` to give it (0: kept).
    pub levelled_deg: f32,
    /// World units per metre the cameras were placed with (given, or estimated).
    pub units_per_metre: f32,
    /// Point spacing and isolation measured while making the Gaussians.
    pub surfels: SurfelStats,
    /// Cameras placed.
    pub cameras: usize,
    /// Points per class name.
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
    // A scan leans (ScanNet's up to 15°) while its axis says up: cameras placed at eye height
    // along the axis would stand in the floor at one end of the room and near the ceiling at
    // the other, so they are placed along the up its floor and ceiling give.
    let (up, levelled_deg) = match up.try_normalize() {
        Some(axis) => crate::scene::level::level_up(&pts, axis),
        None => (up, 0.0),
    };
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
        levelled_deg,
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
    /// Neither an axis name nor comma-separated numbers.
    Unreadable(String),
    #[error("expected X,Y,Z; got {0:?}")]
    /// Comma-separated numbers, but not three.
    NotThree(String),
    #[error("the up vector {0:?} must be finite and not zero")]
    /// Three numbers that are zero or not finite.
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

    /// A 6 × 4 × 2.5 m box room that leans 12° while its axis says z is up: the cameras stand
    /// at eye height above its floor everywhere and hold the floor's up, and the report says
    /// how far up was levelled. Level, the same room keeps z.
    #[test]
    fn a_leaning_scan_gets_cameras_level_with_its_floor() {
        let pts = viewpoints::tests::box_room();
        let lean = glam::Quat::from_rotation_y(12f32.to_radians());
        let scan = |room: &[Vec3]| LabelledPoints {
            positions: room.iter().map(|p| p.to_array()).collect(),
            colours: vec![[128; 3]; room.len()],
            labels: vec![1; room.len()],
            labels_repaired: 0,
            colours_clamped: 0,
            warnings: Vec::new(),
        };
        let views = ViewOptions { count: 8, width: 64, height: 48, fov_x_deg: 60.0, seed: 3 };
        let import = |room: &[Vec3]| {
            import_points(Path::new("scan.npy"), &scan(room), Vec3::Z, Some(1.0), &SurfelOptions::default(), &views)
                .expect("a room")
        };
        let level = import(&pts);
        assert_eq!((level.report.up, level.report.levelled_deg), ([0.0, 0.0, 1.0], 0.0));
        let leaning: Vec<Vec3> = pts.iter().map(|&p| lean * p).collect();
        let imported = import(&leaning);
        let truth = lean * Vec3::Z;
        assert!((imported.report.levelled_deg - 12.0).abs() < 0.3, "levelled {}°", imported.report.levelled_deg);
        assert!(Vec3::from_array(imported.report.up).dot(truth) > 0.9999, "up {:?}", imported.report.up);
        assert_eq!(imported.cameras.len(), 8);
        for c in &imported.cameras {
            let eye = c.centre().dot(truth);
            assert!((1.2..1.7).contains(&eye), "eye {eye} m above the floor");
            assert!((-c.cam_to_world().y_axis).dot(truth) > 0.8, "image up follows the floor's up");
        }
    }
}
