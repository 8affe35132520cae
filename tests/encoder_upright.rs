//! An encoder whose card says `upright` is given the scene levelled (its up turned to +z), as
//! `train_encoder --upright` trained it; one without the field sees the scene as it is.

mod common;

use std::path::PathBuf;

use glam::Vec3;
use rtgs2::encoder::upright::{levelled, up_for_model};
use rtgs2::encoder::{ExecutionChoice, FeatureOptions, default_model_path, scene_features};
use rtgs2::synth::{GlobalRotation, SynthOptions, generate};

/// The shipped network under two cards, one that says upright and one that does not:
/// (their folders, kept alive while used; the upright model; the plain model).
fn two_cards() -> ([tempfile::TempDir; 2], PathBuf, PathBuf) {
    let dirs = [tempfile::tempdir().expect("temp dir"), tempfile::tempdir().expect("temp dir")];
    let upright = common::model_copy(&default_model_path(), dirs[0].path(), |c| c["upright"] = true.into());
    let plain = common::model_copy(&default_model_path(), dirs[1].path(), |c| c["upright"] = false.into());
    (dirs, upright, plain)
}

fn options(model: PathBuf, up: Option<Vec3>) -> FeatureOptions {
    FeatureOptions { model, cache_dir: None, provider: ExecutionChoice::Cpu, threads: 2, up, ..Default::default() }
}

#[test]
fn an_upright_card_levels_the_scene_before_encoding_and_a_plain_one_does_not() {
    // A room turned 50° about a slanted axis: its up is far from every world axis.
    let rotation = GlobalRotation::AxisAngle { axis: [0.4, -0.7, 0.2], deg: 50.0 };
    let opts = SynthOptions { seed: 31, target_gaussians: 8000, views: 2, rotation, ..Default::default() };
    let room = generate(&opts);
    let true_up = Vec3::from(room.up).normalize();
    let (_dirs, upright, plain) = two_cards();

    // Given the up: the upright encoder's features are the plain encoder's of the levelled scene.
    let given = scene_features(&room.scene, &options(upright.clone(), Some(true_up))).expect("upright encodes");
    assert_eq!(given.levelled_up, Some(true_up));
    let by_hand = scene_features(&levelled(&room.scene, true_up), &options(plain.clone(), None)).expect("encodes");
    assert_eq!(by_hand.levelled_up, None, "a card without `upright` levels nothing");
    assert_eq!(given.features, by_hand.features);
    let as_is = scene_features(&room.scene, &options(plain, Some(true_up))).expect("encodes");
    assert_ne!(as_is.features, given.features, "levelling changed what the encoder saw");

    // Not given: found from the scene's shape, close to the truth (within the leveller's reach).
    let found = scene_features(&room.scene, &options(upright, None)).expect("upright encodes");
    let up = found.levelled_up.expect("a room this size has a floor to find");
    assert!(up.dot(true_up) > 0.999, "found up {up}, true up {true_up}");
}

#[test]
fn the_up_is_only_searched_for_an_upright_encoder() {
    let rotation = GlobalRotation::AxisAngle { axis: [0.1, 0.9, 0.0], deg: 30.0 };
    let opts = SynthOptions { seed: 32, target_gaussians: 6000, views: 4, rotation, ..Default::default() };
    let room = generate(&opts);
    let true_up = Vec3::from(room.up).normalize();
    let (dirs, upright, plain) = two_cards();
    let up = up_for_model(&upright, &room.scene, &room.cameras).expect("an upright card gets the scene's up");
    assert!(up.dot(true_up) > 0.999, "found up {up}, true up {true_up}");
    assert_eq!(up_for_model(&plain, &room.scene, &room.cameras), None);
    assert_eq!(up_for_model(&dirs[0].path().join("missing.onnx"), &room.scene, &room.cameras), None);
}
