//! An ONNX Runtime session on model bytes, with execution-provider choice and fallback, and
//! the conversion of named tensors into session inputs.

use std::borrow::Cow;
use std::path::Path;

use ort::ep::{self, ExecutionProvider};
use ort::error::ErrorCode;
use ort::session::builder::{GraphOptimizationLevel, SessionBuilder};
use ort::session::{Session, SessionInputValue};
use ort::value::Tensor;

use super::error::InferenceError;
use super::runtime;

/// Which execution provider to ask for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ExecutionChoice {
    /// TensorRT, then CUDA, then CPU: the first this ONNX Runtime build offers.
    #[default]
    Auto,
    /// The CPU provider only.
    Cpu,
    /// CUDA only (an error if this ONNX Runtime build lacks it).
    Cuda,
    /// TensorRT only (an error if this ONNX Runtime build lacks it).
    Tensorrt,
}

/// A named input tensor, owned, ready for a run.
pub enum InputTensor {
    /// A float tensor.
    F32 {
        /// Length of each axis.
        shape: Vec<usize>,
        /// Values in row-major order.
        data: Vec<f32>,
    },
    /// An int64 tensor (the encoder's index tables).
    I64 {
        /// Length of each axis.
        shape: Vec<usize>,
        /// Values in row-major order.
        data: Vec<i64>,
    },
}

/// A committed session and the provider it runs on.
pub struct BuiltSession {
    /// The ONNX Runtime session.
    pub session: Session,
    /// The provider in use, as a choice (never `Auto`): what a companion session must run on.
    pub choice: ExecutionChoice,
    /// The execution provider actually in use, for messages and benchmarks.
    pub provider: String,
    /// Why each provider tried before the one in use was refused (empty when the first
    /// candidate worked), so callers can say why they fell back.
    pub fallbacks: Vec<String>,
}

/// The model file's bytes; a missing file is named as such.
pub fn read_model(model: &Path) -> Result<Vec<u8>, InferenceError> {
    std::fs::read(model).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => InferenceError::model(
            model,
            match crate::util::model_search_note(model) {
                Some(note) => format!("model file not found ({note})"),
                None => "model file not found".into(),
            },
        ),
        _ => InferenceError::Io { path: model.to_path_buf(), error: source },
    })
}

/// A session on `bytes` (the ONNX model read from `model`) on the chosen provider. `Auto`
/// tries TensorRT, CUDA, then CPU; an explicit choice that fails is an error (no silent
/// fallback). A file ONNX Runtime cannot parse is an error naming it, at once: no provider
/// would take it. `what` names the network in the fallback log line. `threads` 0 leaves ONNX
/// Runtime's default (all cores).
pub fn build_session(
    model: &Path,
    bytes: &[u8],
    choice: ExecutionChoice,
    threads: usize,
    what: &str,
) -> Result<BuiltSession, InferenceError> {
    let env = runtime::environment()?;
    let candidates = match choice {
        ExecutionChoice::Auto => vec![ExecutionChoice::Tensorrt, ExecutionChoice::Cuda, ExecutionChoice::Cpu],
        only => vec![only],
    };
    let mut refusals = Vec::new();
    for candidate in candidates {
        match try_provider(&env, bytes, candidate, threads) {
            Ok(session) => {
                if !refusals.is_empty() && choice == ExecutionChoice::Auto && candidate == ExecutionChoice::Cpu {
                    log::info!("{what} on CPU ({})", refusals.join("; "));
                }
                return Ok(BuiltSession {
                    session,
                    choice: candidate,
                    provider: provider_name(candidate).to_string(),
                    fallbacks: refusals,
                });
            }
            Err(Refusal::Model(why)) => {
                return Err(InferenceError::model(model, format!("not a valid ONNX model ({why})")));
            }
            Err(Refusal::Provider(why)) if choice == ExecutionChoice::Auto && candidate != ExecutionChoice::Cpu => {
                refusals.push(format!("{}: {why}", provider_name(candidate)))
            }
            Err(Refusal::Provider(why)) => {
                return Err(InferenceError::Runtime(format!(
                    "{} execution provider: {why}{}",
                    provider_name(candidate),
                    if candidate == ExecutionChoice::Cpu { "" } else { " (try --ep auto or --ep cpu)" }
                )));
            }
        }
    }
    unreachable!("the candidate list always ends with the CPU provider")
}

/// A session on a graph built in memory with ONNX Runtime's model editor, on exactly the
/// provider `choice` (a companion of a [`build_session`] session, on the provider that one got).
pub fn build_model_session(
    model: ort::editor::Model,
    choice: ExecutionChoice,
    threads: usize,
    what: &str,
) -> Result<Session, InferenceError> {
    let env = runtime::environment()?;
    let fail = |why: String| InferenceError::Runtime(format!("{what} on {}: {why}", provider_name(choice)));
    let builder = session_builder(&env, choice, threads).map_err(fail)?;
    model.into_session(&builder).map_err(|e| fail(e.to_string()))
}

/// The session's real input and output names must be the ones its card promises: a model
/// exported from another recipe is refused here rather than failing mid-run.
pub fn check_io_names(session: &Session, model: &Path, inputs: &[String], output: &str) -> Result<(), InferenceError> {
    let actual: Vec<&str> = session.inputs().iter().map(|o| o.name()).collect();
    if actual != inputs.iter().map(String::as_str).collect::<Vec<_>>() {
        return Err(InferenceError::model(model, format!("its inputs {actual:?} do not match its card's {inputs:?}")));
    }
    if session.outputs().first().map(|o| o.name()) != Some(output) {
        return Err(InferenceError::model(model, format!("it has no output {output:?} as its card says")));
    }
    Ok(())
}

/// Named tensors as the session's run arguments, as ONNX Runtime values in host memory (their
/// data moved, not copied).
pub fn run_inputs(inputs: Vec<(String, InputTensor)>) -> Result<Vec<RunInput>, InferenceError> {
    let fail = |e: ort::Error| InferenceError::inference("creating an input", e);
    inputs
        .into_iter()
        .map(|(name, tensor)| {
            let value = match tensor {
                InputTensor::F32 { shape, data } => Tensor::from_array((shape, data)).map_err(fail)?.into_dyn(),
                InputTensor::I64 { shape, data } => Tensor::from_array((shape, data)).map_err(fail)?.into_dyn(),
            };
            Ok((Cow::Owned(name), value.into()))
        })
        .collect()
}

/// A named run argument.
pub type RunInput = (Cow<'static, str>, SessionInputValue<'static>);

fn provider_name(choice: ExecutionChoice) -> &'static str {
    match choice {
        ExecutionChoice::Auto | ExecutionChoice::Cpu => "CPU",
        ExecutionChoice::Cuda => "CUDA",
        ExecutionChoice::Tensorrt => "TensorRT",
    }
}

/// Why a provider gave no session: the provider (or the runtime) refused, or the model bytes
/// are no ONNX model at all, which no other provider would change.
enum Refusal {
    Provider(String),
    Model(String),
}

fn try_provider(
    env: &ort::environment::Environment,
    model: &[u8],
    choice: ExecutionChoice,
    threads: usize,
) -> Result<Session, Refusal> {
    let available = match choice {
        ExecutionChoice::Cuda => ep::CUDA::is_available(),
        ExecutionChoice::Tensorrt => ep::TensorRT::is_available(),
        _ => Ok(true),
    };
    if !available.unwrap_or(false) {
        return Err(Refusal::Provider(format!("not offered by the loaded ONNX Runtime ({})", runtime_label())));
    }
    let mut builder = session_builder(env, choice, threads).map_err(Refusal::Provider)?;
    builder.commit_from_memory(model).map_err(|e| match e.code() {
        ErrorCode::InvalidProtobuf | ErrorCode::InvalidGraph | ErrorCode::NoModel => {
            Refusal::Model(format!("ONNX Runtime cannot parse it: {e}"))
        }
        _ => Refusal::Provider(e.to_string()),
    })
}

/// Session options for `choice`: full graph optimisation, the thread count, the provider.
fn session_builder(
    env: &ort::environment::Environment,
    choice: ExecutionChoice,
    threads: usize,
) -> Result<SessionBuilder, String> {
    let mut builder = Session::builder(env).map_err(|e| e.to_string())?;
    builder = builder.with_optimization_level(GraphOptimizationLevel::All).map_err(|e| e.to_string())?;
    if threads > 0 {
        builder = builder.with_intra_threads(threads).map_err(|e| e.to_string())?;
    }
    if matches!(choice, ExecutionChoice::Cpu) {
        // ONNX Runtime's idle pool threads spin for a while after each run, which suits a
        // process that only runs networks. Here the renderer, the classification (rayon) and the
        // viewer run beside them. Measured with `bench segment` at 640x480 on a 16-core host:
        // without spinning the network alone is 25 % slower (38.6 -> 49 ms) but classification
        // 2.5x faster (27.5 -> 11 ms), one frame after another +10 % FPS and with the network
        // on its worker +30 % (29 -> 37.5); on 2 cores at 320x240, +15 % with the worker.
        builder = builder.with_intra_op_spinning(false).map_err(|e| e.to_string())?;
    }
    match choice {
        ExecutionChoice::Cuda => builder.with_execution_providers([ep::CUDA::default().build().error_on_failure()]),
        ExecutionChoice::Tensorrt => {
            builder.with_execution_providers([ep::TensorRT::default().build().error_on_failure()])
        }
        _ => Ok(builder),
    }
    .map_err(|e| e.to_string())
}

fn runtime_label() -> String {
    runtime::library_path().map(|p| p.display().to_string()).unwrap_or_else(|e| e.to_string())
}
