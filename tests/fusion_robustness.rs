//! The fusion network on awkward input: missing or damaged model files, cards that do not
//! match the graph, frames that do not fit the model — each a clear error naming the file or
//! the problem, never a panic — and the worker thread on the real model.

mod common;

use std::path::{Path, PathBuf};

use rtgs2::fusion::{FrameInputs, FusionError, FusionModel, FusionWorker, default_model_path, encoder_mismatch};
use rtgs2::inference::ExecutionChoice;

fn model_copy(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    common::model_copy(&default_model_path(), dir, edit)
}

fn open(model: &Path) -> Result<FusionModel, FusionError> {
    FusionModel::open(model, ExecutionChoice::Cpu, 1)
}

/// A frame of smooth colour and feature gradients that fits `model`.
fn frame_for(model: &FusionModel, width: usize, height: usize) -> FrameInputs {
    let d = model.card.feature_dim;
    let rgb8 = (0..width * height * 3).map(|i| ((i * 7) % 256) as u8).collect();
    let features = (0..width * height * d).map(|i| ((i % 97) as f32 / 97.0 - 0.5) * 0.2).collect();
    FrameInputs { width, height, rgb8, features, feature_dim: d, ..Default::default() }
}

#[test]
fn mismatching_cards_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    type CardEdit = Box<dyn FnOnce(&mut serde_json::Value)>;
    let cases: Vec<(&str, CardEdit)> = vec![
        ("card format", Box::new(|c| c["format"] = serde_json::json!("rtgs2-fusion/9"))),
        ("do not match", Box::new(|c| c["inputs"] = serde_json::json!(["features", "rgb"]))),
        (
            "do not match",
            Box::new(|c| {
                // An RGB-only card (so no gravity cues either) for a graph that reads features.
                c["inputs"] = serde_json::json!(["rgb"]);
                c["feature_dim"] = serde_json::json!(0);
                c["gravity_cues"] = serde_json::Value::Null;
            }),
        ),
        ("non-empty", Box::new(|c| c["inputs"] = serde_json::json!(["rgb", "depth"]))),
        ("no output", Box::new(|c| c["output"] = serde_json::json!("probabilities"))),
        ("class id 41", Box::new(|c| c["class_ids"][0] = serde_json::json!(41))),
        ("appears twice", Box::new(|c| c["class_ids"][1] = serde_json::json!(1))),
        ("rgb_std", Box::new(|c| c["rgb_std"] = serde_json::json!([0.1, -0.1, 0.1]))),
        ("not a valid fusion model card", Box::new(|c| *c = serde_json::json!({"format": "rtgs2-fusion/1"}))),
    ];
    for (i, (expect, edit)) in cases.into_iter().enumerate() {
        let sub = dir.path().join(format!("case{i}"));
        std::fs::create_dir_all(&sub).expect("dir");
        let err = open(&model_copy(&sub, edit)).err().expect("refused").to_string();
        assert!(err.contains(expect), "case {i}: expected {expect:?} in: {err}");
        assert!(err.contains(&format!("case{i}")), "case {i}: the message names the file: {err}");
    }
}

#[test]
fn a_card_with_the_wrong_class_count_fails_at_the_first_frame_naming_the_model() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = model_copy(dir.path(), |c| {
        c["class_ids"].as_array_mut().expect("class ids").pop();
    });
    let mut m = open(&model).expect("names and card are fine; only the output width differs");
    let frame = frame_for(&m, 40, 30);
    let err = m.predict(frame).expect_err("39 ids for a 40-channel output").to_string();
    assert!(err.contains("output shape") && err.contains("fusion.onnx"), "{err}");
}

#[test]
fn missing_and_damaged_files_are_errors_not_crashes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = open(&dir.path().join("nothing.onnx")).err().expect("missing model").to_string();
    assert!(err.contains("nothing.onnx") && err.contains("not found"), "{err}");

    let model = model_copy(dir.path(), |_| {});
    std::fs::remove_file(model.with_extension("json")).expect("remove card");
    let err = open(&model).err().expect("missing card").to_string();
    assert!(err.contains("fusion.json") && err.contains("not found"), "{err}");

    let model = model_copy(dir.path(), |_| {});
    let mut bytes = std::fs::read(&model).expect("model bytes");
    bytes.truncate(bytes.len() / 3);
    std::fs::write(&model, bytes).expect("truncate model");
    assert!(open(&model).is_err());
}

#[test]
fn frames_that_do_not_fit_the_model_are_refused() {
    let mut m = open(&default_model_path()).expect("shipped model opens");
    let good = frame_for(&m, 33, 17);
    let p = m.predict(good.clone()).expect("an odd-sized frame is padded, segmented and cropped");
    assert_eq!((p.width, p.height, p.classes.len()), (33, 17, 33 * 17));
    assert_eq!(p.logits.data.len(), m.class_ids().len() * 33 * 17, "the logits are kept, cropped");
    assert!(p.classes.iter().all(|c| m.class_ids().contains(c)));
    assert!((0..33 * 17).all(|i| p.confidence_at(i).is_some_and(|c| c > 0.0 && c <= 1.0)));
    if m.card.takes_features() {
        let no_features = FrameInputs { features: Vec::new(), feature_dim: 0, ..good.clone() };
        let err = m.predict(no_features).expect_err("features missing").to_string();
        assert!(err.contains("feature channels"), "{err}");
    }
    let short = FrameInputs { rgb8: good.rgb8[..10].to_vec(), ..good };
    assert!(matches!(m.predict(short), Err(FusionError::Input(_))));
}

#[test]
fn the_worker_segments_real_frames_and_reports_their_numbers() {
    let m = open(&default_model_path()).expect("shipped model opens");
    let frame = frame_for(&m, 40, 24);
    let mut direct = open(&default_model_path()).expect("second session");
    let expected = direct.predict(frame.clone()).expect("direct prediction");
    let worker = FusionWorker::spawn(m);
    assert_eq!(worker.provider, "CPU");
    worker.submit(42, frame);
    let out = worker.recv().expect("a result");
    assert_eq!(out.frame, 42);
    let got = out.result.expect("prediction");
    assert_eq!(got.classes, expected.classes, "the worker runs the same model");
}

#[test]
fn a_card_naming_another_encoder_is_flagged() {
    let shipped = FusionModel::open(&default_model_path(), ExecutionChoice::Cpu, 1).expect("opens").card;
    let encoder = rtgs2::encoder::default_model_path();
    assert_eq!(encoder_mismatch(&shipped, &encoder), None, "the shipped fusion model reads the shipped encoder");
    let dir = tempfile::tempdir().expect("temp dir");
    let model = model_copy(dir.path(), |c| c["encoder_sha256"] = serde_json::json!("00".repeat(32)));
    let other = open(&model).expect("a different encoder is a warning, not an error").card;
    let warning = encoder_mismatch(&other, &encoder).expect("mismatch reported");
    assert!(warning.contains("fusion.json") && warning.contains("encoder.onnx"), "{warning}");
}
