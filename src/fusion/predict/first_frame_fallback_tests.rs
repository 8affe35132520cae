//! The first-frame fallback of companion graphs that `auto` chose: on a GPU provider a device
//! binding can be refused only when a frame runs. Simulated on the CPU provider by swapping the
//! two graphs' sessions, so each is fed a tensor it does not take and the run fails. (Binding
//! outputs to CUDA memory does not fail on a CPU-only ONNX Runtime: it quietly uses the host.)

use std::path::Path;

use half::f16;

use super::*;
use crate::fusion::default_model_path;
use crate::render::gpu::pack::PackedTensors;
use crate::util::npy;

/// The fusion fixture's rendered frame, its tensors packed as f16 for `model`.
fn f16_frame(model: &FusionModel) -> FrameInputs {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fusion");
    let rgb: npy::NpyArray<u8> = npy::read(&dir.join("rgb_u8.npy")).expect("rgb_u8.npy");
    let feats: npy::NpyArray<f32> = npy::read(&dir.join("features.npy")).expect("features.npy");
    let (h, w, d) = (rgb.shape[0], rgb.shape[1], feats.shape[2]);
    let (recipe, card) = (model.tensor_recipe().clone(), &model.card);
    let padded = recipe.padded(w as u32, h as u32);
    let half = |v: Vec<f32>| TensorValues::F16(v.into_iter().map(f16::from_f32).collect());
    let packed = PackedTensors {
        padded,
        rgb: half(rgb_nchw(&rgb.data, w, h, card.mean3(), card.std3(), padded)),
        features: half(features_nchw(&feats.data, w, h, d, card.feature_scale, padded)),
        feature_dim: d,
        recipe,
    };
    FrameInputs { width: w, height: h, feature_dim: d, packed: Some(packed), ..Default::default() }
}

/// A model with both companion graphs, whose runs fail.
fn broken_device_model() -> FusionModel {
    let options = DeviceOptions { pixel_head: PixelHead::Graph, input_precision: InputPrecision::F16 };
    let mut model = FusionModel::open_with(&default_model_path(), ExecutionChoice::Cpu, 2, options).expect("opens");
    let head = model.head.as_mut().expect("graph head").session_mut();
    std::mem::swap(head, model.input_cast.as_mut().expect("f16 cast").session_mut());
    model
}

#[test]
fn graphs_auto_chose_move_to_the_host_when_the_first_frame_fails_with_them() {
    let mut model = broken_device_model();
    model.unproven_auto = Some(AutoChoices { head: true, input_cast: true });
    let frame = f16_frame(&model);
    let prediction = model.predict(frame.clone()).expect("the frame runs again on the host");
    assert!(!model.head_in_graph() && !model.inputs_widened_on_device(), "both graphs dropped");
    let why = model.fallbacks.last().expect("the reason is kept");
    assert!(why.contains("per-pixel head and f16 input widening on the host"), "{why}");
    assert!(!prediction.logits.data.is_empty(), "Rust's argmax ran");

    // The same classes as a model that never had the graphs, and the next frames go straight
    // to the host.
    let options = DeviceOptions { pixel_head: PixelHead::Host, input_precision: InputPrecision::F16 };
    let mut host = FusionModel::open_with(&default_model_path(), ExecutionChoice::Cpu, 2, options).expect("opens");
    host.input_cast = None;
    assert_eq!(prediction.classes, host.predict(frame.clone()).expect("host").classes);
    let fallbacks = model.fallbacks.len();
    assert_eq!(model.predict(frame).expect("second frame").classes, prediction.classes);
    assert_eq!(model.fallbacks.len(), fallbacks, "the fallback happens once");
}

#[test]
fn graphs_asked_for_explicitly_fail_loudly() {
    let mut model = broken_device_model();
    let err = model.predict(f16_frame(&model)).expect_err("no fallback for --pixel-head graph").to_string();
    assert!(err.contains("ONNX Runtime failed"), "{err}");
    assert!(model.head_in_graph() && model.inputs_widened_on_device(), "nothing dropped");
}
