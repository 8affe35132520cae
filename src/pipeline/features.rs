//! The encoder's per-Gaussian features for a loaded scene at the scale it should be encoded
//! at, and the check that a fusion network reads features of that width.

use std::path::{Path, PathBuf};

use crate::encoder::{EncoderError, FeatureOptions, SceneFeatures, SceneScale, resolve_scale};
use crate::scene::LoadedScene;

/// Features and the line saying which scene scale they were computed at (for the user).
pub struct ScaledFeatures {
    pub features: SceneFeatures,
    pub scale_note: String,
}

/// Features of `loaded` (cache or encoder), encoded at the scale `choice` resolves to: given,
/// recorded by `rtgs2 import`, or estimated. `options.scene_scale` is replaced by it.
pub fn features_for(
    loaded: &LoadedScene,
    choice: SceneScale,
    options: FeatureOptions,
) -> Result<ScaledFeatures, EncoderError> {
    let (scene_scale, scale_note) = resolve_scale(&loaded.scene, &loaded.cameras, loaded.recorded_scale, choice);
    let features = crate::encoder::scene_features(&loaded.scene, &FeatureOptions { scene_scale, ..options })?;
    Ok(ScaledFeatures { features, scale_note })
}

/// The encoder gives features of another width than the fusion network reads.
#[derive(Debug, thiserror::Error)]
#[error("the encoder {} gives {encoder_dim}-d features, but {} reads {fusion_dim}", .encoder.display(), .fusion.display())]
pub struct FeatureWidthMismatch {
    pub encoder: PathBuf,
    pub encoder_dim: usize,
    pub fusion: PathBuf,
    pub fusion_dim: usize,
}

impl FeatureWidthMismatch {
    /// `Err` unless the widths agree.
    pub fn check(encoder: &Path, encoder_dim: usize, fusion: &Path, fusion_dim: usize) -> Result<(), Self> {
        if encoder_dim == fusion_dim {
            return Ok(());
        }
        Err(Self { encoder: encoder.to_path_buf(), encoder_dim, fusion: fusion.to_path_buf(), fusion_dim })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_width_mismatch_names_both_models_and_widths() {
        assert!(FeatureWidthMismatch::check(Path::new("e.onnx"), 32, Path::new("f.onnx"), 32).is_ok());
        let err = FeatureWidthMismatch::check(Path::new("m/e.onnx"), 16, Path::new("m/f.onnx"), 32)
            .expect_err("16 against 32")
            .to_string();
        assert_eq!(err, "the encoder m/e.onnx gives 16-d features, but m/f.onnx reads 32");
    }
}
