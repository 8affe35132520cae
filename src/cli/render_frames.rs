//! One image per camera for `rtgs2 render`, whatever `--what` asks: the renderer's channels,
//! encoder features through a PCA, or the semantic overlay (live network or lifted labels).
//! The single view and the camera path both draw their frames here.

use anyhow::Context;

use super::fusion_args::FusionArgs;
use super::render_cmd::{FeatureSource, RenderArgs, SemanticSource, What, encode};
use crate::fusion::{FusionModel, InputPrecision, PixelHead};
use crate::image_io::grid_rgb;
use crate::overlay::composite;
use crate::pipeline::{LiftOptions, Renderer, Segmenter};
use crate::render::pca;
use crate::scene::{Camera, LoadedScene, Scene};

/// An 8-bit image.
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub channels: usize,
    pub pixels: Vec<u8>,
    pub visible: usize,
}

impl Image {
    /// As RGB (grey repeated), for video frames.
    pub fn into_rgb(self) -> Self {
        if self.channels == 3 {
            return self;
        }
        let pixels = self.pixels.iter().flat_map(|&v| [v, v, v]).collect();
        Self { channels: 3, pixels, ..self }
    }
}

enum Source<'a> {
    /// Channels of one render (colour, depth, alpha, labels, features).
    Plain(Renderer<'a>),
    /// The fusion network per frame.
    Live { segmenter: Box<Segmenter<'a>>, model: Box<FusionModel> },
    /// The lifted labels, splatted like ground truth from a copy of the scene holding them.
    Lifted(Renderer<'a>),
}

pub struct FrameMaker<'a> {
    source: Source<'a>,
    what: What,
    background: [f32; 3],
    opacity: f32,
}

/// The fusion options `render` implies: its encoder options and `--fusion-model`.
pub fn fusion_args(args: &RenderArgs) -> FusionArgs {
    FusionArgs {
        model: args.fusion_model.clone(),
        encoder_model: args.encoder.model.clone(),
        scene_scale: args.encoder.scene_scale,
        cache: args.encoder.cache.clone(),
        runtime: args.encoder.runtime.clone(),
        pixel_head: PixelHead::Auto,
        input_precision: InputPrecision::Auto,
    }
}

fn semantic(what: What) -> bool {
    matches!(what, What::Semantic | What::SideBySide)
}

/// For `--semantic-source lifted`: a copy of the scene whose labels are the lifted ones (from
/// the cache, or lifted now with a progress bar).
pub fn lifted_scene(args: &RenderArgs, loaded: &LoadedScene) -> anyhow::Result<Option<Scene>> {
    if !semantic(args.what) || args.semantic_source != SemanticSource::Lifted {
        return Ok(None);
    }
    let fusion = fusion_args(args);
    let mut model = fusion.open()?;
    let opts = LiftOptions { views: args.lift_views, ..LiftOptions::default() };
    Ok(Some(super::lift_cmd::scene_with_lifted_labels(loaded, &opts, args.backend, &fusion, &mut model)?))
}

impl<'a> FrameMaker<'a> {
    /// `lifted` is [`lifted_scene`]'s copy, when the overlay comes from it.
    pub fn new(args: &RenderArgs, loaded: &'a LoadedScene, lifted: Option<&'a Scene>) -> anyhow::Result<Self> {
        let source = if let Some(scene) = lifted {
            Source::Lifted(Renderer::new(args.backend, scene)?)
        } else if semantic(args.what) {
            let fusion = fusion_args(args);
            let model = fusion.open()?;
            let segmenter = fusion.segmenter(loaded, args.backend, &model)?;
            Source::Live { segmenter: Box::new(segmenter), model: Box::new(model) }
        } else {
            let mut renderer = Renderer::new(args.backend, &loaded.scene)?;
            if args.what == What::Features {
                let (dim, feats) = if args.feature_source == FeatureSource::Properties {
                    pca::scene_features(&loaded.scene).with_context(|| {
                        format!(
                            "{} has no per-Gaussian features (f_pc_0, f_pc_1, ... properties)",
                            loaded.source.display()
                        )
                    })?
                } else {
                    let f = args.encoder.features(loaded, true)?;
                    (f.dim, f.features)
                };
                let pca = pca::FeaturePca::fit(&feats, dim);
                renderer.set_features(4, pca.colours(&feats))?;
            }
            Source::Plain(renderer)
        };
        Ok(Self { source, what: args.what, background: args.background.to_array(), opacity: args.opacity })
    }

    /// The renderer (and network provider) in words.
    pub fn describe(&self) -> String {
        match &self.source {
            Source::Plain(r) | Source::Lifted(r) => r.describe(),
            Source::Live { segmenter, model } => {
                format!("{}; network on {}", segmenter.renderer.describe(), model.provider)
            }
        }
    }

    pub fn frame(&mut self, cam: &Camera) -> anyhow::Result<Image> {
        let (w, h) = (cam.width, cam.height);
        let (rgb8, classes, visible) = match &mut self.source {
            Source::Plain(renderer) => {
                let labels = matches!(self.what, What::Labels | What::LabelIds);
                let frame = renderer.render(cam, labels, self.background)?;
                let (channels, pixels) = encode(&frame, self.what);
                return Ok(Image { width: w, height: h, channels, pixels, visible: frame.stats.visible });
            }
            Source::Lifted(renderer) => {
                let frame = renderer.render(cam, true, self.background)?;
                let classes = super::lift_cmd::classes_of_label_map(&frame.labels);
                (frame.rgb8(), classes, frame.stats.visible)
            }
            Source::Live { segmenter, model } => {
                let view = segmenter.segment(model, cam, false).context("segmenting the view")?;
                (view.rgb8, view.prediction.classes, 0)
            }
        };
        let overlay = composite(&rgb8, &classes, self.opacity);
        let (width, pixels) = if self.what == What::SideBySide {
            (2 * w, grid_rgb(&[&rgb8, &overlay], 3, w as usize, h as usize, 2, 1))
        } else {
            (w, overlay)
        };
        Ok(Image { width, height: h, channels: 3, pixels, visible })
    }
}
