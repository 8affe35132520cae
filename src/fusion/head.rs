//! The per-pixel head — each pixel's class (the largest logit) and confidence (that class's
//! softmax probability) — as a small ONNX Runtime graph that reads the fusion network's
//! logits where they were computed, for GPU providers.
//!
//! Why: at 640×480 the logits are 41 × 307k floats, 49 MB. On an H200 copying them back and
//! taking the argmax on the CPU cost more than the network (classification 10.7 ms against
//! 1.7 ms for the network itself). With the head on the device only one byte and one float per
//! pixel come back. On ONNX Runtime's CPU provider the same nodes are slower than
//! [`super::classify`] (its reductions over the channel axis of NCHW are strided), so there
//! the head stays in Rust unless asked for.
//!
//! The network runs with its logits output bound to the provider's memory (an IoBinding); the
//! head's session, on the same provider, takes that value as it is. Its nodes, built with ONNX
//! Runtime's model editor: `index = Cast<u8>(ArgMax(logits, axis 1))` (first on ties, as
//! [`super::classify`]), `confidence = 1 / ReduceSum(Exp(logits - ReduceMax(logits, axis 1)),
//! axis 1)`, the arithmetic of [`super::Logits::softmax_max`].

use ort::editor::{Graph, Model, Node, ONNX_DOMAIN, Opset};
use ort::memory::{Allocator, MemoryInfo};
use ort::operator::Attribute;
use ort::session::Session;
use ort::value::{DynValue, Outlet, Tensor, TensorElementType};

use super::device_graph::{OPSET, any_size, companion_session};
use crate::inference::{ExecutionChoice, InferenceError};

/// The head's input: the network's logits, `f32` `[1, K, H, W]`.
const LOGITS_INPUT: &str = "logits";
/// The output channel of the largest logit per pixel, `u8` `[1, H, W]` (the card's
/// `class_ids` map it to NYU40 ids).
const INDEX_OUTPUT: &str = "class_index";
/// The softmax probability of that channel, `f32` `[1, H, W]`.
const CONFIDENCE_OUTPUT: &str = "confidence";
/// `TensorProto.DataType.UINT8`, the `to` of the index's Cast.
const ONNX_UINT8: i64 = 2;

/// Where the per-pixel class and confidence are computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum PixelHead {
    /// On the device on a GPU provider (CUDA, TensorRT), in Rust on the CPU provider.
    #[default]
    Auto,
    /// Always by the head's graph, on the network's provider (the logits are not returned).
    Graph,
    /// Always in Rust from the returned logits.
    Host,
}

impl PixelHead {
    /// Whether the head's graph is used when the network runs on `provider`.
    pub fn in_graph(self, provider: ExecutionChoice) -> bool {
        match self {
            PixelHead::Auto => !matches!(provider, ExecutionChoice::Cpu | ExecutionChoice::Auto),
            PixelHead::Graph => true,
            PixelHead::Host => false,
        }
    }
}

/// The head's result for a padded frame, `[height, width]` row-major.
pub struct HeadOutput {
    /// Output-channel index of the largest logit per pixel (first on ties).
    pub index: Vec<u8>,
    /// Softmax probability of that channel per pixel.
    pub confidence: Vec<f32>,
    /// The tensor shape, `[1, padded height, padded width]`.
    pub shape: [i64; 3],
}

/// The head's session and where the network leaves its logits for it.
pub struct GraphHead {
    session: Session,
    logits_at: MemoryInfo<'static>,
}

impl GraphHead {
    /// The head for a network with `classes` output channels running on `provider`.
    pub fn new(classes: usize, provider: ExecutionChoice, threads: usize) -> Result<Self, InferenceError> {
        if classes == 0 || classes > 256 {
            return Err(InferenceError::Runtime(format!(
                "{classes} output channels do not fit the per-pixel head's 8-bit class index"
            )));
        }
        let (session, logits_at) = companion_session(build(), provider, threads, "the per-pixel head")?;
        Ok(Self { session, logits_at })
    }

    /// The head's session (tests break the chain by swapping it for another graph's).
    #[cfg(test)]
    pub(crate) fn session_mut(&mut self) -> &mut Session {
        &mut self.session
    }

    /// Runs `network` on `inputs` (host or device values) with its output `logits` kept where
    /// it was computed, then the head on it: only the class indices and confidences are
    /// returned.
    pub fn run(
        &mut self,
        network: &mut Session,
        inputs: &[(String, impl std::ops::Deref<Target = DynValue>)],
        logits: &str,
    ) -> Result<HeadOutput, InferenceError> {
        let fail = |doing: &'static str| move |e: ort::Error| InferenceError::inference(doing, e);
        let mut binding = network.create_binding().map_err(fail("binding the fusion network"))?;
        for (name, value) in inputs {
            binding.bind_input(name.as_str(), &**value).map_err(fail("binding the fusion inputs"))?;
        }
        binding.bind_output_to_device(logits, &self.logits_at).map_err(fail("binding the fusion output"))?;
        let mut outputs = network.run_binding(&binding).map_err(fail("running the fusion network"))?;
        let logits = outputs.remove(logits).ok_or_else(|| InferenceError::Runtime(format!("no {logits:?} output")))?;
        let head =
            self.session.run(ort::inputs![LOGITS_INPUT => logits]).map_err(fail("running the per-pixel head"))?;
        let (shape, index) = head[INDEX_OUTPUT].try_extract_tensor::<u8>().map_err(fail("reading class indices"))?;
        let shape: [i64; 3] = (**shape)
            .try_into()
            .map_err(|_| InferenceError::Runtime(format!("the per-pixel head gave shape {shape:?}, not [1, H, W]")))?;
        let index = index.to_vec();
        let (_, confidence) =
            head[CONFIDENCE_OUTPUT].try_extract_tensor::<f32>().map_err(fail("reading confidences"))?;
        Ok(HeadOutput { index, confidence: confidence.to_vec(), shape })
    }
}

fn build() -> ort::Result<Model> {
    let name = |n: &str| format!("head_{n}");
    let axes = name("axes");
    let mut graph = Graph::new()?;
    let logits = any_size(TensorElementType::Float32, &["batch", "classes", "height", "width"]);
    graph.set_inputs([Outlet::new(LOGITS_INPUT, logits)])?;
    let map = |ty| any_size(ty, &["batch", "height", "width"]);
    graph.set_outputs([
        Outlet::new(INDEX_OUTPUT, map(TensorElementType::Uint8)),
        Outlet::new(CONFIDENCE_OUTPUT, map(TensorElementType::Float32)),
    ])?;
    let mut axis_one = Tensor::<i64>::new(&Allocator::default(), [1i64])?;
    axis_one.extract_tensor_mut().1[0] = 1;
    graph.add_initializer(&axes, axis_one, false)?;

    let keep = |keep: bool| Attribute::new("keepdims", i64::from(keep));
    let argmax = [Attribute::new("axis", 1i64)?, keep(false)?];
    graph.add_node(Node::new("ArgMax", ONNX_DOMAIN, name("argmax"), [LOGITS_INPUT], [name("argmax")], argmax)?)?;
    let to_u8 = [Attribute::new("to", ONNX_UINT8)?];
    graph.add_node(Node::new("Cast", ONNX_DOMAIN, name("index"), [name("argmax")], [INDEX_OUTPUT], to_u8)?)?;
    let max = [LOGITS_INPUT, axes.as_str()];
    graph.add_node(Node::new("ReduceMax", ONNX_DOMAIN, name("max"), max, [name("max")], [keep(true)?])?)?;
    let shifted = [LOGITS_INPUT.to_string(), name("max")];
    graph.add_node(Node::new("Sub", ONNX_DOMAIN, name("shifted"), shifted, [name("shifted")], [])?)?;
    graph.add_node(Node::new("Exp", ONNX_DOMAIN, name("exp"), [name("shifted")], [name("exp")], [])?)?;
    let sum = [name("exp"), axes];
    graph.add_node(Node::new("ReduceSum", ONNX_DOMAIN, name("sum"), sum, [name("sum")], [keep(false)?])?)?;
    graph.add_node(Node::new("Reciprocal", ONNX_DOMAIN, name("conf"), [name("sum")], [CONFIDENCE_OUTPUT], [])?)?;

    let mut model = Model::new([Opset::new(ONNX_DOMAIN, OPSET)?])?;
    model.set_graph(graph)?;
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_puts_the_head_in_the_graph_on_gpu_providers_only() {
        use ExecutionChoice::*;
        assert!(PixelHead::Auto.in_graph(Cuda) && PixelHead::Auto.in_graph(Tensorrt));
        assert!(!PixelHead::Auto.in_graph(Cpu));
        assert!(PixelHead::Graph.in_graph(Cpu) && !PixelHead::Host.in_graph(Cuda));
    }
}
