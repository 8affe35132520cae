//! What the network's companion graphs (the f16 input cast and the per-pixel head) share:
//! the provider they run on beside the network, the memory they exchange values in, and
//! tensor types of any size for their inputs and outputs.

use ort::memory::{AllocationDevice, AllocatorType, MemoryInfo, MemoryType};
use ort::value::{Shape, SymbolicDimensions, TensorElementType, ValueType};

use crate::inference::{ExecutionChoice, InferenceError};

/// The provider a companion graph runs on beside a network on `provider`, and the memory
/// the two exchange values in. TensorRT leaves values in CUDA memory; the small companion
/// graphs run on the CUDA provider (TensorRT would hand casts back to the CPU).
pub fn companion_of(provider: ExecutionChoice) -> (ExecutionChoice, AllocationDevice<'static>) {
    match provider {
        ExecutionChoice::Cuda | ExecutionChoice::Tensorrt => (ExecutionChoice::Cuda, AllocationDevice::CUDA),
        ExecutionChoice::Cpu | ExecutionChoice::Auto => (ExecutionChoice::Cpu, AllocationDevice::CPU),
    }
}

/// Device memory of `device` (id 0), where an IoBinding leaves an output for the next graph.
pub fn device_memory(device: AllocationDevice<'static>, what: &str) -> Result<MemoryInfo<'static>, InferenceError> {
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
