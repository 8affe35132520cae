//! `rtgs2 render`: one view to a PNG.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::encoder_args::EncoderArgs;
use super::view_args::{ViewArgs, parse_vec3};
use crate::image_io::write_png;
use crate::pipeline::{Backend, Renderer};
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
    /// Output PNG.
    #[arg(long)]
    pub out: PathBuf,
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
    let mut loaded = super::load_scene(&args.path, args.strict)?;
    let cam = args.view.camera_for(&loaded)?;
    let wants_labels = matches!(args.what, What::Labels | What::LabelIds);
    if wants_labels && loaded.scene.labels.is_none() {
        anyhow::bail!(
            "{} has no 'label' property, so it has no ground-truth labels to render",
            loaded.source.display()
        );
    }
    // The f_pc_* values are numbers the PCA and the splat use: one NaN there would blacken
    // the whole image, so they get the loader's policy for damaged Gaussians before the
    // renderer sees the scene.
    let property_features = if args.what == What::Features && args.feature_source == FeatureSource::Properties {
        let dropped = sanitize_extras(&mut loaded.scene, pca::is_feature_property, args.strict)
            .map_err(|p| SceneError::invalid(&loaded.source, p))?;
        if dropped > 0 {
            eprintln!(
                "warning: {}: dropped {dropped} Gaussians with NaN or infinite f_pc_* feature values",
                loaded.source.display()
            );
        }
        Some(pca::scene_features(&loaded.scene).with_context(|| {
            format!("{} has no per-Gaussian features (f_pc_0, f_pc_1, ... properties)", loaded.source.display())
        })?)
    } else {
        None
    };
    let mut renderer = Renderer::new(args.backend, &loaded.scene)?;
    if args.what == What::Features {
        let (dim, feats) = match property_features {
            Some(f) => f,
            None => {
                let f = args.encoder.features(&loaded, true)?;
                (f.dim, f.features)
            }
        };
        let pca = pca::FeaturePca::fit(&feats, dim);
        renderer.set_features(4, pca.colours(&feats))?;
    }
    let started = std::time::Instant::now();
    let frame = renderer.render(&cam, wants_labels, args.background.to_array())?;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    let (channels_out, pixels) = encode(&frame, args.what);
    write_png(&args.out, frame.width, frame.height, channels_out, &pixels)
        .with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!(
        "{}: {}x{} {:?} in {ms:.0} ms on {} ({} visible Gaussians) -> {}",
        loaded.source.display(),
        frame.width,
        frame.height,
        args.what,
        renderer.describe(),
        frame.stats.visible,
        args.out.display()
    );
    Ok(())
}

/// 8-bit pixels of the requested channel, and their channel count.
pub fn encode(frame: &Frame, what: What) -> (usize, Vec<u8>) {
    match what {
        What::Rgb => (3, frame.rgb8()),
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
