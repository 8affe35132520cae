//! GPU renderer parity with the CPU reference (the same math in f32, SH and features rounded
//! to f16 as the GPU stores them) on fresh random scenes: RGB PSNR >= 50 dB, features and
//! depth within 1e-3 relative, label maps >= 99.9 % identical; degenerate Gaussians never
//! corrupt a frame; scratch buffers are filled with noise first.

mod common;

use common::fresh_seed;
use glam::Vec3;
use rtgs2::render::gpu::headless::HeadlessRenderer;
use rtgs2::render::gpu::renderer::{GpuRenderOptions, GpuRenderer};
use rtgs2::render::gpu::scene_buffers::GpuScene;
use rtgs2::render::gpu::{GpuContext, gpu_for_tests};
use rtgs2::render::{Channels, Features, Frame, RenderOptions, render};
use rtgs2::scene::{Camera, Scene, sh};
use rtgs2::util::rng::Rng;

fn random_scene(rng: &mut Rng, n: usize, degree: u8) -> Scene {
    let mut s = Scene::with_capacity(n, degree);
    for _ in 0..n {
        s.positions.push([rng.range(-3.0, 3.0), rng.range(-2.5, 2.5), rng.range(0.5, 9.0)]);
        s.log_scales.push([rng.range(-4.5, -1.0), rng.range(-4.5, -1.0), rng.range(-6.0, -1.5)]);
        s.rotations.push([rng.normal(), rng.normal(), rng.normal(), rng.normal()]);
        s.opacity_logits.push(rng.range(-3.0, 5.0));
        for _ in 0..sh::coeff_count(degree) * 3 {
            s.sh.push(rng.normal() * 0.6);
        }
    }
    s.labels = Some((0..n).map(|_| rng.below(41) as u16).collect());
    s
}

fn psnr(a: &[f32], b: &[f32]) -> f64 {
    let mse = a.iter().zip(b).map(|(x, y)| ((x.clamp(0.0, 1.0) - y.clamp(0.0, 1.0)) as f64).powi(2)).sum::<f64>()
        / a.len() as f64;
    if mse == 0.0 { f64::INFINITY } else { 10.0 * (1.0 / mse).log10() }
}

/// The CPU reference on the values the GPU actually stores (f16 SH and features).
fn cpu_reference(scene: &Scene, cam: &Camera, feats: Option<(usize, &[f32])>, bg: [f32; 3]) -> Frame {
    let mut q = scene.clone();
    q.sh = GpuScene::quantize_like_gpu(&scene.sh);
    let qf = feats.map(|(d, f)| (d, GpuScene::quantize_like_gpu(f)));
    let ch = Channels {
        depth: true,
        features: qf.as_ref().map(|(dim, v)| Features { dim: *dim, values: v }),
        labels: scene.labels.as_deref(),
    };
    render(&q, cam, &ch, &RenderOptions { background: bg, ..Default::default() }).expect("cpu render")
}

fn compare(tag: &str, gpu: &Frame, cpu: &Frame) {
    let p = psnr(&gpu.rgb, &cpu.rgb);
    assert!(p >= 50.0, "{tag}: RGB PSNR {p:.1} dB");
    let alpha_err = gpu.alpha.iter().zip(&cpu.alpha).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    assert!(alpha_err < 1e-3, "{tag}: alpha differs by {alpha_err}");
    // exp() differs in the last bits between CPU and GPU, so a splat sitting exactly at the
    // 1/255 or T < 1e-4 threshold may count on one side only: a few isolated pixels may
    // differ by one small contribution. Depth: 99.9 % of covered pixels within 1e-3
    // relative; features: relative L2 error <= 1e-3 over the image, no pixel off by more
    // than one threshold contribution.
    let covered: Vec<usize> = (0..cpu.alpha.len()).filter(|&i| cpu.alpha[i] > 0.05).collect();
    let depth_ok =
        covered.iter().filter(|&&i| (gpu.depth[i] - cpu.depth[i]).abs() <= 1e-3 * cpu.depth[i].abs().max(1e-3)).count();
    assert!(
        depth_ok as f64 >= 0.999 * covered.len() as f64,
        "{tag}: depth within 1e-3 on {depth_ok} of {}",
        covered.len()
    );
    if !cpu.features.is_empty() {
        let scale = cpu.features.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-6);
        let diff2: f64 = gpu.features.iter().zip(&cpu.features).map(|(a, b)| ((a - b) as f64).powi(2)).sum();
        let norm2: f64 = cpu.features.iter().map(|v| (*v as f64).powi(2)).sum::<f64>().max(1e-12);
        let rel = (diff2 / norm2).sqrt();
        assert!(rel <= 1e-3, "{tag}: feature image relative L2 error {rel:.2e}");
        let worst = gpu.features.iter().zip(&cpu.features).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(worst <= 0.02 * scale, "{tag}: a feature differs by {worst} (scale {scale})");
    }
    if !cpu.labels.is_empty() {
        let same = gpu.labels.iter().zip(&cpu.labels).filter(|(a, b)| a == b).count();
        let frac = same as f64 / cpu.labels.len() as f64;
        assert!(frac >= 0.999, "{tag}: labels {:.4} identical", frac);
    }
    eprintln!("{tag}: PSNR {p:.1} dB, alpha err {alpha_err:.2e}");
}

fn renderer(ctx: &GpuContext) -> HeadlessRenderer {
    HeadlessRenderer::new(GpuRenderer::new(ctx))
}

#[test]
fn gpu_matches_cpu_reference_on_random_scenes() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = Rng::new(fresh_seed("gpu parity"));
    let mut hr = renderer(&ctx);
    // 36 is a network reading gravity cues: nine vec4 accumulators, past the width where a
    // loop over them stopped being unrolled (the raster now unrolls them in its text).
    for (degree, dim, (w, h)) in
        [(0u8, 0usize, (64u32, 48u32)), (3, 32, (173, 97)), (1, 4, (160, 120)), (2, 64, (47, 33)), (1, 36, (96, 80))]
    {
        let mut scene = random_scene(&mut rng, 2500, degree);
        // Zero-scale Gaussians still draw as the 0.3 px dilation in both renderers.
        for i in (0..scene.len()).step_by(97) {
            scene.log_scales[i] = [f32::NEG_INFINITY; 3];
        }
        let feats: Vec<f32> = (0..scene.len() * dim).map(|_| rng.normal()).collect();
        let mut gs = GpuScene::upload(&ctx, &scene).expect("upload");
        if dim > 0 {
            gs.set_features(&ctx, dim, &feats).expect("features");
        }
        let eye = Vec3::new(rng.range(-1.0, 1.0), rng.range(-1.0, 1.0), rng.range(-2.0, 0.0));
        let cam = Camera::look_at(eye, Vec3::new(0.0, 0.0, 5.0), Vec3::NEG_Y, rng.range(45.0, 80.0), w, h);
        let bg = [rng.f32(), rng.f32(), rng.f32()];
        let opts = GpuRenderOptions { background: bg, features: dim > 0, labels: true, ..Default::default() };
        let gpu = hr.render(&gs, &cam, &opts).expect("gpu render");
        let cpu = cpu_reference(&scene, &cam, (dim > 0).then_some((dim, &feats[..])), bg);
        compare(&format!("degree {degree}, D {dim}, {w}x{h}"), &gpu, &cpu);
        assert_eq!(gpu.stats.visible, cpu.stats.visible, "visible counts");
        assert_eq!(gpu.stats.tile_pairs, cpu.stats.tile_pairs, "tile pairs");
    }
}

/// Label maps where pixels see few classes (walls, a floor, one object: the usual case), many
/// classes, and both across one image equal the CPU reference's. (A raster that kept each
/// pixel's first four classes as registers before a per-class array was tried against these and
/// was 25-30 % slower on lavapipe than the plain per-class array; docs/benchmarks.md.)
#[test]
fn label_maps_match_the_reference_with_few_and_many_classes_per_pixel() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = Rng::new(fresh_seed("label slots"));
    let mut hr = renderer(&ctx);
    let cam = Camera::look_at(Vec3::ZERO, Vec3::new(0.0, 0.0, 5.0), Vec3::NEG_Y, 70.0, 96, 72);
    // Labels by the side of the scene a Gaussian is on: "few" has four classes in all, "mixed"
    // any of 41 on the right, "two" two classes everywhere.
    for (tag, classes_left, classes_right) in
        [("few", &[3u16, 7, 12][..], &[5u16, 3][..]), ("mixed", &[3, 7, 12], &[]), ("two", &[9, 2], &[2, 9])]
    {
        let mut scene = random_scene(&mut rng, 2500, 0);
        let labels = scene
            .positions
            .iter()
            .map(|p| {
                let pick = if p[0] < 0.0 { classes_left } else { classes_right };
                if pick.is_empty() { rng.below(41) as u16 } else { pick[rng.below(pick.len())] }
            })
            .collect();
        scene.labels = Some(labels);
        let gs = GpuScene::upload(&ctx, &scene).expect("upload");
        let opts = GpuRenderOptions { labels: true, ..Default::default() };
        let gpu = hr.render(&gs, &cam, &opts).expect("gpu render");
        let cpu = cpu_reference(&scene, &cam, None, [0.0; 3]);
        let labelled = cpu.labels.iter().filter(|&&l| l != 255).count();
        assert!(labelled * 2 > cpu.labels.len(), "{tag}: most pixels covered ({labelled})");
        compare(tag, &gpu, &cpu);
    }
}

/// Lifted labels are splatted exactly like the ground truth, from their own buffer: the GPU
/// frame equals the CPU reference of the scene with its labels swapped for them, and asking
/// for them leaves the ground-truth map unchanged.
#[test]
fn lifted_labels_splat_like_the_ground_truth_from_their_own_buffer() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = Rng::new(fresh_seed("lifted labels"));
    let scene = random_scene(&mut rng, 2000, 0);
    let lifted: Vec<u16> = (0..scene.len()).map(|_| rng.below(41) as u16).collect();
    let mut gs = GpuScene::upload(&ctx, &scene).expect("upload");
    let cam = Camera::look_at(Vec3::ZERO, Vec3::new(0.0, 0.0, 5.0), Vec3::NEG_Y, 70.0, 80, 60);
    let mut hr = renderer(&ctx);
    let truth_opts = GpuRenderOptions { labels: true, ..Default::default() };
    let lifted_opts = GpuRenderOptions { labels: true, lifted_labels: true, ..Default::default() };
    let before = hr.render(&gs, &cam, &lifted_opts).expect("no lifted labels yet");
    assert!(before.labels.is_empty(), "no lifted labels attached: no label map");
    assert!(gs.set_lifted_labels(&ctx, &lifted[1..]).is_err(), "a wrong count is refused");
    gs.set_lifted_labels(&ctx, &lifted).expect("lifted labels");
    let gpu = hr.render(&gs, &cam, &lifted_opts).expect("lifted");
    let mut swapped = scene.clone();
    swapped.labels = Some(lifted);
    let cpu = cpu_reference(&swapped, &cam, None, [0.0; 3]);
    let same = gpu.labels.iter().zip(&cpu.labels).filter(|(a, b)| a == b).count();
    assert!(same as f64 >= 0.999 * cpu.labels.len() as f64, "{same} of {} identical", cpu.labels.len());
    let truth = hr.render(&gs, &cam, &truth_opts).expect("truth");
    assert_eq!(truth.labels, cpu_reference(&scene, &cam, None, [0.0; 3]).labels, "ground truth unchanged");
    assert_ne!(truth.labels, gpu.labels, "the two maps differ");
}

/// The scene keeps one raster group per choice of splatted feature set and labels, the target
/// its own groups: frames of one scene and target that switch between those choices, and then
/// with a feature set swapped in by plain field assignment (behind the cache's back), equal
/// frames of a freshly uploaded scene bit for bit.
#[test]
fn frames_switching_splatted_inputs_equal_a_fresh_scene() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = Rng::new(fresh_seed("splatted inputs"));
    let scene = random_scene(&mut rng, 1500, 1);
    let dim = 8;
    let sets: Vec<Vec<f32>> = (0..3).map(|_| (0..scene.len() * dim).map(|_| rng.normal()).collect()).collect();
    let lifted: Vec<u16> = (0..scene.len()).map(|_| rng.below(41) as u16).collect();
    let upload = |display: &[f32]| {
        let mut gs = GpuScene::upload(&ctx, &scene).expect("upload");
        gs.set_features(&ctx, dim, display).expect("features");
        gs.set_fusion_features(&ctx, dim, &sets[1]).expect("fusion features");
        gs.set_lifted_labels(&ctx, &lifted).expect("lifted labels");
        gs
    };
    let cam = Camera::look_at(Vec3::ZERO, Vec3::new(0.0, 0.0, 5.0), Vec3::NEG_Y, 70.0, 80, 60);
    let choices = [
        // (features, fusion features, labels, lifted labels)
        (true, false, true, false),
        (true, true, true, true),
        (false, false, false, false),
        (true, false, true, true),
        (true, true, false, false),
        (true, false, true, false),
    ];
    let mut hr = renderer(&ctx);
    let mut check = |gs: &GpuScene, display: &[f32], tag: &str| {
        for (features, fusion_features, labels, lifted_labels) in choices {
            let opts = GpuRenderOptions { features, fusion_features, labels, lifted_labels, ..Default::default() };
            let got = hr.render(gs, &cam, &opts).expect("render");
            let want = hr.render(&upload(display), &cam, &opts).expect("fresh render");
            let what = format!("{tag}: {opts:?}");
            assert_eq!(got.rgb, want.rgb, "{what}: colour");
            assert_eq!(got.depth, want.depth, "{what}: depth");
            assert_eq!(got.features, want.features, "{what}: features");
            assert_eq!(got.labels, want.labels, "{what}: labels");
            assert_eq!(got.features.is_empty(), !features, "{what}: features blended as asked");
            assert_eq!(got.labels.is_empty(), !labels, "{what}: labels splatted as asked");
        }
    };
    let mut gs = upload(&sets[0]);
    check(&gs, &sets[0], "attached");
    gs.features = upload(&sets[2]).features;
    check(&gs, &sets[2], "swapped by assignment");
}

#[test]
fn degenerate_gaussians_never_corrupt_a_frame() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = Rng::new(fresh_seed("degenerate"));
    let clean = random_scene(&mut rng, 1500, 1);
    let mut dirty = clean.clone();
    let bad = random_scene(&mut rng, 6, 1);
    dirty.append(&bad);
    let n = clean.len();
    dirty.positions[n][0] = f32::NAN;
    dirty.positions[n + 1][2] = f32::INFINITY;
    dirty.rotations[n + 2] = [0.0; 4];
    dirty.log_scales[n + 3] = [f32::NAN; 3];
    dirty.opacity_logits[n + 4] = f32::NAN;
    dirty.sh[(n + 5) * 12] = f32::NAN;
    let cam = Camera::look_at(Vec3::ZERO, Vec3::new(0.0, 0.0, 5.0), Vec3::NEG_Y, 70.0, 96, 64);
    let mut hr = renderer(&ctx);
    let opts = GpuRenderOptions { labels: true, ..Default::default() };
    let a = hr.render(&GpuScene::upload(&ctx, &clean).expect("upload"), &cam, &opts).expect("clean");
    let b = hr.render(&GpuScene::upload(&ctx, &dirty).expect("upload"), &cam, &opts).expect("dirty");
    assert!(b.rgb.iter().all(|v| v.is_finite()), "non-finite pixels");
    // Degenerate splats are culled, and the others keep their indices (the bad ones come
    // last), so the frame is identical.
    assert_eq!(a.rgb, b.rgb, "degenerate splats changed the frame");
    assert_eq!(a.labels, b.labels);
    assert_eq!(a.stats.visible, b.stats.visible);
}

#[test]
fn scratch_noise_does_not_leak_into_frames() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = Rng::new(fresh_seed("noise"));
    let scene = random_scene(&mut rng, 2000, 0);
    let gs = GpuScene::upload(&ctx, &scene).expect("upload");
    let cam = Camera::look_at(Vec3::ZERO, Vec3::new(0.0, 0.0, 5.0), Vec3::NEG_Y, 60.0, 80, 60);
    let mut gpu_r = GpuRenderer::new(&ctx);
    let target = gpu_r.target(&gs, 80, 60, 1 << 16).expect("target");
    let mut noise = |buf: &wgpu::Buffer| {
        let words: Vec<u32> = (0..buf.size() / 4).map(|_| rng.next_u64() as u32).collect();
        ctx.queue.write_buffer(buf, 0, bytemuck::cast_slice(&words));
    };
    for b in [
        &target.splat_a,
        &target.splat_b,
        &target.splat_rgb,
        &target.splat_rect,
        &target.visible,
        &target.pair_offsets,
        &target.tile_ranges,
        &target.out_rgba,
        &target.out_depth,
    ] {
        noise(b);
    }
    for b in [&target.depth_sort.keys, &target.depth_sort.values, &target.pair_sort.keys, &target.pair_sort.values] {
        noise(b);
    }
    let mut enc = ctx.device.create_command_encoder(&Default::default());
    let slot = gpu_r.encode(&mut enc, &gs, &target, &cam, &GpuRenderOptions::default());
    ctx.queue.submit([enc.finish()]);
    gpu_r.after_submit(slot);
    let rgba = rtgs2::render::gpu::readback::read_f32(&ctx, &target.out_rgba, 0, 80 * 60 * 4);
    let gpu_rgb: Vec<f32> = rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let cpu = cpu_reference(&scene, &cam, None, [0.0; 3]);
    let p = psnr(&gpu_rgb, &cpu.rgb);
    assert!(p >= 50.0, "PSNR {p:.1} dB with noisy scratch buffers");
}

#[test]
fn gpu_matches_cpu_reference_on_a_synth_room() {
    use rtgs2::synth::{SynthOptions, generate};
    let Some(ctx) = gpu_for_tests() else { return };
    let seed = fresh_seed("synth room parity") % 1000;
    let room = generate(&SynthOptions {
        seed,
        target_gaussians: 40_000,
        views: 4,
        width: 160,
        height: 120,
        ..Default::default()
    });
    let mut rng = Rng::new(seed);
    let dim = 16;
    let feats: Vec<f32> = (0..room.scene.len() * dim).map(|_| rng.normal()).collect();
    let mut gs = GpuScene::upload(&ctx, &room.scene).expect("upload");
    gs.set_features(&ctx, dim, &feats).expect("features");
    let mut hr = renderer(&ctx);
    for (k, cam) in room.cameras.iter().enumerate() {
        let opts = GpuRenderOptions { background: [0.0; 3], features: true, labels: true, ..Default::default() };
        let gpu = hr.render(&gs, cam, &opts).expect("gpu render");
        let cpu = cpu_reference(&room.scene, cam, Some((dim, &feats[..])), [0.0; 3]);
        compare(&format!("room seed {seed} camera {k}"), &gpu, &cpu);
    }
}

#[test]
fn stage_timings_arrive_through_the_ring_without_blocking_the_frame() {
    let Some(ctx) = gpu_for_tests() else { return };
    if !ctx.timestamps {
        eprintln!("skipping: {} has no timestamp queries", ctx.describe());
        return;
    }
    let mut rng = Rng::new(fresh_seed("timings"));
    let scene = random_scene(&mut rng, 3000, 1);
    let gs = GpuScene::upload(&ctx, &scene).expect("upload");
    let cam = Camera::look_at(Vec3::ZERO, Vec3::new(0.0, 0.0, 5.0), Vec3::NEG_Y, 60.0, 64, 48);
    let mut r = GpuRenderer::new(&ctx);
    let target = r.target(&gs, 64, 48, 1 << 16).expect("target");
    let mut timed = Vec::new();
    for _ in 0..6 {
        let mut enc = ctx.device.create_command_encoder(&Default::default());
        let slot = r.encode(&mut enc, &gs, &target, &cam, &GpuRenderOptions::default());
        ctx.queue.submit([enc.finish()]);
        r.after_submit(slot);
        // Non-blocking poll, as a viewer would do each frame.
        let _ = ctx.device.poll(wgpu::PollType::Poll);
        timed.extend(r.collect_timings());
    }
    ctx.device.poll(wgpu::PollType::wait_indefinitely()).expect("device alive");
    timed.extend(r.collect_timings());
    assert!(!timed.is_empty(), "no frame's timings came back");
    for t in &timed {
        assert!(t.iter().all(|ms| ms.is_finite() && *ms >= 0.0), "{t:?}");
        assert!(t.iter().sum::<f64>() > 0.0, "all stages took zero time: {t:?}");
    }
}

#[test]
fn outputs_too_large_to_bind_are_refused_not_a_wgpu_panic() {
    let Some(ctx) = gpu_for_tests() else { return };
    let mut rng = Rng::new(fresh_seed("too large"));
    let scene = random_scene(&mut rng, 200, 0);
    let mut gs = GpuScene::upload(&ctx, &scene).expect("upload");
    let feats: Vec<f32> = (0..scene.len() * 64).map(|_| rng.normal()).collect();
    gs.set_features(&ctx, 64, &feats).expect("features");
    let cam = Camera::look_at(Vec3::ZERO, Vec3::new(0.0, 0.0, 5.0), Vec3::NEG_Y, 60.0, 1920, 1080);
    let needed = 1920u64 * 1080 * 64 * 4;
    let limit = ctx.limits.max_storage_buffer_binding_size.min(ctx.limits.max_buffer_size);
    let result = renderer(&ctx).render(&gs, &cam, &GpuRenderOptions { features: true, ..Default::default() });
    if needed > limit {
        let msg = result.expect_err("too large for this device").to_string();
        assert!(msg.contains("feature image") && msg.contains(&limit.to_string()), "{msg}");
    } else {
        assert!(result.is_ok(), "fits this device's limits");
    }
}
