//! Pixels the scene does not cover get no class: the shipped fusion network's prediction of a
//! random scene over empty background is class 0 (unlabelled) exactly on the pixels whose
//! accumulated alpha is under 0.5 — the pixels the ground truth ignores (label 255) — and a
//! class everywhere else; on the CPU reference renderer, and on the GPU's packed path, whose
//! 8-bit alpha is its frame's alpha rounded (and within one step of the CPU's).

mod common;

use common::{fresh_seed, random_scene};
use glam::Vec3;
use rtgs2::fusion::coverage::{self, NO_CLASS};
use rtgs2::fusion::{FrameInputs, FusionModel, default_model_path};
use rtgs2::inference::ExecutionChoice;
use rtgs2::render::gpu::gpu_for_tests;
use rtgs2::render::gpu::headless::HeadlessRenderer;
use rtgs2::render::gpu::renderer::{GpuRenderOptions, GpuRenderer};
use rtgs2::render::gpu::scene_buffers::GpuScene;
use rtgs2::render::{Channels, Features, Frame, IGNORE_LABEL, RenderOptions, render};
use rtgs2::scene::{Camera, Scene};
use rtgs2::util::rng::Rng;

const W: u32 = 72;
const H: u32 = 54;

/// A scene of `Gaussians` around the origin (σ = 3) and per-Gaussian features for the model,
/// seen from far enough with a wide lens that the frame's border shows empty background.
fn scene_and_features(rng: &mut Rng, feature_dim: usize) -> (Scene, Vec<f32>, Camera) {
    let scene = random_scene(rng, 1500, 0, false);
    let features = (0..scene.len() * feature_dim).map(|_| rng.normal() * 0.3).collect();
    let camera = Camera::look_at(Vec3::new(0.3, -0.2, -10.0), Vec3::ZERO, Vec3::NEG_Y, 80.0, W, H);
    (scene, features, camera)
}

fn cpu_frame(scene: &Scene, features: &[f32], dim: usize, camera: &Camera) -> Frame {
    let channels =
        Channels { depth: false, features: Some(Features { dim, values: features }), labels: scene.labels.as_deref() };
    render(scene, camera, &channels, &RenderOptions::default()).expect("CPU render")
}

/// Class 0 exactly where alpha < 0.5, which is where the ground truth is ignored; both kinds
/// of pixel present, and some partly covered ones (0 < alpha < 0.5) among the uncovered.
fn assert_no_class_exactly_where_uncovered(tag: &str, classes: &[u8], alpha: &[f32], labels: &[u8]) {
    assert_eq!(classes.len(), alpha.len(), "{tag}: one class a pixel");
    for (i, ((&class, &a), &label)) in classes.iter().zip(alpha).zip(labels).enumerate() {
        assert_eq!(class == NO_CLASS, a < 0.5, "{tag}: pixel {i}, alpha {a}, class {class}");
        assert_eq!(label == IGNORE_LABEL, a < 0.5, "{tag}: pixel {i}, alpha {a}, label {label}");
    }
    let n = alpha.len();
    let uncovered = alpha.iter().filter(|&&a| a < 0.5).count();
    let partial = alpha.iter().filter(|&&a| a > 0.0 && a < 0.5).count();
    assert!(uncovered * 20 > n && (n - uncovered) * 20 > n, "{tag}: {uncovered} of {n} pixels uncovered");
    assert!(partial > 0, "{tag}: some pixels are partly covered");
    eprintln!("{tag}: {uncovered} of {n} pixels uncovered ({partial} partly covered)");
}

#[test]
fn the_cpu_renderers_uncovered_pixels_get_no_class() {
    let mut model = FusionModel::open(&default_model_path(), ExecutionChoice::Cpu, 2).expect("shipped model");
    let dim = model.card.feature_dim;
    let mut rng = Rng::new(fresh_seed("coverage on the CPU renderer"));
    let (scene, features, camera) = scene_and_features(&mut rng, dim);
    let frame = cpu_frame(&scene, &features, dim, &camera);
    let (alpha, labels) = (frame.alpha.clone(), frame.labels.clone());
    let inputs = FrameInputs::from_frame(frame);
    assert_eq!(inputs.alpha8, coverage::alpha8(&alpha), "the frame's alpha, rounded");
    // The network alone gives every pixel a class (the card's ids are 1-40).
    let unmasked = model.predict(FrameInputs { alpha8: Vec::new(), ..inputs.clone() }).expect("prediction");
    assert!(!unmasked.classes.contains(&NO_CLASS), "without coverage every pixel has a class");
    let prediction = model.predict(inputs).expect("prediction");
    assert_no_class_exactly_where_uncovered("CPU", &prediction.classes, &alpha, &labels);
    let covered = |i: usize| alpha[i] >= 0.5;
    assert!(
        (0..alpha.len()).filter(|&i| covered(i)).all(|i| prediction.classes[i] == unmasked.classes[i]),
        "covered pixels keep the network's class"
    );
}

#[test]
fn the_gpu_packed_paths_uncovered_pixels_get_no_class() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut model = FusionModel::open(&default_model_path(), ExecutionChoice::Cpu, 2).expect("shipped model");
    let dim = model.card.feature_dim;
    let mut rng = Rng::new(fresh_seed("coverage on the GPU's packed path"));
    let (scene, features, camera) = scene_and_features(&mut rng, dim);
    let mut gs = GpuScene::upload(&ctx, &scene).expect("upload");
    gs.set_features(&ctx, dim, &features).expect("features");
    let mut hr = HeadlessRenderer::new(GpuRenderer::new(&ctx));
    let opts = GpuRenderOptions { features: true, labels: true, ..Default::default() };
    let plain = hr.render(&gs, &camera, &opts).expect("plain render");
    let packed = hr.render_packed(&gs, &camera, &opts, model.tensor_recipe()).expect("packed render");
    assert!(packed.alpha8 == coverage::alpha8(&plain.alpha), "the packed alpha is the GPU frame's, rounded");
    assert!(packed.labels == plain.labels, "the packed render's labels are the plain render's");
    // The CPU reference's alpha agrees to within 1e-3, so to one 8-bit step.
    let cpu = cpu_frame(&scene, &features, dim, &camera);
    let cpu_alpha8 = coverage::alpha8(&cpu.alpha);
    let steps: Vec<u8> = packed.alpha8.iter().zip(&cpu_alpha8).map(|(g, c)| g.abs_diff(*c)).collect();
    let off = steps.iter().filter(|&&d| d > 0).count();
    assert!(steps.iter().all(|&d| d <= 1), "GPU and CPU alpha8 differ by {:?} steps", steps.iter().max());
    eprintln!("GPU vs CPU alpha8: {off} of {} pixels one step apart, none further", steps.len());

    let inputs = FrameInputs::from_packed(packed.width, packed.height, packed.rgb8, packed.alpha8, packed.tensors);
    let prediction = model.predict(inputs).expect("prediction");
    assert_no_class_exactly_where_uncovered("GPU packed", &prediction.classes, &plain.alpha, &packed.labels);
}
