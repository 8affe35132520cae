//! Encoder errors: every message names the file or the fix.

use std::path::Path;

use thiserror::Error;

use crate::inference::InferenceError;

#[derive(Debug, Error)]
pub enum EncoderError {
    /// Opening or running the model (ONNX Runtime missing, a bad model file, a failed run),
    /// with the shared inference layer's message.
    #[error(transparent)]
    Onnx(#[from] InferenceError),
    #[error("the scene has no Gaussians to encode")]
    EmptyScene,
    #[error("scene scale {0} is not a positive number of world units per metre")]
    BadScale(f32),
    #[error(
        "Gaussian {index} has a non-finite {what}; load the scene through rtgs2's loader, which drops such Gaussians"
    )]
    NonFinite { index: usize, what: &'static str },
}

impl EncoderError {
    pub fn model(path: &Path, problem: impl Into<String>) -> Self {
        InferenceError::model(path, problem).into()
    }

    pub fn inference(doing: &'static str, e: impl std::fmt::Display) -> Self {
        InferenceError::inference(doing, e).into()
    }

    pub fn io(path: &Path, source: std::io::Error) -> Self {
        InferenceError::Io { path: path.to_path_buf(), error: source }.into()
    }
}
