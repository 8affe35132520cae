//! Encoder errors: every message names the file or the fix.

use std::path::Path;

use thiserror::Error;

use crate::inference::InferenceError;

#[derive(Debug, Error)]
/// Why the scene encoder could not produce features.
pub enum EncoderError {
    /// Opening or running the model (ONNX Runtime missing, a bad model file, a failed run),
    /// with the shared inference layer's message.
    #[error(transparent)]
    Onnx(#[from] InferenceError),
    #[error("the scene has no Gaussians to encode")]
    /// The scene has no Gaussians.
    EmptyScene,
    #[error("scene scale {0} is not a positive number of world units per metre")]
    /// The scene scale (carried) is zero, negative or not finite.
    BadScale(f32),
    #[error(
        "Gaussian {index} has a non-finite {what}; load the scene through rtgs2's loader, which drops such Gaussians"
    )]
    /// A Gaussian has a NaN or infinite input value (scenes from the loader never do).
    NonFinite {
        /// Index of the Gaussian.
        index: usize,
        /// Which input: "position", "colour", "opacity" or "scale".
        what: &'static str,
    },
}

impl EncoderError {
    /// The model file at `path` is unusable; `problem` says how.
    pub fn model(path: &Path, problem: impl Into<String>) -> Self {
        InferenceError::model(path, problem).into()
    }

    /// Running the model failed while `doing` what is named.
    pub fn inference(doing: &'static str, e: impl std::fmt::Display) -> Self {
        InferenceError::inference(doing, e).into()
    }

    /// Reading the model file at `path` failed.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        InferenceError::Io { path: path.to_path_buf(), error: source }.into()
    }
}
