//! `rtgs2 bench`: loading throughput, CPU reference render times (and, in sibling files, the
//! GPU frame, the sort and the segmentation path), as medians over repeats (wall clock on
//! this machine; say which machine when quoting them).

use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Subcommand};
use serde_json::json;

use super::view_args::ViewArgs;
use crate::render::{Channels, Features, RenderOptions, render};

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Scene loading throughput (MB/s of file read and decoded).
    Load(LoadBench),
    /// CPU reference renderer: per-stage times along the scene's cameras.
    CpuRender(CpuRenderBench),
    /// GPU renderer: per-stage GPU and wall-clock times along the scene's cameras, and FPS.
    Render(super::bench_render::RenderBench),
    /// GPU radix sort throughput against the CPU's sort_unstable.
    Sort(super::bench_sort::SortBench),
    /// Render + fusion network + overlay per frame: stage times, sequential and pipelined FPS.
    Segment(super::bench_segment::SegmentBench),
}

#[derive(Args, Debug)]
pub struct LoadBench {
    pub path: PathBuf,
    /// Timed repeats (after one warm-up load that fills the page cache).
    #[arg(long, default_value_t = 5)]
    pub repeat: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct CpuRenderBench {
    pub path: PathBuf,
    #[arg(long, default_value_t = 640)]
    pub width: u32,
    #[arg(long, default_value_t = 480)]
    pub height: u32,
    /// Frames to render, cycling through the scene's cameras.
    #[arg(long, default_value_t = 10)]
    pub frames: usize,
    /// Also blend a D-dimensional feature vector per Gaussian (random values).
    #[arg(long, default_value_t = 0)]
    pub features: usize,
    #[arg(long)]
    pub json: bool,
}

pub fn run(cmd: &BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Load(b) => load(b),
        BenchCommand::CpuRender(b) => cpu_render(b),
        BenchCommand::Render(b) => super::bench_render::run(b),
        BenchCommand::Sort(b) => super::bench_sort::run(b),
        BenchCommand::Segment(b) => super::bench_segment::run(b),
    }
}

/// Median and 95th percentile of a sample (NaN for an empty one: callers time at least one
/// frame, and an empty sample must not panic).
pub fn median_p95(mut v: Vec<f64>) -> (f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95))
}

fn load(b: &LoadBench) -> anyhow::Result<()> {
    if b.repeat == 0 {
        bail!("--repeat must be at least 1");
    }
    let first = super::load_scene(&b.path, false)?;
    let bytes = std::fs::metadata(&first.source)?.len() as f64;
    let mut secs = Vec::with_capacity(b.repeat);
    for _ in 0..b.repeat {
        let t = std::time::Instant::now();
        let loaded = crate::scene::load(&b.path, &Default::default())?;
        secs.push(t.elapsed().as_secs_f64());
        std::hint::black_box(loaded);
    }
    let (med, p95) = median_p95(secs);
    let mbps = bytes / 1e6 / med;
    if b.json {
        println!(
            "{}",
            json!({"path": b.path, "format": first.format.to_string(), "bytes": bytes, "gaussians": first.scene.len(), "median_s": med, "p95_s": p95, "mb_per_s": mbps})
        );
    } else {
        println!(
            "{} ({}, {} Gaussians, {:.1} MB): median {:.1} ms, p95 {:.1} ms, {:.0} MB/s",
            b.path.display(),
            first.format,
            first.scene.len(),
            bytes / 1e6,
            med * 1e3,
            p95 * 1e3,
            mbps
        );
    }
    Ok(())
}

/// Median and p95 per stage of the CPU reference renderer, over `frames` frames.
struct CpuRenderReport {
    gaussians: usize,
    frames: usize,
    /// (stage, median ms, p95 ms).
    stages: Vec<(&'static str, f64, f64)>,
}

fn cpu_render(b: &CpuRenderBench) -> anyhow::Result<()> {
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
    let loaded = super::load_scene(&b.path, false)?;
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
