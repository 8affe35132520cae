//! Errors of the shared ONNX Runtime layer. Each network's own error type wraps this one
//! whole (`#[error(transparent)]`), so its messages read the same for both networks.

use std::path::{Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Error)]
/// Why ONNX Runtime could not load or run a network; shared by the encoder and the fusion network.
pub enum InferenceError {
    #[error("ONNX Runtime is not available: {0}")]
    /// The ONNX Runtime library could not be found, fetched or loaded; the text says why.
    Runtime(String),
    #[error("{path}: {problem}")]
    /// A model file (or its card) is unusable.
    Model {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// ONNX Runtime reported an error.
    #[error("ONNX Runtime failed while {doing}: {message}")]
    Inference {
        /// What was being done ("running the encoder", ...).
        doing: &'static str,
        /// ONNX Runtime's message.
        message: String,
    },
    /// The OS message is in the text and not also a `source`: anyhow's `{:#}` would print it twice.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system reported.
        error: std::io::Error,
    },
}

impl InferenceError {
    /// The model file at `path` is unusable; `problem` says how.
    pub fn model(path: &Path, problem: impl Into<String>) -> Self {
        Self::Model { path: path.to_path_buf(), problem: problem.into() }
    }

    /// Running the model failed while `doing` what is named.
    pub fn inference(doing: &'static str, e: impl std::fmt::Display) -> Self {
        Self::Inference { doing, message: e.to_string() }
    }
}
