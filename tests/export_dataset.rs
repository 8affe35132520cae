//! `rtgs2 export-dataset` end to end: a labelled room becomes .npy views Python can read,
//! whose label maps are exactly the ground truth `rtgs2 render --what label-ids` shows.

use std::path::Path;
use std::process::Command;

use half::f16;
use rtgs2::image_io::read_png;
use rtgs2::scene::trainer_folder::{DEFAULT_ITERATION, write_trainer_folder};
use rtgs2::synth::{SynthOptions, generate};
use rtgs2::util::npy::{self, NpyArray};

fn rtgs2(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rtgs2")).args(args).output().expect("binary runs");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn room(dir: &Path, seed: u64, labelled: bool) {
    let opts = SynthOptions { seed, target_gaussians: 20_000, views: 5, width: 160, height: 120, ..Default::default() };
    let mut r = generate(&opts);
    if !labelled {
        r.scene.labels = None;
    }
    write_trainer_folder(dir, &r.scene, &r.cameras, DEFAULT_ITERATION).expect("write room");
}

#[test]
fn exports_views_with_features_depth_and_ground_truth() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("living_a");
    room(&scene, 31, true);
    let out = dir.path().join("data");
    let cache = dir.path().join("cache");
    let p = |x: &Path| x.to_str().expect("utf-8").to_string();
    let (ok, err) = rtgs2(&[
        "export-dataset",
        &p(&scene),
        "--out",
        &p(&out),
        "--width",
        "64",
        "--height",
        "48",
        "--views-per-scene",
        "3",
        "--extra-views",
        "2",
        "--seed",
        "5",
        "--cache-dir",
        &p(&cache),
        "--threads",
        "2",
    ]);
    assert!(ok, "{err}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).expect("manifest")).expect("JSON");
    assert_eq!(manifest["format"], "rtgs2-dataset/1");
    assert_eq!(manifest["feature_dim"], 32);
    let views = manifest["views"].as_array().expect("views");
    assert_eq!(views.len(), 5);
    assert_eq!(views.iter().filter(|v| v["source"]["extra_near_camera"].is_number()).count(), 2);
    for v in views {
        let file = |k: &str| out.join(v["files"][k].as_str().expect("file name"));
        let rgb: NpyArray<u8> = npy::read(&file("rgb")).expect("rgb");
        assert_eq!(rgb.shape, vec![48, 64, 3]);
        let feats: NpyArray<f16> = npy::read(&file("features")).expect("features");
        assert_eq!(feats.shape, vec![48, 64, 32]);
        assert!(feats.data.iter().all(|x| x.is_finite()) && feats.data.iter().any(|x| x.to_f32() != 0.0));
        let depth: NpyArray<f32> = npy::read(&file("depth")).expect("depth");
        assert_eq!(depth.shape, vec![48, 64]);
        let labels: NpyArray<u8> = npy::read(&file("labels")).expect("labels");
        assert!(labels.data.iter().all(|&l| l <= 40 || l == 255), "NYU40 ids or 255");
    }
    assert!(views.iter().any(|v| {
        let rgb: NpyArray<u8> = npy::read(&out.join(v["files"]["rgb"].as_str().expect("f"))).expect("rgb");
        rgb.data.iter().any(|&x| x > 0)
    }));

    // The first view is scene camera 0: its labels equal the label-ids render of that camera.
    let png = dir.path().join("ids.png");
    let (ok, err) = rtgs2(&[
        "render",
        &p(&scene),
        "--camera",
        "0",
        "--width",
        "64",
        "--height",
        "48",
        "--what",
        "label-ids",
        "--out",
        &p(&png),
    ]);
    assert!(ok, "{err}");
    let (_, _, _, ids) = read_png(&png).expect("png");
    let labels: NpyArray<u8> = npy::read(&out.join(views[0]["files"]["labels"].as_str().expect("f"))).expect("labels");
    assert_eq!(labels.data, ids, "exported ground truth is the renderer's label map");
}

#[test]
fn unlabelled_scenes_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("plain");
    room(&scene, 32, false);
    let out = dir.path().join("data");
    let (ok, err) = rtgs2(&[
        "export-dataset",
        scene.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--no-features",
    ]);
    assert!(!ok && err.contains("no 'label' property") && err.contains("plain"), "{err}");
}

/// `--gravity-cues` appends the 4 cue channels after the encoder's 32; alone (with
/// `--no-features`) the same views carry the same cues, which is how training adds them to a
/// set exported before (training/rtgs2_train/merge_cues.py). On a generated room the floor
/// pixels sit near 0 m and lie flat.
#[test]
fn gravity_cues_follow_the_features_and_match_a_cues_only_export() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("living_b");
    room(&scene, 33, true);
    let cache = dir.path().join("cache");
    let p = |x: &Path| x.to_str().expect("utf-8").to_string();
    let export = |out: &Path, features: bool| {
        let mut args = vec!["export-dataset".to_string(), p(&scene), "--out".into(), p(out)];
        args.extend(["--width", "64", "--height", "48", "--views-per-scene", "3", "--gravity-cues"].map(String::from));
        args.extend(["--cache-dir".into(), p(&cache), "--threads".into(), "2".into()]);
        if !features {
            args.push("--no-features".into());
        }
        let (ok, err) = rtgs2(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(ok, "{err}");
        let text = std::fs::read_to_string(out.join("manifest.json")).expect("manifest");
        serde_json::from_str::<serde_json::Value>(&text).expect("JSON")
    };
    let (both_dir, cues_dir) = (dir.path().join("both"), dir.path().join("cues"));
    let (both, cues) = (export(&both_dir, true), export(&cues_dir, false));
    assert_eq!((both["feature_dim"].as_u64(), cues["feature_dim"].as_u64()), (Some(36), Some(4)));
    assert_eq!(
        (both["gravity_cues"].as_str(), cues["gravity_cues"].as_str()),
        (Some("gravity-v1"), Some("gravity-v1"))
    );
    let (mut floor_height, mut floor_flatness, mut floor_pixels) = (0.0f64, 0.0f64, 0usize);
    for (a, b) in both["views"].as_array().expect("views").iter().zip(cues["views"].as_array().expect("views")) {
        let read = |root: &Path, v: &serde_json::Value| -> NpyArray<f16> {
            npy::read(&root.join(v["files"]["features"].as_str().expect("file"))).expect("features")
        };
        let (wide, narrow) = (read(&both_dir, a), read(&cues_dir, b));
        assert_eq!((wide.shape[2], narrow.shape[2]), (36, 4));
        let tails: Vec<f16> = wide.data.chunks_exact(36).flat_map(|px| px[32..].iter().copied()).collect();
        assert_eq!(tails, narrow.data, "the cue channels of one view differ between the exports");
        let labels: NpyArray<u8> =
            npy::read(&both_dir.join(a["files"]["labels"].as_str().expect("f"))).expect("labels");
        for (px, &l) in narrow.data.chunks_exact(4).zip(&labels.data) {
            if l == 2 {
                floor_height += px[0].to_f64();
                floor_flatness += px[3].to_f64();
                floor_pixels += 1;
            }
        }
    }
    assert!(floor_pixels > 100, "the views show the floor");
    let n = floor_pixels as f64;
    assert!(
        floor_height / n < 0.3 && floor_flatness / n > 0.7,
        "floor: {} m, flatness {}",
        floor_height / n,
        floor_flatness / n
    );
}
