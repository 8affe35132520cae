//! `rtgs2 eval`, `rtgs2 segment`, `rtgs2 bench segment` and the demo's prediction panel end to
//! end on small generated rooms
//! (the real binary, the shipped models, the CPU reference renderer so that the ground truth
//! can be checked pixel for pixel against `rtgs2 render --what label-ids`).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rtgs2::image_io::read_png;

const W: u32 = 64;
const H: u32 = 48;
const VIEWS: usize = 4;

use common::run_rtgs2 as rtgs2;

use common::path_arg as s;

/// `rtgs2 synth` of one small room of `seed`; returns its trainer folder.
fn synth_room(parent: &Path, seed: u64) -> PathBuf {
    let seed = seed.to_string();
    let views = VIEWS.to_string();
    let (ok, _, err) = rtgs2(&["synth", s(parent), "--seed", &seed, "--gaussians", "20000", "--views", &views]);
    assert!(ok, "synth: {err}");
    let suffix = format!("_{seed:0>5}");
    std::fs::read_dir(parent)
        .expect("synth output")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.is_dir() && p.to_string_lossy().ends_with(&suffix))
        .expect("a room folder <kind>_<seed>")
}

/// Valid ground-truth pixels per class over the room's cameras, from `render --what label-ids`.
fn label_counts(room: &Path, work: &Path) -> BTreeMap<u64, u64> {
    let mut counts = BTreeMap::new();
    for cam in 0..VIEWS {
        let png = work.join(format!("ids_{cam}.png"));
        let (w, h) = (W.to_string(), H.to_string());
        let args = ["render", s(room), "--camera", &cam.to_string(), "--width", &w, "--height", &h];
        let (ok, _, err) = rtgs2(&[&args[..], &["--what", "label-ids", "--backend", "cpu", "--out", s(&png)]].concat());
        assert!(ok, "render label-ids: {err}");
        let (_, _, _, ids) = read_png(&png).expect("label-id png");
        for id in ids.into_iter().filter(|&l| l != 0 && l != 255) {
            *counts.entry(id as u64).or_insert(0) += 1;
        }
    }
    counts
}

fn keys(v: &serde_json::Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().expect("an object").keys().map(String::as_str).collect();
    k.sort();
    k
}

/// Checks one {miou, macc, oacc, per_class} block; returns per-class pixels by id.
fn check_scores(v: &serde_json::Value) -> BTreeMap<u64, u64> {
    let frac = |x: &serde_json::Value| {
        let f = x.as_f64().expect("a number");
        assert!((0.0..=1.0).contains(&f), "{f} is not a fraction");
        f
    };
    let classes = v["per_class"].as_array().expect("per_class");
    assert!(!classes.is_empty());
    let mut pixels = BTreeMap::new();
    let (mut iou_sum, mut acc_sum) = (0.0, 0.0);
    for c in classes {
        assert_eq!(keys(c), ["acc", "id", "iou", "name", "pixels"]);
        let id = c["id"].as_u64().expect("id");
        assert_eq!(c["name"], rtgs2::classes::name(id as u16));
        iou_sum += frac(&c["iou"]);
        acc_sum += frac(&c["acc"]);
        pixels.insert(id, c["pixels"].as_u64().expect("pixels"));
    }
    let n = classes.len() as f64;
    assert!((frac(&v["miou"]) - iou_sum / n).abs() < 1e-9, "mIoU is the mean over present classes");
    assert!((frac(&v["macc"]) - acc_sum / n).abs() < 1e-9, "mAcc is the mean over present classes");
    frac(&v["oacc"]);
    pixels
}

#[test]
fn eval_scores_rooms_against_their_label_splats() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rooms = [synth_room(&dir.path().join("a"), 3), synth_room(&dir.path().join("b"), 4)];
    let cache = dir.path().join("cache");
    let json = dir.path().join("scores.json");
    let (w, h) = (W.to_string(), H.to_string());
    let base = ["eval", "--width", &w, "--height", &h, "--backend", "cpu", "--cache-dir", s(&cache), "--threads", "2"];
    let (ok, out, err) = rtgs2(&[&base[..], &[s(&rooms[0]), s(&rooms[1]), "--json", s(&json)]].concat());
    assert!(ok, "eval: {err}");
    assert!(out.contains("mIoU") && out.contains("total"), "a table on stdout: {out}");

    assert!(out.contains("classes all"), "the table names the protocol: {out}");

    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("--json file")).expect("JSON");
    assert_eq!(keys(&v), ["classes", "scenes", "source", "total"]);
    assert_eq!((&v["classes"], &v["source"]), (&"all".into(), &"live".into()), "live predictions by default");
    assert_eq!(keys(&v["total"]), ["macc", "miou", "oacc", "per_class"]);
    let scenes = v["scenes"].as_array().expect("scenes");
    assert_eq!(scenes.len(), 2);
    let mut summed: BTreeMap<u64, u64> = BTreeMap::new();
    let counts: Vec<BTreeMap<u64, u64>> = rooms.iter().map(|room| label_counts(room, dir.path())).collect();
    for ((scene, room), counts) in scenes.iter().zip(&rooms).zip(&counts) {
        assert_eq!(keys(scene), ["macc", "miou", "name", "oacc", "per_class", "views"]);
        assert_eq!(scene["name"], room.file_name().expect("name").to_string_lossy().as_ref());
        assert_eq!(scene["views"].as_u64(), Some(VIEWS as u64));
        let pixels = check_scores(scene);
        assert_eq!(&pixels, counts, "per-class ids and pixels are the label splat's");
        for (id, n) in pixels {
            *summed.entry(id).or_insert(0) += n;
        }
    }
    assert_eq!(check_scores(&v["total"]), summed, "one confusion matrix over all views");

    // ScanNet's 20 classes: the label splat's pixels of those classes only.
    let (ok, out, err) = rtgs2(&[&base[..], &[s(&rooms[0]), "--classes", "scannet20", "--json", s(&json)]].concat());
    assert!(ok, "eval --classes scannet20: {err}");
    assert!(out.contains("classes scannet20"), "the table names the protocol: {out}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("JSON");
    assert_eq!(v["classes"], "scannet20");
    let scannet20: BTreeMap<u64, u64> = counts[0]
        .iter()
        .filter(|(id, _)| rtgs2::eval::SCANNET20.contains(&(**id as u8)))
        .map(|(&id, &n)| (id, n))
        .collect();
    assert_eq!(check_scores(&v["scenes"][0]), scannet20, "only the 20 classes' ground truth is scored");
    let (ok, _, err) = rtgs2(&[&base[..], &[s(&rooms[0]), "--classes", "nyu13"]].concat());
    assert!(!ok && err.contains("nyu13"), "{err}");

    let (ok, _, err) = rtgs2(&[&base[..], &[s(&rooms[0]), "--max-views", "2", "--json", s(&json)]].concat());
    assert!(ok, "eval --max-views: {err}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("JSON");
    assert_eq!(v["scenes"][0]["views"].as_u64(), Some(2));
}

#[test]
fn eval_refuses_what_it_cannot_score() {
    let dir = tempfile::tempdir().expect("temp dir");
    let room = synth_room(&dir.path().join("rooms"), 5);
    let loaded = rtgs2::scene::load(&room, &Default::default()).expect("room loads");
    let mut scene = loaded.scene;
    scene.labels = None;
    let bare = dir.path().join("unlabelled");
    rtgs2::scene::trainer_folder::write_trainer_folder(&bare, &scene, &loaded.cameras, 7000).expect("write");
    let (ok, _, err) = rtgs2(&["eval", s(&bare), "--no-cache"]);
    assert!(!ok && err.contains("unlabelled") && err.contains("'label'") && !err.contains("panicked"), "{err}");

    let missing = dir.path().join("no-such-model.onnx");
    let (ok, _, err) = rtgs2(&["eval", s(&room), "--model", s(&missing)]);
    assert!(!ok && err.contains("no-such-model.onnx") && err.contains("not found"), "{err}");
    let (ok, _, err) = rtgs2(&["eval", s(&room), "--max-views", "0"]);
    assert!(!ok && err.contains("--max-views"), "{err}");
}

#[test]
fn segment_writes_the_render_beside_its_overlay() {
    let dir = tempfile::tempdir().expect("temp dir");
    let room = synth_room(&dir.path().join("rooms"), 6);
    let cache = dir.path().join("cache");
    let (w, h) = (W.to_string(), H.to_string());
    let view = ["--camera", "1", "--width", &w, "--height", &h, "--backend", "cpu"];
    let rgb = dir.path().join("rgb.png");
    let (ok, _, err) = rtgs2(&[&["render", s(&room)][..], &view, &["--out", s(&rgb)]].concat());
    assert!(ok, "render: {err}");
    let (_, _, _, rgb) = read_png(&rgb).expect("rgb png");
    // Ground-truth ids of the same view: 255 where the scene does not cover a pixel (alpha < 0.5).
    let ids = dir.path().join("ids.png");
    let (ok, _, err) = rtgs2(&[&["render", s(&room)][..], &view, &["--what", "label-ids", "--out", s(&ids)]].concat());
    assert!(ok, "render label-ids: {err}");
    let (_, _, _, ids) = read_png(&ids).expect("label-id png");

    for opacity in ["0.6", "1"] {
        let out = dir.path().join(format!("seg_{opacity}.png"));
        let args = [&["segment", s(&room)][..], &view, &["--out", s(&out), "--opacity", opacity]];
        let (ok, _, err) = rtgs2(&[&args.concat()[..], &["--cache-dir", s(&cache)]].concat());
        assert!(ok, "segment: {err}");
        assert!(err.contains("classes: "), "class shares printed: {err}");
        let (pw, ph, ch, px) = read_png(&out).expect("segment png");
        assert_eq!((pw, ph, ch), (2 * W, H, 3), "render | overlay side by side");
        let row = |y: usize, half: usize| {
            let start = (y * 2 * W as usize + half * W as usize) * 3;
            px[start..start + W as usize * 3].to_vec()
        };
        let left: Vec<u8> = (0..H as usize).flat_map(|y| row(y, 0)).collect();
        let right: Vec<u8> = (0..H as usize).flat_map(|y| row(y, 1)).collect();
        assert_eq!(left, rgb, "the left half is the plain render");
        assert_ne!(left, right, "the right half carries the overlay");
        if opacity == "1" {
            // Every covered pixel shows a class colour; an uncovered one has no class and
            // keeps the render's colour.
            let palette: Vec<[u8; 3]> = rtgs2::classes::SCANNET_PALETTE[1..].to_vec();
            for (i, ((p, l), &id)) in right.chunks_exact(3).zip(left.chunks_exact(3)).zip(&ids).enumerate() {
                match id {
                    255 => assert_eq!(p, l, "pixel {i} is not covered: the render's colour"),
                    _ => assert!(palette.contains(&[p[0], p[1], p[2]]), "pixel {i} is covered: a class colour"),
                }
            }
        }
    }
    let (ok, _, err) = rtgs2(&["segment", s(&room), "--out", s(&dir.path().join("x.png")), "--opacity", "2"]);
    assert!(!ok && err.contains("--opacity"), "{err}");
}

/// Panel `k` of a row of `n` W×H RGB panels.
fn panel(px: &[u8], n: usize, k: usize) -> Vec<u8> {
    let w = W as usize;
    (0..H as usize).flat_map(|y| px[(y * n * w + k * w) * 3..(y * n * w + (k + 1) * w) * 3].to_vec()).collect()
}

#[test]
fn demo_shows_the_prediction_between_features_and_ground_truth() {
    let dir = tempfile::tempdir().expect("temp dir");
    let room = synth_room(&dir.path().join("rooms"), 8);
    let (w, h) = (W.to_string(), H.to_string());
    let seg = dir.path().join("seg.png");
    let view = ["--camera", "1", "--width", &w, "--height", &h, "--backend", "cpu", "--opacity", "1"];
    let (ok, _, err) = rtgs2(&[&["segment", s(&room), "--out", s(&seg)][..], &view].concat());
    assert!(ok, "segment: {err}");
    let (_, _, _, seg) = read_png(&seg).expect("segment png");

    let out = dir.path().join("demo");
    let size = format!("{W}x{H}");
    let views = VIEWS.to_string(); // every camera, so camera 1 is view_001
    let args = ["demo", "--scene", s(&room), "--views", &views, "--size", &size, "--backend", "cpu", "--out", s(&out)];
    let (ok, stdout, err) = rtgs2(&args);
    assert!(ok, "demo: {err}");
    assert!(stdout.contains("colour | encoder features (PCA) | predicted classes | ground-truth labels"), "{stdout}");
    assert_eq!(stdout.matches("prediction agrees on").count(), VIEWS, "one agreement figure per view: {stdout}");
    let (pw, ph, _, px) = read_png(&out.join("view_001.png")).expect("demo png");
    assert_eq!((pw, ph), (5 * W, H), "colour | features | prediction | labels | depth");
    assert_eq!(panel(&px, 5, 0), panel(&seg, 2, 0), "the same render as segment's");
    assert_eq!(panel(&px, 5, 2), panel(&seg, 2, 1), "the prediction panel is segment's class image");
    let features = panel(&px, 5, 1);
    assert!(features.chunks_exact(3).collect::<std::collections::HashSet<_>>().len() > 8, "a feature image, not flat");
}

#[test]
fn bench_segment_reports_every_stage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let room = synth_room(&dir.path().join("rooms"), 7);
    let cache = dir.path().join("cache");
    let args = ["bench", "segment", s(&room), "--width", "48", "--height", "32", "--frames", "3", "--backend", "cpu"];
    let (ok, out, err) = rtgs2(&[&args[..], &["--json", "--cache-dir", s(&cache), "--ep", "cpu"]].concat());
    assert!(ok, "bench segment: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("bench --json is JSON");
    assert_eq!(v["provider"], "CPU");
    for stage in ["render", "readback", "preprocess", "inference", "classify", "overlay"] {
        let m = v["stages"][stage]["median_ms"].as_f64().expect("stage median");
        assert!(m >= 0.0 && m <= v["stages"][stage]["p95_ms"].as_f64().expect("p95"), "{stage}");
    }
    assert!(v["stages"]["inference"]["median_ms"].as_f64().expect("inference") > 0.0);
    assert!(v["sequential_fps"].as_f64().expect("fps") > 0.0);
    assert!(v["pipelined"]["frames_per_s"].as_f64().expect("pipelined fps") > 0.0);
    assert!(v["pipelined"]["dropped_frames"].as_u64().is_some());
}

/// A network whose card names gravity cues gets them from the pipeline: `eval` with the
/// cue fixture's model (trained by the project, `train_gravity.sh ablation`) scores a room, and
/// the same file with a card that forgets the cues is refused by width instead of being fed
/// 32 channels where it reads 36.
#[test]
fn a_network_reading_gravity_cues_gets_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let room = synth_room(&dir.path().join("a"), 5);
    let cache = dir.path().join("cache");
    let json = dir.path().join("scores.json");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fusion_cues");
    let (w, h) = (W.to_string(), H.to_string());
    let base = ["eval", s(&room), "--width", &w, "--height", &h, "--backend", "cpu", "--cache-dir", s(&cache)];
    let model = fixture.join("fusion.onnx");
    let (ok, out, err) = rtgs2(&[&base[..], &["--model", s(&model), "--json", s(&json)]].concat());
    assert!(ok, "eval with the cue model: {err}");
    assert!(out.contains("mIoU"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("JSON");
    let miou = v["total"]["miou"].as_f64().expect("miou");
    assert!(miou > 0.15, "a generated room through the cue network: mIoU {miou}");

    let forgetful = dir.path().join("forgetful");
    std::fs::create_dir_all(&forgetful).expect("dir");
    std::fs::copy(&model, forgetful.join("fusion.onnx")).expect("copy model");
    let mut card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture.join("fusion.json")).expect("card")).expect("JSON");
    card.as_object_mut().expect("card object").remove("gravity_cues");
    std::fs::write(forgetful.join("fusion.json"), card.to_string()).expect("write card");
    let (ok, _, err) = rtgs2(&[&base[..], &["--model", s(&forgetful.join("fusion.onnx"))]].concat());
    assert!(!ok && err.contains("32-d features") && err.contains("reads 36"), "{err}");
}
