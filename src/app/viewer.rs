//! The viewer's state and its per-frame logic, independent of the window system: which scene
//! is shown, the camera, what is being computed in the background, and when to render.

use std::path::PathBuf;
use std::time::Instant;

use super::camera_controller::CameraController;
use super::frame_stats::FrameTimes;
use super::fusion_link::{FusionLink, FusionStatus, inference_size};
use super::input::ControlInput;
use super::jobs::{JobEvent, Jobs, LoadedScene, SceneSource};
use super::layout::{Layout, ViewKind};
use super::path_recorder::PathRecorder;
use super::present::{LabelSource, OverlayStyle};
use super::recent::RecentFiles;
use super::scripted::ScriptedRun;
use super::viewport::{FrameRequest, Viewport};
use crate::render::gpu::timing::StageTimes;
use crate::scene::Camera;
use crate::scene::camera::up_from_cameras;

/// How far the encoder features are.
#[derive(Clone, Debug, PartialEq)]
pub enum FeatureStatus {
    /// Not computed for this scene (disabled, or no scene).
    Off,
    Computing(Instant),
    Ready {
        seconds: f64,
        from_cache: bool,
    },
    Failed(String),
}

/// Lifting the predictions onto the Gaussians, in the background.
pub enum LiftStatus {
    /// Not lifted for this scene (disabled, no network, or no scene).
    Off,
    Running {
        done: usize,
        total: usize,
    },
    Ready {
        labels: std::sync::Arc<crate::pipeline::LiftedLabels>,
        seconds: f64,
    },
    Failed(String),
}

/// A scene being shown.
pub struct Shown {
    pub scene: LoadedScene,
    pub controller: CameraController,
    /// Index of the scene camera last snapped to.
    pub camera_index: Option<usize>,
}

pub struct Viewer {
    pub viewport: Viewport,
    pub jobs: Jobs,
    generation: u64,
    /// What is loading and since when.
    pub loading: Option<(String, Instant)>,
    pub shown: Option<Shown>,
    pub features: FeatureStatus,
    pub lifted: LiftStatus,
    pub layout: Layout,
    pub style: OverlayStyle,
    /// The last problem worth telling the user (load errors, GPU errors).
    pub message: Option<String>,
    pub recent: RecentFiles,
    /// Render every frame even when nothing changed (for measuring).
    pub continuous: bool,
    /// Time per rendered frame (back-to-back frames: the frame period).
    pub render_times: FrameTimes,
    /// Time between UI frames.
    pub ui_times: FrameTimes,
    pub stage_ms: Option<StageTimes>,
    pub visible: Option<u32>,
    /// Render size override (`--size`); otherwise the views follow the window.
    pub fixed_size: Option<(u32, u32)>,
    /// Render size the views want now.
    pub view_size: (u32, u32),
    pub hover_pixel: Option<(u32, u32)>,
    probed_pixel: Option<(u32, u32)>,
    pub hover_label: Option<u8>,
    dirty: bool,
    /// A scripted run holds its frames until the encoder features arrive.
    held_for_features: bool,
    last_submit: Option<Instant>,
    last_done: Option<Instant>,
    last_ui: Option<Instant>,
    pub scripted: Option<ScriptedRun>,
    /// Scene camera to start from (`--camera`).
    pub start_camera: Option<usize>,
    /// The fusion network (per-frame semantics) and what the semantic view shows.
    pub fusion: FusionLink,
    pub label_source: LabelSource,
    /// Inference resolution = view size / this (0: auto, about 320 px wide).
    pub inference_divisor: u32,
    /// Inference time of each prediction (the network alone), ms.
    pub inference_ms: FrameTimes,
    /// Frames rendered since the prediction shown was requested.
    pub overlay_age_frames: Option<u64>,
    frame_no: u64,
    /// Camera and frame number of the last fusion frame requested.
    fusion_request: Option<(Camera, u64)>,
    /// A display frame has shown the latest prediction.
    overlay_presented: bool,
    /// Frame number of the prediction uploaded for the semantic view.
    shown_prediction: Option<u64>,
    /// Keyframes recorded for `rtgs2 render --path`.
    pub path: PathRecorder,
}

/// Background colour of every view.
const BACKGROUND: [f32; 3] = [0.0; 3];

impl Viewer {
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
            continuous: false,
            render_times: FrameTimes::new(240),
            ui_times: FrameTimes::new(240),
            stage_ms: None,
            visible: None,
            fixed_size: None,
            view_size: (640, 480),
            hover_pixel: None,
            probed_pixel: None,
            hover_label: None,
            dirty: true,
            held_for_features: false,
            last_submit: None,
            last_done: None,
            last_ui: None,
            scripted: None,
            start_camera: None,
            fusion: FusionLink::off(),
            label_source: LabelSource::GroundTruth,
            inference_divisor: 0,
            inference_ms: FrameTimes::new(240),
            overlay_age_frames: None,
            frame_no: 0,
            fusion_request: None,
            overlay_presented: false,
            shown_prediction: None,
        }
    }

    /// Starts loading a scene; the current one stays up until the new one has arrived.
    pub fn open(&mut self, source: SceneSource) {
        self.generation += 1;
        self.loading = Some((source.label(), Instant::now()));
        self.jobs.load(self.generation, source);
    }

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
                                // The loader goes on to lift (its first progress comes a view later).
                                let cameras = self.shown.as_ref().is_some_and(|s| !s.scene.cameras.is_empty());
                                if self.jobs.lift_model.is_some() && cameras {
                                    self.lifted = LiftStatus::Running { done: 0, total: 0 };
                                }
                                FeatureStatus::Ready { seconds: f.seconds, from_cache: f.from_cache }
                            }
                            Some(Err(e)) => FeatureStatus::Failed(e.to_string()),
                            None => FeatureStatus::Off,
                        },
                        Err(e) => FeatureStatus::Failed(e.to_string()),
                    };
                    self.dirty = true;
                }
                JobEvent::LiftProgress { generation, done, total } if generation == self.generation => {
                    self.lifted = LiftStatus::Running { done, total };
                }
                JobEvent::Lifted { generation, result } if generation == self.generation => {
                    self.lifted = match (result, self.shown.as_mut()) {
                        (Ok(l), Some(s)) => {
                            match s.scene.gpu.set_lifted_labels(&self.viewport.ctx, &l.labels.classes) {
                                Ok(()) => LiftStatus::Ready { labels: l.labels, seconds: l.seconds },
                                Err(e) => LiftStatus::Failed(e.to_string()),
                            }
                        }
                        (Err(e), _) => LiftStatus::Failed(e),
                        (Ok(_), None) => LiftStatus::Off,
                    };
                    self.dirty = true;
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
        self.fusion_request = None;
        self.overlay_presented = false;
        self.shown_prediction = None;
        self.overlay_age_frames = None;
        self.features = if self.jobs.features { FeatureStatus::Computing(Instant::now()) } else { FeatureStatus::Off };
        self.lifted = LiftStatus::Off;
        self.shown = Some(Shown { controller, camera_index: start_cam.map(|_| start), scene });
        self.style.shown = [true; crate::classes::NUM_CLASSES];
        self.dirty = true;
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
        self.dirty = true;
    }

    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Whether the semantic view has something to show.
    pub fn has_labels(&self) -> bool {
        self.shown.as_ref().is_some_and(|s| s.scene.gpu.labels.is_some())
    }

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
            && self.current_camera().is_some_and(|c| self.fusion_request.as_ref().is_none_or(|(r, _)| *r != c))
    }

    /// The semantic view does not yet show the prediction for the current camera (scripted
    /// runs wait for it before their screenshot).
    pub fn overlay_pending(&self) -> bool {
        if !self.predicting() {
            return false;
        }
        let Some(camera) = self.current_camera() else { return false };
        let Some((requested, frame)) = &self.fusion_request else { return true };
        *requested != camera || self.fusion.latest.as_ref().is_none_or(|p| p.frame != *frame) || !self.overlay_presented
    }

    /// One line on the fusion network for a scripted run's report.
    pub fn fusion_summary(&self) -> Option<String> {
        match &self.fusion.status {
            FusionStatus::Off => None,
            FusionStatus::Loading => Some("still loading".into()),
            FusionStatus::Failed(e) => Some(format!("error: {e}")),
            FusionStatus::Ready { provider } => {
                let t = self.inference_ms.summary();
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

    /// Forgets which camera the network has seen (the source or inference size changed), so
    /// the next frame asks for a new prediction.
    pub fn reset_overlay(&mut self) {
        self.fusion_request = None;
        self.dirty = true;
    }

    /// Class and confidence the fusion network gave the hovered pixel (class 0 and no
    /// confidence where the scene does not cover it).
    pub fn hover_prediction(&self) -> Option<(u8, Option<f32>)> {
        let size = self.viewport.size()?;
        self.fusion.at(self.hover_pixel?, size)
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
            && self.shown_prediction != Some(p.frame)
        {
            self.viewport.set_prediction(&p.prediction.classes, p.prediction.width as u32, p.prediction.height as u32);
            self.inference_ms.push(p.prediction.timings.inference_ms);
            self.overlay_presented = false;
            self.shown_prediction = Some(p.frame);
        }
        // Show the new overlay (or request the first fusion frame once the model is ready).
        self.dirty = true;
        true
    }

    /// A new frame should be rendered as soon as the GPU is free.
    pub fn wants_frame(&self) -> bool {
        self.shown.is_some()
            && !self.held_for_features
            && (self.dirty
                || self.continuous
                || self.scripted.is_some()
                || self.shown.as_ref().is_some_and(|s| !s.controller.is_settled()))
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
        if let Some(t) = self.stage_times_latest() {
            self.stage_ms = Some(t);
        }
        if let Some(label) = done.probe_label {
            self.hover_label = Some(label);
        }
        log::debug!("frame done: {done:?}");
        if !done.was_frame {
            return true;
        }
        let now = Instant::now();
        if done.overflow {
            // Incomplete (the display kept the previous image); render again with more room.
            self.dirty = true;
        } else {
            self.visible = Some(done.visible);
            // Back-to-back frames: the period between completions; otherwise the latency.
            let start = match (self.last_submit, self.last_done) {
                (Some(s), Some(d)) => s.max(d),
                (Some(s), None) => s,
                _ => now,
            };
            let ms = (now - start).as_secs_f64() * 1e3;
            self.render_times.push(ms);
            if let Some(run) = &mut self.scripted {
                run.frame_completed(ms);
            }
        }
        self.last_done = Some(now);
        true
    }

    fn stage_times_latest(&mut self) -> Option<StageTimes> {
        self.viewport.stage_times().pop()
    }

    /// One UI frame's logic: moves the camera by `input` over the time since the last UI
    /// frame (a scripted run substitutes its own input and fixed step), then submits a frame
    /// when one is wanted and the GPU is free, or a hover probe.
    pub fn step(&mut self, input: ControlInput) {
        let now = Instant::now();
        let dt = self.last_ui.map_or(0.0, |t| (now - t).as_secs_f32()).min(0.25);
        if let Some(t) = self.last_ui {
            self.ui_times.push((now - t).as_secs_f64() * 1e3);
        }
        self.last_ui = Some(now);
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
        let can_render_overlay = self.dirty || self.wants_fusion_frame();
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
                self.held_for_features = run.failure.is_none();
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
        self.held_for_features = false;
        let s = self.shown.as_mut().expect("checked above");
        s.controller.update(&input, dt);
        if input.is_active() {
            self.dirty = true;
        }
        if self.wants_frame() {
            self.submit();
        } else if self.hover_pixel != self.probed_pixel
            && let Some(p) = self.hover_pixel
            && self.layout.shows(ViewKind::Semantic)
        {
            self.viewport.submit_probe(p);
            self.probed_pixel = self.hover_pixel;
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
        let fusion = self.fusion.recipe.as_ref().filter(|_| self.wants_fusion_frame()).map(|recipe| {
            (inference_size((camera.width, camera.height), self.inference_divisor), self.frame_no, recipe)
        });
        let req = FrameRequest {
            camera: &camera,
            views: self.layout.views(),
            style: &self.style,
            background: BACKGROUND,
            features,
            labels,
            lifted_labels,
            probe: self.hover_pixel.filter(|_| labels),
            label_source: self.label_source,
            fusion,
        };
        match self.viewport.submit_frame(&s.scene.gpu, &req) {
            Ok(()) => {
                log::debug!("frame submitted at {}x{}", camera.width, camera.height);
                if fusion.is_some() {
                    self.fusion_request = Some((camera.clone(), self.frame_no));
                }
                if let Some(shown) = self.shown_prediction.filter(|_| self.predicting()) {
                    self.overlay_presented = true;
                    self.overlay_age_frames = Some(self.frame_no - shown);
                }
                self.frame_no += 1;
                self.dirty = false;
                self.probed_pixel = self.hover_pixel;
                self.last_submit = Some(Instant::now());
            }
            Err(e) => {
                self.message = Some(e.to_string());
                if let Some(run) = &mut self.scripted {
                    run.fail(e.to_string());
                }
                self.dirty = false;
            }
        }
    }
}
