//! Choosing a view on the command line: one of the scene's cameras, or an eye/target pair.

use anyhow::{Context, bail};
use clap::Args;
use glam::Vec3;

use crate::scene::camera::up_from_cameras;
use crate::scene::{Camera, LoadedScene};

#[derive(Args, Debug, Clone, Default)]
pub struct ViewArgs {
    /// Index of the scene camera to render from (cameras.json order).
    #[arg(long, conflicts_with_all = ["eye", "target"])]
    pub camera: Option<usize>,
    /// Camera centre, "x,y,z" (with --target).
    #[arg(long, value_parser = parse_vec3, requires = "target", allow_hyphen_values = true)]
    pub eye: Option<Vec3>,
    /// Point to look at, "x,y,z" (with --eye).
    #[arg(long, value_parser = parse_vec3, requires = "eye", allow_hyphen_values = true)]
    pub target: Option<Vec3>,
    /// Image-up direction for --eye/--target, "x,y,z". Default: derived from the scene's
    /// cameras; without cameras, −y (the COLMAP/OpenCV convention).
    #[arg(long, value_parser = parse_vec3, allow_hyphen_values = true)]
    pub up: Option<Vec3>,
    /// Horizontal field of view in degrees for --eye/--target, between 0 and 180.
    #[arg(long, default_value_t = 60.0, value_parser = parse_fov, allow_hyphen_values = true)]
    pub fov: f32,
    /// Output width; a scene camera's intrinsics are rescaled to it.
    #[arg(long)]
    pub width: Option<u32>,
    /// Output height; a scene camera's intrinsics are rescaled to it.
    #[arg(long)]
    pub height: Option<u32>,
}

/// Parses "x,y,z".
pub fn parse_vec3(s: &str) -> Result<Vec3, String> {
    let v: Vec<f32> =
        s.split(',').map(|p| p.trim().parse::<f32>().map_err(|e| format!("'{p}': {e}"))).collect::<Result<_, _>>()?;
    match v.as_slice() {
        [x, y, z] if v.iter().all(|c| c.is_finite()) => Ok(Vec3::new(*x, *y, *z)),
        _ => Err(format!("expected three finite numbers x,y,z, got '{s}'")),
    }
}

/// A horizontal field of view in degrees: a pinhole sees strictly between 0 and 180.
pub fn check_fov(fov: f32) -> Result<f32, String> {
    if fov > 0.0 && fov < 180.0 {
        Ok(fov)
    } else {
        Err(format!("--fov {fov} is outside 0-180 degrees (a field of view is more than 0 and less than 180)"))
    }
}

fn parse_fov(s: &str) -> Result<f32, String> {
    let fov = s.trim().parse::<f32>().map_err(|e| format!("--fov '{s}' is not a number: {e}"))?;
    check_fov(fov)
}

impl ViewArgs {
    /// The camera these arguments describe for a loaded scene; with no cameras to choose
    /// from, the message says why (its `cameras.json` is empty, or it has none).
    pub fn camera_for(&self, loaded: &LoadedScene) -> anyhow::Result<Camera> {
        if loaded.cameras.is_empty() && !self.uses_eye() {
            bail!("{}: give --eye x,y,z --target x,y,z", loaded.why_no_cameras());
        }
        self.camera(&loaded.cameras)
    }

    fn uses_eye(&self) -> bool {
        self.eye.is_some() && self.target.is_some()
    }

    /// The camera these arguments describe, for a scene with `cameras`.
    pub fn camera(&self, cameras: &[Camera]) -> anyhow::Result<Camera> {
        let cam = if let (Some(eye), Some(target)) = (self.eye, self.target) {
            if (target - eye).length() < 1e-9 {
                bail!("--eye and --target are the same point");
            }
            check_fov(self.fov).map_err(anyhow::Error::msg)?;
            let up = match self.up {
                Some(u) => u.try_normalize().context("--up must not be zero")?,
                None => up_from_cameras(cameras).unwrap_or(Vec3::NEG_Y),
            };
            let (w, h) = (self.width.unwrap_or(640), self.height.unwrap_or(480));
            Camera::look_at(eye, target, up, self.fov, w, h)
        } else {
            if cameras.is_empty() {
                bail!("this scene has no cameras: give --eye x,y,z --target x,y,z");
            }
            let n = self.camera.unwrap_or(0);
            let cam = cameras.get(n).with_context(|| {
                format!("camera {n} does not exist: the scene has {} cameras (0-{})", cameras.len(), cameras.len() - 1)
            })?;
            let w = self.width.unwrap_or(cam.width);
            let h = self.height.unwrap_or(cam.height);
            cam.resized(w, h)
        };
        if cam.width == 0 || cam.height == 0 || cam.width > 16384 || cam.height > 16384 {
            bail!("image size {}x{} is outside 1-16384", cam.width, cam.height);
        }
        cam.validate()?;
        Ok(cam)
    }
}

/// Parses "WxH".
pub(crate) fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(|| format!("expected WxH, got '{s}'"))?;
    let parse = |v: &str| v.trim().parse::<u32>().map_err(|_| format!("'{v}' in '{s}' is not a whole number"));
    let (w, h) = (parse(w)?, parse(h)?);
    if !(16..=8192).contains(&w) || !(16..=8192).contains(&h) {
        return Err(format!("size {w}x{h} is outside 16-8192"));
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Wrap {
        #[command(flatten)]
        view: ViewArgs,
    }

    fn parse(args: &[&str]) -> Result<ViewArgs, String> {
        let mut all = vec!["x", "--eye", "0,0,0", "--target", "0,0,1"];
        all.extend_from_slice(args);
        Wrap::try_parse_from(all).map(|w| w.view).map_err(|e| e.to_string())
    }

    /// `--fov 0|180|NaN` used to be accepted and `-30` to be taken for an option.
    #[test]
    fn fov_outside_0_to_180_is_refused_with_its_name() {
        for bad in ["0", "180", "NaN", "-30", "400", "inf"] {
            let msg = parse(&["--fov", bad]).expect_err(bad);
            assert!(msg.contains("--fov") && msg.contains("0-180"), "{bad}: {msg}");
            assert!(!msg.contains("unexpected argument"), "-30 is a value: {msg}");
        }
        let msg = parse(&["--fov", "wide"]).expect_err("not a number");
        assert!(msg.contains("--fov") && msg.contains("not a number"), "{msg}");
        let v = parse(&["--fov", "90"]).expect("in range");
        assert_eq!(v.fov, 90.0);
        assert!(v.camera(&[]).is_ok());
        // Built in code, the range is checked when the camera is made.
        let v = ViewArgs { fov: -30.0, ..v };
        let msg = v.camera(&[]).expect_err("range").to_string();
        assert!(msg.contains("--fov -30"), "{msg}");
    }

    fn loaded_without_cameras(cameras_file: Option<&str>) -> LoadedScene {
        LoadedScene {
            scene: Default::default(),
            cameras: Vec::new(),
            format: crate::scene::SceneFormat::PlyFast,
            source: "/d/room/point_cloud.ply".into(),
            cameras_file: cameras_file.map(Into::into),
            warnings: Vec::new(),
            recorded_scale: None,
        }
    }

    /// An empty cameras.json used to be reported as "no cameras.json".
    #[test]
    fn a_scene_without_cameras_says_whether_its_cameras_json_is_empty() {
        let none = ViewArgs::default();
        let msg =
            none.camera_for(&loaded_without_cameras(Some("/d/room/cameras.json"))).expect_err("empty").to_string();
        assert!(msg.contains("/d/room/cameras.json is empty") && msg.contains("--eye"), "{msg}");
        let msg = none.camera_for(&loaded_without_cameras(None)).expect_err("absent").to_string();
        assert!(msg.contains("no cameras.json came with /d/room/point_cloud.ply"), "{msg}");
        let eye = parse(&[]).expect("eye and target");
        assert!(eye.camera_for(&loaded_without_cameras(Some("/d/room/cameras.json"))).is_ok());
    }
}
