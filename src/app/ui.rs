//! The egui interface: menu bar, side panel (scene, cameras, navigation, overlay legend,
//! profiling) and the central views. It reads and edits the [`Viewer`] and returns the
//! frame's navigation input plus requests only the window can carry out.

use std::path::PathBuf;

use egui::{Color32, PointerButton, Rect, Sense, pos2};

use super::fusion_link::FusionStatus;
use super::input::{ControlInput, NavMode};
use super::layout::{Layout, ViewKind};
use super::present::LabelSource;
use super::viewer::LiftStatus;
use super::viewer::{FeatureStatus, Viewer};

/// Requests from the UI for the window.
#[derive(Clone, Debug, PartialEq)]
pub enum UiRequest {
    /// Show a file dialog.
    PickFile {
        /// Pick a folder (a trainer folder or SOG) rather than a file.
        folder: bool,
    },
    /// Open this scene.
    Open(PathBuf),
    /// Write a screenshot of the shown views to `screenshots/`.
    Screenshot,
    /// Save the recorded camera path as a keyframe file.
    SavePath,
    /// Close the window.
    Quit,
}

/// egui texture ids of the view textures, by [`ViewKind::index`].
pub type ViewTextureIds = [Option<egui::TextureId>; 4];

#[derive(Default)]
/// What the UI produced this frame for the window and the camera.
pub struct UiOutput {
    /// Navigation input from the keyboard and mouse.
    pub input: ControlInput,
    /// Requests in the order they were made.
    pub requests: Vec<UiRequest>,
}

/// Draws the whole interface for one frame.
pub fn draw(ui: &mut egui::Ui, viewer: &mut Viewer, textures: &ViewTextureIds) -> UiOutput {
    let mut out = UiOutput::default();
    egui::Panel::top("menu").show(ui, |ui| menu_bar(ui, viewer, &mut out));
    egui::Panel::left("side").resizable(true).default_size(260.0).show(ui, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            super::side_panel::draw(ui, viewer, &mut out);
        });
    });
    egui::CentralPanel::no_frame().show(ui, |ui| views(ui, viewer, textures, &mut out));
    shortcuts(ui, viewer, &mut out);
    out
}

fn menu_bar(ui: &mut egui::Ui, viewer: &mut Viewer, out: &mut UiOutput) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Open file…").clicked() {
                out.requests.push(UiRequest::PickFile { folder: false });
            }
            if ui.button("Open trainer folder…").clicked() {
                out.requests.push(UiRequest::PickFile { folder: true });
            }
            ui.menu_button("Recent", |ui| {
                if viewer.recent.paths.is_empty() {
                    ui.label("(none yet)");
                }
                for p in viewer.recent.paths.clone() {
                    if ui.button(p.display().to_string()).clicked() {
                        out.requests.push(UiRequest::Open(p));
                    }
                }
            });
            if ui.button("Screenshot (F12)").clicked() {
                out.requests.push(UiRequest::Screenshot);
            }
            ui.separator();
            if ui.button("Quit").clicked() {
                out.requests.push(UiRequest::Quit);
            }
        });
        ui.menu_button("View", |ui| {
            for l in Layout::ALL {
                if ui.radio(viewer.layout == l, l.title()).clicked() {
                    viewer.layout = l;
                    viewer.mark_dirty();
                }
            }
        });
        ui.separator();
        status_line(ui, viewer);
    });
}

/// Loading and encoder progress, always visible.
fn status_line(ui: &mut egui::Ui, viewer: &Viewer) {
    if let Some((what, since)) = &viewer.loading {
        ui.spinner();
        ui.label(format!("loading {what} … {:.0} s", since.elapsed().as_secs_f64()));
    }
    match &viewer.features {
        FeatureStatus::Computing(since) => {
            ui.spinner();
            ui.label(format!("encoder features … {:.0} s", since.elapsed().as_secs_f64()));
        }
        FeatureStatus::Failed(_) => {
            ui.colored_label(Color32::LIGHT_RED, "encoder features unavailable (see side panel)");
        }
        _ => {}
    }
    if let Some(m) = &viewer.message {
        ui.colored_label(Color32::LIGHT_RED, m);
    }
}

fn shortcuts(ui: &mut egui::Ui, viewer: &mut Viewer, out: &mut UiOutput) {
    let dropped: Vec<PathBuf> = ui.input(|i| i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).collect());
    if let Some(p) = dropped.into_iter().next() {
        out.requests.push(UiRequest::Open(p));
    }
    if ui.ctx().egui_wants_keyboard_input() {
        return;
    }
    let (page_up, page_down, home, f12, tab, k) = ui.input(|i| {
        (
            i.key_pressed(egui::Key::PageUp),
            i.key_pressed(egui::Key::PageDown),
            i.key_pressed(egui::Key::Home),
            i.key_pressed(egui::Key::F12),
            i.key_pressed(egui::Key::Tab),
            i.key_pressed(egui::Key::K),
        )
    });
    if k && let Some(cam) = viewer.current_camera() {
        viewer.path.add(&cam);
    }
    let current = viewer.shown.as_ref().and_then(|s| s.camera_index).map_or(-1, |i| i as isize);
    if page_down {
        viewer.snap_to_camera(current + 1, true);
    }
    if page_up {
        viewer.snap_to_camera(current - 1, true);
    }
    if let Some(s) = viewer.shown.as_mut() {
        if home {
            s.controller.reset();
        }
        if tab {
            s.controller.mode = match s.controller.mode {
                NavMode::Fly => NavMode::Orbit,
                NavMode::Orbit => NavMode::Fly,
            };
        }
    }
    if f12 {
        out.requests.push(UiRequest::Screenshot);
    }
    let key = |k| ui.input(|i| i.key_down(k));
    let axis = |plus, minus| (key(plus) as i32 - key(minus) as i32) as f32;
    use egui::Key;
    out.input.forward = axis(Key::W, Key::S);
    out.input.right = axis(Key::D, Key::A);
    out.input.up = axis(Key::E, Key::Q);
    out.input.fast = ui.input(|i| i.modifiers.shift);
}

/// The central area: the layout's views in a grid, with navigation on drags and the wheel.
fn views(ui: &mut egui::Ui, viewer: &mut Viewer, textures: &ViewTextureIds, out: &mut UiOutput) {
    let area = ui.available_rect_before_wrap();
    let response = ui.interact(area, ui.scope_id().with("views"), Sense::click_and_drag());
    let (cols, rows) = viewer.layout.grid();
    let cell = egui::vec2(area.width() / cols as f32, area.height() / rows as f32);
    let ppp = ui.ctx().pixels_per_point();
    viewer.view_size = (((cell.x * ppp) as u32).max(16), ((cell.y * ppp) as u32).max(16));
    let render_size = viewer.viewport.size();
    let painter = ui.painter_at(area);
    painter.rect_filled(area, 0.0, Color32::from_gray(20));
    viewer.hover.pixel = None;
    for (k, kind) in viewer.layout.views().iter().enumerate() {
        let min = area.min + egui::vec2((k as u32 % cols) as f32 * cell.x, (k as u32 / cols) as f32 * cell.y);
        let cell_rect = Rect::from_min_size(min, cell).shrink(1.0);
        let image_rect = match render_size {
            // Keep the rendered aspect ratio (it differs from the cell's with --size).
            Some((w, h)) => {
                let scale = (cell_rect.width() / w as f32).min(cell_rect.height() / h as f32);
                Rect::from_center_size(cell_rect.center(), egui::vec2(w as f32, h as f32) * scale)
            }
            None => cell_rect,
        };
        let unavailable = view_unavailable(viewer, *kind);
        match (textures[kind.index()], &unavailable) {
            (Some(id), None) => {
                let uv = Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0));
                painter.image(id, image_rect, uv, Color32::WHITE);
            }
            (_, why) => {
                let text = why.clone().unwrap_or_else(|| "nothing rendered yet".into());
                painter.text(
                    cell_rect.center(),
                    egui::Align2::CENTER_CENTER,
                    text,
                    egui::FontId::proportional(14.0),
                    Color32::GRAY,
                );
            }
        }
        let title = match kind {
            ViewKind::Semantic => "semantic: ground truth (fusion network not yet available)",
            other => other.title(),
        };
        painter.text(
            cell_rect.min + egui::vec2(6.0, 4.0),
            egui::Align2::LEFT_TOP,
            title,
            egui::FontId::proportional(13.0),
            Color32::WHITE,
        );
        if *kind == ViewKind::Semantic
            && let (Some(pos), Some((w, h))) = (response.hover_pos(), render_size)
            && image_rect.contains(pos)
        {
            let rel = (pos - image_rect.min) / image_rect.size();
            viewer.hover.pixel = Some(((rel.x * w as f32) as u32, (rel.y * h as f32) as u32));
            let text = match viewer.label_source {
                LabelSource::Prediction => viewer.hover_prediction().map(|(class, confidence)| match confidence {
                    Some(c) => format!("{} ({:.0} % confident)", crate::classes::name(class as u16), c * 100.0),
                    None => "(no surface)".to_string(),
                }),
                source => viewer.hover.label.map(|label| {
                    let what = if source == LabelSource::Lifted { "lifted" } else { "ground truth" };
                    if label == crate::render::IGNORE_LABEL {
                        "(no label)".to_string()
                    } else {
                        format!("{} ({what})", crate::classes::name(label as u16))
                    }
                }),
            };
            if let Some(text) = text {
                response.clone().on_hover_text_at_pointer(text);
            }
        }
    }
    // Navigation from the mouse over the views.
    let delta = ui.input(|i| i.pointer.delta());
    if response.dragged_by(PointerButton::Secondary) {
        out.input.look = glam::Vec2::new(delta.x, delta.y);
    }
    if response.dragged_by(PointerButton::Primary) {
        out.input.orbit = glam::Vec2::new(delta.x, delta.y);
    }
    if response.dragged_by(PointerButton::Middle) {
        out.input.pan = glam::Vec2::new(delta.x, delta.y);
    }
    if response.hovered() {
        // egui reports wheel motion in points, 50 per line.
        out.input.scroll = ui.input(|i| i.smooth_scroll_delta.y) / 50.0;
    }
}

/// Why a view has nothing to show, if so.
fn view_unavailable(viewer: &Viewer, kind: ViewKind) -> Option<String> {
    viewer.shown.as_ref()?;
    match kind {
        ViewKind::Semantic => semantic_unavailable(viewer),
        ViewKind::Features => match &viewer.features {
            FeatureStatus::Ready { .. } => None,
            FeatureStatus::Computing(since) => {
                Some(format!("computing encoder features … {:.0} s", since.elapsed().as_secs_f64()))
            }
            FeatureStatus::Failed(e) => Some(format!("no encoder features: {e}")),
            FeatureStatus::Off => Some("encoder features are off".into()),
        },
        _ => None,
    }
}

/// Why the semantic view cannot show classes, if so. While the network loads or waits for the
/// encoder features the view shows the colour image (the side panel says what it waits for).
fn semantic_unavailable(viewer: &Viewer) -> Option<String> {
    match viewer.label_source {
        LabelSource::GroundTruth if !viewer.has_labels() => Some("this scene has no ground-truth labels".into()),
        LabelSource::Prediction => match (&viewer.fusion.status, &viewer.features) {
            (FusionStatus::Off, _) => Some("the fusion network is off".into()),
            (FusionStatus::Failed(e), _) => Some(format!("no fusion network: {e}")),
            (_, FeatureStatus::Failed(e)) => Some(format!("no encoder features for the fusion network: {e}")),
            (_, FeatureStatus::Off) => Some("encoder features are off (the fusion network needs them)".into()),
            _ => None,
        },
        LabelSource::Lifted => match &viewer.lifted {
            LiftStatus::Failed(e) => Some(format!("no lifted labels: {e}")),
            LiftStatus::Off => Some("lifting is off (it needs the fusion network and the scene's cameras)".into()),
            _ => None,
        },
        _ => None,
    }
}
