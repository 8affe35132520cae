//! The viewer's state and its per-frame logic, independent of the window system: which scene
//! is shown, the camera, what is being computed in the background, and when to render.

use std::path::PathBuf;
use std::time::Instant;

use super::camera_controller::CameraController;
use super::frame_clock::FrameClock;
use super::frame_stats::FrameStats;
use super::fusion_link::{FusionLink, FusionStatus, inference_size};
use super::hover::Hover;
use super::input::ControlInput;
use super::jobs::{JobEvent, Jobs, LoadedScene, SceneSource};
use super::layout::{Layout, ViewKind};
use super::path_recorder::PathRecorder;
use super::prediction_overlay::PredictionOverlay;
use super::present::{LabelSource, OverlayStyle};
use super::recent::RecentFiles;
use super::scripted::ScriptedRun;
use super::viewport::{FrameRequest, Viewport};
use crate::scene::Camera;
use crate::scene::camera::up_from_cameras;

/// How far the encoder features are.
#[derive(Clone, Debug, PartialEq)]
pub enum FeatureStatus {
    /// Not computed for this scene (disabled, or no scene).
    Off,
    /// Being computed on a background thread since this instant.
    Computing(Instant),
    /// Computed (or read from the cache).
    Ready {
        /// Time they took, seconds.
        seconds: f64,
        /// Whether they came from the cache.
        from_cache: bool,
    },
    /// Computing them failed; the text says why.
    Failed(String),
}

/// Lifting the predictions onto the Gaussians, in the background.
pub enum LiftStatus {
    /// Not lifted for this scene (disabled, no network, or no scene).
    Off,
    /// Under way.
    Running {
        /// Views segmented.
        done: usize,
        /// Views in all.
        total: usize,
    },
    /// Done.
    Ready {
        /// Class and confidence per Gaussian.
        labels: std::sync::Arc<crate::pipeline::LiftedLabels>,
        /// Time lifting took, seconds.
        seconds: f64,
        /// Read from the lifted-label cache.
        from_cache: bool,
    },
    /// Lifting failed; the text says why.
    Failed(String),
}

/// A scene being shown.
pub struct Shown {
    /// The loaded scene.
    pub scene: LoadedScene,
    /// The camera navigating it.
    pub controller: CameraController,
    /// Index of the scene camera last snapped to.
    pub camera_index: Option<usize>,
}

/// The viewer's state: the scene shown, background jobs, the views and what they show.
pub struct Viewer {
    /// The GPU frame, the display pass and the read-backs.
    pub viewport: Viewport,
    /// Loading, feature and lift jobs.
    pub jobs: Jobs,
    generation: u64,
    /// What is loading and since when.
    pub loading: Option<(String, Instant)>,
    /// The scene shown; `None` before the first one loads.
    pub shown: Option<Shown>,
    /// How far the encoder features are.
    pub features: FeatureStatus,
    /// How far lifting is.
    pub lifted: LiftStatus,
    /// Which views are shown.
    pub layout: Layout,
    /// How the semantic overlay is drawn.
    pub style: OverlayStyle,
    /// The last problem worth telling the user (load errors, GPU errors).
    pub message: Option<String>,
    /// Recently opened scenes (the File menu).
    pub recent: RecentFiles,
    /// When to render, and the instants frame times are measured from.
    pub clock: FrameClock,
    /// Frame, UI, stage and inference times for the profiling panel.
    pub stats: FrameStats,
    /// Render size override (`--size`); otherwise the views follow the window.
    pub fixed_size: Option<(u32, u32)>,
    /// Render size the views want now.
    pub view_size: (u32, u32),
    /// The semantic view's hovered pixel and the label probed there.
    pub hover: Hover,
    /// The scripted run, when this is one.
    pub scripted: Option<ScriptedRun>,
    /// Scene camera to start from (`--camera`).
    pub start_camera: Option<usize>,
    /// The fusion network (per-frame semantics) and what the semantic view shows.
    pub fusion: FusionLink,
    /// Which labels the semantic view shows.
    pub label_source: LabelSource,
    /// Inference resolution = view size / this (0: auto, about 320 px wide).
    pub inference_divisor: u32,
    /// Which prediction the semantic view shows, for which camera and since when.
    pub overlay: PredictionOverlay,
    /// Keyframes recorded for `rtgs2 render --path`.
    pub path: PathRecorder,
}

/// Background colour of every view.
const BACKGROUND: [f32; 3] = [0.0; 3];

impl Viewer {
    /// A viewer with no scene yet.
    pub fn new(viewport: Viewport, jobs: Jobs, layout: Layout, style: OverlayStyle, recent: RecentFiles) -> Self {
        Self {
            viewport,
            jobs,
            generation: 0,
            loading: None,
            shown: None,
            features: FeatureStatus::Off,
            lifted: LiftStatus::Off,
            layout,
            style,
            message: None,
            recent,
            path: PathRecorder::default(),
            clock: FrameClock::new(),
            stats: FrameStats::default(),
            fixed_size: None,
            view_size: (640, 480),
            hover: Hover::default(),
            scripted: None,
            start_camera: None,
            fusion: FusionLink::off(),
            label_source: LabelSource::GroundTruth,
            inference_divisor: 0,
            overlay: PredictionOverlay::default(),
        }
    }

    /// Starts loading a scene; the current one stays up until the new one has arrived.
    pub fn open(&mut self, source: SceneSource) {
        self.generation += 1;
        self.loading = Some((source.label(), Instant::now()));
        self.jobs.load(self.generation, source);
    }

    /// Starts loading the scene at `path` (the shown one stays until it is ready).
    pub fn open_path(&mut self, path: PathBuf) {
        self.open(SceneSource::Path(path));
    }

    /// Handles finished background jobs; true when something changed.
    pub fn handle_jobs(&mut self) -> bool {
        let mut changed = false;
        while let Ok(event) = self.jobs.rx.try_recv() {
            changed = true;
            match event {
                JobEvent::Loaded { generation, scene } if generation == self.generation => self.show(*scene),
                JobEvent::LoadFailed { generation, error } if generation == self.generation => {
                    self.loading = None;
                    self.message = Some(format!("could not open the scene: {error}"));
                    if let Some(run) = &mut self.scripted {
                        run.fail(error.to_string());
                    }
                }
                JobEvent::Features { generation, result } if generation == self.generation => {
                    log::debug!("encoder features arrived: {}", if result.is_ok() { "ok" } else { "failed" });
                    let fusion_wanted = self.fusion.status != FusionStatus::Off;
                    self.features = match result {
                        Ok(f) => match self.shown.as_mut().map(|s| {
                            s.scene.gpu.set_features(&self.viewport.ctx, 4, &f.colours)?;
                            if fusion_wanted {
                                s.scene.gpu.set_fusion_features(&self.viewport.ctx, f.dim, &f.features)?;
                            }
                            Ok::<(), crate::render::gpu::scene_buffers::GpuSceneError>(())
                        }) {
                            Some(Ok(())) => {
                                // The loader goes on to lift (its first progress comes a view later;
                                // a scene without cameras is lifted from views generated for it).
                                if self.jobs.lift_model.is_some() {
                                    self.lifted = LiftStatus::Running { done: 0, total: 0 };
                                }
                                FeatureStatus::Ready { seconds: f.seconds, from_cache: f.from_cache }
                            }
                            Some(Err(e)) => FeatureStatus::Failed(e.to_string()),
                            None => FeatureStatus::Off,
                        },
                        Err(e) => FeatureStatus::Failed(e.to_string()),
                    };
                    self.clock.mark_dirty();
                }
                JobEvent::LiftProgress { generation, done, total } if generation == self.generation => {
                    self.lifted = LiftStatus::Running { done, total };
                }
                JobEvent::Lifted { generation, result } if generation == self.generation => {
                    self.lifted = match (result, self.shown.as_mut()) {
                        (Ok(l), Some(s)) => {
                            match s.scene.gpu.set_lifted_labels(&self.viewport.ctx, &l.labels.classes) {
                                Ok(()) => {
                                    LiftStatus::Ready { labels: l.labels, seconds: l.seconds, from_cache: l.from_cache }
                                }
                                Err(e) => LiftStatus::Failed(e.to_string()),
                            }
                        }
                        (Err(e), _) => LiftStatus::Failed(e),
                        (Ok(_), None) => LiftStatus::Off,
                    };
                    self.clock.mark_dirty();
                }
                JobEvent::Exported(result) => {
                    self.message = Some(match result {
                        Ok((path, n)) => format!("exported {n} Gaussians to {}", path.display()),
                        Err(e) => format!("nothing exported: {e}"),
                    });
                }
                JobEvent::Picked(Some(path)) => self.open_path(path),
                JobEvent::Picked(None) => {
                    self.message = Some(
                        "no file chosen (the dialog needs an XDG desktop portal); dropping a file or folder on the \
                         window works too"
                            .into(),
                    )
                }
                _ => {} // a scene the user has replaced since
            }
        }
        changed
    }

    fn show(&mut self, scene: LoadedScene) {
        log::debug!(
            "showing {} ({} Gaussians, loaded in {:.2} s)",
            scene.path.display(),
            scene.scene.len(),
            scene.seconds
        );
        self.loading = None;
        self.message = None;
        for w in &scene.warnings {
            log::warn!("{}: {w}", scene.path.display());
        }
        // Up from the cameras; without cameras, the COLMAP convention's image up (−y).
        let up = up_from_cameras(&scene.cameras).unwrap_or(glam::Vec3::NEG_Y);
        let start = self.start_camera.take().unwrap_or(0);
        let start_cam = scene.cameras.get(start);
        if start_cam.is_none() && !scene.cameras.is_empty() {
            self.message =
                Some(format!("camera {start} does not exist: the scene has {} cameras", scene.cameras.len()));
        }
        let controller = CameraController::new(up, scene.extent, start_cam.or(scene.cameras.first()));
        if self.recent_enabled() {
            self.recent.add(&scene.path);
        }
        self.viewport.clear();
        self.fusion.clear();
        self.overlay.clear();
        self.features = if self.jobs.features { FeatureStatus::Computing(Instant::now()) } else { FeatureStatus::Off };
        self.lifted = LiftStatus::Off;
        self.shown = Some(Shown { controller, camera_index: start_cam.map(|_| start), scene });
        self.style.shown = [true; crate::classes::NUM_CLASSES];
        self.clock.mark_dirty();
    }

    fn recent_enabled(&self) -> bool {
        self.scripted.is_none()
    }

    /// Snaps to the scene's camera `index` (wrapping).
    pub fn snap_to_camera(&mut self, index: isize, animate: bool) {
        let Some(s) = self.shown.as_mut() else { return };
        let n = s.scene.cameras.len() as isize;
        if n == 0 {
            return;
        }
        let i = index.rem_euclid(n) as usize;
        s.controller.snap_to(&s.scene.cameras[i], animate);
        s.camera_index = Some(i);
        self.clock.mark_dirty();
    }

    /// Asks for a new render (something shown changed).
    pub fn mark_dirty(&mut self) {
        self.clock.mark_dirty();
    }

    /// Whether the semantic view has something to show.
    pub fn has_labels(&self) -> bool {
        self.shown.as_ref().is_some_and(|s| s.scene.gpu.labels.is_some())
    }

    /// Whether the encoder features are ready.
    pub fn features_ready(&self) -> bool {
        matches!(self.features, FeatureStatus::Ready { .. })
    }

    /// Background work or an unfinished frame that needs the loop to keep polling.
    pub fn busy(&self) -> bool {
        self.loading.is_some()
            || matches!(self.features, FeatureStatus::Computing(_))
            || self.viewport.busy()
            || self.fusion.busy
            || self.fusion.status == FusionStatus::Loading
    }

    /// The semantic view is meant to show predictions (whether or not one has arrived).
    pub fn predicting(&self) -> bool {
        self.layout.shows(ViewKind::Semantic)
            && self.label_source == LabelSource::Prediction
            && matches!(self.fusion.status, FusionStatus::Ready { .. } | FusionStatus::Loading)
            && !matches!(self.features, FeatureStatus::Failed(_) | FeatureStatus::Off)
    }

    /// The camera the next frame would use.
    pub fn current_camera(&self) -> Option<Camera> {
        let s = self.shown.as_ref()?;
        let (w, h) = self.fixed_size.unwrap_or(self.view_size);
        Some(s.controller.camera(w.max(1), h.max(1)))
    }

    /// A fusion frame can and should be requested with the next frame: predictions are wanted,
    /// the network is idle and has not seen this camera yet.
    fn wants_fusion_frame(&self) -> bool {
        self.predicting()
            && self.fusion.ready()
            && !self.fusion.busy
            && self.viewport.fusion_free()
            && self.shown.as_ref().is_some_and(|s| s.scene.gpu.fusion_features.is_some())
            && self.current_camera().is_some_and(|c| self.overlay.wants(&c))
    }

    /// The semantic view does not yet show the prediction for the current camera (scripted
    /// runs wait for it before their screenshot).
    pub fn overlay_pending(&self) -> bool {
        if !self.predicting() {
            return false;
        }
        let Some(camera) = self.current_camera() else { return false };
        self.overlay.pending(&camera, self.fusion.latest.as_ref().map(|p| p.frame))
    }

    /// One line on the fusion network for a scripted run's report.
    pub fn fusion_summary(&self) -> Option<String> {
        match &self.fusion.status {
            FusionStatus::Off => None,
            FusionStatus::Loading => Some("still loading".into()),
            FusionStatus::Failed(e) => Some(format!("error: {e}")),
            FusionStatus::Ready { provider } => {
                let t = self.stats.inference_ms.summary();
                Some(match &self.fusion.latest {
                    Some(p) => format!(
                        "{} predictions at {}x{} on {provider}, inference median {:.1} ms (max {:.1}), last read-back to result {:.0} ms",
                        t.frames, p.prediction.width, p.prediction.height, t.median_ms, t.max_ms, p.latency_ms
                    ),
                    None => format!("ready on {provider}, no prediction made"),
                })
            }
        }
    }

    /// One line on the lifted labels for a scripted run's report.
    pub fn lift_summary(&self) -> Option<String> {
        match &self.lifted {
            LiftStatus::Off => None,
            LiftStatus::Running { done, total } => Some(format!("still lifting ({done} of {total} views)")),
            LiftStatus::Failed(e) => Some(format!("error: {e}")),
            LiftStatus::Ready { labels, seconds, from_cache } => {
                let how = if *from_cache {
                    "read from the cache".to_string()
                } else {
                    format!("lifted from {} views in {seconds:.1} s", labels.views)
                };
                Some(format!("{how}: {} of {} Gaussians labelled", labels.labelled(), labels.classes.len()))
            }
        }
    }

    /// Forgets which camera the network has seen (the source or inference size changed), so
    /// the next frame asks for a new prediction.
    pub fn reset_overlay(&mut self) {
        self.overlay.forget_request();
        self.clock.mark_dirty();
    }

    /// Class and confidence the fusion network gave the hovered pixel (class 0 and no
    /// confidence where the scene does not cover it).
    pub fn hover_prediction(&self) -> Option<(u8, Option<f32>)> {
        let size = self.viewport.size()?;
        self.fusion.at(self.hover.pixel?, size)
    }

    /// Hands mapped fusion frames to the network and picks up its predictions; true when the
    /// semantic view has something new.
    fn poll_fusion(&mut self) -> bool {
        if let Some(readback) = self.viewport.poll_fusion() {
            self.fusion.send(readback);
        }
        if !self.fusion.poll() {
            return false;
        }
        if let Some(p) = &self.fusion.latest
            && self.overlay.arrived(p.frame)
        {
            self.viewport.set_prediction(&p.prediction.classes, p.prediction.width as u32, p.prediction.height as u32);
            self.stats.inference_ms.push(p.prediction.timings.inference_ms);
        }
        // Show the new overlay (or request the first fusion frame once the model is ready).
        self.clock.mark_dirty();
        true
    }

    /// A new frame should be rendered as soon as the GPU is free.
    pub fn wants_frame(&self) -> bool {
        self.shown.as_ref().is_some_and(|s| self.clock.frame_due(self.scripted.is_some() || !s.controller.is_settled()))
    }

    /// Collects a finished frame and fusion results, if any; true when the display changed.
    pub fn poll_gpu(&mut self) -> bool {
        let fusion = self.poll_fusion();
        self.poll_frame() || fusion
    }

    fn poll_frame(&mut self) -> bool {
        let done = match self.viewport.poll() {
            Ok(Some(done)) => done,
            Ok(None) => return false,
            Err(e) => {
                self.message = Some(e.to_string());
                return true;
            }
        };
        self.stats.stages(self.viewport.stage_times().pop());
        self.hover.probe_done(done.probe_label);
        log::debug!("frame done: {done:?}");
        if !done.was_frame {
            return true;
        }
        // An overflowed frame is incomplete (the display kept the previous image): the clock
        // asks for it again (with more room) and it is not counted.
        if let Some(ms) = self.clock.frame_done(Instant::now(), done.overflow) {
            self.stats.rendered(done.visible, ms);
            if let Some(run) = &mut self.scripted {
                run.frame_completed(ms);
            }
        }
        true
    }

    /// One UI frame's logic: moves the camera by `input` over the time since the last UI
    /// frame (a scripted run substitutes its own input and fixed step), then submits a frame
    /// when one is wanted and the GPU is free, or a hover probe.
    pub fn step(&mut self, input: ControlInput) {
        let since = self.clock.ui_frame(Instant::now());
        if let Some(d) = since {
            self.stats.ui_frame(d);
        }
        let dt = since.map_or(0.0, |d| d.as_secs_f32()).min(0.25);
        if self.viewport.busy() || self.shown.is_none() {
            // The camera still follows the input; the next free frame shows where it went.
            if self.scripted.is_none()
                && let Some(s) = self.shown.as_mut()
            {
                s.controller.update(&input, dt);
            }
            return;
        }
        // Scripted runs also wait for what the semantic view shows: lifted labels still
        // being made (their features first).
        let lifted_pending = self.layout.shows(ViewKind::Semantic)
            && self.label_source == LabelSource::Lifted
            && (matches!(self.lifted, LiftStatus::Running { .. })
                || (matches!(self.lifted, LiftStatus::Off) && matches!(self.features, FeatureStatus::Computing(_))));
        let features_pending = lifted_pending
            || (self.layout.shows(ViewKind::Features) && matches!(self.features, FeatureStatus::Computing(_)));
        let settled = self.shown.as_ref().is_some_and(|s| s.controller.is_settled());
        let overlay_pending = self.overlay_pending();
        let can_render_overlay = self.clock.is_dirty() || self.wants_fusion_frame();
        let (input, dt) = if let Some(run) = self.scripted.as_mut() {
            if run.finished(settled) {
                // The window takes the screenshot and closes once the semantic view shows the
                // prediction for this camera (or patience runs out).
                if overlay_pending && run.patient() && can_render_overlay {
                    self.submit();
                }
                return;
            }
            if run.failure.is_some() || run.waiting(features_pending) {
                self.clock.hold_for_features(run.failure.is_none());
                return;
            }
            let (frame, dt) = run.next_input();
            if let Some(action) = frame.action {
                self.apply_action(action);
            }
            (frame.input, dt)
        } else {
            (input, dt)
        };
        self.clock.hold_for_features(false);
        let s = self.shown.as_mut().expect("checked above");
        s.controller.update(&input, dt);
        if input.is_active() {
            self.clock.mark_dirty();
        }
        if self.wants_frame() {
            self.submit();
        } else if let Some(p) = self.hover.unprobed()
            && self.layout.shows(ViewKind::Semantic)
        {
            self.viewport.submit_probe(p);
            self.hover.mark_probed();
        }
    }

    fn apply_action(&mut self, action: super::script::ScriptAction) {
        match action {
            super::script::ScriptAction::SnapToCamera(i) => self.snap_to_camera(i as isize, false),
            super::script::ScriptAction::Keyframe => {
                if let Some(cam) = self.current_camera() {
                    self.path.add(&cam);
                }
            }
            super::script::ScriptAction::Mode(m) => {
                if let Some(s) = self.shown.as_mut() {
                    s.controller.mode = m;
                }
            }
        }
    }

    fn submit(&mut self) {
        let s = self.shown.as_ref().expect("a scene is shown");
        let (w, h) = self.fixed_size.unwrap_or(self.view_size);
        let camera = s.controller.camera(w.max(1), h.max(1));
        let features = self.layout.shows(ViewKind::Features) && s.scene.gpu.features.is_some();
        let lifted_labels = self.label_source == LabelSource::Lifted;
        let labels = self.layout.shows(ViewKind::Semantic)
            && matches!(self.label_source, LabelSource::GroundTruth | LabelSource::Lifted)
            && s.scene.gpu.label_buffer(lifted_labels).is_some();
        let frame_no = self.clock.frame_no();
        let fusion =
            self.fusion.recipe.as_ref().filter(|_| self.wants_fusion_frame()).map(|recipe| {
                (inference_size((camera.width, camera.height), self.inference_divisor), frame_no, recipe)
            });
        let req = FrameRequest {
            camera: &camera,
            views: self.layout.views(),
            style: &self.style,
            background: BACKGROUND,
            features,
            labels,
            lifted_labels,
            probe: self.hover.pixel.filter(|_| labels),
            label_source: self.label_source,
            fusion,
        };
        match self.viewport.submit_frame(&s.scene.gpu, &req) {
            Ok(()) => {
                log::debug!("frame submitted at {}x{}", camera.width, camera.height);
                if fusion.is_some() {
                    self.overlay.requested(camera.clone(), frame_no);
                }
                let predicting = self.predicting();
                self.overlay.frame_submitted(frame_no, predicting);
                self.clock.submitted();
                self.hover.mark_probed();
            }
            Err(e) => {
                self.message = Some(e.to_string());
                if let Some(run) = &mut self.scripted {
                    run.fail(e.to_string());
                }
                self.clock.submit_failed();
            }
        }
    }
}
