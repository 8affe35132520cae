//! The interactive viewer (`rtgs2 view`): a winit window with egui, showing one GPU-rendered
//! frame per update as colour, semantic overlay, encoder-feature PCA and depth views.
//!
//! - [`camera_controller`], [`input`], [`script`]: navigation (pure math, unit-tested), the
//!   per-frame input struct, and `--script`'s synthetic input.
//! - [`viewport`] and [`present`]: the frame on the GPU, the display pass, async read-back.
//! - [`jobs`]: loading and encoder features on background threads.
//! - [`fusion_frame`] and [`fusion_link`]: the fusion network's input frame, its read-back
//!   and the network on its own thread (the semantic view's predictions).
//! - [`viewer`]: state and per-frame logic; [`ui`] and [`side_panel`]: the egui interface.
//! - [`window`] and [`screen`]: the winit loop, the surface and egui's renderer.
//! - [`viewer`]'s parts: [`frame_clock`] (when to render), [`frame_stats`] (what the frames
//!   cost), [`hover`] (the probed pixel) and [`prediction_overlay`] (which prediction is shown).
//! - [`scripted`], [`screenshot`], [`recent`], [`layout`], [`path_recorder`]: the rest.

pub mod camera_controller;
pub mod frame_clock;
pub mod frame_stats;
pub mod fusion_frame;
pub mod fusion_link;
pub mod hover;
pub mod input;
pub mod jobs;
pub mod layout;
pub mod lift_job;
pub mod path_recorder;
pub mod prediction_overlay;
pub mod present;
pub mod recent;
pub mod screen;
pub mod screenshot;
pub mod script;
pub mod scripted;
pub mod side_panel;
pub mod ui;
pub mod viewer;
pub mod viewport;
pub mod window;

use std::path::PathBuf;

pub use frame_stats::FrameSummary;
pub use jobs::SceneSource;
pub use layout::{Layout, ViewKind};
pub use present::{LabelSource, OverlayStyle};
pub use scripted::ScriptedRun;
pub use window::run;

#[derive(Debug, thiserror::Error)]
/// Why the viewer could not run.
pub enum AppError {
    #[error("could not open a window: {0} (no display? on a machine without one, run under Xvfb)")]
    /// The window could not be created (the text is winit's).
    Window(String),
    #[error("could not draw into the window: {0}")]
    /// The window surface could not be created or drawn to.
    Surface(String),
    #[error(transparent)]
    /// No GPU device could be opened.
    Gpu(#[from] crate::render::gpu::GpuError),
    #[error("{0}")]
    /// A scripted run failed (its script, or saving the camera path); the text says how.
    Scripted(String),
    /// Not `#[from]`, which would make the error also its `source`, printed twice by `{:#}`.
    #[error("screenshot: {0}")]
    Screenshot(screenshot::ScreenshotError),
}

impl From<screenshot::ScreenshotError> for AppError {
    fn from(e: screenshot::ScreenshotError) -> Self {
        Self::Screenshot(e)
    }
}

/// Everything `rtgs2 view` decides before the window opens.
pub struct ViewerOptions {
    /// The scene to open (a file, or nothing: an empty window).
    pub source: SceneSource,
    /// Which views are shown and how they are arranged.
    pub layout: Layout,
    /// How the semantic overlay is drawn.
    pub style: OverlayStyle,
    /// Scene camera to start from.
    pub start_camera: Option<usize>,
    /// Render size of each view; `None`: follow the window.
    pub size: Option<(u32, u32)>,
    /// Compute encoder features in the background after loading.
    pub compute_features: bool,
    /// How the encoder's scene scale is chosen.
    pub scene_scale: crate::encoder::SceneScale,
    /// Where the recent-files list lives (`None`: not kept).
    pub recent_file: Option<PathBuf>,
    /// A scripted run instead of an interactive session.
    pub scripted: Option<ScriptedRun>,
    /// The fusion network for the semantic view's predictions (`None`: ground truth only).
    pub fusion: Option<FusionOptions>,
    /// Which labels the semantic view shows (ground truth, predictions, lifted).
    pub label_source: LabelSource,
    /// Lift the fusion network's predictions onto the Gaussians in the background once the
    /// features are ready (needs `fusion` and the scene's cameras).
    pub lift: bool,
}

/// Which fusion model to run and how.
#[derive(Clone, Debug)]
pub struct FusionOptions {
    /// The fusion network's ONNX file.
    pub model: PathBuf,
    /// The execution provider to run it on.
    pub provider: crate::inference::ExecutionChoice,
    /// ONNX Runtime threads (0: all cores).
    pub threads: usize,
    /// Inference resolution = view size / this (0: auto, about 320 px wide).
    pub inference_divisor: u32,
}

/// What a run did (filled for scripted runs).
#[derive(Clone, Debug, Default)]
pub struct RunReport {
    /// Frames rendered in the counted window.
    pub frames: usize,
    /// Rendered frame times of the counted frames.
    pub summary: FrameSummary,
    /// Time between UI frames.
    pub ui: FrameSummary,
    /// The GPU adapter, described.
    pub adapter: String,
    /// The screenshot written and its size in pixels, if one was asked for.
    pub screenshot: Option<(PathBuf, (u32, u32))>,
    /// How the encoder features arrived ("cached in 0.3 s", "error: ..."); `None` when they were not used.
    pub features: Option<String>,
    /// The run waited for the features longer than its timeout (the feature view was empty).
    pub feature_wait_timed_out: bool,
    /// The fusion network's state and timings, when it was in use.
    pub fusion: Option<String>,
    /// How the lifted labels arrived ("lifted 48 views in 61 s", "read from the cache", "error:
    /// ..."); `None` when the run did not lift.
    pub lifted: Option<String>,
    /// The message of the camera path saved (`--save-path`).
    pub saved_path: Option<String>,
}
