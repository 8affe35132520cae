//! The GPU's packing of a frame into the fusion network's input tensors
//! (shaders/pack_inputs.wgsl) against the CPU preprocessing it replaces: the same values bit
//! for bit on fresh random scenes, sizes that need padding and sizes that do not, RGB-only,
//! features-only and both, read in their mapped buffers here or copied out on another thread; as f16,
//! each value one of the two f16 neighbours of the CPU's f32; the 8-bit colour and alpha and the
//! labels a packed render reads back instead of the f32 images equal the plain render's; the shipped
//! network predicts the same classes from either.

mod common;

use common::{fresh_seed, random_scene};
use glam::Vec3;
use half::f16;
use rtgs2::fusion::coverage;
use rtgs2::fusion::preprocess::{features_nchw, rgb_nchw, rgb_table};
use rtgs2::fusion::{DeviceOptions, FrameInputs, FusionModel, InputPrecision, PixelHead, default_model_path};
use rtgs2::inference::ExecutionChoice;
use rtgs2::render::gpu::gpu_for_tests;
use rtgs2::render::gpu::headless::{HeadlessError, HeadlessRenderer};
use rtgs2::render::gpu::pack::{TensorElement, TensorRecipe, TensorValues};
use rtgs2::render::gpu::renderer::{GpuRenderOptions, GpuRenderer, TargetError};
use rtgs2::render::gpu::scene_buffers::GpuScene;
use rtgs2::scene::Camera;
use rtgs2::util::rng::Rng;

fn camera(rng: &mut Rng, w: u32, h: u32) -> Camera {
    let eye = Vec3::new(rng.range(-1.0, 1.0), rng.range(-1.0, 1.0), rng.range(-12.0, -9.0));
    Camera::look_at(eye, Vec3::ZERO, Vec3::NEG_Y, rng.range(45.0, 70.0), w, h)
}

/// Bit-level equality, so a NaN or a sign of zero cannot slip through.
fn assert_same_bits(tag: &str, gpu: &[f32], cpu: &[f32]) {
    assert_eq!(gpu.len(), cpu.len(), "{tag}: lengths");
    if let Some(i) = (0..gpu.len()).find(|&i| gpu[i].to_bits() != cpu[i].to_bits()) {
        panic!("{tag}: first difference at {i}: GPU {} vs CPU {}", gpu[i], cpu[i]);
    }
}

/// The f16 next to `h` towards +∞ (`up`) or −∞.
fn f16_step(h: f16, up: bool) -> f16 {
    let bits = h.to_bits();
    if bits & 0x7fff == 0 {
        return f16::from_bits(if up { 0x0001 } else { 0x8001 });
    }
    let negative = bits & 0x8000 != 0;
    f16::from_bits(if negative ^ up { bits + 1 } else { bits - 1 })
}

/// Each GPU f16 is the CPU's f32 rounded to one of its two f16 neighbours (WGSL leaves the
/// rounding direction to the implementation), or equal to it when it is exact.
fn assert_f16_rounding(tag: &str, gpu: &TensorValues, cpu: &[f32]) {
    let TensorValues::F16(gpu) = gpu.clone() else { panic!("{tag}: f16 values expected, got {:?}", gpu.element()) };
    assert_eq!(gpu.len(), cpu.len(), "{tag}: lengths");
    for (i, (&g, &c)) in gpu.iter().zip(cpu).enumerate() {
        let nearest = f16::from_f32(c);
        let other = if nearest.to_f32() == c { nearest } else { f16_step(nearest, nearest.to_f32() < c) };
        assert!(g == nearest || g == other, "{tag}: value {i}: GPU {g} for CPU {c} (neighbours {nearest}, {other})");
    }
}

#[test]
fn packed_tensors_equal_the_cpu_preprocessing_bit_for_bit() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = Rng::new(fresh_seed("gpu packing"));
    let mut hr = HeadlessRenderer::new(GpuRenderer::new(&ctx));
    // (feature dim, size, size multiple, rgb, features, element): padded and unpadded, each
    // input alone, f32 and f16 (an odd frame width padded to an even one).
    use TensorElement::{F16, F32};
    let cases = [
        (32, (45u32, 37u32), 32, true, true, F32),
        (8, (64, 48), 16, false, true, F32),
        (4, (50, 20), 1, true, false, F32),
        (32, (45, 37), 32, true, true, F16),
        (8, (33, 17), 2, true, true, F16),
    ];
    for (dim, (w, h), multiple, rgb, features, element) in cases {
        // The cases that pack both inputs ask for the labels too (as `rtgs2 eval` does).
        let labelled = rgb && features;
        let scene = random_scene(&mut rng, 3000, 1, false);
        let values: Vec<f32> = (0..scene.len() * dim).map(|_| rng.normal()).collect();
        let mut gs = GpuScene::upload(&ctx, &scene).expect("upload");
        gs.set_features(&ctx, dim, &values).expect("features");
        let cam = camera(&mut rng, w, h);
        let bg = [rng.f32(), rng.f32(), rng.f32()];
        let opts = GpuRenderOptions { background: bg, features: true, labels: labelled, ..Default::default() };
        let mean = [rng.range(0.3, 0.6), rng.range(0.3, 0.6), rng.range(0.3, 0.6)];
        let std = [rng.range(0.1, 0.4), rng.range(0.1, 0.4), rng.range(0.1, 0.4)];
        let scale = rng.range(0.5, 3.0);
        let recipe = TensorRecipe {
            rgb_table: rgb.then(|| rgb_table(mean, std)),
            feature_scale: features.then_some(scale),
            size_multiple: multiple,
            element,
        };
        let tag = format!("D {dim}, {w}x{h}, multiple {multiple}, rgb {rgb}, features {features}, {element:?}");

        let frame = hr.render(&gs, &cam, &opts).expect("plain render");
        let packed_frame = hr.render_packed(&gs, &cam, &opts, &recipe).expect("packed render");
        let covered = frame.alpha.iter().filter(|&&a| a > 0.5).count();
        assert!(covered > frame.pixels() / 10, "{tag}: the view shows the scene ({covered} covered pixels)");
        // The 8-bit colour made on the GPU rounds as the CPU's conversion of the f32 image.
        assert_eq!((packed_frame.width, packed_frame.height), (w, h), "{tag}");
        assert!(packed_frame.rgb8 == frame.rgb8(), "{tag}: the packed render's 8-bit colour is the plain render's");
        assert!(packed_frame.alpha8 == coverage::alpha8(&frame.alpha), "{tag}: and its 8-bit alpha");
        let labelled_pixels = frame.labels.iter().filter(|&&l| l != 0).count();
        assert_eq!(labelled_pixels > 0, labelled, "{tag}: labels rendered only when asked for");
        assert!(packed_frame.labels == frame.labels, "{tag}: the packed render's labels are the plain render's");
        let packed = packed_frame.tensors;

        let padded = recipe.padded(w, h);
        assert_eq!(packed.padded, padded, "{tag}");
        let (wu, hu) = (w as usize, h as usize);
        let cpu_rgb = if rgb { rgb_nchw(&frame.rgb8(), wu, hu, mean, std, padded) } else { Vec::new() };
        let cpu_features =
            if features { features_nchw(&frame.features, wu, hu, dim, scale, padded) } else { Vec::new() };
        match element {
            F32 => {
                assert_same_bits(&format!("{tag}: RGB"), &packed.rgb.to_f32_vec(), &cpu_rgb);
                assert_same_bits(&format!("{tag}: features"), &packed.features.to_f32_vec(), &cpu_features);
            }
            F16 => {
                assert_f16_rounding(&format!("{tag}: RGB"), &packed.rgb, &cpu_rgb);
                assert_f16_rounding(&format!("{tag}: features"), &packed.features, &cpu_features);
            }
        }
        assert_eq!(packed.feature_dim, if features { dim } else { 0 }, "{tag}");

        // Another render's tensors, copied out on another thread (as `bench segment` hands
        // frames to the fusion worker): the same values over there.
        let mapped_frame = hr.render_packed(&gs, &cam, &opts, &recipe).expect("mapped render");
        assert!(mapped_frame.rgb8 == frame.rgb8(), "{tag}: the mapped render's colour");
        let mapped = mapped_frame.tensors;
        let is_mapped = |v: &TensorValues| matches!(v, TensorValues::Mapped(_, e) if *e == element);
        assert!(is_mapped(&mapped.rgb) && is_mapped(&mapped.features), "{tag}");
        let (rgb_away, features_away) =
            std::thread::spawn(move || (mapped.rgb.copied(), mapped.features.copied())).join().expect("copy thread");
        assert!(rgb_away == packed.rgb && features_away == packed.features, "{tag}: the mapped values");
        let bits = |v: &TensorValues| v.to_f32_vec().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&rgb_away), bits(&packed.rgb), "{tag}: mapped RGB bits");
        assert_eq!(bits(&features_away), bits(&packed.features), "{tag}: mapped feature bits");
    }
}

#[test]
fn f16_packing_refuses_an_odd_padded_width() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = Rng::new(fresh_seed("gpu f16 packing, odd width"));
    let scene = random_scene(&mut rng, 500, 0, false);
    let gs = GpuScene::upload(&ctx, &scene).expect("upload");
    let mut hr = HeadlessRenderer::new(GpuRenderer::new(&ctx));
    let recipe = TensorRecipe {
        rgb_table: Some(rgb_table([0.5; 3], [0.25; 3])),
        feature_scale: None,
        size_multiple: 1,
        element: TensorElement::F16,
    };
    let err = hr.render_packed(&gs, &camera(&mut rng, 41, 30), &GpuRenderOptions::default(), &recipe);
    let err = err.expect_err("41 columns cannot pair up");
    assert!(matches!(err, HeadlessError::Target(TargetError::OddHalfWidth(41))), "{err}");
    hr.render_packed(&gs, &camera(&mut rng, 42, 30), &GpuRenderOptions::default(), &recipe).expect("42 columns");
}

#[test]
fn packing_features_from_a_scene_without_them_is_refused() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = Rng::new(fresh_seed("gpu packing without features"));
    let scene = random_scene(&mut rng, 500, 0, false);
    let gs = GpuScene::upload(&ctx, &scene).expect("upload");
    let mut hr = HeadlessRenderer::new(GpuRenderer::new(&ctx));
    let recipe = TensorRecipe { rgb_table: None, feature_scale: Some(1.0), size_multiple: 32, ..Default::default() };
    let cam = camera(&mut rng, 40, 30);
    let with = GpuRenderOptions { features: true, ..Default::default() };
    let err = hr.render_packed(&gs, &cam, &with, &recipe).expect_err("the scene has no features");
    assert!(matches!(err, HeadlessError::Target(TargetError::NoFeatures)), "{err}");
    // A scene with features, rendered without blending them, has none to pack either.
    let mut gs = gs;
    gs.set_features(&ctx, 4, &vec![0.5; scene.len() * 4]).expect("features");
    let err = hr.render_packed(&gs, &cam, &GpuRenderOptions::default(), &recipe).expect_err("features not blended");
    assert!(matches!(err, HeadlessError::Target(TargetError::NoFeatures)), "{err}");
    hr.render_packed(&gs, &cam, &with, &recipe).expect("blended features pack");
}

#[test]
fn the_shipped_network_predicts_the_same_from_packed_and_cpu_made_tensors() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut model = FusionModel::open(&default_model_path(), ExecutionChoice::Cpu, 2).expect("shipped model");
    let mut rng = Rng::new(fresh_seed("packed prediction"));
    let scene = random_scene(&mut rng, 3000, 0, false);
    let dim = model.card.feature_dim.max(4);
    let values: Vec<f32> = (0..scene.len() * dim).map(|_| rng.normal() * 0.3).collect();
    let mut gs = GpuScene::upload(&ctx, &scene).expect("upload");
    gs.set_features(&ctx, dim, &values).expect("features");
    let mut hr = HeadlessRenderer::new(GpuRenderer::new(&ctx));
    let cam = camera(&mut rng, 70, 45);
    let opts = GpuRenderOptions { features: true, ..Default::default() };
    let frame = hr.render(&gs, &cam, &opts).expect("plain render");
    let f = hr.render_packed(&gs, &cam, &opts, model.tensor_recipe()).expect("packed");
    let (w, h, rgb8, alpha8, packed) = (f.width, f.height, f.rgb8, f.alpha8, f.tensors);
    assert!(alpha8 == coverage::alpha8(&frame.alpha), "the coverage both predictions are masked with");
    let from_cpu = model.predict(FrameInputs::from_frame(frame)).expect("CPU-made tensors");
    let from_gpu = model
        .predict(FrameInputs::from_packed(w, h, rgb8.clone(), alpha8.clone(), packed.clone()))
        .expect("packed tensors");
    assert_eq!(from_gpu.logits, from_cpu.logits, "identical tensors, identical logits");
    assert_eq!(from_gpu.classes, from_cpu.classes);
    // Left mapped, the tensors are read by ONNX Runtime in the read-back buffers themselves.
    let mapped = hr.render_packed(&gs, &cam, &opts, model.tensor_recipe()).expect("mapped").tensors;
    assert!(matches!(mapped.rgb, TensorValues::Mapped(..)) && matches!(mapped.features, TensorValues::Mapped(..)));
    let in_place = model
        .predict(FrameInputs::from_packed(w, h, rgb8.clone(), alpha8.clone(), mapped))
        .expect("tensors read in place");
    assert_eq!(in_place.logits, from_cpu.logits, "read in the mapping, identical logits");
    assert!(model.reads_mapped_tensors_in_place());
    // Bound to the per-pixel head's chain on the host, they are copied out of the mapping
    // first (binding borrowed host values would make `ort` clone them, and that deadlocks).
    let options = DeviceOptions { pixel_head: PixelHead::Graph, ..Default::default() };
    let mut graph_model =
        FusionModel::open_with(&default_model_path(), ExecutionChoice::Cpu, 2, options).expect("shipped model");
    assert!(!graph_model.reads_mapped_tensors_in_place());
    let mapped = hr.render_packed(&gs, &cam, &opts, graph_model.tensor_recipe()).expect("mapped").tensors;
    let bound = graph_model
        .predict(FrameInputs::from_packed(w, h, rgb8.clone(), alpha8.clone(), mapped))
        .expect("bound tensors");
    assert_eq!(bound.classes, from_cpu.classes, "the head's graph on tensors copied out of the mapping");

    // Packed as f16 for a model that widens them (GPU providers' default), nearly every pixel
    // keeps its class.
    let options = DeviceOptions { input_precision: InputPrecision::F16, ..Default::default() };
    let mut half_model =
        FusionModel::open_with(&default_model_path(), ExecutionChoice::Cpu, 2, options).expect("shipped model");
    let half = hr.render_packed(&gs, &cam, &opts, half_model.tensor_recipe()).expect("f16 packed").tensors;
    assert_eq!(half.rgb.element(), TensorElement::F16);
    let from_half =
        half_model.predict(FrameInputs::from_packed(w, h, rgb8.clone(), alpha8.clone(), half)).expect("f16 tensors");
    let n = from_cpu.classes.len();
    let same = (0..n).filter(|&i| from_half.classes[i] == from_cpu.classes[i]).count();
    assert!(same * 100 >= n * 98, "{same} of {n} pixels keep their class with f16 inputs");

    // Tensors packed for other normalisation or padding are refused, not silently misread.
    let mut other = packed;
    other.recipe.size_multiple = 1;
    let err = model.predict(FrameInputs::from_packed(w, h, rgb8, alpha8, other)).expect_err("another recipe");
    assert!(err.to_string().contains("packed for another network"), "{err}");
}
