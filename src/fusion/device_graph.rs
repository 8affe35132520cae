//! What the network's companion graphs (the f16 input cast and the per-pixel head) share:
//! the provider they run on beside the network, the memory they exchange values in, and
//! tensor types of any size for their inputs and outputs.

use ort::editor::Model;
use ort::memory::{AllocationDevice, AllocatorType, MemoryInfo, MemoryType};
use ort::session::Session;
use ort::value::{Shape, SymbolicDimensions, TensorElementType, ValueType};

use crate::inference::{ExecutionChoice, InferenceError, build_model_session};

/// ONNX opset of the companion graphs (the head's ReduceMax takes its axes as an input from
/// 18 on).
pub const OPSET: u32 = 18;

/// A companion graph's session beside a network on `provider` (`companion_of`), and the
/// device memory it exchanges values in with the network. `what` names the graph in errors.
pub fn companion_session(
    model: ort::Result<Model>,
    provider: ExecutionChoice,
    threads: usize,
    what: &str,
) -> Result<(Session, MemoryInfo<'static>), InferenceError> {
    let model = model.map_err(|e| InferenceError::Runtime(format!("building {what}: {e}")))?;
    let (companion, device) = companion_of(provider);
    let session = build_model_session(model, companion, threads, what)?;
    Ok((session, device_memory(device, what)?))
}

/// The provider a companion graph runs on beside a network on `provider`, and the memory
/// the two exchange values in. TensorRT leaves values in CUDA memory; the small companion
/// graphs run on the CUDA provider (TensorRT would hand casts back to the CPU).
fn companion_of(provider: ExecutionChoice) -> (ExecutionChoice, AllocationDevice<'static>) {
    match provider {
        ExecutionChoice::Cuda | ExecutionChoice::Tensorrt => (ExecutionChoice::Cuda, AllocationDevice::CUDA),
        ExecutionChoice::Cpu | ExecutionChoice::Auto => (ExecutionChoice::Cpu, AllocationDevice::CPU),
    }
}

/// Device memory of `device` (id 0), where an IoBinding leaves an output for the next graph.
fn device_memory(device: AllocationDevice<'static>, what: &str) -> Result<MemoryInfo<'static>, InferenceError> {
    MemoryInfo::new(device, 0, AllocatorType::Device, MemoryType::Default)
        .map_err(|e| InferenceError::Runtime(format!("{what}'s memory: {e}")))
}

/// A tensor of element type `ty` whose dimensions, named `dims`, take any size.
pub fn any_size(ty: TensorElementType, dims: &[&str]) -> ValueType {
    ValueType::Tensor {
        ty,
        shape: Shape::new(vec![-1; dims.len()]),
        dimension_symbols: SymbolicDimensions::new(dims.iter().map(|s| s.to_string())),
    }
}
