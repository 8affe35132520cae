//! Choosing a view on the command line: one of the scene's cameras, or an eye/target pair.

use anyhow::{Context, bail};
use clap::Args;
use glam::Vec3;

use crate::scene::Camera;
use crate::scene::camera::up_from_cameras;

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
    /// Horizontal field of view in degrees for --eye/--target.
    #[arg(long, default_value_t = 60.0)]
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

impl ViewArgs {
    /// The camera these arguments describe, for a scene with `cameras`.
    pub fn camera(&self, cameras: &[Camera]) -> anyhow::Result<Camera> {
        let cam = if let (Some(eye), Some(target)) = (self.eye, self.target) {
            if (target - eye).length() < 1e-9 {
                bail!("--eye and --target are the same point");
            }
            let up = match self.up {
                Some(u) => u.try_normalize().context("--up must not be zero")?,
                None => up_from_cameras(cameras).unwrap_or(Vec3::NEG_Y),
            };
            let (w, h) = (self.width.unwrap_or(640), self.height.unwrap_or(480));
            Camera::look_at(eye, target, up, self.fov, w, h)
        } else {
            if cameras.is_empty() {
                bail!("this scene has no cameras (no cameras.json): give --eye x,y,z --target x,y,z");
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
        cam.validate().map_err(anyhow::Error::msg)?;
        Ok(cam)
    }
}
