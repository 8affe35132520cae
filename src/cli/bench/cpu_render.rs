//! `rtgs2 bench cpu-render`: the CPU reference renderer's per-stage times (project,
//! bin+sort, raster, total) along the scene's cameras, as medians and p95.

use anyhow::bail;
use serde_json::json;

use super::CpuRenderBench;
use super::stats::median_p95;
use crate::cli::view_args::ViewArgs;
use crate::render::{Channels, Features, RenderOptions, render};

/// Median and p95 per stage of the CPU reference renderer, over `frames` frames.
struct CpuRenderReport {
    gaussians: usize,
    frames: usize,
    /// (stage, median ms, p95 ms).
    stages: Vec<(&'static str, f64, f64)>,
}

pub fn run(b: &CpuRenderBench) -> anyhow::Result<()> {
    let report = cpu_render_report(b)?;
    if b.json {
        let stages: serde_json::Map<String, serde_json::Value> =
            report.stages.iter().map(|(n, m, p)| (n.to_string(), json!({"median_ms": m, "p95_ms": p}))).collect();
        println!(
            "{}",
            json!({"path": b.path, "gaussians": report.gaussians, "width": b.width, "height": b.height, "features": b.features, "frames": report.frames, "threads": rayon::current_num_threads(), "stages": stages})
        );
    } else {
        println!(
            "CPU reference render, {} Gaussians, {}x{}, {} feature channels, {} threads, {} frames:",
            report.gaussians,
            b.width,
            b.height,
            b.features,
            rayon::current_num_threads(),
            report.frames
        );
        for (n, m, p) in report.stages {
            println!("  {n:<9} median {m:>9.1} ms   p95 {p:>9.1} ms");
        }
    }
    Ok(())
}

fn cpu_render_report(b: &CpuRenderBench) -> anyhow::Result<CpuRenderReport> {
    let loaded = crate::cli::load_scene(&b.path, false)?;
    if loaded.cameras.is_empty() {
        bail!("no cameras to render along: {}", loaded.why_no_cameras());
    }
    // As `bench render` does: at least one frame, and the count reported is the one timed.
    let frames = b.frames.max(1);
    let mut rng = crate::util::rng::Rng::new(1);
    let feats: Vec<f32> = (0..loaded.scene.len() * b.features).map(|_| rng.normal()).collect();
    let channels = Channels {
        depth: true,
        features: (b.features > 0).then_some(Features { dim: b.features, values: &feats }),
        labels: loaded.scene.labels.as_deref(),
    };
    let (mut project, mut sort, mut raster, mut total) = (vec![], vec![], vec![], vec![]);
    for f in 0..frames {
        let view = ViewArgs {
            camera: Some(f % loaded.cameras.len()),
            width: Some(b.width),
            height: Some(b.height),
            ..Default::default()
        };
        let cam = view.camera(&loaded.cameras)?;
        let t = std::time::Instant::now();
        let frame = render(&loaded.scene, &cam, &channels, &RenderOptions::default())?;
        total.push(t.elapsed().as_secs_f64() * 1e3);
        project.push(frame.stats.project_ms);
        sort.push(frame.stats.sort_ms);
        raster.push(frame.stats.raster_ms);
    }
    debug_assert_eq!(total.len(), frames);
    let stages = [("project", project), ("bin+sort", sort), ("raster", raster), ("total", total)]
        .into_iter()
        .map(|(n, v)| {
            let (m, p) = median_p95(v);
            (n, m, p)
        })
        .collect();
    Ok(CpuRenderReport { gaussians: loaded.scene.len(), frames, stages })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::trainer_folder::{DEFAULT_ITERATION, write_trainer_folder};
    use crate::synth::{SynthOptions, generate};

    /// `--frames 0` used to time one frame and report "0 frames"; like `bench render` it
    /// now times one frame and says so.
    #[test]
    fn cpu_render_with_zero_frames_reports_the_one_it_timed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let room =
            generate(&SynthOptions { target_gaussians: 2_000, views: 2, width: 32, height: 24, ..Default::default() });
        write_trainer_folder(dir.path(), &room.scene, &room.cameras, DEFAULT_ITERATION).expect("write room");
        let bench = |frames| CpuRenderBench {
            path: dir.path().to_path_buf(),
            width: 32,
            height: 24,
            frames,
            features: 0,
            json: true,
        };
        let report = cpu_render_report(&bench(0)).expect("bench runs");
        assert_eq!(report.frames, 1);
        assert_eq!(report.stages.len(), 4);
        assert!(report.stages.iter().all(|(_, m, p)| m.is_finite() && p.is_finite()));
        assert_eq!(cpu_render_report(&bench(3)).expect("bench runs").frames, 3);
    }
}
