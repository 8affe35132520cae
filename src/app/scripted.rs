//! A scripted run (`rtgs2 view --frames N`): renders frames back to back, feeding the
//! `--script` input one frame at a time with a fixed time step (so the result does not
//! depend on how fast the device is), then takes the screenshot and exits.
//!
//! Frames are only counted once the scene is loaded and, when the layout shows features,
//! once the encoder's features are there (or `feature_timeout` has passed), so screenshots
//! are deterministic. A frame that overflowed its pair buffer is rendered again without
//! consuming input. After the last frame the camera is given time to settle.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::frame_stats::{FrameSummary, summarise};
use super::script::ScriptFrame;

/// Time step of one scripted frame, seconds.
pub const SCRIPT_DT: f32 = 1.0 / 30.0;
/// Frames allowed after the script for the camera smoothing to come to rest.
const MAX_SETTLE_FRAMES: usize = 300;

/// A scripted viewer run (`--script`, `--frames`): replays synthetic input frame by frame,
/// times the counted frames, then takes the screenshot (if any) and ends.
pub struct ScriptedRun {
    script: Vec<ScriptFrame>,
    frames: usize,
    completed: usize,
    /// Script index whose input the in-flight or last frame consumed.
    applied: Option<usize>,
    /// Whether the in-flight frame counts (submitted after the features were awaited).
    counting: bool,
    feature_timeout: Duration,
    started: Instant,
    /// The run waited for the encoder features longer than its timeout.
    pub timed_out_waiting: bool,
    /// Where to write the screenshot at the end, if anywhere.
    pub screenshot: Option<PathBuf>,
    /// Where to save the camera path recorded by `keyframe` steps.
    pub save_path: Option<PathBuf>,
    /// Why the run cannot finish (the scene failed to load, the GPU refused the view).
    pub failure: Option<String>,
    /// Times of the counted frames, ms.
    times_ms: Vec<f64>,
}

impl ScriptedRun {
    /// A run of `script` then `frames` counted frames (at least 1), a screenshot to `screenshot`
    /// at the end, waiting at most `feature_timeout` for the encoder features.
    pub fn new(
        script: Vec<ScriptFrame>,
        frames: usize,
        screenshot: Option<PathBuf>,
        feature_timeout: Duration,
    ) -> Self {
        Self {
            script,
            frames: frames.max(1),
            completed: 0,
            applied: None,
            counting: false,
            feature_timeout,
            started: Instant::now(),
            timed_out_waiting: false,
            screenshot,
            save_path: None,
            failure: None,
            times_ms: Vec::new(),
        }
    }

    /// Frames to count before the run may end.
    pub fn total_frames(&self) -> usize {
        self.frames.max(self.script.len())
    }

    /// Whether to hold off rendering: the features the layout shows are still computing.
    pub fn waiting(&mut self, features_pending: bool) -> bool {
        if !features_pending {
            return false;
        }
        if self.started.elapsed() < self.feature_timeout {
            return true;
        }
        self.timed_out_waiting = true;
        false
    }

    /// Whether there is still time to wait for something (the overlay after the last frame).
    pub fn patient(&mut self) -> bool {
        if self.started.elapsed() < self.feature_timeout {
            return true;
        }
        self.timed_out_waiting = true;
        false
    }

    /// Input and time step for the next frame; a re-render of the same frame gets none.
    pub fn next_input(&mut self) -> (ScriptFrame, f32) {
        self.counting = true;
        if self.applied == Some(self.completed) {
            return (ScriptFrame::default(), 0.0);
        }
        self.applied = Some(self.completed);
        (self.script.get(self.completed).copied().unwrap_or_default(), SCRIPT_DT)
    }

    /// A frame finished without overflow, taking `ms`.
    pub fn frame_completed(&mut self, ms: f64) {
        if self.counting {
            self.completed += 1;
            self.times_ms.push(ms);
        }
    }

    /// Records why the run cannot finish (the first reason is kept).
    pub fn fail(&mut self, why: String) {
        self.failure.get_or_insert(why);
    }

    /// All frames counted and the camera at rest (or out of patience for it).
    pub fn finished(&self, camera_settled: bool) -> bool {
        let total = self.total_frames();
        self.completed >= total && (camera_settled || self.completed >= total + MAX_SETTLE_FRAMES)
    }

    /// Statistics of the counted frame times.
    pub fn summary(&self) -> FrameSummary {
        summarise(self.times_ms.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::input::ControlInput;

    #[test]
    fn input_is_consumed_once_per_counted_frame() {
        let w = ScriptFrame { input: ControlInput { forward: 1.0, ..Default::default() }, action: None };
        let mut run = ScriptedRun::new(vec![w; 2], 3, None, Duration::from_secs(0));
        assert_eq!(run.next_input(), (w, SCRIPT_DT));
        // Overflowed frame: rendered again, no new input.
        assert_eq!(run.next_input(), (ScriptFrame::default(), 0.0));
        run.frame_completed(5.0);
        assert_eq!(run.next_input(), (w, SCRIPT_DT));
        run.frame_completed(5.0);
        assert_eq!(run.next_input().0, ScriptFrame::default(), "script over: no input");
        run.frame_completed(7.0);
        assert!(run.finished(true));
        assert!(!ScriptedRun::new(vec![], 3, None, Duration::ZERO).finished(true));
        assert_eq!(run.summary().max_ms, 7.0);
    }

    #[test]
    fn waits_for_features_until_the_timeout() {
        let mut run = ScriptedRun::new(vec![], 1, None, Duration::from_secs(3600));
        assert!(run.waiting(true));
        assert!(!run.waiting(false));
        let mut impatient = ScriptedRun::new(vec![], 1, None, Duration::ZERO);
        assert!(!impatient.waiting(true));
        assert!(impatient.timed_out_waiting);
    }
}
