//! Cross-language parity of the fusion network (fixture from
//! `training/rtgs2_train/make_fusion_fixture.py`): the whole Rust path — the 8-bit image and
//! feature image through preprocessing (normalisation, replicate padding to the card's size
//! multiple, NCHW), ONNX Runtime, cropping and argmax — reproduces PyTorch's logits within the
//! fixture's tolerance and its classes wherever the decision is not a near-tie. The fixture's
//! image is deliberately not a multiple of the size multiple, so padding is exercised.

use std::path::{Path, PathBuf};

use rtgs2::fusion::{FrameInputs, FusionModel, default_model_path};
use rtgs2::inference::ExecutionChoice;
use rtgs2::util::npy;
use sha2::{Digest, Sha256};

/// The shipped network's fixture, and the gravity-cue network's (which carries its model).
const SHIPPED: &str = "tests/fixtures/fusion";
const CUES: &str = "tests/fixtures/fusion_cues";

fn in_dir(dir: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(dir).join(name)
}

fn meta_of(dir: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(in_dir(dir, "meta.json")).expect("fixture meta.json");
    serde_json::from_str(&text).expect("meta.json is JSON")
}

fn meta() -> serde_json::Value {
    meta_of(SHIPPED)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The fixture was made with this exact model file: a re-exported model without a new
/// fixture fails here, loudly, instead of the tolerance check failing mysteriously.
#[test]
fn the_fixture_belongs_to_the_shipped_model() {
    let bytes = std::fs::read(default_model_path()).expect("models/fusion.onnx exists");
    let want = meta()["model_sha256"].as_str().expect("model_sha256 in meta").to_string();
    assert_eq!(
        hex(&Sha256::digest(&bytes)),
        want,
        "models/fusion.onnx changed: regenerate tests/fixtures/fusion with make_fusion_fixture.py"
    );
}

#[test]
fn rust_path_reproduces_pytorch_logits_and_classes() {
    check_parity(SHIPPED, &default_model_path());
}

#[test]
fn a_network_reading_gravity_cues_reproduces_pytorch_too() {
    let model = in_dir(CUES, "fusion.onnx");
    let bytes = std::fs::read(&model).expect("the cue fixture's model");
    assert_eq!(hex(&Sha256::digest(&bytes)), meta_of(CUES)["model_sha256"].as_str().expect("model_sha256"));
    let card = rtgs2::fusion::FusionCard::load(&model.with_extension("json")).expect("its card loads");
    assert_eq!((card.gravity_cues.as_deref(), card.feature_dim, card.encoder_dim()), (Some("gravity-v1"), 36, 32));
    check_parity(CUES, &model);
}

/// The fixture in `dir` (made from `model`) through the whole Rust path.
fn check_parity(dir: &str, model_path: &Path) {
    let fixture = |name: &str| in_dir(dir, name);
    let meta = || meta_of(dir);
    let rgb: npy::NpyArray<u8> = npy::read(&fixture("rgb_u8.npy")).expect("rgb_u8.npy");
    let feats: npy::NpyArray<f32> = npy::read(&fixture("features.npy")).expect("features.npy");
    let want: npy::NpyArray<f32> = npy::read(&fixture("logits.npy")).expect("logits.npy");
    let want_classes: npy::NpyArray<u8> = npy::read(&fixture("classes.npy")).expect("classes.npy");
    let (h, w) = (rgb.shape[0], rgb.shape[1]);
    assert_eq!(rgb.shape, vec![h, w, 3]);
    assert_eq!(&feats.shape[..2], &[h, w]);
    assert_eq!(want_classes.shape, vec![h, w]);

    let mut model = FusionModel::open(model_path, ExecutionChoice::Cpu, 2).expect("fusion model opens");
    let m = model.card.size_multiple;
    assert!(h % m != 0 && w % m != 0, "the fixture ({w}x{h}) must exercise padding to multiples of {m}");
    let k = model.class_ids().len();
    assert_eq!(want.shape, vec![k, h, w], "logits.npy is [K, H, W] for the card's {k} classes");

    let inputs = FrameInputs {
        width: w,
        height: h,
        rgb8: rgb.data,
        features: feats.data,
        feature_dim: feats.shape[2],
        ..Default::default()
    };
    let (logits, _) = model.logits(inputs.clone()).expect("Rust logits");
    assert_eq!((logits.classes, logits.width, logits.height), (k, w, h));
    let tolerance = meta()["tolerance"].as_f64().expect("tolerance in meta") as f32;
    let (worst, at) = logits
        .data
        .iter()
        .zip(&want.data)
        .map(|(a, b)| (a - b).abs())
        .enumerate()
        .fold((0f32, 0), |(m, i), (j, d)| if d > m { (d, j) } else { (m, i) });
    assert!(worst <= tolerance, "max |Rust - PyTorch| = {worst} at flat index {at}, tolerance {tolerance}");

    let prediction = model.predict(inputs).expect("Rust prediction");
    assert_eq!((prediction.width, prediction.height), (w, h));
    let n = w * h;
    // Each logit may be off by `tolerance`, so a gap under twice that can flip legitimately.
    let near_tie = 2.0 * tolerance;
    let mut compared = 0;
    for p in 0..n {
        let mut column: Vec<f32> = (0..k).map(|c| want.data[c * n + p]).collect();
        column.sort_by(|a, b| b.total_cmp(a));
        if column[0] - column[1] < near_tie {
            continue; // a near-tie: either answer is right within the fixture's tolerance
        }
        compared += 1;
        assert_eq!(prediction.classes[p], want_classes.data[p], "pixel ({}, {})", p % w, p / w);
        let confidence = prediction.confidence_at(p).expect("a pixel of the frame");
        assert!(confidence > 1.0 / k as f32 && confidence <= 1.0, "pixel {p}: {confidence}");
    }
    assert!(compared * 10 >= n * 9, "only {compared} of {n} pixels were decisive: the fixture is too flat to test");
}
