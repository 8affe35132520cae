//! The encoder on awkward input: scenes split into chunks, mismatching model cards, damaged
//! model files, non-finite values and a missing ONNX Runtime — each a clear error or a
//! complete, valid result, never a panic.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use rtgs2::encoder::encode::split_into_chunks;
use rtgs2::encoder::{EncoderError, EncoderSession, ExecutionChoice, default_model_path, encode_scene};
use rtgs2::scene::Scene;
use rtgs2::synth::{SynthOptions, generate};

fn small_room(seed: u64, gaussians: usize) -> Scene {
    let opts = SynthOptions { seed, target_gaussians: gaussians, views: 2, ..Default::default() };
    generate(&opts).scene
}

fn model_copy(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    common::model_copy(&default_model_path(), dir, edit)
}

#[test]
fn chunks_partition_the_scene_and_every_gaussian_gets_a_unit_feature() {
    let scene = small_room(21, 20_000);
    let whole = split_into_chunks(&scene.positions, 0.05, usize::MAX);
    assert_eq!(whole.len(), 1);
    let chunks = split_into_chunks(&scene.positions, 0.05, 3000);
    assert!(chunks.len() >= 3, "{} chunks", chunks.len());
    let mut seen = vec![0u8; scene.len()];
    chunks.iter().flatten().for_each(|&g| seen[g] += 1);
    assert!(seen.iter().all(|&c| c == 1), "every Gaussian in exactly one chunk");

    let mut session = EncoderSession::open(&default_model_path(), ExecutionChoice::Cpu, 2).expect("session");
    let encoded = encode_scene(&mut session, &scene, 3000, false).expect("chunked encode");
    assert_eq!(encoded.chunks, chunks.len());
    for row in encoded.features.chunks_exact(encoded.dim) {
        let norm: f32 = row.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "unit features, got {norm}");
    }
}

#[test]
fn mismatching_cards_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    type CardEdit = Box<dyn FnOnce(&mut serde_json::Value)>;
    let cases: Vec<(&str, CardEdit)> = vec![
        ("grid", Box::new(|c| c["grid"] = serde_json::json!(-1.0))),
        ("format", Box::new(|c| c["format"] = serde_json::json!("someone-else/9"))),
        ("patch_size 64", Box::new(|c| c["patch_size"] = serde_json::json!(64))),
        ("do not match", Box::new(|c| c["inputs"].as_array_mut().expect("inputs").truncate(5))),
        ("orders", Box::new(|c| c["orders"] = serde_json::json!(["z"]))),
    ];
    for (i, (expect, edit)) in cases.into_iter().enumerate() {
        let sub = dir.path().join(format!("case{i}"));
        std::fs::create_dir_all(&sub).expect("dir");
        let model = model_copy(&sub, edit);
        let err = EncoderSession::open(&model, ExecutionChoice::Cpu, 1).err().expect("refused").to_string();
        assert!(err.contains(expect), "expected {expect:?} in: {err}");
        assert!(err.contains("case"), "the message names the file: {err}");
    }
}

#[test]
fn a_damaged_model_file_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = model_copy(dir.path(), |_| {});
    let mut bytes = std::fs::read(&model).expect("model bytes");
    bytes.truncate(bytes.len() / 3);
    std::fs::write(&model, bytes).expect("truncate model");
    assert!(EncoderSession::open(&model, ExecutionChoice::Cpu, 1).is_err());
    let missing = dir.path().join("nothing.onnx");
    let err = EncoderSession::open(&missing, ExecutionChoice::Cpu, 1).err().expect("missing").to_string();
    assert!(err.contains("nothing.onnx") && err.contains("not found"), "{err}");
}

#[test]
fn non_finite_gaussians_are_reported_by_index() {
    let mut scene = small_room(22, 3000);
    scene.positions[17][1] = f32::NAN;
    let mut session = EncoderSession::open(&default_model_path(), ExecutionChoice::Cpu, 1).expect("session");
    match encode_scene(&mut session, &scene, usize::MAX, false) {
        Err(EncoderError::NonFinite { index: 17, what: "position" }) => {}
        other => panic!("expected a non-finite position error, got {other:?}"),
    }
    assert!(matches!(
        encode_scene(&mut session, &Scene::with_capacity(0, 0), 10, false),
        Err(EncoderError::EmptyScene)
    ));
}

#[test]
fn a_missing_onnx_runtime_names_the_fix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("scene.ply");
    rtgs2::scene::ply_write::write_ply(&scene, &small_room(23, 2000)).expect("write scene");
    let out = Command::new(env!("CARGO_BIN_EXE_rtgs2"))
        .args(["features", scene.to_str().expect("utf-8"), "--no-cache"])
        .env("ORT_DYLIB_PATH", dir.path().join("libonnxruntime-missing.so"))
        .output()
        .expect("binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("ORT_DYLIB_PATH") && err.contains("libonnxruntime-missing.so"), "{err}");
}
