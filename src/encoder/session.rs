//! The encoder's ONNX Runtime session: the shared [`crate::inference`] session checked
//! against the encoder's card, and its `[rows, feature_dim]` output.

use std::path::{Path, PathBuf};

use ort::session::Session;

use super::card::EncoderCard;
use super::error::EncoderError;
pub use crate::inference::{ExecutionChoice, InputTensor};
use crate::inference::{build_session, check_io_names, run_inputs};

/// An ONNX Runtime session of the encoder with its card.
pub struct EncoderSession {
    session: Session,
    /// The model card.
    pub card: EncoderCard,
    /// The ONNX file it was opened from.
    pub model_path: PathBuf,
    /// The execution provider actually in use, for messages and benchmarks.
    pub provider: String,
}

impl EncoderSession {
    /// Open `model` (an `.onnx` file with its card beside it as `.json`).
    pub fn open(model: &Path, choice: ExecutionChoice, threads: usize) -> Result<Self, EncoderError> {
        let bytes = read_model(model)?;
        let card = EncoderCard::load(&model.with_extension("json"))?;
        Self::from_parts(model, &bytes, card, choice, threads)
    }

    /// A session on model bytes already in memory (read once by callers that also hash them).
    pub fn from_parts(
        model: &Path,
        bytes: &[u8],
        card: EncoderCard,
        choice: ExecutionChoice,
        threads: usize,
    ) -> Result<Self, EncoderError> {
        let built = build_session(model, bytes, choice, threads, "encoder")?;
        check_io_names(&built.session, model, &card.inputs, &card.output)?;
        Ok(Self { session: built.session, card, model_path: model.to_path_buf(), provider: built.provider })
    }

    /// Run the graph; returns the `[rows, feature_dim]` output, row-major.
    pub fn run(&mut self, inputs: Vec<(String, InputTensor)>) -> Result<Vec<f32>, EncoderError> {
        let values = run_inputs(inputs)?;
        let dim = self.card.feature_dim;
        let outputs = self.session.run(values).map_err(|e| EncoderError::inference("running the encoder", e))?;
        let (shape, data) = outputs[0]
            .try_extract_tensor::<f32>()
            .map_err(|e| EncoderError::inference("reading the encoder output", e))?;
        if shape.len() != 2 || shape[1] as usize != dim {
            return Err(EncoderError::model(&self.model_path, format!("output shape {shape:?}, card says [N, {dim}]")));
        }
        Ok(data.to_vec())
    }
}

/// The model file's bytes; a missing file is named as such.
pub fn read_model(model: &Path) -> Result<Vec<u8>, EncoderError> {
    Ok(crate::inference::read_model(model)?)
}
