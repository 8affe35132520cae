//! f16 input tensors, widened to the network's f32 on the network's own device.
//!
//! Why: at 640×480 the network's inputs are 35 × 307k values, 43 MB as f32, read back off
//! the GPU renderer and uploaded to a GPU provider every frame; on an H200 moving them cost
//! several times the network itself. Packed as f16 ([`crate::render::gpu::pack::TensorElement`])
//! both moves carry half the bytes. A one-node graph (`Cast<float>`) on the network's
//! provider widens them, its output bound to the provider's memory (an IoBinding) so the
//! network takes it where it is. Widening f16 is exact, so the network sees exactly the f16
//! values; what the rounding to f16 costs in accuracy is measured by `rtgs2 eval
//! --input-precision f16` (README).

use ort::editor::{Graph, Model, Node, ONNX_DOMAIN, Opset};
use ort::memory::MemoryInfo;
use ort::session::Session;
use ort::value::{DynValue, Outlet, TensorElementType};

use super::device_graph::{OPSET, any_size, companion_session};
use crate::inference::input_memory::inputs_on_device;
use crate::inference::{ExecutionChoice, InferenceError};
use crate::render::gpu::pack::TensorElement;

const INPUT: &str = "half";
const OUTPUT: &str = "float";
/// `TensorProto.DataType.FLOAT`, the `to` of the Cast.
const ONNX_FLOAT: i64 = 1;

/// How the network's input tensors are stored between the renderer and the network.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum InputPrecision {
    /// f16 on a GPU provider (CUDA, TensorRT), f32 on the CPU provider (nothing to upload
    /// there, and the cast would be extra work).
    #[default]
    Auto,
    /// Always f32.
    F32,
    /// Always f16 (half the bytes; widened to f32 on the network's device).
    F16,
}

impl InputPrecision {
    /// The element type for a network on `provider` whose tensors are padded to multiples of
    /// `size_multiple` (f16 packs pixel pairs, so `auto` keeps f32 for an odd multiple).
    pub fn element(self, provider: ExecutionChoice, size_multiple: usize) -> TensorElement {
        match self {
            InputPrecision::Auto if size_multiple % 2 == 1 => TensorElement::F32,
            InputPrecision::Auto => match provider {
                ExecutionChoice::Cpu | ExecutionChoice::Auto => TensorElement::F32,
                ExecutionChoice::Cuda | ExecutionChoice::Tensorrt => TensorElement::F16,
            },
            InputPrecision::F32 => TensorElement::F32,
            InputPrecision::F16 => TensorElement::F16,
        }
    }
}

/// The widening graph's session and where it leaves its output for the network.
pub struct InputCast {
    session: Session,
    output_at: MemoryInfo<'static>,
    /// Whether the cast takes its input in device memory, so that a borrowed host tensor can
    /// be bound to it as it is ([`crate::inference::input_memory`]).
    pub takes_input_on_device: bool,
}

impl InputCast {
    /// The cast for a network running on `provider`.
    pub fn new(provider: ExecutionChoice, threads: usize) -> Result<Self, InferenceError> {
        let (session, output_at) = companion_session(build(), provider, threads, "the f16 input cast")?;
        let takes_input_on_device = inputs_on_device(&session);
        Ok(Self { session, output_at, takes_input_on_device })
    }

    /// The cast's session (tests break the chain by swapping it for another graph's).
    #[cfg(test)]
    pub(crate) fn session_mut(&mut self) -> &mut Session {
        &mut self.session
    }

    /// `value` (an f16 tensor) as f32, in the network provider's memory.
    pub fn widen(&mut self, value: &DynValue) -> Result<DynValue, InferenceError> {
        let fail = |doing: &'static str| move |e: ort::Error| InferenceError::inference(doing, e);
        let mut binding = self.session.create_binding().map_err(fail("binding the f16 input cast"))?;
        binding.bind_input(INPUT, value).map_err(fail("binding an f16 input"))?;
        binding.bind_output_to_device(OUTPUT, &self.output_at).map_err(fail("binding the widened input"))?;
        let mut outputs = self.session.run_binding(&binding).map_err(fail("widening an f16 input"))?;
        outputs.remove(OUTPUT).ok_or_else(|| InferenceError::Runtime("the f16 input cast gave no output".into()))
    }
}

fn build() -> ort::Result<Model> {
    let mut graph = Graph::new()?;
    let dims = ["batch", "channels", "height", "width"];
    graph.set_inputs([Outlet::new(INPUT, any_size(TensorElementType::Float16, &dims))])?;
    graph.set_outputs([Outlet::new(OUTPUT, any_size(TensorElementType::Float32, &dims))])?;
    let to_float = [ort::operator::Attribute::new("to", ONNX_FLOAT)?];
    graph.add_node(Node::new("Cast", ONNX_DOMAIN, "widen", [INPUT], [OUTPUT], to_float)?)?;
    let mut model = Model::new([Opset::new(ONNX_DOMAIN, OPSET)?])?;
    model.set_graph(graph)?;
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_packs_f16_for_gpu_providers_with_an_even_multiple_only() {
        use ExecutionChoice::*;
        assert_eq!(InputPrecision::Auto.element(Cuda, 32), TensorElement::F16);
        assert_eq!(InputPrecision::Auto.element(Tensorrt, 32), TensorElement::F16);
        assert_eq!(InputPrecision::Auto.element(Cpu, 32), TensorElement::F32);
        assert_eq!(InputPrecision::Auto.element(Cuda, 7), TensorElement::F32);
        assert_eq!(InputPrecision::F16.element(Cpu, 32), TensorElement::F16);
        assert_eq!(InputPrecision::F32.element(Cuda, 32), TensorElement::F32);
    }
}
