//! The reference trainer's output folder: `point_cloud/iteration_N/point_cloud.ply` (the
//! highest N wins) or a `point_cloud.ply` at the top, plus `cameras.json`.

use std::path::{Path, PathBuf};

use super::{Camera, Problem, Scene, SceneError};

/// The iteration number the generator writes, matching the reference trainer's default.
pub const DEFAULT_ITERATION: u32 = 30_000;

/// The PLY a trainer folder holds: the highest `iteration_N`, else a top-level file.
pub fn find_ply(dir: &Path) -> Result<PathBuf, SceneError> {
    let pc = dir.join("point_cloud");
    let mut best: Option<(u64, PathBuf)> = None;
    if let Ok(entries) = std::fs::read_dir(&pc) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(n) = name.to_str().and_then(|s| s.strip_prefix("iteration_")).and_then(|s| s.parse::<u64>().ok())
            else {
                continue;
            };
            let ply = entry.path().join("point_cloud.ply");
            if ply.is_file() && best.as_ref().is_none_or(|(b, _)| n > *b) {
                best = Some((n, ply));
            }
        }
    }
    if let Some((_, p)) = best {
        return Ok(p);
    }
    let top = dir.join("point_cloud.ply");
    if top.is_file() {
        return Ok(top);
    }
    Err(SceneError::invalid(
        dir,
        Problem::UnknownFormat(
            "a folder, but neither point_cloud/iteration_N/point_cloud.ply nor point_cloud.ply is in it".into(),
        ),
    ))
}

/// Reads `cameras.json` if the folder has one; an absent file is no cameras, a broken one is
/// an error.
pub fn read_cameras(dir: &Path) -> Result<Vec<Camera>, SceneError> {
    let path = dir.join("cameras.json");
    if !path.exists() {
        return Ok(Vec::new());
    }
    read_cameras_file(&path)
}

/// A trainer folder's `import.json` that does not hold a usable scale. Callers report it as
/// a warning: the scale is then estimated as for any scene.
#[derive(Debug, thiserror::Error)]
#[error("{}: {why}; the scene scale is estimated instead", path.display())]
pub struct RecordedScaleError {
    /// The `import.json` in question.
    pub path: PathBuf,
    /// What is wrong with it.
    pub why: RecordedScaleProblem,
}

/// What is wrong with `import.json` (the OS's or serde's message is part of the text and not
/// also a `source`, so a chain printed with anyhow's `{:#}` does not repeat it).
#[derive(Debug, thiserror::Error)]
pub enum RecordedScaleProblem {
    #[error("{0}")]
    /// The file exists but could not be read.
    Io(std::io::Error),
    #[error("not JSON ({0})")]
    /// The file is not JSON.
    NotJson(serde_json::Error),
    #[error("units_per_metre {0} is not a positive number")]
    /// `units_per_metre` is zero, negative or not finite.
    NotPositive(f64),
    #[error("no units_per_metre number")]
    /// The file has no numeric `units_per_metre` field.
    Missing,
}

/// The world units per metre that `rtgs2 import` recorded in the folder's `import.json` (the
/// scan's scale was given or estimated then, from the points rather than a splat). `Ok(None)`
/// when there is no such file; a file that does not hold a positive number is an error the
/// caller reports as a warning (the scale is then estimated as for any scene).
pub fn read_recorded_scale(dir: &Path) -> Result<Option<f32>, RecordedScaleError> {
    let path = dir.join("import.json");
    if !path.is_file() {
        return Ok(None);
    }
    let read = || {
        let text = std::fs::read_to_string(&path).map_err(RecordedScaleProblem::Io)?;
        let json: serde_json::Value = serde_json::from_str(&text).map_err(RecordedScaleProblem::NotJson)?;
        match json.get("units_per_metre").and_then(serde_json::Value::as_f64) {
            Some(v) if v.is_finite() && v > 0.0 && v < f32::MAX as f64 => Ok(Some(v as f32)),
            Some(v) => Err(RecordedScaleProblem::NotPositive(v)),
            None => Err(RecordedScaleProblem::Missing),
        }
    };
    read().map_err(|why| RecordedScaleError { path: path.clone(), why })
}

/// Parses a `cameras.json` file and checks every camera.
pub fn read_cameras_file(path: &Path) -> Result<Vec<Camera>, SceneError> {
    super::load::check_regular_file(path)?;
    let text = std::fs::read_to_string(path).map_err(|e| SceneError::io(path, e))?;
    let cameras: Vec<Camera> =
        serde_json::from_str(&text).map_err(|e| SceneError::invalid(path, Problem::Cameras(e.to_string())))?;
    for c in &cameras {
        c.validate().map_err(|e| SceneError::invalid(path, Problem::Cameras(e.to_string())))?;
    }
    Ok(cameras)
}

/// Writes a trainer output folder: `point_cloud/iteration_{iteration}/point_cloud.ply` and
/// `cameras.json`, each atomically. Returns the PLY's path.
pub fn write_trainer_folder(
    dir: &Path,
    scene: &Scene,
    cameras: &[Camera],
    iteration: u32,
) -> Result<PathBuf, SceneError> {
    let ply = dir.join("point_cloud").join(format!("iteration_{iteration}")).join("point_cloud.ply");
    super::ply_write::write_ply(&ply, scene)?;
    let cams = dir.join("cameras.json");
    let json = serde_json::to_vec(cameras).expect("cameras serialise to JSON");
    crate::util::atomic_write::write_bytes_atomically(&cams, &json).map_err(|e| SceneError::io(&cams, e))?;
    Ok(ply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_scale_is_read_and_a_broken_one_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(read_recorded_scale(dir.path()).expect("no file"), None, "no import.json, nothing recorded");
        let file = dir.path().join("import.json");
        std::fs::write(&file, r#"{"points": 3, "units_per_metre": 2.5}"#).expect("write");
        assert_eq!(read_recorded_scale(dir.path()).expect("a scale"), Some(2.5));
        for (text, why) in [
            ("{", "not JSON"),
            (r#"{"points": 3}"#, "no units_per_metre"),
            (r#"{"units_per_metre": -1}"#, "units_per_metre -1"),
            (r#"{"units_per_metre": "1"}"#, "no units_per_metre"),
        ] {
            std::fs::write(&file, text).expect("write");
            let err = read_recorded_scale(dir.path()).expect_err(text).to_string();
            assert!(err.contains(why) && err.contains("import.json") && err.contains("estimated instead"), "{err}");
        }
    }
}
