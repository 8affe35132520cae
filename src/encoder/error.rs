//! Encoder errors: every message names the file or the fix.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum EncoderError {
    #[error("ONNX Runtime is not available: {0}")]
    Runtime(String),
    #[error("{path}: {problem}")]
    Model { path: PathBuf, problem: String },
    #[error("ONNX Runtime failed while {doing}: {message}")]
    Inference { doing: &'static str, message: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the scene has no Gaussians to encode")]
    EmptyScene,
    #[error(
        "Gaussian {index} has a non-finite {what}; load the scene through rtgs2's loader, which drops such Gaussians"
    )]
    NonFinite { index: usize, what: &'static str },
}

/// The shared ONNX Runtime layer's errors keep the messages the encoder always gave.
impl From<crate::inference::InferenceError> for EncoderError {
    fn from(e: crate::inference::InferenceError) -> Self {
        use crate::inference::InferenceError as I;
        match e {
            I::Runtime(m) => Self::Runtime(m),
            I::Model { path, problem } => Self::Model { path, problem },
            I::Inference { doing, message } => Self::Inference { doing, message },
            I::Io { path, source } => Self::Io { path, source },
        }
    }
}

impl EncoderError {
    pub fn model(path: &std::path::Path, problem: impl Into<String>) -> Self {
        Self::Model { path: path.to_path_buf(), problem: problem.into() }
    }

    pub fn inference(doing: &'static str, e: impl std::fmt::Display) -> Self {
        Self::Inference { doing, message: e.to_string() }
    }
}
