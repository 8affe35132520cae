//! View consistency: the Rust computation equals numpy's on the fixture that
//! `training/rtgs2_train/consistency.py` made (two ray-cast views of a box room with noisy
//! classes, holes and occlusion edges), count for count.

use std::path::{Path, PathBuf};

use rtgs2::eval::consistency::{Agreement, ViewMaps, partner, reprojection_agreement};
use rtgs2::scene::Camera;
use rtgs2::util::npy;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/consistency")
}

fn camera(v: &serde_json::Value) -> Camera {
    let f = |x: &serde_json::Value| x.as_f64().expect("number");
    let rot = v["rotation"].as_array().expect("rotation");
    Camera {
        id: 0,
        img_name: String::new(),
        width: v["width"].as_u64().expect("width") as u32,
        height: v["height"].as_u64().expect("height") as u32,
        position: std::array::from_fn(|i| f(&v["position"][i])),
        rotation: std::array::from_fn(|r| std::array::from_fn(|c| f(&rot[r][c]))),
        fx: f(&v["fx"]),
        fy: f(&v["fy"]),
    }
}

#[test]
fn rust_reprojection_agreement_equals_numpy() {
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("meta.json")).expect("meta")).expect("json");
    let (cam_a, cam_b) = (camera(&meta["camera_a"]), camera(&meta["camera_b"]));
    let u8s = |n: &str| npy::read::<u8>(&dir().join(format!("{n}.npy"))).expect("classes").data;
    let f32s = |n: &str| npy::read::<f32>(&dir().join(format!("{n}.npy"))).expect("depth").data;
    let (ca, da, cb, db) = (u8s("classes_a"), f32s("depth_a"), u8s("classes_b"), f32s("depth_b"));
    let a = ViewMaps { camera: &cam_a, classes: &ca, depth: &da };
    let b = ViewMaps { camera: &cam_b, classes: &cb, depth: &db };
    let got = reprojection_agreement(&a, &b);
    let want = Agreement {
        agree: meta["agree"].as_u64().expect("agree"),
        counted: meta["counted"].as_u64().expect("counted"),
    };
    assert_eq!(got, want);
    assert!(want.counted > 500 && want.agree < want.counted, "the fixture exercises both outcomes: {want:?}");
    // A view agrees with itself wherever it has a class and a depth.
    let same = reprojection_agreement(&a, &a);
    let valid = ca.iter().zip(&da).filter(|(c, d)| **c != 0 && **d > 0.0).count() as u64;
    assert_eq!((same.agree, same.counted), (valid, valid));
    // The partner moves along the camera's right axis only.
    let p = partner(&cam_a, 2.0);
    let step: Vec<f64> = (0..3).map(|i| p.position[i] - cam_a.position[i]).collect();
    let right: Vec<f64> = (0..3).map(|i| cam_a.rotation[i][0] * 0.1).collect();
    assert!(step.iter().zip(&right).all(|(s, r)| (s - r).abs() < 1e-12), "{step:?} vs {right:?}");
}
