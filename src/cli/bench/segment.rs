//! `rtgs2 bench segment`: the whole per-frame path — render, read-back, preprocessing,
//! fusion inference, classification, overlay — along the scene's cameras. Per stage medians and p95, the
//! end-to-end FPS with every stage one after another, and the FPS with the fusion network on
//! its worker thread while rendering continues (as the viewer runs it).

use std::time::Instant;

use anyhow::bail;
use serde_json::json;

use super::SegmentBench;
use super::stats::median_p95;
use crate::dataset::views::scene_views;
use crate::fusion::FusionWorker;
use crate::overlay::composite;
use crate::render::gpu::pack::TensorElement;

/// "render" includes, on the GPU renderer, the passes that write the network's padded NCHW
/// tensors and the 8-bit colour for the overlay; "readback" is the CPU's copy of that colour
/// out of mapped GPU memory (the GPU's own copies finish inside the render's wait; the tensors
/// are not copied: ONNX Runtime reads them in the mapped buffers, within "inference");
/// "preprocess" is what the CPU still does to make the tensors (all of it on the CPU reference
/// renderer, checks only when the GPU packed them); "classify" is the argmax over the returned logits, or with the
/// per-pixel head's graph (`--pixel-head`) only cropping its output and mapping class ids.
const STAGES: [&str; 6] = ["render", "readback", "preprocess", "inference", "classify", "overlay"];

pub fn run(b: &SegmentBench) -> anyhow::Result<()> {
    if b.frames == 0 || b.width == 0 || b.height == 0 {
        bail!("--frames, --width and --height must be positive");
    }
    let loaded = crate::cli::load_scene(&b.path, false)?;
    if loaded.cameras.is_empty() {
        bail!("no cameras to render along: {}", loaded.why_no_cameras());
    }
    let mut model = b.fusion.open()?;
    let segmenter = b.fusion.segmenter(&loaded, b.backend, &model)?;
    let recipe = segmenter.recipe().clone();
    // The stages are timed one by one here, so the renderer is driven directly.
    let mut renderer = segmenter.renderer;
    let cams: Vec<_> =
        scene_views(&loaded.cameras, usize::MAX, b.width, b.height).into_iter().map(|(_, c)| c).collect();
    let camera = |f: usize| &cams[f % cams.len()];

    // Sequential: each frame rendered, read back, segmented and composited before the next.
    let mut stage_ms: Vec<Vec<f64>> = vec![Vec::new(); STAGES.len()];
    let mut frame_ms = Vec::new();
    let started = Instant::now();
    let mut timed_from = started;
    for f in 0..b.frames + 2 {
        if f == 2 {
            timed_from = Instant::now();
        }
        let t0 = Instant::now();
        let view = renderer.render_inputs(camera(f), false, [0.0; 3], &recipe)?;
        let render_wall = t0.elapsed().as_secs_f64() * 1e3;
        let readback = view.readback_ms;
        let rgb8 = view.inputs.rgb8.clone();
        let prediction = model.predict(view.inputs)?;
        let t = Instant::now();
        std::hint::black_box(composite(&rgb8, &prediction.classes, b.opacity));
        let overlay = t.elapsed().as_secs_f64() * 1e3;
        let total = t0.elapsed().as_secs_f64() * 1e3;
        if f < 2 {
            continue;
        }
        let p = prediction.timings;
        let row = [render_wall - readback, readback, p.preprocess_ms, p.inference_ms, p.postprocess_ms, overlay];
        row.iter().zip(&mut stage_ms).for_each(|(ms, v)| v.push(*ms));
        frame_ms.push(total);
    }
    let sequential_fps = b.frames as f64 / timed_from.elapsed().as_secs_f64();
    let provider = model.provider.clone();
    let pixel_head = if model.head_in_graph() { "graph" } else { "host" };
    let in_place = model.reads_mapped_tensors_in_place();
    // How the tensors travel: f16 widened on the network's device, or f32.
    let inputs = match (model.tensor_recipe().element, model.inputs_widened_on_device()) {
        (TensorElement::F16, true) => "f16",
        (TensorElement::F16, false) => "f16, widened on the host",
        (TensorElement::F32, _) => "f32",
    };

    // Pipelined: rendering continues while the worker segments the newest frame; each frame
    // is composited with the newest prediction available, as the viewer shows it. As in the
    // viewer, the network's tensors are handed over still mapped: ONNX Runtime reads them
    // there on the worker, and the rendering thread copies only the overlay's colour.
    let worker = FusionWorker::spawn(model);
    let t0 = Instant::now();
    let (mut predictions, mut latency) = (0usize, Vec::new());
    let mut last_classes: Option<Vec<u8>> = None;
    let mut take = |out: crate::fusion::WorkerOutput, now: u64| -> anyhow::Result<Vec<u8>> {
        predictions += 1;
        latency.push((now - out.frame) as f64);
        Ok(out.result?.classes)
    };
    for f in 0..b.frames {
        // The tensors stay mapped for the worker, as in the viewer.
        let inputs = renderer.render_inputs(camera(f), false, [0.0; 3], &recipe)?.inputs;
        while let Some(out) = worker.try_recv() {
            last_classes = Some(take(out, f as u64)?);
        }
        if let Some(classes) = &last_classes {
            std::hint::black_box(composite(&inputs.rgb8, classes, b.opacity));
        }
        worker.submit(f as u64, inputs);
    }
    let last = b.frames as u64 - 1;
    loop {
        let out = worker.recv()?;
        let done = out.frame == last;
        take(out, last)?;
        if done {
            break;
        }
    }
    let pipelined_s = t0.elapsed().as_secs_f64();
    let dropped = worker.dropped();
    drop(worker);

    let stat = |v: &[f64]| median_p95(v.to_vec());
    let (frame_med, frame_p95) = stat(&frame_ms);
    let (lat_med, _) = stat(&latency);
    let frames_per_s = b.frames as f64 / pipelined_s;
    let predictions_per_s = predictions as f64 / pipelined_s;
    if b.json {
        let stages: serde_json::Map<String, serde_json::Value> = STAGES
            .iter()
            .zip(&stage_ms)
            .map(|(n, v)| {
                let (m, p) = stat(v);
                (n.to_string(), json!({"median_ms": m, "p95_ms": p}))
            })
            .collect();
        println!(
            "{}",
            json!({
                "path": b.path, "gaussians": loaded.scene.len(), "width": b.width, "height": b.height, "frames": b.frames,
                "renderer": renderer.describe(), "provider": provider, "pixel_head": pixel_head, "inputs": inputs, "tensors_read_in_place": in_place, "model": b.fusion.model_path(),
                "stages": stages, "frame_median_ms": frame_med, "frame_p95_ms": frame_p95, "sequential_fps": sequential_fps,
                "pipelined": {"frames_per_s": frames_per_s, "predictions_per_s": predictions_per_s,
                              "dropped_frames": dropped, "latency_frames_median": lat_med},
            })
        );
        return Ok(());
    }
    println!("segment bench: {} Gaussians, {}x{}, {} frames", loaded.scene.len(), b.width, b.height, b.frames);
    println!(
        "  renderer: {}; fusion network on {provider}, per-pixel head: {pixel_head}, inputs: {inputs}, {}",
        renderer.describe(),
        if in_place { "read in the read-back buffers" } else { "copied out of the read-back buffers" }
    );
    println!("  {:<20} {:>10} {:>10}", "stage", "median ms", "p95 ms");
    for (n, v) in STAGES.iter().zip(&stage_ms) {
        let (m, p) = stat(v);
        println!("  {n:<20} {m:>10.2} {p:>10.2}");
    }
    println!("  {:<20} {frame_med:>10.2} {frame_p95:>10.2}", "whole frame");
    println!("  sequential (one stage after another): {sequential_fps:.2} FPS");
    println!(
        "  pipelined (fusion on a worker thread): {frames_per_s:.2} rendered FPS, {predictions_per_s:.2} segmented/s, \
         {dropped} frames skipped by the worker, overlay median {lat_med:.0} frames behind"
    );
    Ok(())
}
