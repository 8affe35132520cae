//! Lifting's scatter on the GPU against the CPU reference (`render::lift::scatter_by_weight`)
//! on fresh random scenes, accumulated over views of sizes that are not multiples of the tile:
//! every per-Gaussian sum and weight within 1e-3 relative plus 5e-3 absolute (the summation
//! order differs, and a splat whose alpha sits exactly at a cut-off may count on one side only,
//! which moves a sum by at most about 1/255 of one pixel's value). It is the adjoint of the
//! GPU's own feature blending, a view that overflows the pair buffer adds once, inputs of the
//! wrong size are typed errors, and lifting's renderer-level sums scatter where the renderer
//! renders.

mod common;

use common::fresh_seed;
use glam::Vec3;
use rtgs2::pipeline::{Backend, Renderer, RendererError};
use rtgs2::render::gpu::headless::{HeadlessError, HeadlessRenderer};
use rtgs2::render::gpu::renderer::{GpuRenderOptions, GpuRenderer};
use rtgs2::render::gpu::scatter::{GpuLiftSums, LiftSumsError};
use rtgs2::render::gpu::scene_buffers::GpuScene;
use rtgs2::render::gpu::{GpuContext, gpu_for_tests};
use rtgs2::render::lift::{WeightedSums, scatter_by_weight};
use rtgs2::scene::{Camera, Scene};
use rtgs2::util::rng::Rng;

/// Relative and absolute tolerance of a GPU sum against the CPU's.
const REL: f32 = 1e-3;
const ABS: f32 = 5e-3;

/// `n` random Gaussians in front of the cameras below: random positions, scales, rotations
/// and opacities (SH degree 0: colour plays no part in the scatter).
fn random_scene(rng: &mut Rng, n: usize, log_scale: (f32, f32)) -> Scene {
    let mut s = Scene::with_capacity(n, 0);
    for _ in 0..n {
        s.positions.push([rng.range(-3.0, 3.0), rng.range(-2.5, 2.5), rng.range(1.0, 9.0)]);
        let mut scale = || rng.range(log_scale.0, log_scale.1);
        s.log_scales.push([scale(), scale(), scale()]);
        s.rotations.push([rng.normal(), rng.normal(), rng.normal(), rng.normal()]);
        s.opacity_logits.push(rng.range(-3.0, 5.0));
        s.sh.extend([rng.normal(), rng.normal(), rng.normal()]);
    }
    s
}

fn random_camera(rng: &mut Rng, w: u32, h: u32) -> Camera {
    let eye = Vec3::new(rng.range(-1.0, 1.0), rng.range(-1.0, 1.0), rng.range(-2.0, 0.0));
    Camera::look_at(eye, Vec3::new(0.0, 0.0, 5.0), Vec3::NEG_Y, rng.range(50.0, 80.0), w, h)
}

/// `k` non-negative values a pixel (class-distribution-like), about one pixel in eight all
/// zero (a pixel the network gave no class).
fn random_values(rng: &mut Rng, cam: &Camera, k: usize) -> Vec<f32> {
    let pixels = (cam.width * cam.height) as usize;
    let mut v = Vec::with_capacity(pixels * k);
    for _ in 0..pixels {
        let zero = rng.chance(0.125);
        v.extend((0..k).map(|_| if zero { 0.0 } else { rng.f32() }));
    }
    v
}

fn renderer(ctx: &GpuContext) -> HeadlessRenderer {
    HeadlessRenderer::new(GpuRenderer::new(ctx))
}

/// Every sum and weight of `gpu` within the tolerance of `cpu`'s; at least `min_seen`
/// Gaussians took weight (the test tests something).
fn assert_close(tag: &str, gpu: &WeightedSums, cpu: &WeightedSums, min_seen: usize) {
    assert_eq!((gpu.k, gpu.sums.len(), gpu.weights.len()), (cpu.k, cpu.sums.len(), cpu.weights.len()), "{tag}");
    for (what, g, c) in [("weight", &gpu.weights, &cpu.weights), ("sum", &gpu.sums, &cpu.sums)] {
        let (mut worst, mut at) = (0.0f32, 0);
        for (i, (a, b)) in g.iter().zip(c.iter()).enumerate() {
            let ratio = (a - b).abs() / (REL * b.abs() + ABS);
            if ratio > worst || ratio.is_nan() {
                (worst, at) = (ratio, i);
            }
        }
        let rel = g.iter().zip(c.iter()).map(|(a, b)| (a - b).abs() / b.abs().max(1.0)).fold(0.0f32, f32::max);
        eprintln!("{tag}: {what}s: worst {worst:.3} of the tolerance, largest error / max(|cpu|, 1) {rel:.2e}");
        assert!(worst <= 1.0, "{tag}: {what} {at}: GPU {} vs CPU {}", g[at], c[at]);
    }
    let seen = cpu.weights.iter().filter(|&&w| w > 0.0).count();
    assert!(seen >= min_seen, "{tag}: only {seen} Gaussians seen");
    let (gw, cw): (f64, f64) =
        (gpu.weights.iter().map(|&w| w as f64).sum(), cpu.weights.iter().map(|&w| w as f64).sum());
    assert!((gw - cw).abs() <= 1e-4 * cw, "{tag}: total weight {gw} vs {cw}");
}

#[test]
fn gpu_scatter_matches_the_cpu_reference_on_random_scenes() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = Rng::new(fresh_seed("gpu scatter parity"));
    let mut hr = renderer(&ctx);
    for k in [3usize, 41] {
        let scene = random_scene(&mut rng, 3000, (-4.5, -1.0));
        let gs = GpuScene::upload(&ctx, &scene).expect("upload");
        let mut gpu = GpuLiftSums::new(&ctx, gs.len, k as u32).expect("sums");
        let mut cpu = WeightedSums::new(scene.len(), k);
        // Two sizes: the target and the values buffer are remade between the views.
        for (w, h) in [(173, 97), (173, 97), (91, 67)] {
            let cam = random_camera(&mut rng, w, h);
            let values = random_values(&mut rng, &cam, k);
            hr.scatter(&gs, &cam, &values, &mut gpu).expect("gpu scatter");
            scatter_by_weight(&scene, &cam, &values, &mut cpu).expect("cpu scatter");
        }
        assert_close(&format!("K {k}"), &gpu.read(&ctx), &cpu, scene.len() / 4);
    }
}

/// Big splats need more (Gaussian, tile) pairs than the first pair buffer holds: the view is
/// encoded again with a larger one, and the truncated first try must add nothing.
#[test]
fn a_view_that_overflows_the_pair_buffer_adds_once() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = Rng::new(fresh_seed("gpu scatter overflow"));
    let k = 5;
    let scene = random_scene(&mut rng, 1500, (-1.0, 0.0));
    let gs = GpuScene::upload(&ctx, &scene).expect("upload");
    let cam = random_camera(&mut rng, 250, 183);
    let values = random_values(&mut rng, &cam, k);
    let mut gpu = GpuLiftSums::new(&ctx, gs.len, k as u32).expect("sums");
    let counts = renderer(&ctx).scatter(&gs, &cam, &values, &mut gpu).expect("gpu scatter");
    // The first buffer holds max(4 per Gaussian, 64k) pairs.
    assert!(counts.pairs > 1 << 16, "the view needs {} pairs: no overflow to test", counts.pairs);
    let mut cpu = WeightedSums::new(scene.len(), k);
    scatter_by_weight(&scene, &cam, &values, &mut cpu).expect("cpu scatter");
    // Big splats hide one another: fewer are seen.
    assert_close("overflowing view", &gpu.read(&ctx), &cpu, 50);
}

/// Σ_g ⟨F_g, lift(P)_g⟩ = Σ_p ⟨render(F)_p, P_p⟩ with the GPU's own render of features F
/// (f16 as it stores them), and the weights handed out sum to the rendered alpha.
#[test]
fn gpu_scatter_is_the_adjoint_of_gpu_blending() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = Rng::new(fresh_seed("gpu scatter adjoint"));
    let k = 4;
    let scene = random_scene(&mut rng, 2000, (-4.5, -1.0));
    let feats: Vec<f32> = (0..scene.len() * k).map(|_| rng.normal()).collect();
    let mut gs = GpuScene::upload(&ctx, &scene).expect("upload");
    gs.set_features(&ctx, k, &feats).expect("features");
    let stored = GpuScene::quantize_like_gpu(&feats);
    let cam = random_camera(&mut rng, 130, 75);
    let values: Vec<f32> = (0..(cam.width * cam.height) as usize * k).map(|_| rng.normal()).collect();
    let mut hr = renderer(&ctx);
    let frame = hr.render(&gs, &cam, &GpuRenderOptions { features: true, ..Default::default() }).expect("render");
    let mut sums = GpuLiftSums::new(&ctx, gs.len, k as u32).expect("sums");
    hr.scatter(&gs, &cam, &values, &mut sums).expect("scatter");
    let lifted = sums.read(&ctx);
    let lhs: f64 = frame.features.iter().zip(&values).map(|(a, b)| *a as f64 * *b as f64).sum();
    let rhs: f64 = stored.iter().zip(&lifted.sums).map(|(a, b)| *a as f64 * *b as f64).sum();
    let scale: f64 = frame.features.iter().zip(&values).map(|(a, b)| (*a as f64 * *b as f64).abs()).sum();
    assert!((lhs - rhs).abs() <= 1e-4 * scale.max(1.0), "adjoint: {lhs} vs {rhs} (scale {scale})");
    let alpha: f64 = frame.alpha.iter().map(|&a| a as f64).sum();
    let weight: f64 = lifted.weights.iter().map(|&w| w as f64).sum();
    assert!((alpha - weight).abs() <= 1e-4 * alpha, "alpha {alpha} vs weights {weight}");
}

#[test]
fn inputs_of_the_wrong_size_are_typed_errors() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = Rng::new(fresh_seed("gpu scatter bad input"));
    let scene = random_scene(&mut rng, 500, (-4.5, -1.0));
    let gs = GpuScene::upload(&ctx, &scene).expect("upload");
    let cam = random_camera(&mut rng, 40, 30);
    let k = 3;
    let values = random_values(&mut rng, &cam, k);
    let mut hr = renderer(&ctx);
    let mut sums = GpuLiftSums::new(&ctx, gs.len, k as u32).expect("sums");
    match hr.scatter(&gs, &cam, &values[1..], &mut sums) {
        Err(HeadlessError::Lift(LiftSumsError::PixelSize { got, pixels, k: per })) => {
            assert_eq!((got, pixels, per), (values.len() - 1, 1200, k));
        }
        other => panic!("a short pixel buffer: {other:?}"),
    }
    let mut other_scene = GpuLiftSums::new(&ctx, gs.len - 1, k as u32).expect("sums");
    match hr.scatter(&gs, &cam, &values, &mut other_scene) {
        Err(HeadlessError::Lift(LiftSumsError::SceneSize { got, gaussians })) => {
            assert_eq!((got, gaussians), (gs.len - 1, gs.len));
        }
        other => panic!("sums of another scene: {other:?}"),
    }
    let mut bad_cam = cam.clone();
    bad_cam.fx = 0.0;
    assert!(matches!(hr.scatter(&gs, &bad_cam, &values, &mut sums), Err(HeadlessError::Camera(_))));
    // Nothing was added by the refused calls.
    let read = sums.read(&ctx);
    assert!(read.sums.iter().chain(&read.weights).all(|&v| v == 0.0), "a refused scatter added something");
    // Sums the device cannot bind are refused up front.
    let limit = ctx.limits.max_storage_buffer_binding_size.min(ctx.limits.max_buffer_size);
    let too_many = u32::try_from(limit / 4 / 64 + 1).unwrap_or(u32::MAX);
    assert!(matches!(GpuLiftSums::new(&ctx, too_many, 64), Err(LiftSumsError::TooLarge { .. })));
}

/// The pipeline's lift sums (what `rtgs2 lift` accumulates into) live with the renderer: the
/// GPU renderer's on the GPU, the CPU reference's on the CPU, with the same sums; sums handed
/// to the other kind of renderer are a typed error.
#[test]
fn lift_sums_scatter_where_the_renderer_renders() {
    if gpu_for_tests().is_none() {
        return;
    }
    let mut rng = Rng::new(fresh_seed("lift sums"));
    let k = 6;
    let scene = random_scene(&mut rng, 1500, (-4.5, -1.0));
    let mut cpu = Renderer::new(Backend::Cpu, &scene).expect("CPU renderer");
    let mut gpu = Renderer::new(Backend::Gpu, &scene).expect("GPU renderer");
    let mut on_cpu = cpu.lift_sums(k).expect("CPU sums");
    let mut on_gpu = gpu.lift_sums(k).expect("GPU sums");
    for (w, h) in [(70, 45), (70, 45)] {
        let cam = random_camera(&mut rng, w, h);
        let values = random_values(&mut rng, &cam, k);
        cpu.scatter(&cam, &values, &mut on_cpu).expect("CPU scatter");
        gpu.scatter(&cam, &values, &mut on_gpu).expect("GPU scatter");
        let refused = cpu.scatter(&cam, &values, &mut on_gpu);
        assert!(
            matches!(refused, Err(RendererError::LiftSumsBackend { made: "GPU", given: "CPU" })),
            "GPU sums handed to the CPU renderer: {refused:?}"
        );
    }
    let (on_cpu, on_gpu) =
        (cpu.read_lift_sums(on_cpu).expect("CPU read"), gpu.read_lift_sums(on_gpu).expect("GPU read"));
    assert_close("renderer sums", &on_gpu, &on_cpu, 100);
}
