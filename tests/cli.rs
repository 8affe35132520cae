//! The `rtgs2` binary end to end on a small generated room: info, render on both backends,
//! label ids, the feature PCA view, convert, and clear errors for bad input.

mod common;

use std::path::Path;

use rtgs2::image_io::read_png;
use rtgs2::scene::trainer_folder::{DEFAULT_ITERATION, write_trainer_folder};
use rtgs2::scene::{ExtraProperty, ScalarKind};
use rtgs2::synth::{GlobalRotation, SynthOptions, generate};

use common::run_rtgs2 as rtgs2;

/// A small labelled room with 8 per-Gaussian feature channels derived from the labels.
/// Writes a generated room to `dir`; returns its true up.
fn room(dir: &Path) -> [f32; 3] {
    let opts = SynthOptions {
        seed: 11,
        target_gaussians: 30_000,
        views: 6,
        width: 160,
        height: 120,
        rotation: GlobalRotation::Random,
        ..Default::default()
    };
    let mut r = generate(&opts);
    let labels = r.scene.labels.clone().expect("synth rooms are labelled");
    for k in 0..8usize {
        let values = labels.iter().map(|&l| ((l as usize * 7 + k * 13) % 17) as f64 / 17.0).collect();
        r.scene.extras.push(ExtraProperty { name: format!("f_pc_{k}"), kind: ScalarKind::F32, values });
    }
    write_trainer_folder(dir, &r.scene, &r.cameras, DEFAULT_ITERATION).expect("write room");
    r.up
}

fn psnr8(a: &[u8], b: &[u8]) -> f64 {
    let mse = a.iter().zip(b).map(|(x, y)| (*x as f64 - *y as f64).powi(2)).sum::<f64>() / a.len() as f64;
    if mse == 0.0 { f64::INFINITY } else { 10.0 * (255.0f64.powi(2) / mse).log10() }
}

#[test]
fn cli_end_to_end_on_a_generated_room() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("room");
    let true_up = room(&scene);
    let s = scene.to_str().expect("utf-8 path");

    let (ok, out, err) = rtgs2(&["info", s, "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("info --json is JSON");
    assert_eq!(v["gaussians"].as_u64(), Some(30_000));
    assert_eq!(v["sh_degree"].as_u64(), Some(3));
    assert_eq!(v["cameras"].as_u64(), Some(6));
    assert!(v["labels"].as_object().expect("labels map").len() >= 5);
    assert!(v["bounds"]["min"].is_array());
    // Where the gravity cues take up, floor and top from: the cameras' up (their rolls leave
    // it a little off), levelled on the room's floor and ceiling to the true up; a room's
    // height apart.
    let g = &v["gravity"];
    assert!(g["up_from"].as_str().expect("up_from").starts_with("cameras"), "{}", g["up_from"]);
    let up: Vec<f64> = g["up"].as_array().expect("up").iter().map(|x| x.as_f64().expect("number")).collect();
    assert!((up.iter().map(|x| x * x).sum::<f64>() - 1.0).abs() < 1e-4, "unit up {up:?}");
    let along: f64 = up.iter().zip(true_up).map(|(a, b)| a * f64::from(b)).sum();
    assert!(
        along > 0.2f64.to_radians().cos(),
        "up {up:?} is {:.2}° from the room's {true_up:?}",
        along.acos().to_degrees()
    );
    let span = g["top"].as_f64().expect("top") - g["floor"].as_f64().expect("floor");
    assert!(span > 1.0, "floor to top {span}");

    let png = |name: &str| dir.path().join(name).to_str().expect("utf-8").to_string();
    let cache = png("feature-cache");
    for backend in ["cpu", "gpu"] {
        for what in ["rgb", "label-ids", "features", "depth"] {
            let out = png(&format!("{what}_{backend}.png"));
            let (ok, _, err) = rtgs2(&[
                "render",
                s,
                "--camera",
                "2",
                "--width",
                "96",
                "--height",
                "72",
                "--what",
                what,
                "--backend",
                backend,
                "--out",
                &out,
                "--cache-dir",
                &cache,
            ]);
            assert!(ok, "render {what} on {backend}: {err}");
            let (w, h, _, _) = read_png(Path::new(&out)).expect("png");
            assert_eq!((w, h), (96, 72), "--width/--height rescale the camera");
        }
    }
    for what in ["rgb", "label-ids", "features"] {
        let (_, _, _, a) = read_png(Path::new(&png(&format!("{what}_cpu.png")))).expect("png");
        let (_, _, _, b) = read_png(Path::new(&png(&format!("{what}_gpu.png")))).expect("png");
        if what == "label-ids" {
            let same = a.iter().zip(&b).filter(|(x, y)| x == y).count() as f64 / a.len() as f64;
            assert!(same >= 0.999, "label ids agree on {same}");
            assert!(a.iter().all(|&l| l <= 40 || l == 255), "ids are NYU40 or 255");
            assert!(a.iter().any(|&l| l != 255 && l != 0), "some labelled pixels");
        } else {
            let p = psnr8(&a, &b);
            assert!(p >= 45.0, "{what}: GPU vs CPU PSNR {p:.1} dB");
        }
        assert!(a.iter().any(|&x| x > 0), "{what} image is not blank");
    }

    let ply = png("copy.ply");
    let (ok, _, err) = rtgs2(&["convert", s, &ply, "--encoding", "binary-be"]);
    assert!(ok, "{err}");
    let (ok, out, _) = rtgs2(&["info", &ply]);
    assert!(ok && out.contains("30000"), "{out}");
    let (ok, _, err) = rtgs2(&["convert", &ply, &ply]);
    assert!(!ok && err.contains("refusing to overwrite"), "{err}");

    // Bad input: a clear message naming the file, a non-zero exit, no panic.
    let bad = png("bad.ply");
    std::fs::write(&bad, b"ply\nformat binary_little_endian 1.0\nelement vertex 10\nproperty float x\nend_header\n")
        .expect("write");
    let (ok, _, err) = rtgs2(&["info", &bad]);
    assert!(!ok && err.contains("bad.ply") && !err.contains("panicked"), "{err}");
    let (ok, _, err) = rtgs2(&["render", s, "--camera", "99", "--out", &png("x.png")]);
    assert!(!ok && err.contains("camera 99 does not exist"), "{err}");
}

#[test]
fn features_command_caches_and_recovers_from_a_corrupt_cache() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("room");
    room(&scene);
    let s = scene.to_str().expect("utf-8 path");
    let cache = dir.path().join("cache");
    let c = cache.to_str().expect("utf-8");
    let export = dir.path().join("features.npy");
    let e = export.to_str().expect("utf-8");
    let run = |extra: &[&str]| {
        let mut args = vec!["features", s, "--cache-dir", c, "--json", "--threads", "2"];
        args.extend_from_slice(extra);
        let (ok, out, err) = rtgs2(&args);
        assert!(ok, "features {extra:?}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("features --json is JSON");
        (v, err)
    };
    let (first, _) = run(&["--export", e]);
    assert_eq!(first["cache"], "written");
    assert_eq!(first["gaussians"].as_u64(), Some(30_000));
    assert_eq!(first["provider"], "CPU");
    assert!(first["stages_ms"]["inference"].as_f64().expect("inference time") > 0.0);
    let exported: rtgs2::util::npy::NpyArray<f32> = rtgs2::util::npy::read(&export).expect("exported npy");
    assert_eq!(exported.shape, vec![30_000, 32]);
    assert!(exported.data.iter().all(|v| v.is_finite()) && exported.data.iter().any(|&v| v != 0.0));

    let export_hit = dir.path().join("features-from-cache.npy");
    let (second, _) = run(&["--export", export_hit.to_str().expect("utf-8")]);
    assert_eq!(second["cache"], "hit");
    assert_eq!(second["cache_path"], first["cache_path"]);
    // The same numbers warm or cold: a network reading them must not answer differently.
    let from_cache: rtgs2::util::npy::NpyArray<f32> = rtgs2::util::npy::read(&export_hit).expect("exported npy");
    assert!(from_cache.data == exported.data, "features read from the cache equal the freshly computed ones");

    let path = std::path::PathBuf::from(first["cache_path"].as_str().expect("cache path"));
    let mut bytes = std::fs::read(&path).expect("cache file");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&path, &bytes).expect("corrupt the cache");
    let (third, err) = run(&[]);
    assert_eq!(third["cache"], "written", "a corrupt cache is recomputed");
    assert!(err.contains("checksum") && err.contains("recomputing"), "the user is told: {err}");

    // A cache folder that cannot be created: the features still come out, with a warning.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"x").expect("write a file where the cache folder would go");
    let blocked_dir = blocker.join("cache");
    let (ok, out, err) = rtgs2(&["features", s, "--cache-dir", blocked_dir.to_str().expect("utf-8"), "--json"]);
    assert!(ok, "{err}");
    let blocked: serde_json::Value = serde_json::from_str(&out).expect("features --json is JSON");
    assert_eq!(blocked["cache"], "disabled");
    assert!(err.contains("could not cache the features"), "{err}");

    let (ok, _, err) = rtgs2(&["features", s, "--model", "/nonexistent/encoder.onnx", "--no-cache"]);
    assert!(!ok && err.contains("/nonexistent/encoder"), "missing model named: {err}");
    assert!(scene.join("cameras.json").exists(), "the input folder is untouched");
}
