//! Fusion-network errors: every message names the file or the fix.

use std::path::Path;

use thiserror::Error;

use crate::inference::InferenceError;

#[derive(Debug, Error)]
/// Why the fusion network could not run or predict.
pub enum FusionError {
    /// Opening or running the model (ONNX Runtime missing, a bad model file, a failed run),
    /// with the shared inference layer's message.
    #[error(transparent)]
    Onnx(#[from] InferenceError),
    /// A frame that does not fit the model (wrong sizes, missing features).
    #[error("fusion input: {0}")]
    Input(String),
    /// The background worker is gone (its thread ended).
    #[error("the fusion worker has stopped")]
    WorkerStopped,
}

impl FusionError {
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
