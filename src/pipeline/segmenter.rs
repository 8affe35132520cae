//! One view at a time: render the fusion network's inputs (with the ground-truth labels when
//! asked), predict, and hand back both.

use std::path::Path;

use super::features::{FeatureWidthMismatch, network_features};
use super::renderer::{Renderer, RendererError};
use crate::encoder::SceneFeatures;
use crate::fusion::{FusionError, FusionModel, Prediction};
use crate::render::gpu::pack::TensorRecipe;
use crate::scene::{Camera, Scene};

#[derive(Debug, thiserror::Error)]
/// Why a view could not be segmented.
pub enum SegmentError {
    #[error(transparent)]
    /// Rendering the view failed.
    Render(#[from] RendererError),
    #[error(transparent)]
    /// The network failed.
    Fusion(#[from] FusionError),
    #[error(transparent)]
    /// The encoder's features do not have the width the network reads.
    FeatureWidth(#[from] FeatureWidthMismatch),
}

/// A segmented view: the network's prediction, the ground truth when it was asked for (NYU40
/// id per pixel, else empty), the 8-bit render it saw, and the CPU's share of reading the
/// view back.
pub struct SegmentedView {
    /// The network's prediction.
    pub prediction: Prediction,
    /// Ground truth, NYU40 id per pixel; empty unless asked for.
    pub labels: Vec<u8>,
    /// The 8-bit RGB render the network saw, row-major.
    pub rgb8: Vec<u8>,
    /// The CPU's share of reading the view back, milliseconds.
    pub readback_ms: f64,
}

/// The encoder's features of a scene, with what a network that also reads gravity cues needs
/// to compute them (the scene and its cameras, which say where up is).
pub struct EncoderInput<'s> {
    /// The encoder model, named when its width does not fit the network.
    pub encoder: &'s Path,
    /// The features and the scale they were encoded at.
    pub features: SceneFeatures,
    /// The scene (for the gravity cues).
    pub scene: &'s Scene,
    /// Its cameras (they say where up is).
    pub cameras: &'s [Camera],
}

/// A scene's renderer with the encoder's features attached when the network reads them, and
/// the network's tensor recipe.
pub struct Segmenter<'a> {
    /// The renderer, with the features attached.
    pub renderer: Renderer<'a>,
    recipe: TensorRecipe,
}

impl<'a> Segmenter<'a> {
    /// `input`'s features are attached when `model` reads features, followed by the gravity
    /// cues when its card names them; pass `None` for an RGB-only network or a renderer that
    /// already holds them.
    pub fn new(
        mut renderer: Renderer<'a>,
        model: &FusionModel,
        input: Option<EncoderInput>,
    ) -> Result<Self, SegmentError> {
        if model.card.takes_features()
            && let Some(input) = input
        {
            let f = input.features;
            FeatureWidthMismatch::check(input.encoder, f.dim, &model.model_path, model.card.encoder_dim())?;
            let reads_cues = model.card.gravity_cues.is_some();
            let (dim, values) =
                network_features(reads_cues, f.dim, f.features, input.scene, input.cameras, f.scene_scale);
            renderer.set_features(dim, values)?;
        }
        Ok(Self { renderer, recipe: model.tensor_recipe().clone() })
    }

    /// Renders `camera` and segments it.
    pub fn segment(
        &mut self,
        model: &mut FusionModel,
        camera: &Camera,
        labels: bool,
    ) -> Result<SegmentedView, SegmentError> {
        let view = self.renderer.render_inputs(camera, labels, [0.0; 3], &self.recipe)?;
        let rgb8 = view.inputs.rgb8.clone();
        let prediction = model.predict(view.inputs)?;
        Ok(SegmentedView { prediction, labels: view.labels, rgb8, readback_ms: view.readback_ms })
    }

    /// The network's tensor recipe.
    pub fn recipe(&self) -> &TensorRecipe {
        &self.recipe
    }
}
