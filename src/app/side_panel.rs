//! The side panel: scene summary, camera list, navigation settings, the semantic overlay's
//! legend (per-class hide / isolate) and the profiling section.

use egui::{Color32, RichText};

use super::fusion_link::{FusionStatus, inference_size};
use super::input::NavMode;
use super::present::LabelSource;
use super::ui::{UiOutput, UiRequest};
use super::viewer::LiftStatus;
use super::viewer::{FeatureStatus, Viewer};
use crate::classes::{self, NUM_CLASSES};
use crate::render::gpu::timing::STAGES;

/// Draws the side panel's sections (scene, navigation, overlay, ...) and collects its requests into `out`.
pub fn draw(ui: &mut egui::Ui, viewer: &mut Viewer, out: &mut UiOutput) {
    scene_section(ui, viewer);
    navigation_section(ui, viewer, out);
    overlay_section(ui, viewer);
    profiling_section(ui, viewer);
}

fn scene_section(ui: &mut egui::Ui, viewer: &mut Viewer) {
    egui::CollapsingHeader::new("Scene").default_open(true).show(ui, |ui| {
        let Some(s) = viewer.shown.as_ref() else {
            ui.label("no scene: File ▸ Open, or drop a file or folder here");
            return;
        };
        ui.label(s.scene.path.display().to_string());
        ui.label(format!(
            "{} Gaussians, SH degree {}, {} cameras, loaded in {:.1} s",
            s.scene.scene.len(),
            s.scene.scene.sh_degree,
            s.scene.cameras.len(),
            s.scene.seconds
        ));
        if !s.scene.warnings.is_empty() {
            ui.colored_label(Color32::YELLOW, format!("{} repair warnings (see the log)", s.scene.warnings.len()));
        }
        let n = s.scene.cameras.len();
        let current = s.camera_index;
        let mut snap = None;
        egui::CollapsingHeader::new(format!("Cameras ({n}) — PgUp/PgDn")).show(ui, |ui| {
            egui::ScrollArea::vertical().max_height(160.0).show(ui, |ui| {
                for (i, cam) in s.scene.cameras.iter().enumerate() {
                    let name =
                        if cam.img_name.is_empty() { format!("camera {i}") } else { format!("{i}: {}", cam.img_name) };
                    if ui.selectable_label(current == Some(i), name).clicked() {
                        snap = Some(i);
                    }
                }
            });
        });
        if let Some(i) = snap {
            viewer.snap_to_camera(i as isize, true);
        }
    });
}

fn navigation_section(ui: &mut egui::Ui, viewer: &mut Viewer, out: &mut UiOutput) {
    egui::CollapsingHeader::new("Navigation").default_open(true).show(ui, |ui| {
        let Some(s) = viewer.shown.as_mut() else { return };
        let c = &mut s.controller;
        let fov_before = c.fov_x_deg;
        ui.horizontal(|ui| {
            ui.radio_value(&mut c.mode, NavMode::Fly, "free-fly");
            ui.radio_value(&mut c.mode, NavMode::Orbit, "orbit");
            ui.label("(Tab)");
        });
        ui.add(egui::Slider::new(&mut c.speed, 1e-3..=100.0).logarithmic(true).text("speed /s"));
        ui.add(egui::Slider::new(&mut c.fov_x_deg, 20.0..=120.0).text("field of view °"));
        if ui.button("Reset view (Home)").clicked() {
            c.reset();
        }
        if c.fov_x_deg != fov_before {
            viewer.mark_dirty();
        }
        path_controls(ui, viewer, out);
        ui.label(
            RichText::new(
                "WASD move, Q/E down/up, Shift faster, right-drag look, left-drag orbit, middle-drag pan, \
                 wheel: speed (fly) or zoom (orbit)",
            )
            .small(),
        );
    });
}

/// Keyframes for `rtgs2 render --path`: add the current view, save, clear.
fn path_controls(ui: &mut egui::Ui, viewer: &mut Viewer, out: &mut UiOutput) {
    ui.horizontal(|ui| {
        if ui.button("Add keyframe (K)").clicked()
            && let Some(cam) = viewer.current_camera()
        {
            viewer.path.add(&cam);
        }
        ui.label(format!("{} keyframes", viewer.path.len()));
    });
    ui.add_enabled_ui(viewer.path.len() >= 2, |ui| {
        ui.horizontal(|ui| {
            if ui.button("Save camera path").on_hover_text("a keyframe file for rtgs2 render --path").clicked() {
                out.requests.push(UiRequest::SavePath);
            }
            if ui.button("Clear").clicked() {
                viewer.path.clear();
            }
        });
    });
}

fn overlay_section(ui: &mut egui::Ui, viewer: &mut Viewer) {
    egui::CollapsingHeader::new("Semantic overlay").default_open(true).show(ui, |ui| {
        let mut changed = source_controls(ui, viewer);
        changed |= ui.add(egui::Slider::new(&mut viewer.style.opacity, 0.0..=1.0).text("opacity")).changed();
        let Some(s) = viewer.shown.as_ref() else { return };
        if s.scene.class_counts.is_empty() {
            ui.label("this scene has no labels");
            return;
        }
        let classes: Vec<u16> = s.scene.class_counts.iter().map(|(k, _)| *k).filter(|&k| k != 0).collect();
        let shown = &mut viewer.style.shown;
        ui.horizontal(|ui| {
            if ui.small_button("show all").clicked() {
                *shown = [true; NUM_CLASSES];
                changed = true;
            }
        });
        for k in classes {
            ui.horizontal(|ui| {
                let [r, g, b] = classes::color(k);
                let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
                ui.painter().rect_filled(rect, 2.0, Color32::from_rgb(r, g, b));
                changed |= ui.checkbox(&mut shown[k as usize], classes::name(k)).changed();
                if ui.small_button("isolate").clicked() {
                    *shown = [false; NUM_CLASSES];
                    shown[k as usize] = true;
                    changed = true;
                }
            });
        }
        if changed {
            viewer.mark_dirty();
        }
    });
}

/// Prediction or ground truth, the inference resolution and the network's state; true when
/// the view must be redrawn.
fn source_controls(ui: &mut egui::Ui, viewer: &mut Viewer) -> bool {
    let before = (viewer.label_source, viewer.inference_divisor);
    ui.horizontal(|ui| {
        ui.radio_value(&mut viewer.label_source, LabelSource::Prediction, "prediction");
        ui.add_enabled_ui(viewer.has_labels(), |ui| {
            ui.radio_value(&mut viewer.label_source, LabelSource::GroundTruth, "ground truth")
                .on_disabled_hover_text("this scene has no `label` property");
        });
        ui.add_enabled_ui(matches!(viewer.lifted, LiftStatus::Ready { .. }), |ui| {
            ui.radio_value(&mut viewer.label_source, LabelSource::Lifted, "lifted")
                .on_hover_text("predictions of many views fused onto the Gaussians: no network per frame")
                .on_disabled_hover_text("lifting runs once the features are ready");
        });
    });
    ui.label(match &viewer.lifted {
        LiftStatus::Off => "lifting: off".to_string(),
        LiftStatus::Running { done, total: 0 } => format!("lifting: starting ({done} views)"),
        LiftStatus::Running { done, total } => format!("lifting: {done}/{total} views"),
        LiftStatus::Ready { labels, seconds, from_cache } => {
            let how = if *from_cache { "read from the cache".to_string() } else { format!("in {seconds:.0} s") };
            format!("lifted: {} of {} Gaussians {how}", labels.labelled(), labels.classes.len())
        }
        LiftStatus::Failed(e) => format!("lifting failed: {e}"),
    });
    if let (LiftStatus::Ready { labels, .. }, Some(s)) = (&viewer.lifted, &viewer.shown)
        && ui
            .button("export the shown classes as PLY…")
            .on_hover_text("the Gaussians lifted to the classes ticked below, with label and label_confidence")
            .clicked()
    {
        let name = s.scene.path.file_stem().map_or("scene".into(), |n| n.to_string_lossy().into_owned());
        viewer.jobs.export_classes(
            s.scene.scene.clone(),
            labels.clone(),
            viewer.style.shown,
            format!("{name}_classes.ply"),
        );
    }
    if viewer.label_source == LabelSource::Prediction {
        let view = viewer.viewport.size().unwrap_or(viewer.view_size);
        let name = |d: u32| {
            let (w, h) = inference_size(view, d);
            if d == 0 { format!("auto ({w}×{h})") } else { format!("1/{d} ({w}×{h})") }
        };
        egui::ComboBox::from_label("inference resolution").selected_text(name(viewer.inference_divisor)).show_ui(
            ui,
            |ui| {
                for d in [0, 1, 2, 3, 4] {
                    ui.selectable_value(&mut viewer.inference_divisor, d, name(d));
                }
            },
        );
        ui.label(match &viewer.fusion.status {
            FusionStatus::Off => "fusion network: off".to_string(),
            FusionStatus::Loading => "fusion network: loading …".to_string(),
            FusionStatus::Failed(e) => format!("fusion network: {e}"),
            FusionStatus::Ready { .. } if viewer.fusion.latest.is_none() => match &viewer.features {
                FeatureStatus::Computing(_) => "fusion network: waiting for the encoder features".to_string(),
                _ => "fusion network: first prediction on its way".to_string(),
            },
            FusionStatus::Ready { .. } => "fusion network: live (hover a pixel for class and confidence)".to_string(),
        });
    }
    let changed = before != (viewer.label_source, viewer.inference_divisor);
    if changed {
        viewer.reset_overlay();
    }
    changed
}

fn profiling_section(ui: &mut egui::Ui, viewer: &mut Viewer) {
    egui::CollapsingHeader::new("Profiling").default_open(true).show(ui, |ui| {
        ui.label(RichText::new(viewer.viewport.ctx.describe()).small());
        ui.checkbox(&mut viewer.clock.continuous, "render continuously (to measure)");
        let r = viewer.stats.render_times.summary();
        ui.label(format!(
            "render: {:.1} FPS — median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
            r.fps(),
            r.median_ms,
            r.p95_ms,
            r.max_ms
        ));
        frame_graph(ui, viewer.stats.render_times.iter().collect(), Color32::LIGHT_BLUE);
        let u = viewer.stats.ui_times.summary();
        ui.label(format!("UI frame: median {:.1} ms, max {:.1} ms", u.median_ms, u.max_ms));
        frame_graph(ui, viewer.stats.ui_times.iter().collect(), Color32::LIGHT_GREEN);
        if let Some(v) = viewer.stats.visible {
            ui.label(format!("visible Gaussians: {v}"));
        }
        if let Some(t) = &viewer.stats.stage_ms {
            egui::Grid::new("stages").show(ui, |ui| {
                for (name, ms) in STAGES.iter().zip(t) {
                    ui.label(*name);
                    ui.label(format!("{ms:.2} ms"));
                    ui.end_row();
                }
            });
        } else {
            ui.label("GPU stage times: no timestamp queries on this device");
        }
        ui.label(match &viewer.features {
            FeatureStatus::Off => "encoder: off".to_string(),
            FeatureStatus::Computing(since) => format!("encoder: computing ({:.0} s)", since.elapsed().as_secs_f64()),
            FeatureStatus::Ready { seconds, from_cache: true } => format!("encoder: cached (read in {seconds:.1} s)"),
            FeatureStatus::Ready { seconds, .. } => format!("encoder: ready in {seconds:.1} s"),
            FeatureStatus::Failed(e) => format!("encoder: error: {e}"),
        });
        fusion_profile(ui, viewer);
    });
}

/// The fusion network's costs: inference time per prediction, read-back-to-result latency and
/// how many frames old the overlay on screen is.
fn fusion_profile(ui: &mut egui::Ui, viewer: &Viewer) {
    let provider = match &viewer.fusion.status {
        FusionStatus::Ready { provider } => provider.as_str(),
        _ => return,
    };
    let t = viewer.stats.inference_ms.summary();
    ui.label(format!(
        "fusion ({provider}): inference median {:.1} ms, max {:.1} ms ({} predictions)",
        t.median_ms, t.max_ms, t.frames
    ));
    frame_graph(ui, viewer.stats.inference_ms.iter().collect(), Color32::GOLD);
    if let Some(p) = &viewer.fusion.latest {
        ui.label(format!(
            "overlay: {}×{}, read-back to result {:.0} ms, {} frame(s) old",
            p.prediction.width,
            p.prediction.height,
            p.latency_ms,
            viewer.overlay.age_frames().unwrap_or(0)
        ));
    }
    if viewer.fusion.failures > 0 {
        ui.label(format!("skipped fusion frames: {}", viewer.fusion.failures));
    }
}

/// Every frame time of the window as a bar (no averaging: a stall shows as a spike).
fn frame_graph(ui: &mut egui::Ui, times: Vec<f64>, colour: Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(ui.available_width(), 50.0), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, Color32::from_gray(30));
    let max = times.iter().copied().fold(1e-3, f64::max);
    let n = times.len().max(1) as f32;
    for (k, t) in times.iter().enumerate() {
        let x = rect.left() + rect.width() * k as f32 / n;
        let h = rect.height() * (*t / max) as f32;
        painter.line_segment([egui::pos2(x, rect.bottom()), egui::pos2(x, rect.bottom() - h)], (1.0, colour));
    }
    painter.text(
        rect.left_top(),
        egui::Align2::LEFT_TOP,
        format!("{max:.0} ms"),
        egui::FontId::monospace(10.0),
        Color32::GRAY,
    );
}
