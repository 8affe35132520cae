//! Rolling frame-time statistics for the profiling panel and the `--frames` summary. Every
//! frame time is kept (no averaging that would hide a stall); the summary gives the median,
//! the 95th percentile and the maximum over the window.

use std::collections::VecDeque;
use std::time::Duration;

use crate::render::gpu::timing::StageTimes;

/// Frames kept by each of the viewer's rolling windows.
const WINDOW: usize = 240;

/// What the viewer measures about its frames for the profiling panel and a scripted run's
/// report: kept in one place, apart from the state that decides what and when to render.
#[derive(Clone, Debug)]
pub struct FrameStats {
    /// Time per rendered frame (back-to-back frames: the frame period).
    pub render_times: FrameTimes,
    /// Time between UI frames.
    pub ui_times: FrameTimes,
    /// GPU time per stage of the last frame that had timestamps.
    pub stage_ms: Option<StageTimes>,
    /// Gaussians visible in the last complete frame.
    pub visible: Option<u32>,
    /// Inference time of each prediction (the network alone), ms.
    pub inference_ms: FrameTimes,
}

impl Default for FrameStats {
    fn default() -> Self {
        Self {
            render_times: FrameTimes::new(WINDOW),
            ui_times: FrameTimes::new(WINDOW),
            stage_ms: None,
            visible: None,
            inference_ms: FrameTimes::new(WINDOW),
        }
    }
}

impl FrameStats {
    /// Keeps the newest GPU stage times, when the frame had any.
    pub fn stages(&mut self, times: Option<StageTimes>) {
        if let Some(t) = times {
            self.stage_ms = Some(t);
        }
    }

    /// A complete frame with `visible` Gaussians took `ms`.
    pub fn rendered(&mut self, visible: u32, ms: f64) {
        self.visible = Some(visible);
        self.render_times.push(ms);
    }

    /// A UI frame came `since` after the previous one.
    pub fn ui_frame(&mut self, since: Duration) {
        self.ui_times.push(since.as_secs_f64() * 1e3);
    }
}

/// The last `capacity` frame times in milliseconds.
#[derive(Clone, Debug)]
pub struct FrameTimes {
    times_ms: VecDeque<f64>,
    capacity: usize,
}

/// Order statistics of a window of frame times.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FrameSummary {
    /// Frames in the window.
    pub frames: usize,
    /// Median frame time, ms.
    pub median_ms: f64,
    /// 95th-percentile frame time, ms.
    pub p95_ms: f64,
    /// Longest frame time, ms.
    pub max_ms: f64,
}

impl FrameSummary {
    /// Frames per second at the median frame time.
    pub fn fps(&self) -> f64 {
        if self.median_ms > 0.0 { 1000.0 / self.median_ms } else { 0.0 }
    }
}

impl FrameTimes {
    /// An empty window of at most `capacity` frames.
    pub fn new(capacity: usize) -> Self {
        Self { times_ms: VecDeque::with_capacity(capacity), capacity: capacity.max(1) }
    }

    /// Adds a frame time, dropping the oldest when full.
    pub fn push(&mut self, ms: f64) {
        if self.times_ms.len() == self.capacity {
            self.times_ms.pop_front();
        }
        self.times_ms.push_back(ms);
    }

    /// Oldest first.
    pub fn iter(&self) -> impl Iterator<Item = f64> + '_ {
        self.times_ms.iter().copied()
    }

    /// Forgets every frame.
    pub fn clear(&mut self) {
        self.times_ms.clear();
    }

    /// Median, 95th percentile and maximum of the window.
    pub fn summary(&self) -> FrameSummary {
        summarise(self.times_ms.iter().copied().collect())
    }
}

/// Median (nearest rank), 95th percentile (nearest rank) and maximum.
pub fn summarise(mut ms: Vec<f64>) -> FrameSummary {
    if ms.is_empty() {
        return FrameSummary::default();
    }
    ms.sort_by(f64::total_cmp);
    let rank = |q: f64| ms[((q * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
    FrameSummary { frames: ms.len(), median_ms: rank(0.5), p95_ms: rank(0.95), max_ms: ms[ms.len() - 1] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_stall_shows_in_the_maximum() {
        let mut t = FrameTimes::new(100);
        for _ in 0..99 {
            t.push(10.0);
        }
        t.push(500.0);
        let s = t.summary();
        assert_eq!((s.frames, s.median_ms, s.p95_ms, s.max_ms), (100, 10.0, 10.0, 500.0));
        assert_eq!(s.fps(), 100.0);
    }

    #[test]
    fn window_drops_the_oldest() {
        let mut t = FrameTimes::new(3);
        for v in [1.0, 2.0, 3.0, 4.0] {
            t.push(v);
        }
        assert_eq!(t.iter().collect::<Vec<_>>(), vec![2.0, 3.0, 4.0]);
        assert_eq!(summarise((1..=20).map(f64::from).collect()).p95_ms, 19.0);
        assert_eq!(summarise(vec![]), FrameSummary::default());
    }
}
