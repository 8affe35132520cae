//! When the viewer renders: the "something changed" flag, continuous rendering, a scripted
//! run's hold for the encoder features, the frame counter, and the instants the frame and UI
//! timings are measured from.
//!
//! Kept apart from [`super::viewer::Viewer`] so that the rules for "is a frame due" and
//! "how long did that frame take" live in one place instead of in assignments spread over
//! the viewer's event handling.

use std::time::{Duration, Instant};

/// The viewer's render schedule and frame timestamps.
#[derive(Debug)]
pub struct FrameClock {
    /// Something shown changed since the last submitted frame.
    dirty: bool,
    /// Render every frame even when nothing changed (for measuring).
    pub continuous: bool,
    /// A scripted run holds its frames until the encoder features arrive.
    held_for_features: bool,
    /// Number of the next frame to submit (frames submitted so far).
    frame_no: u64,
    last_submit: Option<Instant>,
    last_done: Option<Instant>,
    last_ui: Option<Instant>,
}

impl Default for FrameClock {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameClock {
    /// A clock that wants its first frame.
    pub fn new() -> Self {
        Self {
            dirty: true,
            continuous: false,
            held_for_features: false,
            frame_no: 0,
            last_submit: None,
            last_done: None,
            last_ui: None,
        }
    }

    /// Something shown changed: render again.
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Whether something changed since the last render.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Holds (or releases) frames while a scripted run waits for the encoder features.
    pub fn hold_for_features(&mut self, hold: bool) {
        self.held_for_features = hold;
    }

    /// Whether a frame is due: not held, and something changed, continuous rendering is on,
    /// or `moving` (the camera is still moving or a scripted run drives the frames).
    pub fn frame_due(&self, moving: bool) -> bool {
        !self.held_for_features && (self.dirty || self.continuous || moving)
    }

    /// Number of the next frame to be submitted.
    pub fn frame_no(&self) -> u64 {
        self.frame_no
    }

    /// A UI frame starts at `now`; the time since the previous one, if any.
    pub fn ui_frame(&mut self, now: Instant) -> Option<Duration> {
        let since = self.last_ui.map(|t| now - t);
        self.last_ui = Some(now);
        since
    }

    /// A frame was submitted to the GPU.
    pub fn submitted(&mut self) {
        self.frame_no += 1;
        self.dirty = false;
        self.last_submit = Some(Instant::now());
    }

    /// Submitting failed (the error is reported): no new frame until something changes.
    pub fn submit_failed(&mut self) {
        self.dirty = false;
    }

    /// A rendered frame came back at `now`. An overflowed frame (incomplete; the display
    /// kept the previous image) asks for another and gives no time; otherwise the time it
    /// took in ms: for back-to-back frames the period between completions, else the latency
    /// from its submission.
    pub fn frame_done(&mut self, now: Instant, overflow: bool) -> Option<f64> {
        let ms = if overflow {
            self.dirty = true;
            None
        } else {
            let start = match (self.last_submit, self.last_done) {
                (Some(s), Some(d)) => s.max(d),
                (Some(s), None) => s,
                _ => now,
            };
            Some((now - start).as_secs_f64() * 1e3)
        };
        self.last_done = Some(now);
        ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_is_due_until_submitted_and_again_after_an_overflow() {
        let mut c = FrameClock::new();
        assert!(c.frame_due(false), "the first frame");
        c.submitted();
        assert_eq!(c.frame_no(), 1);
        assert!(!c.frame_due(false));
        assert!(c.frame_due(true), "a moving camera");
        c.continuous = true;
        assert!(c.frame_due(false));
        c.continuous = false;
        assert_eq!(c.frame_done(Instant::now(), true), None);
        assert!(c.frame_due(false), "an overflowed frame is rendered again");
        c.hold_for_features(true);
        assert!(!c.frame_due(true), "held");
        c.hold_for_features(false);
        c.submit_failed();
        assert!(!c.frame_due(false));
    }

    #[test]
    fn back_to_back_frames_measure_the_period_between_completions() {
        let mut c = FrameClock::new();
        let t0 = Instant::now();
        assert_eq!(c.frame_done(t0, false), Some(0.0), "nothing submitted: no time");
        c.submitted();
        let submit = c.last_submit.expect("submitted");
        let done = submit + Duration::from_millis(10);
        assert_eq!(c.frame_done(done, false), Some(10.0), "latency from the submission");
        // Submitted before the last one completed: the period between completions.
        c.last_submit = Some(done - Duration::from_millis(3));
        assert_eq!(c.frame_done(done + Duration::from_millis(7), false), Some(7.0));
        assert_eq!(c.ui_frame(t0), None);
        assert_eq!(c.ui_frame(t0 + Duration::from_millis(16)), Some(Duration::from_millis(16)));
    }
}
