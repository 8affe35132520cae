//! The viewer's camera-path recorder: keyframes taken from the current view (K, or the side
//! panel), saved as a keyframe file that `rtgs2 render SCENE --path FILE` plays back.

use std::path::{Path, PathBuf};

use crate::scene::Camera;
use crate::scene::camera_path::{KeyframeFile, Pose};
use crate::util::atomic_write::write_bytes_atomically;

#[derive(Default)]
/// Keyframes recorded from the viewer's camera (saved as a camera path).
pub struct PathRecorder {
    keyframes: Vec<Pose>,
}

impl PathRecorder {
    /// Keyframes recorded.
    pub fn len(&self) -> usize {
        self.keyframes.len()
    }

    /// Whether none are recorded.
    pub fn is_empty(&self) -> bool {
        self.keyframes.is_empty()
    }

    /// Adds the view `cam` shows; a view equal to the last keyframe is not added twice.
    pub fn add(&mut self, cam: &Camera) {
        let pose = Pose::of_camera(cam);
        let same = self.keyframes.last().is_some_and(|last| {
            last.position.distance(pose.position) < 1e-6 && last.rotation.angle_between(pose.rotation) < 1e-5
        });
        if !same {
            self.keyframes.push(pose);
        }
    }

    /// Forgets every keyframe.
    pub fn clear(&mut self) {
        self.keyframes.clear();
    }

    /// Writes the keyframes to `path` (atomically) and returns the command that renders
    /// them, for the message.
    pub fn save(&self, path: &Path, scene: &Path) -> std::io::Result<String> {
        let json =
            serde_json::to_vec_pretty(&KeyframeFile::of_poses(&self.keyframes)).map_err(std::io::Error::other)?;
        write_bytes_atomically(path, &json)?;
        Ok(format!(
            "{} keyframes saved to {}; render them with: rtgs2 render {} --path {} --out path.mp4",
            self.keyframes.len(),
            path.display(),
            scene.display(),
            path.display()
        ))
    }
}

/// Where the viewer saves a path: `paths/rtgs2-path-SECONDS.json` in the working folder, as
/// screenshots go to `screenshots/`.
pub fn default_path_file() -> PathBuf {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    PathBuf::from("paths").join(format!("rtgs2-path-{secs}.json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::camera_path::{SceneExtent, through};
    use glam::Vec3;

    #[test]
    fn a_saved_path_plays_back_through_the_recorded_views() {
        let views = [
            Camera::look_at(Vec3::ZERO, Vec3::Z, Vec3::NEG_Y, 60.0, 320, 240),
            Camera::look_at(Vec3::new(1.0, 0.0, 0.0), Vec3::new(1.0, 0.0, 2.0), Vec3::NEG_Y, 50.0, 320, 240),
        ];
        let mut rec = PathRecorder::default();
        rec.add(&views[0]);
        rec.add(&views[0]);
        rec.add(&views[1]);
        assert_eq!(rec.len(), 2, "a repeated view is one keyframe");
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("paths/p.json");
        let msg = rec.save(&file, Path::new("room")).expect("save");
        assert!(msg.contains("--path") && msg.contains("p.json"), "{msg}");
        let keys = KeyframeFile::read(&file, Vec3::NEG_Y, 60.0).expect("read back");
        let played = through(&keys, 2, SceneExtent { centre: Vec3::ZERO, radius: 1.0 });
        for (pose, view) in played.iter().zip(&views) {
            let cam = pose.camera(0, 320, 240);
            assert!(cam.centre().distance(view.centre()) < 1e-5);
            assert!(cam.forward().dot(view.forward()) > 0.99999);
            assert!((cam.fx - view.fx).abs() < 1e-3, "{} {}", cam.fx, view.fx);
        }
    }
}
