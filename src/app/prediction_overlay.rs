//! Which fusion-network prediction the semantic view shows, relative to the camera and the
//! frames rendered: the camera and frame of the last fusion frame requested, the prediction
//! uploaded for display, whether a frame has shown it, and how old it was then.
//!
//! These decide when to ask the network for a new prediction and when a scripted run's
//! screenshot may be taken, so they are kept together with those two rules rather than as
//! loose fields of the viewer.

use crate::scene::Camera;

/// Bookkeeping of the semantic view's predicted overlay.
#[derive(Clone, Debug, Default)]
pub struct PredictionOverlay {
    /// Camera and frame number of the last fusion frame requested.
    request: Option<(Camera, u64)>,
    /// Frame number of the prediction uploaded for the semantic view.
    shown: Option<u64>,
    /// A display frame has shown the latest prediction.
    presented: bool,
    /// Frames rendered since the prediction shown was requested.
    age_frames: Option<u64>,
}

impl PredictionOverlay {
    /// Frames rendered since the prediction on screen was requested.
    pub fn age_frames(&self) -> Option<u64> {
        self.age_frames
    }

    /// Forgets everything (a new scene).
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Forgets which camera the network has seen (the source or inference size changed).
    pub fn forget_request(&mut self) {
        self.request = None;
    }

    /// Whether the network has not been asked about `camera` by the latest request.
    pub fn wants(&self, camera: &Camera) -> bool {
        self.request.as_ref().is_none_or(|(r, _)| r != camera)
    }

    /// A fusion frame for `camera` went out with frame `frame`.
    pub fn requested(&mut self, camera: Camera, frame: u64) {
        self.request = Some((camera, frame));
    }

    /// The view does not yet show the prediction for `camera`, given the frame number of the
    /// network's latest prediction.
    pub fn pending(&self, camera: &Camera, latest: Option<u64>) -> bool {
        let Some((requested, frame)) = &self.request else { return true };
        requested != camera || latest != Some(*frame) || !self.presented
    }

    /// The network's latest prediction is for frame `frame`; true when it is new and must be
    /// uploaded for display.
    pub fn arrived(&mut self, frame: u64) -> bool {
        if self.shown == Some(frame) {
            return false;
        }
        self.presented = false;
        self.shown = Some(frame);
        true
    }

    /// Frame `frame` was submitted; when it shows predictions, it presents the uploaded one.
    pub fn frame_submitted(&mut self, frame: u64, predicting: bool) {
        if let Some(shown) = self.shown.filter(|_| predicting) {
            self.presented = true;
            self.age_frames = Some(frame - shown);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camera(x: f32) -> Camera {
        Camera::look_at(glam::Vec3::new(x, 0.0, 0.0), glam::Vec3::Z * 5.0, glam::Vec3::NEG_Y, 60.0, 64, 48)
    }

    #[test]
    fn the_overlay_is_pending_until_a_frame_shows_the_prediction_for_the_camera() {
        let mut o = PredictionOverlay::default();
        let cam = camera(0.0);
        assert!(o.wants(&cam) && o.pending(&cam, None));
        o.requested(cam.clone(), 5);
        assert!(!o.wants(&cam));
        assert!(o.pending(&cam, None), "no prediction yet");
        assert!(o.arrived(5));
        assert!(!o.arrived(5), "uploaded once");
        assert!(o.pending(&cam, Some(5)), "not presented yet");
        o.frame_submitted(6, false);
        assert!(o.pending(&cam, Some(5)), "a frame without predictions does not present it");
        o.frame_submitted(8, true);
        assert!(!o.pending(&cam, Some(5)));
        assert_eq!(o.age_frames(), Some(3));
        assert!(o.pending(&camera(1.0), Some(5)), "another camera");
        o.forget_request();
        assert!(o.wants(&cam) && o.pending(&cam, Some(5)));
        o.clear();
        assert_eq!(o.age_frames(), None);
    }
}
