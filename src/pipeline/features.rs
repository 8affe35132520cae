//! The encoder's per-Gaussian features for a loaded scene at the scale it should be encoded
//! at, and the check that a fusion network reads features of that width.

use std::path::{Path, PathBuf};

use crate::encoder::{EncoderError, FeatureOptions, SceneFeatures, SceneScale, resolve_scale};
use crate::scene::gravity::{GRAVITY_CHANNELS, gravity_cues, gravity_frame};
use crate::scene::{Camera, LoadedScene, Scene};

/// Features and the line saying which scene scale they were computed at (for the user).
pub struct ScaledFeatures {
    /// The features and what they cost.
    pub features: SceneFeatures,
    /// One line saying which scene scale they were computed at and why.
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
    let up =
        options.up.or_else(|| crate::encoder::upright::up_for_model(&options.model, &loaded.scene, &loaded.cameras));
    let features = crate::encoder::scene_features(&loaded.scene, &FeatureOptions { scene_scale, up, ..options })?;
    let scale_note = match features.levelled_up {
        Some(u) => format!("{scale_note}; levelled for the upright encoder (up {:.3} {:.3} {:.3})", u.x, u.y, u.z),
        None => scale_note,
    };
    Ok(ScaledFeatures { features, scale_note })
}

/// `features` (the encoder's, `dim` per Gaussian) with the scene's gravity cues appended to
/// each Gaussian's ([`crate::scene::gravity`]): what a fusion network whose card names them
/// reads. Heights are in metres at `units_per_metre` (the scale the features were encoded at,
/// so both agree on what a metre is). A scene too small to find a floor gets zero cues.
pub fn with_gravity_cues(
    dim: usize,
    features: &[f32],
    scene: &Scene,
    cameras: &[Camera],
    units_per_metre: f32,
) -> (usize, Vec<f32>) {
    let cues = match gravity_frame(scene, cameras) {
        Some(frame) => gravity_cues(scene, &frame, units_per_metre),
        None => vec![0.0; scene.len() * GRAVITY_CHANNELS],
    };
    if dim == 0 {
        return (GRAVITY_CHANNELS, cues);
    }
    let wide = dim + GRAVITY_CHANNELS;
    let mut out = Vec::with_capacity(scene.len() * wide);
    for (f, c) in features.chunks_exact(dim).zip(cues.chunks_exact(GRAVITY_CHANNELS)) {
        out.extend_from_slice(f);
        out.extend_from_slice(c);
    }
    (wide, out)
}

/// What a fusion network reads per Gaussian: the encoder's `features` as they are, or with
/// the gravity cues appended ([`with_gravity_cues`]) when its card names them (`reads_cues`).
pub fn network_features(
    reads_cues: bool,
    dim: usize,
    features: Vec<f32>,
    scene: &Scene,
    cameras: &[Camera],
    units_per_metre: f32,
) -> (usize, Vec<f32>) {
    if reads_cues { with_gravity_cues(dim, &features, scene, cameras, units_per_metre) } else { (dim, features) }
}

/// The encoder gives features of another width than the fusion network reads.
#[derive(Debug, thiserror::Error)]
#[error("the encoder {} gives {encoder_dim}-d features, but {} reads {fusion_dim}", .encoder.display(), .fusion.display())]
pub struct FeatureWidthMismatch {
    /// The encoder model.
    pub encoder: PathBuf,
    /// Width of its features.
    pub encoder_dim: usize,
    /// The fusion model.
    pub fusion: PathBuf,
    /// Encoder channels the fusion network reads.
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
    fn gravity_cues_follow_each_gaussians_features() {
        let mut scene = Scene::with_capacity(0, 0);
        for i in 0..200 {
            let (x, z) = ((i % 20) as f32 * 0.2, if i < 100 { 0.0 } else { (i - 100) as f32 * 0.025 });
            scene.positions.push([x, (i / 20 % 5) as f32 * 0.2, z]);
            scene.log_scales.push([-4.0, -3.0, -3.0]);
            scene.rotations.push([1.0, 0.0, 0.0, 0.0]);
            scene.opacity_logits.push(1.0);
            scene.sh.extend_from_slice(&[0.0; 3]);
        }
        let features: Vec<f32> = (0..200 * 3).map(|v| v as f32).collect();
        let (dim, wide) = with_gravity_cues(3, &features, &scene, &[], 1.0);
        assert_eq!(dim, 3 + GRAVITY_CHANNELS);
        assert_eq!(wide.len(), 200 * dim);
        for (i, row) in wide.chunks_exact(dim).enumerate() {
            assert_eq!(&row[..3], &features[i * 3..i * 3 + 3], "Gaussian {i}'s features moved");
        }
        let frame = gravity_frame(&scene, &[]).expect("enough centres");
        let cues = gravity_cues(&scene, &frame, 1.0);
        assert_eq!(&wide[dim - GRAVITY_CHANNELS..dim], &cues[..GRAVITY_CHANNELS]);
    }

    #[test]
    fn a_width_mismatch_names_both_models_and_widths() {
        assert!(FeatureWidthMismatch::check(Path::new("e.onnx"), 32, Path::new("f.onnx"), 32).is_ok());
        let err = FeatureWidthMismatch::check(Path::new("m/e.onnx"), 16, Path::new("m/f.onnx"), 32)
            .expect_err("16 against 32")
            .to_string();
        assert_eq!(err, "the encoder m/e.onnx gives 16-d features, but m/f.onnx reads 32");
    }
}
