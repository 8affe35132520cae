//! The per-pixel head's graph (what runs after the network on GPU providers, on the logits the
//! network left in device memory), run here on ONNX Runtime's CPU provider with the shipped
//! model and the same IoBinding chain: on the fusion fixture's real rendered frame it gives the
//! classes Rust's argmax gives from the logits, and every pixel's confidence equals the softmax
//! of its logits.

use std::path::{Path, PathBuf};

use rtgs2::fusion::{FrameInputs, FusionModel, PixelHead, default_model_path};
use rtgs2::inference::ExecutionChoice;
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
        packed: None,
    }
}

fn open(head: PixelHead) -> FusionModel {
    FusionModel::open_with_head(&default_model_path(), ExecutionChoice::Cpu, 2, head).expect("fusion model opens")
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
