//! `rtgs2 render`: one view to a PNG, or a camera path to PNG frames or an MP4
//! ([`super::render_path`]).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::encoder_args::EncoderArgs;
use super::view_args::{ViewArgs, parse_vec3};
use crate::image_io::write_png;
use crate::pipeline::Backend;
use crate::render::{Frame, pca};
use crate::scene::SceneError;
use crate::scene::sanitize::sanitize_extras;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum What {
    /// Colour, clamp(rgb, 0, 1)·255 without gamma, like the reference trainer's renders.
    Rgb,
    /// Expected depth as grey, near bright.
    Depth,
    /// Accumulated opacity as grey.
    Alpha,
    /// Ground-truth labels coloured with the ScanNet palette (needs a `label` property).
    Labels,
    /// Ground-truth NYU40 ids as 8-bit grey, 255 where ignored (alpha < 0.5).
    LabelIds,
    /// The fusion network's classes over the render (`--semantic-source live`: predicted per
    /// frame; `lifted`: the per-Gaussian labels of `rtgs2 lift`, splatted); pixels the scene
    /// does not cover keep the render's colour.
    Semantic,
    /// The render and its semantic overlay side by side.
    SideBySide,
    /// Per-Gaussian feature vectors splatted and shown through a PCA to RGB whose basis is
    /// fitted once per scene, so colours are consistent across views. The vectors come from
    /// the scene encoder (computed once, then cached), or with `--feature-source properties`
    /// from the scene's own f_pc_* properties.
    Features,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FeatureSource {
    /// The scene encoder's features (models/encoder.onnx), cached per scene.
    Encoder,
    /// The scene's f_pc_0, f_pc_1, ... vertex properties.
    Properties,
}

/// Where `--what semantic|side-by-side` takes its classes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SemanticSource {
    /// The fusion network, every frame.
    Live,
    /// The lifted per-Gaussian labels (`rtgs2 lift`; computed and cached when absent): one
    /// class per Gaussian, so the overlay cannot flicker between frames.
    Lifted,
}

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// Scene file or trainer output folder.
    pub path: PathBuf,
    #[command(flatten)]
    pub view: ViewArgs,
    /// What to render.
    #[arg(long, value_enum, default_value = "rgb")]
    pub what: What,
    /// Renderer: the GPU one when an adapter exists, or the exact CPU reference.
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: Backend,
    /// Background colour "r,g,b" in [0, 1].
    #[arg(long, value_parser = parse_vec3, default_value = "0,0,0")]
    pub background: glam::Vec3,
    /// Output PNG; with --path, a folder for the frames (frame_00000.png, ...) or an .mp4
    /// (H.264, through the system's ffmpeg).
    #[arg(long)]
    pub out: PathBuf,
    /// Render a camera path instead of one view: `cameras` (the scene's cameras in order,
    /// smoothly interpolated), `orbit` (around the scene's centre about its up axis, at the
    /// cameras' distance and height, or outside an object without cameras) or a keyframe file
    /// (JSON, as the viewer records with its "record path" key).
    #[arg(long = "path", value_name = "cameras|orbit|FILE.json")]
    pub camera_path: Option<String>,
    /// Frames along --path.
    #[arg(long, default_value_t = 300)]
    pub frames: usize,
    /// Frames per second of an .mp4.
    #[arg(long, default_value_t = 30)]
    pub fps: u32,
    /// Where --what semantic and side-by-side take the classes from.
    #[arg(long, value_enum, default_value = "live")]
    pub semantic_source: SemanticSource,
    /// Class-colour opacity over the render (1 = class colours only).
    #[arg(long, default_value_t = 0.6)]
    pub opacity: f32,
    /// Fusion model for --what semantic / side-by-side [default: the shipped models/fusion.onnx].
    #[arg(long)]
    pub fusion_model: Option<PathBuf>,
    /// Views fused for --semantic-source lifted.
    #[arg(long, default_value_t = 48)]
    pub lift_views: usize,
    /// Reject damaged Gaussians instead of dropping them.
    #[arg(long)]
    pub strict: bool,
    /// Where `--what features` takes the per-Gaussian vectors from.
    #[arg(long, value_enum, default_value = "encoder")]
    pub feature_source: FeatureSource,
    #[command(flatten)]
    pub encoder: EncoderArgs,
}

pub fn run(args: &RenderArgs) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&args.opacity) {
        anyhow::bail!("--opacity {} is outside 0-1", args.opacity);
    }
    let mut loaded = super::load_scene(&args.path, args.strict)?;
    let wants_labels = matches!(args.what, What::Labels | What::LabelIds);
    if wants_labels && loaded.scene.labels.is_none() {
        anyhow::bail!(
            "{} has no 'label' property, so it has no ground-truth labels to render",
            loaded.source.display()
        );
    }
    if let Some(spec) = &args.camera_path {
        return super::render_path::run(args, spec, loaded);
    }
    let cam = args.view.camera_for(&loaded)?;
    // The f_pc_* values are numbers the PCA and the splat use: one NaN there would blacken
    // the whole image, so they get the loader's policy for damaged Gaussians before the
    // renderer sees the scene.
    drop_bad_property_features(args, &mut loaded)?;
    let lifted = super::render_frames::lifted_scene(args, &loaded)?;
    let mut maker = super::render_frames::FrameMaker::new(args, &loaded, lifted.as_ref())?;
    let started = std::time::Instant::now();
    let image = maker.frame(&cam)?;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    write_png(&args.out, image.width, image.height, image.channels, &image.pixels)
        .with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!(
        "{}: {}x{} {:?} in {ms:.0} ms on {} ({} visible Gaussians) -> {}",
        loaded.source.display(),
        cam.width,
        cam.height,
        args.what,
        maker.describe(),
        image.visible,
        args.out.display()
    );
    Ok(())
}

/// With `--what features --feature-source properties`, Gaussians whose f_pc_* values are not
/// finite are dropped (or refused with --strict), as the loader treats damaged Gaussians.
pub(crate) fn drop_bad_property_features(
    args: &RenderArgs,
    loaded: &mut crate::scene::LoadedScene,
) -> anyhow::Result<()> {
    if args.what != What::Features || args.feature_source != FeatureSource::Properties {
        return Ok(());
    }
    let dropped = sanitize_extras(&mut loaded.scene, pca::is_feature_property, args.strict)
        .map_err(|p| SceneError::invalid(&loaded.source, p))?;
    if dropped > 0 {
        eprintln!(
            "warning: {}: dropped {dropped} Gaussians with NaN or infinite f_pc_* feature values",
            loaded.source.display()
        );
    }
    Ok(())
}

/// 8-bit pixels of the requested channel, and their channel count.
pub fn encode(frame: &Frame, what: What) -> (usize, Vec<u8>) {
    match what {
        What::Rgb | What::Semantic | What::SideBySide => (3, frame.rgb8()),
        What::Depth => (1, frame.depth8()),
        What::Alpha => (1, frame.alpha.iter().map(|&a| crate::image_io::to_u8(a)).collect()),
        What::Labels => (3, frame.labels_rgb8()),
        What::LabelIds => (1, frame.labels.clone()),
        What::Features => (
            3,
            frame
                .features
                .chunks_exact(frame.feature_dim.max(1))
                .flat_map(|f| [f[0], f[1], f[2]])
                .map(crate::image_io::to_u8)
                .collect(),
        ),
    }
}
