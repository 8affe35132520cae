//! The network's companion graphs, which run beside it on GPU providers, run here on ONNX
//! Runtime's CPU provider with the shipped model and the same IoBinding chain, on the fusion
//! fixture's real rendered frame:
//! - the per-pixel head (after the network, on the logits it left in device memory) gives the
//!   classes Rust's argmax gives from the logits, and every pixel's confidence equals the
//!   softmax of its logits;
//! - the f16 input cast (before it, widening f16 tensors on the device) gives exactly the
//!   logits of the f16 values widened on the host, and rounding the inputs to f16 changes
//!   almost no pixel's class.

use std::path::{Path, PathBuf};

use half::f16;
use rtgs2::fusion::preprocess::{features_nchw, rgb_nchw};
use rtgs2::fusion::{DeviceOptions, FrameInputs, FusionModel, InputPrecision, PixelHead, default_model_path};
use rtgs2::inference::ExecutionChoice;
use rtgs2::render::gpu::pack::{PackedTensors, TensorElement, TensorValues};
use rtgs2::util::npy;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fusion").join(name)
}

/// The fixture's frame (its size is not a multiple of 32, so the head's output is cropped).
fn fixture_frame() -> FrameInputs {
    let rgb: npy::NpyArray<u8> = npy::read(&fixture("rgb_u8.npy")).expect("rgb_u8.npy");
    let feats: npy::NpyArray<f32> = npy::read(&fixture("features.npy")).expect("features.npy");
    FrameInputs {
        width: rgb.shape[1],
        height: rgb.shape[0],
        rgb8: rgb.data,
        features: feats.data,
        feature_dim: feats.shape[2],
        ..Default::default()
    }
}

fn open_with(pixel_head: PixelHead, input_precision: InputPrecision) -> FusionModel {
    let options = DeviceOptions { pixel_head, input_precision };
    FusionModel::open_with(&default_model_path(), ExecutionChoice::Cpu, 2, options).expect("fusion model opens")
}

fn open(head: PixelHead) -> FusionModel {
    open_with(head, InputPrecision::Auto)
}

/// `frame` with its tensors made on the host as the GPU packs them for `model`, in the
/// model's element type; f32 tensors are first rounded through f16 when `round_to_f16`.
fn packed_for(model: &FusionModel, frame: &FrameInputs, round_to_f16: bool) -> FrameInputs {
    let (recipe, card) = (model.tensor_recipe().clone(), &model.card);
    let (w, h) = (frame.width, frame.height);
    let padded = recipe.padded(w as u32, h as u32);
    let rgb = rgb_nchw(&frame.rgb8, w, h, card.mean3(), card.std3(), padded);
    let features = features_nchw(&frame.features, w, h, frame.feature_dim, card.feature_scale, padded);
    let values = |v: Vec<f32>| {
        let halves = || v.iter().map(|&x| f16::from_f32(x));
        match recipe.element {
            TensorElement::F16 => TensorValues::F16(halves().collect()),
            TensorElement::F32 if round_to_f16 => TensorValues::F32(halves().map(f16::to_f32).collect()),
            TensorElement::F32 => TensorValues::F32(v),
        }
    };
    let packed =
        PackedTensors { padded, rgb: values(rgb), features: values(features), feature_dim: frame.feature_dim, recipe };
    FrameInputs { packed: Some(packed), ..frame.clone() }
}

/// The fixture's frame, and the same frame with its colours inverted and its features negated
/// (so the two together make the network choose among more classes than the small crop shows).
fn frames() -> [FrameInputs; 2] {
    let frame = fixture_frame();
    let mut other = frame.clone();
    other.rgb8.iter_mut().for_each(|v| *v = 255 - *v);
    other.features.iter_mut().for_each(|v| *v = -*v);
    [frame, other]
}

#[test]
fn the_graph_head_matches_rust_classes_and_softmax_confidences() {
    let mut host = open(PixelHead::Host);
    let mut graph = open(PixelHead::Graph);
    assert!(!host.head_in_graph() && graph.head_in_graph());
    let mut distinct = std::collections::BTreeSet::new();
    for (f, frame) in frames().into_iter().enumerate() {
        let from_host = host.predict(frame.clone()).expect("host prediction");
        let from_graph = graph.predict(frame).expect("graph prediction");
        assert_eq!((from_graph.width, from_graph.height), (from_host.width, from_host.height));
        assert!(from_graph.logits.data.is_empty(), "the logits stay where the network left them");
        let n = from_host.width * from_host.height;
        assert_eq!(from_graph.classes.len(), n);
        assert_eq!(from_graph.confidence.len(), n);
        distinct.extend(from_host.classes.iter().copied());

        let mismatched = (0..n).filter(|&i| from_host.classes[i] != from_graph.classes[i]).count();
        assert_eq!(mismatched, 0, "frame {f}: {mismatched} of {n} pixels differ between the graph's and Rust's argmax");
        let (mut worst, mut lowest) = (0f32, 1f32);
        for i in 0..n {
            let want = from_host.confidence_at(i).expect("host confidence");
            let got = from_graph.confidence_at(i).expect("graph confidence");
            assert!((0.0..=1.0).contains(&got), "frame {f}, pixel {i}: confidence {got}");
            worst = worst.max((want - got).abs());
            lowest = lowest.min(got);
        }
        assert!(worst < 1e-5, "frame {f}: largest confidence difference {worst}");
        assert!(lowest < 0.9, "frame {f}: some pixels are uncertain (lowest confidence {lowest})");
        assert_eq!(from_graph.confidence_at(n), None, "outside the frame");
    }
    assert!(distinct.len() >= 3, "the frames show several classes: {distinct:?}");
}

#[test]
fn a_graph_head_session_refuses_to_return_logits_and_says_how_to_get_them() {
    let err = open(PixelHead::Graph).logits(fixture_frame()).expect_err("no logits").to_string();
    assert!(err.contains("--pixel-head host") && err.contains("fusion.onnx"), "{err}");
}

#[test]
fn auto_keeps_the_head_in_rust_on_the_cpu_provider() {
    assert!(!open(PixelHead::Auto).head_in_graph());
}

#[test]
fn f16_inputs_widened_on_the_device_give_the_logits_of_the_same_values_widened_on_the_host() {
    let mut on_device = open_with(PixelHead::Host, InputPrecision::F16);
    let mut in_f32 = open_with(PixelHead::Host, InputPrecision::F32);
    assert_eq!(on_device.tensor_recipe().element, TensorElement::F16);
    assert!(on_device.inputs_widened_on_device() && !in_f32.inputs_widened_on_device());
    assert_eq!(on_device.describe_provider(), "CPU, f16 inputs on the device");
    assert_eq!(in_f32.describe_provider(), "CPU");
    for (f, frame) in frames().into_iter().enumerate() {
        let (widened, _) = on_device.logits(packed_for(&on_device, &frame, true)).expect("f16 inputs");
        let (reference, _) = in_f32.logits(packed_for(&in_f32, &frame, true)).expect("f16 values as f32");
        assert!(widened.data.iter().any(|&v| v != 0.0), "frame {f}: real logits");
        assert_eq!(widened, reference, "frame {f}: the cast is exact, so the logits are identical");

        // What rounding the inputs to f16 costs: the unrounded f32 inputs' classes on almost
        // every pixel.
        let exact = in_f32.predict(packed_for(&in_f32, &frame, false)).expect("f32 inputs");
        let rounded = on_device.predict(packed_for(&on_device, &frame, true)).expect("f16 inputs");
        let n = exact.classes.len();
        let same = (0..n).filter(|&i| exact.classes[i] == rounded.classes[i]).count();
        assert!(same * 100 >= n * 99, "frame {f}: {same} of {n} pixels keep their class");
        let scale = exact.logits.data.iter().fold(0f32, |m, v| m.max(v.abs()));
        let worst = exact.logits.data.iter().zip(&rounded.logits.data).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(worst < 0.05 * scale, "frame {f}: largest logit change {worst} of {scale}");
    }
}

#[test]
fn f16_inputs_chain_into_the_graph_head() {
    let mut device = open_with(PixelHead::Graph, InputPrecision::F16);
    let mut host = open_with(PixelHead::Host, InputPrecision::F32);
    assert_eq!(device.describe_provider(), "CPU, per-pixel head and f16 inputs on the device");
    for (f, frame) in frames().into_iter().enumerate() {
        let from_device = device.predict(packed_for(&device, &frame, true)).expect("both graphs");
        let from_host = host.predict(packed_for(&host, &frame, true)).expect("host");
        assert_eq!(from_device.classes, from_host.classes, "frame {f}");
        let worst = (0..from_host.classes.len())
            .map(|i| (from_device.confidence_at(i).expect("in") - from_host.confidence_at(i).expect("in")).abs())
            .fold(0f32, f32::max);
        assert!(worst < 1e-5, "frame {f}: largest confidence difference {worst}");
    }
}

#[test]
fn f16_tensors_are_refused_by_a_model_opened_for_f32() {
    let f16_model = open_with(PixelHead::Host, InputPrecision::F16);
    let half_frame = packed_for(&f16_model, &fixture_frame(), true);
    let err = open_with(PixelHead::Host, InputPrecision::F32).predict(half_frame).expect_err("f16 tensors");
    assert!(err.to_string().contains("packed for another network"), "{err}");
}

#[test]
fn auto_precision_is_f32_on_the_cpu_provider() {
    let model = open(PixelHead::Auto);
    assert_eq!(model.tensor_recipe().element, TensorElement::F32);
    assert!(!model.inputs_widened_on_device());
}
