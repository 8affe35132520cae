//! Lifting in the viewer's background: once the encoder's features are ready, the fusion
//! network segments views of the scene on the CPU (one ONNX Runtime thread; the CPU reference
//! renderer, as `rtgs2 lift` on a machine without a GPU) and its predictions are fused onto
//! the Gaussians ([`crate::pipeline::lift()`]). The semantic view can then show them splatted
//! like the ground truth: no network in the frame loop, the same class from every view.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::fusion::{DeviceOptions, FusionCard, FusionError, FusionModel};
use crate::inference::ExecutionChoice;
use crate::pipeline::lift_cache::{LiftKey, lift_cache_path, lift_key_of_files, lift_through_cache};
use crate::pipeline::{LiftOptions, LiftedLabels, Renderer, SegmentError, Segmenter, lift, lift_views};
use crate::scene::{Camera, Scene};

/// Lifted labels and how long they took.
pub struct Lifted {
    /// Class and confidence per Gaussian.
    pub labels: std::sync::Arc<LiftedLabels>,
    /// Time lifting took, seconds.
    pub seconds: f64,
    /// Read from the lifted-label cache (`rtgs2 lift` or an earlier viewer session made them).
    pub from_cache: bool,
}

/// Why the viewer could not lift a scene (shown in its side panel).
#[derive(Debug, thiserror::Error)]
pub enum LiftJobError {
    /// No view could be placed (a scene without cameras and too few Gaussians to place any).
    #[error("no view to lift from: the scene has no cameras and too few Gaussians to place any")]
    NoViews,
    /// The fusion network would not open.
    #[error("opening {}: {source}", .path.display())]
    Open {
        /// The model file.
        path: PathBuf,
        /// What went wrong.
        source: FusionError,
    },
    /// A view could not be rendered or segmented.
    #[error(transparent)]
    Segment(#[from] SegmentError),
}

/// Lifts `scene` from views around `cameras` (or views generated for it when it has none) with
/// the fusion network at `model`, reading the encoder `features` (`dim` each, encoded at
/// `scene_scale` world units per metre); `progress(done, total)` hears after each view. Labels
/// already lifted with the same scene, cameras, networks, scale and options (by `rtgs2 lift`
/// with its defaults, or an earlier session) are read from the cache instead; fresh ones are
/// cached.
pub fn lift_in_background(
    scene: &Scene,
    cameras: &[Camera],
    features: (usize, Vec<f32>),
    scene_scale: f32,
    model: &Path,
    mut progress: impl FnMut(usize, usize),
) -> Result<Lifted, LiftJobError> {
    let started = Instant::now();
    // The card alone keys the cache, so labels lifted before come back without opening an
    // ONNX Runtime session; the network opens only when there is lifting to do.
    let card = FusionCard::load(&model.with_extension("json"))
        .map_err(|source| LiftJobError::Open { path: model.to_path_buf(), source })?;
    let options = LiftOptions::default();
    let cache = cache_target(scene, cameras, model, card.takes_features(), scene_scale, &options);
    let lift_all = || -> Result<(LiftedLabels, ()), LiftJobError> {
        let mut net = FusionModel::open_with(model, ExecutionChoice::Cpu, 1, DeviceOptions::default())
            .map_err(|source| LiftJobError::Open { path: model.to_path_buf(), source })?;
        let renderer = Renderer::Cpu { scene, features: net.card.takes_features().then_some(features) };
        let mut segmenter = Segmenter::new(renderer, &net, None)?;
        let (views, generated) = lift_views(scene, cameras, scene_scale, &options);
        if let Some(how) = generated {
            log::info!("the scene has no cameras: {} views {}", views.len(), how.describe());
        }
        if views.is_empty() {
            return Err(LiftJobError::NoViews);
        }
        let total = views.len();
        let (labels, _) = lift(&mut segmenter, &mut net, scene, &views, |done| progress(done, total))?;
        Ok((labels, ()))
    };
    let (labels, (), from_cache) = lift_through_cache(cache.as_ref(), scene.len(), true, lift_all, |note| {
        if note.is_warning() {
            log::warn!("{note}");
        } else {
            log::info!("{note}");
        }
    })?;
    Ok(Lifted { labels: std::sync::Arc::new(labels), seconds: started.elapsed().as_secs_f64(), from_cache })
}

/// Where the labels of `scene` lifted by the fusion network at `model` are cached: the feature
/// cache's folder, under the key `rtgs2 lift` uses (the viewer's encoder is the default one;
/// it is part of the key when the network `takes_features`). `None` when the model files
/// cannot be read for the key (logged; lifting still runs).
fn cache_target(
    scene: &Scene,
    cameras: &[Camera],
    model: &Path,
    takes_features: bool,
    scene_scale: f32,
    options: &LiftOptions,
) -> Option<(PathBuf, LiftKey)> {
    let encoder = crate::encoder::FeatureOptions::default();
    let dir = encoder.cache_dir?;
    let encoder_model = takes_features.then_some(encoder.model.as_path());
    match lift_key_of_files(scene, cameras, model, encoder_model, scene_scale, options) {
        Ok(key) => Some((lift_cache_path(&dir, &key), key)),
        Err(e) => {
            log::warn!("lifted labels will not be cached: {e}");
            None
        }
    }
}
