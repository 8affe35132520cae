//! Command-line options shared by every command that needs per-Gaussian encoder features, and
//! the ONNX Runtime options every network command takes.

use std::path::PathBuf;

use clap::Args;

use crate::encoder::{
    DEFAULT_MAX_VOXELS, ExecutionChoice, FeatureOptions, SceneFeatures, SceneScale, default_cache_dir,
};
use crate::scene::LoadedScene;

#[derive(Args, Debug, Clone)]
pub struct EncoderArgs {
    /// Encoder model (.onnx with its .json card beside it) [default: the shipped models/encoder.onnx].
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// World units per metre of the scene, `auto` to estimate it from the room's height
    /// (splats from photos have no metric scale; the encoder's grid is metric), or `recorded`
    /// for the units `import` recorded.
    #[arg(long, default_value = "auto", allow_negative_numbers = true)]
    pub scene_scale: SceneScale,
    #[command(flatten)]
    pub cache: FeatureCacheArgs,
    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

/// Where encoder features are cached and when they are recomputed.
#[derive(Args, Debug, Clone)]
pub struct FeatureCacheArgs {
    /// Feature cache folder [default: the user cache directory, rtgs2/features].
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// Neither read nor write the feature cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Recompute the features even when a valid cache exists (and replace it).
    #[arg(long)]
    pub force: bool,
    /// Voxels per encoder pass; larger scenes are encoded in spatial chunks.
    #[arg(long, default_value_t = DEFAULT_MAX_VOXELS)]
    pub max_voxels: usize,
}

/// ONNX Runtime's execution provider and threads.
#[derive(Args, Debug, Clone)]
pub struct RuntimeArgs {
    /// ONNX Runtime execution provider.
    #[arg(long, value_enum, default_value = "auto")]
    pub ep: ExecutionChoice,
    /// ONNX Runtime threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

impl EncoderArgs {
    pub fn model_path(&self) -> PathBuf {
        self.model.clone().unwrap_or_else(crate::encoder::default_model_path)
    }

    /// The options for encoding at `scene_scale` ([`crate::encoder::resolve_scale`]).
    pub fn options(&self, progress: bool, scene_scale: f32) -> FeatureOptions {
        FeatureOptions {
            model: self.model_path(),
            cache_dir: (!self.cache.no_cache).then(|| self.cache.cache_dir.clone().unwrap_or_else(default_cache_dir)),
            force: self.cache.force,
            provider: self.runtime.ep,
            threads: self.runtime.threads,
            max_voxels: self.cache.max_voxels,
            progress,
            scene_scale,
            up: None,
        }
    }

    /// Features for a loaded scene, printing cache warnings.
    pub fn features(&self, loaded: &LoadedScene, progress: bool) -> anyhow::Result<SceneFeatures> {
        let scaled = crate::pipeline::features_for(loaded, self.scene_scale, self.options(progress, 1.0))
            .map_err(|e| anyhow::anyhow!("encoding {}: {e}", loaded.source.display()))?;
        eprintln!("note: {}: {}", loaded.source.display(), scaled.scale_note);
        let feats = scaled.features;
        for w in &feats.warnings {
            eprintln!("warning: {w}");
        }
        Ok(feats)
    }
}
