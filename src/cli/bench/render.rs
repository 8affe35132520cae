//! `rtgs2 bench render`: the GPU splatting frame along the scene's cameras. Per stage it
//! reports GPU time from timestamp queries and wall-clock time with each stage submitted and
//! waited on alone (lavapipe's timestamps under-report some passes), then the whole frame's
//! wall time and the FPS it implies. Medians and p95 over the frames.

use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::json;

use super::RenderBench;
use super::stats::median_p95;
use crate::cli::view_args::ViewArgs;
use crate::render::gpu::GpuContext;
use crate::render::gpu::headless::HeadlessRenderer;
use crate::render::gpu::renderer::{GpuRenderOptions, GpuRenderer};
use crate::render::gpu::scene_buffers::GpuScene;
use crate::render::gpu::timing::STAGES;

pub fn run(b: &RenderBench) -> anyhow::Result<()> {
    let loaded = crate::cli::load_scene(&b.path, false)?;
    if loaded.cameras.is_empty() {
        bail!("no cameras to render along: {}", loaded.why_no_cameras());
    }
    let ctx = GpuContext::headless()?;
    let mut scene = GpuScene::upload(&ctx, &loaded.scene)?;
    if b.features > 0 {
        let mut rng = crate::util::rng::Rng::new(3);
        let f: Vec<f32> = (0..loaded.scene.len() * b.features).map(|_| rng.normal()).collect();
        scene.set_features(&ctx, b.features, &f)?;
    }
    if b.labels && loaded.scene.labels.is_none() {
        bail!("--labels: {} carries no labels", b.path.display());
    }
    let opts = GpuRenderOptions { features: b.features > 0, labels: b.labels, ..Default::default() };
    let mut hr = HeadlessRenderer::new(GpuRenderer::new(&ctx));
    let cams: Vec<_> = (0..loaded.cameras.len())
        .map(|i| {
            ViewArgs { camera: Some(i), width: Some(b.width), height: Some(b.height), ..Default::default() }
                .camera(&loaded.cameras)
        })
        .collect::<Result<_, _>>()?;
    // Size the buffers for the busiest view first so no timed frame re-allocates.
    let mut most = (0, 0);
    for (i, c) in cams.iter().enumerate().take(b.frames.max(1)) {
        let counts = hr.render_counts(&scene, c, &opts)?;
        if counts.pairs > most.1 {
            most = (i, counts.pairs);
        }
    }
    hr.render_counts(&scene, &cams[most.0], &opts)?;

    let frames = b.frames.max(1);
    let mut gpu_stage: Vec<Vec<f64>> = vec![Vec::new(); STAGES.len()];
    let mut wall_stage: Vec<Vec<f64>> = vec![Vec::new(); STAGES.len()];
    let (mut frame_wall, mut visible, mut pairs) = (Vec::new(), Vec::new(), Vec::new());
    for f in 0..frames + 2 {
        let cam = &cams[f % cams.len()];
        let warm = f < 2;
        // Whole frame, one submission.
        let (renderer, target) = hr.parts();
        let target = target.context("renderer has a target after the warm-up")?;
        let t0 = Instant::now();
        let mut enc = ctx.device.create_command_encoder(&Default::default());
        let slot = renderer.encode(&mut enc, &scene, target, cam, &opts);
        ctx.queue.submit([enc.finish()]);
        renderer.after_submit(slot);
        ctx.device.poll(wgpu::PollType::wait_indefinitely()).context("GPU lost")?;
        let wall = t0.elapsed().as_secs_f64() * 1e3;
        let counts = crate::render::gpu::readback::read_u32(&ctx, &target.counters, 0, 2);
        ctx.device.poll(wgpu::PollType::wait_indefinitely()).context("GPU lost")?;
        let timings = renderer.collect_timings();
        // Stage by stage, each submitted and waited on alone.
        let mut stage_ms = vec![0.0; STAGES.len()];
        let mut last = Instant::now();
        let mut enc = ctx.device.create_command_encoder(&Default::default());
        let slot = renderer.encode_with(&mut enc, &scene, target, cam, &opts, &mut |e, s| {
            let done = std::mem::replace(e, ctx.device.create_command_encoder(&Default::default()));
            ctx.queue.submit([done.finish()]);
            let _ = ctx.device.poll(wgpu::PollType::wait_indefinitely());
            let now = Instant::now();
            stage_ms[s] = (now - last).as_secs_f64() * 1e3;
            last = now;
        });
        ctx.queue.submit([enc.finish()]);
        renderer.after_submit(slot);
        ctx.device.poll(wgpu::PollType::wait_indefinitely()).context("GPU lost")?;
        renderer.collect_timings();
        if warm {
            continue;
        }
        frame_wall.push(wall);
        visible.push(counts[0] as f64);
        pairs.push(counts[1] as f64);
        for (s, ms) in stage_ms.iter().enumerate() {
            wall_stage[s].push(*ms);
        }
        if let Some(t) = timings.last() {
            for (s, ms) in t.iter().enumerate() {
                gpu_stage[s].push(*ms);
            }
        }
    }

    // Steady state as a viewer runs: every frame submitted back to back (the camera moving
    // along the path), waiting only at the end, so CPU encoding overlaps GPU work.
    let pipelined_fps = {
        let (renderer, target) = hr.parts();
        let target = target.context("renderer has a target after the warm-up")?;
        let t0 = Instant::now();
        for f in 0..frames {
            let mut enc = ctx.device.create_command_encoder(&Default::default());
            let slot = renderer.encode(&mut enc, &scene, target, &cams[f % cams.len()], &opts);
            ctx.queue.submit([enc.finish()]);
            renderer.after_submit(slot);
            let _ = ctx.device.poll(wgpu::PollType::Poll);
            renderer.collect_timings();
        }
        ctx.device.poll(wgpu::PollType::wait_indefinitely()).context("GPU lost")?;
        renderer.collect_timings();
        frames as f64 / t0.elapsed().as_secs_f64()
    };
    let stat = |v: &Vec<f64>| median_p95(v.clone());
    let (fw_med, fw_p95) = stat(&frame_wall);
    let gpu_sum: f64 = gpu_stage.iter().map(|v| stat(v).0).sum();
    if b.json {
        let stages: Vec<_> = STAGES
            .iter()
            .enumerate()
            .map(|(s, name)| {
                let (gm, gp) = stat(&gpu_stage[s]);
                let (wm, wp) = stat(&wall_stage[s]);
                json!({"stage": name, "gpu_median_ms": gm, "gpu_p95_ms": gp, "wall_median_ms": wm, "wall_p95_ms": wp})
            })
            .collect();
        println!(
            "{}",
            json!({
                "path": b.path, "adapter": ctx.describe(), "gaussians": loaded.scene.len(), "width": b.width, "height": b.height,
                "features": b.features, "labels": b.labels, "frames": frames, "visible_median": stat(&visible).0, "pairs_median": stat(&pairs).0,
                "stages": stages, "pipelined_fps": pipelined_fps, "frame_wall_median_ms": fw_med, "frame_wall_p95_ms": fw_p95, "fps_wall": 1e3 / fw_med,
                "gpu_sum_median_ms": gpu_sum, "fps_gpu": if ctx.timestamps { 1e3 / gpu_sum } else { f64::NAN },
            })
        );
        return Ok(());
    }
    println!("GPU render: {}", ctx.describe());
    println!(
        "{} Gaussians, {}x{}, {} feature channels{}, {frames} frames; median {:.0} visible, {:.0} tile pairs",
        loaded.scene.len(),
        b.width,
        b.height,
        b.features,
        if b.labels { ", labels" } else { "" },
        stat(&visible).0,
        stat(&pairs).0
    );
    println!("  {:<11} {:>12} {:>12} {:>12} {:>12}", "stage", "gpu med ms", "gpu p95 ms", "wall med ms", "wall p95 ms");
    for (s, name) in STAGES.iter().enumerate() {
        let (gm, gp) = stat(&gpu_stage[s]);
        let (wm, wp) = stat(&wall_stage[s]);
        println!("  {name:<11} {gm:>12.3} {gp:>12.3} {wm:>12.3} {wp:>12.3}");
    }
    println!("  whole frame (one submission): median {fw_med:.2} ms, p95 {fw_p95:.2} ms -> {:.1} FPS", 1e3 / fw_med);
    println!("  frames submitted back to back (a viewer's steady state): {pipelined_fps:.1} FPS");
    if ctx.timestamps {
        println!("  sum of GPU stage medians {gpu_sum:.3} ms -> {:.1} FPS", 1e3 / gpu_sum);
    } else {
        println!("  (this adapter has no timestamp queries: GPU columns are empty)");
    }
    Ok(())
}
