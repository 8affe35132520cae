//! `rtgs2 bench`: loading throughput, CPU reference render times, the GPU frame, the sort and
//! the segmentation path, as medians over repeats (wall clock on this machine; say which
//! machine when quoting them). This file holds the command line (the subcommands and their
//! arguments) and the dispatcher; each benchmark lives in its own file, and all of them
//! summarise their samples with [`stats::median_p95`].

mod cpu_render;
mod load;
mod render;
mod segment;
mod sort;
pub(crate) mod stats;

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::fusion_args::FusionArgs;
use crate::pipeline::Backend;

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Scene loading throughput (MB/s of file read and decoded).
    Load(LoadBench),
    /// CPU reference renderer: per-stage times along the scene's cameras.
    CpuRender(CpuRenderBench),
    /// GPU renderer: per-stage GPU and wall-clock times along the scene's cameras, and FPS.
    Render(RenderBench),
    /// GPU radix sort throughput against the CPU's sort_unstable.
    Sort(SortBench),
    /// Render + fusion network + overlay per frame: stage times, sequential and pipelined FPS.
    Segment(SegmentBench),
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

#[derive(Args, Debug)]
pub struct RenderBench {
    /// Scene with cameras (trainer folder or a scene file beside a cameras.json).
    pub path: PathBuf,
    #[arg(long, default_value_t = 640)]
    pub width: u32,
    #[arg(long, default_value_t = 480)]
    pub height: u32,
    /// Timed frames, cycling through the cameras (after 2 warm-up frames).
    #[arg(long, default_value_t = 20)]
    pub frames: usize,
    /// Blend D random feature channels per Gaussian (0 = none; a multiple of 4 up to 64).
    #[arg(long, default_value_t = 0)]
    pub features: usize,
    /// Also splat the scene's labels into a label map (the viewer's ground-truth and lifted
    /// semantic views); the scene must carry labels.
    #[arg(long)]
    pub labels: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SortBench {
    /// Key/value pairs to sort.
    #[arg(long, default_value_t = 1_000_000)]
    pub n: u32,
    /// Key bits to sort (1..=32); keys are random below 2^bits.
    #[arg(long, default_value_t = 32)]
    pub bits: u32,
    /// Timed repeats (after one untimed warm-up sort).
    #[arg(long, default_value_t = 10)]
    pub repeat: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SegmentBench {
    /// Scene with cameras (trainer folder or a scene file beside a cameras.json).
    pub path: PathBuf,
    #[arg(long, default_value_t = 320)]
    pub width: u32,
    #[arg(long, default_value_t = 240)]
    pub height: u32,
    /// Timed frames, cycling through the cameras (after 2 warm-up frames).
    #[arg(long, default_value_t = 20)]
    pub frames: usize,
    #[arg(long)]
    pub json: bool,
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: Backend,
    /// Class-colour opacity of the overlay.
    #[arg(long, default_value_t = 0.6)]
    pub opacity: f32,
    #[command(flatten)]
    pub fusion: FusionArgs,
}

pub fn run(cmd: &BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Load(b) => load::run(b),
        BenchCommand::CpuRender(b) => cpu_render::run(b),
        BenchCommand::Render(b) => render::run(b),
        BenchCommand::Sort(b) => sort::run(b),
        BenchCommand::Segment(b) => segment::run(b),
    }
}
