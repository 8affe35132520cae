//! The winit event loop: creates the window, the device for its surface and egui, and runs
//! the viewer. The loop sleeps when nothing changes; while the GPU works on a frame or a
//! background job runs, it wakes often enough to pick the result up without blocking.

use std::sync::Arc;
use std::time::{Duration, Instant};

use winit::application::ApplicationHandler;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop, EventLoopProxy};
use winit::window::{Window, WindowId};

use super::jobs::Jobs;
use super::recent::RecentFiles;
use super::screen::Screen;
use super::ui::UiRequest;
use super::viewer::{FeatureStatus, Viewer};
use super::viewport::Viewport;
use super::{AppError, RunReport, ViewerOptions, screenshot};
use crate::render::gpu::GpuContext;

/// How often to look for a finished GPU frame while one is in flight.
const GPU_POLL: Duration = Duration::from_millis(2);
/// How often progress text is refreshed while background work runs.
const PROGRESS_REFRESH: Duration = Duration::from_millis(250);
/// Shortest time between UI frames while background work runs.
const BUSY_UI_INTERVAL: Duration = Duration::from_millis(33);

/// Sent by background threads to wake the loop.
#[derive(Debug, Clone, Copy)]
pub struct Wake;

struct Running {
    window: Arc<Window>,
    screen: Screen,
    egui_ctx: egui::Context,
    egui_state: egui_winit::State,
    viewer: Viewer,
    next_egui_repaint: Option<Instant>,
    last_redraw: Instant,
}

struct App {
    opts: Option<ViewerOptions>,
    proxy: EventLoopProxy<Wake>,
    running: Option<Running>,
    result: Option<Result<RunReport, AppError>>,
}

/// Opens the window and runs until it is closed (or a scripted run ends).
pub fn run(opts: ViewerOptions) -> Result<RunReport, AppError> {
    let event_loop = EventLoop::<Wake>::with_user_event().build().map_err(|e| AppError::Window(e.to_string()))?;
    let mut app = App { opts: Some(opts), proxy: event_loop.create_proxy(), running: None, result: None };
    event_loop.run_app(&mut app).map_err(|e| AppError::Window(e.to_string()))?;
    app.result.unwrap_or(Ok(RunReport::default()))
}

impl App {
    fn start(&mut self, event_loop: &ActiveEventLoop) -> Result<(), AppError> {
        let Some(opts) = self.opts.take() else { return Ok(()) };
        let (cols, rows) = opts.layout.grid();
        let (w, h) = opts.size.unwrap_or((640, 480));
        // Room for the views at their size plus the side panel and the menu bar (and enough
        // height for the side panel itself).
        let inner = winit::dpi::LogicalSize::new(w * cols + 300, (h * rows + 30).max(560));
        let attrs = Window::default_attributes().with_title("rtgs2").with_inner_size(inner);
        let window = Arc::new(event_loop.create_window(attrs).map_err(|e| AppError::Window(e.to_string()))?);
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_with_display_handle_from_env(Box::new(
            event_loop.owned_display_handle(),
        )));
        let surface = instance.create_surface(window.clone()).map_err(|e| AppError::Surface(e.to_string()))?;
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            force_fallback_adapter: false,
            compatible_surface: Some(&surface),
            apply_limit_buckets: false,
        }))
        .map_err(|e| AppError::Gpu(crate::render::gpu::GpuError::NoAdapter(e.to_string())))?;
        let ctx = GpuContext::open(Arc::new(instance), Arc::new(adapter))?;
        log::info!("viewer on {}", ctx.describe());
        let size = window.inner_size();
        let screen = Screen::new(&ctx, surface, (size.width, size.height), opts.scripted.is_none());
        let proxy = self.proxy.clone();
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
            let _ = proxy.send_event(Wake);
        });
        let mut jobs = Jobs::new(ctx.clone(), wake.clone(), opts.compute_features, opts.scene_scale);
        jobs.lift_model = opts.fusion.as_ref().filter(|_| opts.lift).map(|f| f.model.clone());
        // Whether the network reads gravity cues after the features (its card says; a card that
        // does not load is reported by the fusion link, which opens the model).
        jobs.fusion_cues = opts.fusion.as_ref().is_some_and(|f| {
            crate::fusion::FusionCard::load(&f.model.with_extension("json")).is_ok_and(|c| c.gravity_cues.is_some())
        });
        let recent = RecentFiles::load(opts.recent_file.clone());
        let mut viewer = Viewer::new(Viewport::new(&ctx), jobs, opts.layout, opts.style.clone(), recent);
        viewer.label_source = opts.label_source;
        if let Some(f) = &opts.fusion {
            viewer.fusion = super::fusion_link::FusionLink::start(f.model.clone(), f.provider, f.threads, wake);
            viewer.inference_divisor = f.inference_divisor;
        }
        viewer.fixed_size = opts.size;
        viewer.start_camera = opts.start_camera;
        viewer.scripted = opts.scripted;
        viewer.open(opts.source);
        let egui_ctx = egui::Context::default();
        let max_texture = ctx.limits.max_texture_dimension_2d as usize;
        let egui_state = egui_winit::State::new(
            egui_ctx.clone(),
            egui::ViewportId::ROOT,
            &window,
            Some(window.scale_factor() as f32),
            None,
            Some(max_texture),
        );
        self.running = Some(Running {
            window,
            screen,
            egui_ctx,
            egui_state,
            viewer,
            next_egui_repaint: Some(Instant::now()),
            last_redraw: Instant::now(),
        });
        Ok(())
    }

    fn finish(&mut self, event_loop: &ActiveEventLoop, result: Result<RunReport, AppError>) {
        self.result = Some(result);
        event_loop.exit();
    }
}

impl Running {
    fn redraw(&mut self) -> Vec<UiRequest> {
        self.last_redraw = Instant::now();
        self.viewer.handle_jobs();
        self.viewer.poll_gpu();
        self.screen.sync_textures(&self.viewer.viewport);
        let raw = self.egui_state.take_egui_input(&self.window);
        let (viewer, textures) = (&mut self.viewer, &self.screen.textures);
        let mut ui_out = None;
        let output = self.egui_ctx.run_ui(raw, |ui| ui_out = Some(super::ui::draw(ui, viewer, textures)));
        let ui_out = ui_out.expect("the UI ran");
        self.egui_state.handle_platform_output(&self.window, output.platform_output.clone());
        let delay = output.viewport_output.get(&egui::ViewportId::ROOT).map(|v| v.repaint_delay);
        self.next_egui_repaint = delay.and_then(|d| Instant::now().checked_add(d));
        // Paint before submitting the next splatting frame, and not at all while one is on the
        // GPU: the queue is in order, so a present would wait behind the frame and freeze the
        // loop on a slow device. Skipped UI frames still process input and move the camera.
        let gpu_free = !self.viewer.viewport.busy();
        self.screen.paint(&self.viewer.viewport.ctx, &self.egui_ctx, output, gpu_free);
        self.viewer.step(ui_out.input);
        ui_out.requests
    }

    fn handle(&mut self, request: UiRequest) -> bool {
        match request {
            UiRequest::Open(path) => self.viewer.open_path(path),
            UiRequest::PickFile { folder } => self.viewer.jobs.pick(folder),
            UiRequest::Screenshot => {
                let secs =
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
                let path = std::path::PathBuf::from("screenshots").join(format!("rtgs2-{secs}.png"));
                if let Err(e) = std::fs::create_dir_all("screenshots") {
                    log::warn!("could not create the screenshots folder: {e}");
                }
                self.viewer.message = Some(match screenshot::write(&self.viewer.viewport, self.viewer.layout, &path) {
                    Ok((w, h)) => format!("screenshot {w}x{h} saved to {}", path.display()),
                    Err(e) => format!("screenshot failed: {e}"),
                });
            }
            UiRequest::SavePath => {
                let file = super::path_recorder::default_path_file();
                let scene = self.viewer.shown.as_ref().map(|s| s.scene.path.clone()).unwrap_or_default();
                self.viewer.message = Some(match self.viewer.path.save(&file, &scene) {
                    Ok(msg) => msg,
                    Err(e) => format!("saving the camera path to {} failed: {e}", file.display()),
                });
            }
            UiRequest::Quit => return true,
        }
        false
    }

    /// A scripted run's end: the screenshot and the report, or its failure.
    fn scripted_result(&mut self) -> Option<Result<RunReport, AppError>> {
        let run = self.viewer.scripted.as_ref()?;
        if let Some(why) = &run.failure {
            return Some(Err(AppError::Scripted(why.clone())));
        }
        let settled = self.viewer.shown.as_ref().is_some_and(|s| s.controller.is_settled());
        if !run.finished(settled) || self.viewer.viewport.busy() {
            return None;
        }
        if self.viewer.overlay_pending() && !run.timed_out_waiting {
            return None;
        }
        let mut report = RunReport {
            frames: run.summary().frames,
            summary: run.summary(),
            ui: self.viewer.stats.ui_times.summary(),
            adapter: self.viewer.viewport.ctx.describe(),
            feature_wait_timed_out: run.timed_out_waiting,
            features: match &self.viewer.features {
                FeatureStatus::Failed(e) => Some(format!("error: {e}")),
                FeatureStatus::Ready { seconds, from_cache } => {
                    Some(format!("{} in {seconds:.1} s", if *from_cache { "cached" } else { "computed" }))
                }
                _ => None,
            },
            fusion: self.viewer.fusion_summary(),
            lifted: self.viewer.lift_summary(),
            ..Default::default()
        };
        if let Some(path) = run.screenshot.clone() {
            match screenshot::write(&self.viewer.viewport, self.viewer.layout, &path) {
                Ok(size) => report.screenshot = Some((path, size)),
                Err(e) => return Some(Err(AppError::Screenshot(e))),
            }
        }
        if let Some(path) = run.save_path.clone() {
            let scene = self.viewer.shown.as_ref().map(|s| s.scene.path.clone()).unwrap_or_default();
            match self.viewer.path.save(&path, &scene) {
                Ok(msg) => report.saved_path = Some(msg),
                Err(e) => {
                    return Some(Err(AppError::Scripted(format!("saving the camera path to {}: {e}", path.display()))));
                }
            }
        }
        Some(Ok(report))
    }
}

impl ApplicationHandler<Wake> for App {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if let Err(e) = self.start(event_loop) {
            self.finish(event_loop, Err(e));
        }
    }

    fn user_event(&mut self, _: &ActiveEventLoop, _: Wake) {
        if let Some(r) = &self.running {
            r.window.request_redraw();
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _: WindowId, event: WindowEvent) {
        let Some(r) = self.running.as_mut() else { return };
        match event {
            WindowEvent::RedrawRequested => {
                let requests = r.redraw();
                let mut quit = false;
                for req in requests {
                    quit |= r.handle(req);
                }
                if quit {
                    return self.finish(event_loop, Ok(RunReport::default()));
                }
                if let Some(result) = r.scripted_result() {
                    self.finish(event_loop, result);
                }
            }
            WindowEvent::CloseRequested => {
                let result = match &r.viewer.scripted {
                    Some(_) => Err(AppError::Scripted("the window was closed before the run finished".into())),
                    None => Ok(RunReport::default()),
                };
                self.finish(event_loop, result);
            }
            other => {
                if let WindowEvent::Resized(size) = &other {
                    r.screen.resize(&r.viewer.viewport.ctx, (size.width, size.height));
                }
                if r.egui_state.on_window_event(&r.window, &other).repaint {
                    r.window.request_redraw();
                }
            }
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        let Some(r) = self.running.as_mut() else { return };
        let now = Instant::now();
        let changed = r.viewer.handle_jobs() | r.viewer.poll_gpu();
        let gpu_free = !r.viewer.viewport.busy();
        if changed || (gpu_free && r.viewer.wants_frame()) {
            r.window.request_redraw();
        }
        // egui's own repaints (spinners, hover) are rate-limited while work runs in the
        // background, so they do not take the CPU the renderer and the encoder need.
        let busy = r.viewer.busy();
        let mut wake = r.next_egui_repaint.map(|t| if busy { t.max(r.last_redraw + BUSY_UI_INTERVAL) } else { t });
        let mut earliest = |t: Instant| wake = Some(wake.map_or(t, |w| w.min(t)));
        if !gpu_free {
            earliest(now + GPU_POLL);
        }
        if busy {
            earliest(r.last_redraw + PROGRESS_REFRESH);
        }
        event_loop.set_control_flow(match wake {
            Some(t) if t > now => ControlFlow::WaitUntil(t),
            Some(_) => {
                r.window.request_redraw();
                ControlFlow::Wait
            }
            None => ControlFlow::Wait,
        });
    }
}
