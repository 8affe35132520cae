//! Cross-language parity of the encoder (fixture from `training/rtgs2_train/make_encoder_fixture.py`):
//! the Rust precompute reproduces numpy's index tensors exactly and its float inputs within
//! float tolerance, and ONNX Runtime running the shipped `models/encoder.onnx` reproduces
//! PyTorch's features within 1e-4.

use std::path::{Path, PathBuf};

use rtgs2::encoder::encode::named_index_tensors;
use rtgs2::encoder::indices::SceneIndices;
use rtgs2::encoder::inputs::{InputRule, attributes, gauss_features, voxel_features};
use rtgs2::encoder::session::InputTensor;
use rtgs2::encoder::{EncoderCard, EncoderSession, ExecutionChoice, default_model_path, encode_scene};
use rtgs2::scene::Scene;
use rtgs2::util::npy;
use sha2::{Digest, Sha256};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/encoder")
}

fn f32s(name: &str) -> npy::NpyArray<f32> {
    npy::read(&fixture_dir().join(format!("{name}.npy"))).expect("fixture array is readable")
}

fn meta() -> serde_json::Value {
    let text = std::fs::read_to_string(fixture_dir().join("meta.json")).expect("fixture meta.json");
    serde_json::from_str(&text).expect("meta.json is JSON")
}

/// The fixture's Gaussians as a Scene (SH degree 0; rotations do not enter the encoder).
fn fixture_scene() -> Scene {
    let pos = f32s("scene_positions");
    let n = pos.shape[0];
    let mut scene = Scene::with_capacity(n, 0);
    scene.positions = pos.data.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect();
    scene.log_scales = f32s("scene_log_scales").data.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect();
    scene.opacity_logits = f32s("scene_opacity_logit").data;
    scene.sh = f32s("scene_f_dc").data;
    scene.rotations = vec![[1.0, 0.0, 0.0, 0.0]; n];
    scene.check_consistent().expect("fixture scene is consistent");
    scene
}

fn card() -> EncoderCard {
    EncoderCard::load(&default_model_path().with_extension("json")).expect("shipped encoder card loads")
}

#[test]
fn rust_index_tensors_equal_numpy_exactly() {
    let scene = fixture_scene();
    let card = card();
    let grid = meta()["grid"].as_f64().expect("grid in meta");
    let idx = SceneIndices::build(&scene.positions, grid, card.stages, &card.wanted_patches());
    let mut compared = 0;
    for (name, tensor) in named_index_tensors(idx) {
        let InputTensor::I64 { shape, data } = tensor else { panic!("{name} is an index tensor") };
        let expected: npy::NpyArray<i64> =
            npy::read(&fixture_dir().join(format!("{name}.npy"))).expect("fixture index tensor");
        assert_eq!(shape, expected.shape, "{name}: shape");
        let first_diff = data.iter().zip(&expected.data).position(|(a, b)| a != b);
        assert!(first_diff.is_none(), "{name}: first difference at flat index {first_diff:?}");
        compared += 1;
    }
    assert_eq!(compared, card.inputs.len() - 2, "every index input was compared");
}

/// Both input rules against numpy: the shipped model's rule against the fixture's inputs
/// (`voxel_feat.npy`), the other against `ruleN_voxel_feat.npy` (`make_inputs_fixture.py`).
#[test]
fn rust_float_inputs_match_numpy() {
    let scene = fixture_scene();
    let card = card();
    let idx = SceneIndices::build(&scene.positions, card.grid, card.stages, &card.wanted_patches());
    let v0 = idx.stages[0].coords.len();
    let mut compared = 0;
    for (rule, number) in [(InputRule::SceneNormalised, 1), (InputRule::DensityFree, 2)] {
        let prefix = if rule == card.input_rule() { String::new() } else { format!("rule{number}_") };
        if !fixture_dir().join(format!("{prefix}voxel_feat.npy")).exists() {
            continue;
        }
        compare_float_inputs(&scene, &idx, v0, card.grid, rule, &prefix);
        compared += 1;
    }
    assert_eq!(compared, 2, "both input rules have numpy fixtures");
}

fn compare_float_inputs(scene: &Scene, idx: &SceneIndices, v0: usize, grid: f64, rule: InputRule, prefix: &str) {
    let attrs = attributes(scene, rule);
    let voxel = voxel_features(&attrs, &idx.gauss_voxel, v0, rule);
    let gauss = gauss_features(&scene.positions, &attrs, &idx.stages[0].coords, &idx.gauss_voxel, grid);
    for (name, ours) in [("voxel_feat", voxel), ("gauss_feat", gauss)] {
        let expected = f32s(&format!("{prefix}{name}"));
        assert_eq!(ours.len(), expected.data.len(), "{name}: length");
        let worst = ours.iter().zip(&expected.data).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(worst < 1e-5, "{name}: max abs difference {worst}");
    }
}

#[test]
fn onnx_runtime_matches_pytorch_on_the_fixture_inputs() {
    let model = default_model_path();
    let model_hash: String =
        Sha256::digest(std::fs::read(&model).expect("shipped model")).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        meta()["model_sha256"].as_str(),
        Some(model_hash.as_str()),
        "models/encoder.onnx changed since the fixture was made: regenerate it (training/README.md)"
    );
    let mut session = EncoderSession::open(&model, ExecutionChoice::Cpu, 2).expect("encoder session opens");
    let inputs = card()
        .inputs
        .iter()
        .map(|name| {
            let path = fixture_dir().join(format!("{name}.npy"));
            let t = if name.ends_with("_feat") {
                let a: npy::NpyArray<f32> = npy::read(&path).expect("float input");
                InputTensor::F32 { shape: a.shape, data: a.data }
            } else {
                let a: npy::NpyArray<i64> = npy::read(&path).expect("index input");
                InputTensor::I64 { shape: a.shape, data: a.data }
            };
            (name.clone(), t)
        })
        .collect();
    let ours = session.run(inputs).expect("encoder runs");
    let expected = f32s("features");
    assert_eq!(ours.len(), expected.data.len());
    let worst = ours.iter().zip(&expected.data).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    assert!(worst < 1e-4, "ORT vs PyTorch max abs difference {worst}");
}

#[test]
fn whole_rust_path_reproduces_pytorch_features() {
    let scene = fixture_scene();
    let mut session =
        EncoderSession::open(&default_model_path(), ExecutionChoice::Cpu, 2).expect("encoder session opens");
    let encoded = encode_scene(&mut session, &scene, usize::MAX, false).expect("scene encodes");
    assert_eq!(encoded.chunks, 1);
    let expected = f32s("features");
    let worst = encoded.features.iter().zip(&expected.data).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    assert!(worst < 1e-4, "Rust precompute + ORT vs PyTorch max abs difference {worst}");
    for row in encoded.features.chunks_exact(encoded.dim) {
        let norm: f32 = row.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "features are unit length, got {norm}");
    }
}
