//! Errors of the shared ONNX Runtime layer. Each network's own error type wraps this one
//! whole (`#[error(transparent)]`), so its messages read the same for both networks.

use std::path::{Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum InferenceError {
    #[error("ONNX Runtime is not available: {0}")]
    Runtime(String),
    #[error("{path}: {problem}")]
    Model { path: PathBuf, problem: String },
    #[error("ONNX Runtime failed while {doing}: {message}")]
    Inference { doing: &'static str, message: String },
    /// The OS message is in the text and not also a `source`: anyhow's `{:#}` would print it twice.
    #[error("{path}: {error}")]
    Io { path: PathBuf, error: std::io::Error },
}

impl InferenceError {
    pub fn model(path: &Path, problem: impl Into<String>) -> Self {
        Self::Model { path: path.to_path_buf(), problem: problem.into() }
    }

    pub fn inference(doing: &'static str, e: impl std::fmt::Display) -> Self {
        Self::Inference { doing, message: e.to_string() }
    }
}
