//! The `rtgs2` command line: one sub-module per command, each with its clap arguments and a
//! `run` function. Errors are `anyhow` here, at the binary's edge.

mod bench;
mod convert;
mod demo;
mod demo_fusion;
mod demo_scene;
mod encoder_args;
mod eval_cmd;
mod export_dataset;
mod features_cmd;
mod fusion_args;
mod import_cmd;
mod info;
mod lift_cmd;
mod render_cmd;
mod render_frames;
mod render_path;
mod segment_cmd;
pub mod synth_cmd;
mod video_out;
mod view_args;
mod view_cmd;

use clap::{Parser, Subcommand};

/// rtgs2: open a 3D Gaussian Splatting scene and segment it semantically (RT-GS2).
#[derive(Parser, Debug)]
#[command(name = "rtgs2", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    /// The subcommand; `None` (no arguments) opens the viewer.
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
/// The `rtgs2` subcommands.
pub enum Command {
    /// Summarise a scene: Gaussian count, SH degree, bounds, labels, cameras.
    Info(info::InfoArgs),
    /// Render one view of a scene to a PNG (RGB, depth, alpha or ground-truth labels).
    Render(render_cmd::RenderArgs),
    /// Generate labelled synthetic indoor rooms as trainer output folders.
    Synth(synth_cmd::SynthArgs),
    /// Headless demo on the embedded default scene: generates it, renders colour, encoder
    /// features, the fusion network's classes, ground-truth labels and depth for a few of its
    /// cameras and writes them to a folder.
    Demo(demo::DemoArgs),
    /// Labelled scans (coloured point clouds or meshes with NYU40 labels) to labelled
    /// Gaussian scenes with cameras, for evaluating on real rooms.
    Import(import_cmd::ImportArgs),
    /// Convert any readable scene (.spz, .splat, compressed PLY, ...) to a reference PLY.
    Convert(convert::ConvertArgs),
    /// Compute the scene encoder's per-Gaussian features (cached once per scene and model).
    Features(features_cmd::FeaturesArgs),
    /// Fusion-network training data: RGB, splatted features, depth and labels per view (.npy).
    ExportDataset(export_dataset::ExportDatasetArgs),
    /// Score the fusion network on labelled scenes: mIoU, mAcc, oAcc over their cameras.
    Eval(eval_cmd::EvalArgs),
    /// Segment one view with the fusion network: a PNG of the render beside its class overlay.
    Segment(segment_cmd::SegmentArgs),
    /// Fuse the fusion network's predictions over many views onto the Gaussians: one class
    /// and confidence per Gaussian, written as a PLY with `label` and `label_confidence`.
    Lift(lift_cmd::LiftArgs),
    /// Open the interactive viewer (or, with --frames/--screenshot/--script, render scripted
    /// frames to a screenshot and exit).
    View(view_cmd::ViewArgs),
    /// Measure loading, rendering and segmentation speed.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

/// A desktop session to open a window on.
fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
        || cfg!(any(target_os = "macos", target_os = "windows"))
}

/// Runs the command line; `rtgs2` with no command opens the viewer on the embedded scene,
/// or runs the headless demo where there is no display.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Some(Command::Info(a)) => info::run(&a),
        Some(Command::Render(a)) => render_cmd::run(&a),
        Some(Command::Convert(a)) => convert::run(&a),
        Some(Command::Import(a)) => import_cmd::run(&a),
        Some(Command::Demo(a)) => demo::run(&a),
        Some(Command::Synth(a)) => synth_cmd::run(&a),
        Some(Command::Features(a)) => features_cmd::run(&a),
        Some(Command::ExportDataset(a)) => export_dataset::run(&a),
        Some(Command::Eval(a)) => eval_cmd::run(&a),
        Some(Command::Segment(a)) => segment_cmd::run(&a),
        Some(Command::Lift(a)) => lift_cmd::run(&a),
        Some(Command::View(a)) => view_cmd::run(&a),
        Some(Command::Bench(b)) => bench::run(&b),
        None if has_display() => {
            let cli = Cli::parse_from(["rtgs2", "view"]);
            let Some(Command::View(args)) = cli.command else {
                unreachable!("`rtgs2 view` parses as the view command")
            };
            view_cmd::run(&args)
        }
        None => {
            eprintln!(
                "no display (DISPLAY / WAYLAND_DISPLAY unset): running the headless demo; `rtgs2 view` opens the viewer"
            );
            demo::run(&demo::DemoArgs::default())
        }
    }
}

/// Loads a scene for a command, printing the loader's repair warnings.
pub(crate) fn load_scene(path: &std::path::Path, strict: bool) -> anyhow::Result<crate::scene::LoadedScene> {
    let loaded = crate::scene::load(path, &crate::scene::LoadOptions { strict })?;
    for w in &loaded.warnings {
        eprintln!("warning: {}: {w}", loaded.source.display());
    }
    Ok(loaded)
}
