//! An ONNX Runtime session for the encoder, with execution-provider choice and fallback.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use ort::ep::{self, ExecutionProvider};
use ort::session::{Session, SessionInputValue, builder::GraphOptimizationLevel};
use ort::value::Tensor;

use super::card::EncoderCard;
use super::error::EncoderError;
use super::runtime;

/// Which execution provider to ask for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ExecutionChoice {
    /// TensorRT, then CUDA, then CPU: the first this ONNX Runtime build offers.
    #[default]
    Auto,
    Cpu,
    Cuda,
    Tensorrt,
}

/// A named input tensor, borrowed or owned, ready for a run.
pub enum InputTensor {
    F32 { shape: Vec<usize>, data: Vec<f32> },
    I64 { shape: Vec<usize>, data: Vec<i64> },
}

pub struct EncoderSession {
    session: Session,
    pub card: EncoderCard,
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
        let env = runtime::environment()?;
        let (session, provider) = build_session(&env, bytes, choice, threads)?;
        let inputs: Vec<&str> = session.inputs().iter().map(|o| o.name()).collect();
        if inputs != card.inputs.iter().map(String::as_str).collect::<Vec<_>>() {
            return Err(EncoderError::model(
                model,
                format!("its inputs {inputs:?} do not match its card's {:?}", card.inputs),
            ));
        }
        if session.outputs().first().map(|o| o.name()) != Some(card.output.as_str()) {
            return Err(EncoderError::model(model, format!("it has no output {:?} as its card says", card.output)));
        }
        Ok(Self { session, card, model_path: model.to_path_buf(), provider })
    }

    /// Run the graph; returns the `[rows, feature_dim]` output, row-major.
    pub fn run(&mut self, inputs: Vec<(String, InputTensor)>) -> Result<Vec<f32>, EncoderError> {
        let mut values: Vec<(Cow<'_, str>, SessionInputValue<'_>)> = Vec::with_capacity(inputs.len());
        for (name, t) in inputs {
            let value: SessionInputValue<'_> = match t {
                InputTensor::F32 { shape, data } => Tensor::from_array((shape, data))
                    .map_err(|e| EncoderError::inference("creating an input", e))?
                    .into(),
                InputTensor::I64 { shape, data } => Tensor::from_array((shape, data))
                    .map_err(|e| EncoderError::inference("creating an input", e))?
                    .into(),
            };
            values.push((Cow::Owned(name), value));
        }
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
    std::fs::read(model).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => EncoderError::model(model, "model file not found"),
        _ => EncoderError::Io { path: model.to_path_buf(), source },
    })
}

fn build_session(
    env: &ort::environment::Environment,
    model: &[u8],
    choice: ExecutionChoice,
    threads: usize,
) -> Result<(Session, String), EncoderError> {
    let candidates = match choice {
        ExecutionChoice::Auto => vec![ExecutionChoice::Tensorrt, ExecutionChoice::Cuda, ExecutionChoice::Cpu],
        only => vec![only],
    };
    let mut refusals = Vec::new();
    for candidate in candidates {
        match try_provider(env, model, candidate, threads) {
            Ok(session) => {
                if !refusals.is_empty() && choice == ExecutionChoice::Auto && candidate == ExecutionChoice::Cpu {
                    log::info!("encoder on CPU ({})", refusals.join("; "));
                }
                return Ok((session, provider_name(candidate).to_string()));
            }
            Err(why) if choice == ExecutionChoice::Auto && candidate != ExecutionChoice::Cpu => refusals.push(why),
            Err(why) => {
                return Err(EncoderError::Runtime(format!(
                    "{} execution provider: {why}{}",
                    provider_name(candidate),
                    if candidate == ExecutionChoice::Cpu { "" } else { " (try --ep auto or --ep cpu)" }
                )));
            }
        }
    }
    unreachable!("the candidate list always ends with the CPU provider")
}

fn provider_name(choice: ExecutionChoice) -> &'static str {
    match choice {
        ExecutionChoice::Auto | ExecutionChoice::Cpu => "CPU",
        ExecutionChoice::Cuda => "CUDA",
        ExecutionChoice::Tensorrt => "TensorRT",
    }
}

fn try_provider(
    env: &ort::environment::Environment,
    model: &[u8],
    choice: ExecutionChoice,
    threads: usize,
) -> Result<Session, String> {
    let available = match choice {
        ExecutionChoice::Cuda => ep::CUDA::is_available(),
        ExecutionChoice::Tensorrt => ep::TensorRT::is_available(),
        _ => Ok(true),
    };
    if !available.unwrap_or(false) {
        return Err(format!("not offered by the loaded ONNX Runtime ({})", runtime_label()));
    }
    let mut builder = Session::builder(env).map_err(|e| e.to_string())?;
    builder = builder.with_optimization_level(GraphOptimizationLevel::All).map_err(|e| e.to_string())?;
    if threads > 0 {
        builder = builder.with_intra_threads(threads).map_err(|e| e.to_string())?;
    }
    builder = match choice {
        ExecutionChoice::Cuda => builder.with_execution_providers([ep::CUDA::default().build().error_on_failure()]),
        ExecutionChoice::Tensorrt => {
            builder.with_execution_providers([ep::TensorRT::default().build().error_on_failure()])
        }
        _ => Ok(builder),
    }
    .map_err(|e| e.to_string())?;
    builder.commit_from_memory(model).map_err(|e| e.to_string())
}

fn runtime_label() -> String {
    runtime::library_path().map(|p| p.display().to_string()).unwrap_or_else(|e| e.to_string())
}
