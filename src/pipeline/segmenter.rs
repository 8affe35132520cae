//! One view at a time: render the fusion network's inputs (with the ground-truth labels when
//! asked), predict, and hand back both.

use super::features::FeatureWidthMismatch;
use super::renderer::{Renderer, RendererError};
use crate::encoder::SceneFeatures;
use crate::fusion::{FusionError, FusionModel, Prediction};
use crate::render::gpu::pack::TensorRecipe;
use crate::scene::Camera;

#[derive(Debug, thiserror::Error)]
pub enum SegmentError {
    #[error(transparent)]
    Render(#[from] RendererError),
    #[error(transparent)]
    Fusion(#[from] FusionError),
    #[error(transparent)]
    FeatureWidth(#[from] FeatureWidthMismatch),
}

/// A segmented view: the network's prediction, the ground truth when it was asked for (NYU40
/// id per pixel, else empty), the 8-bit render it saw, and the CPU's share of reading the
/// view back.
pub struct SegmentedView {
    pub prediction: Prediction,
    pub labels: Vec<u8>,
    pub rgb8: Vec<u8>,
    pub readback_ms: f64,
}

/// A scene's renderer with the encoder's features attached when the network reads them, and
/// the network's tensor recipe.
pub struct Segmenter<'a> {
    pub renderer: Renderer<'a>,
    recipe: TensorRecipe,
}

impl<'a> Segmenter<'a> {
    /// `features` (with the encoder's model path, for the message when widths differ) are
    /// attached when `model` reads features; pass `None` for an RGB-only network.
    pub fn new(
        mut renderer: Renderer<'a>,
        model: &FusionModel,
        features: Option<(&std::path::Path, SceneFeatures)>,
    ) -> Result<Self, SegmentError> {
        if model.card.takes_features()
            && let Some((encoder, f)) = features
        {
            FeatureWidthMismatch::check(encoder, f.dim, &model.model_path, model.card.feature_dim)?;
            renderer.set_features(f.dim, f.features)?;
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

    pub fn recipe(&self) -> &TensorRecipe {
        &self.recipe
    }
}
