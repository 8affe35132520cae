//! Fusion-network errors: every message names the file or the fix.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::inference::InferenceError;

#[derive(Debug, Error)]
pub enum FusionError {
    #[error("ONNX Runtime is not available: {0}")]
    Runtime(String),
    #[error("{path}: {problem}")]
    Model { path: PathBuf, problem: String },
    #[error("ONNX Runtime failed while {doing}: {message}")]
    Inference { doing: &'static str, message: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// A frame that does not fit the model (wrong sizes, missing features).
    #[error("fusion input: {0}")]
    Input(String),
    /// The background worker is gone (its thread ended).
    #[error("the fusion worker has stopped")]
    WorkerStopped,
}

impl From<InferenceError> for FusionError {
    fn from(e: InferenceError) -> Self {
        match e {
            InferenceError::Runtime(m) => Self::Runtime(m),
            InferenceError::Model { path, problem } => Self::Model { path, problem },
            InferenceError::Inference { doing, message } => Self::Inference { doing, message },
            InferenceError::Io { path, source } => Self::Io { path, source },
        }
    }
}

impl FusionError {
    pub fn model(path: &Path, problem: impl Into<String>) -> Self {
        Self::Model { path: path.to_path_buf(), problem: problem.into() }
    }

    pub fn inference(doing: &'static str, e: impl std::fmt::Display) -> Self {
        Self::Inference { doing, message: e.to_string() }
    }
}
