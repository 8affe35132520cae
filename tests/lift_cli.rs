//! `rtgs2 lift` and `rtgs2 eval --source` end to end on a small generated room (the real
//! binary, the shipped models, the CPU reference renderer).

mod common;

use std::path::{Path, PathBuf};

use common::path_arg as s;
use common::run_rtgs2 as rtgs2;

fn synth_room(parent: &Path) -> PathBuf {
    let (ok, _, err) = rtgs2(&["synth", s(parent), "--seed", "8", "--gaussians", "20000", "--views", "4"]);
    assert!(ok, "synth: {err}");
    std::fs::read_dir(parent).expect("synth output").filter_map(Result::ok).map(|e| e.path()).next().expect("a room")
}

const SMALL: [&str; 8] = ["--width", "64", "--height", "48", "--backend", "cpu", "--threads", "2"];

#[test]
fn lift_gives_every_seen_gaussian_a_class_and_writes_them_as_ply_properties() {
    let dir = tempfile::tempdir().expect("temp dir");
    let room = synth_room(&dir.path().join("rooms"));
    let (out, json, cache) = (dir.path().join("lifted.ply"), dir.path().join("lift.json"), dir.path().join("cache"));
    let before = std::fs::read(room.join("cameras.json")).expect("cameras");
    let args = [&["lift", s(&room), "--views", "6"][..], &SMALL, &["--cache-dir", s(&cache)]].concat();
    let (ok, stdout, err) = rtgs2(&[&args[..], &["--out", s(&out), "--json", s(&json)]].concat());
    assert!(ok, "lift: {err}");
    assert!(stdout.contains("lifted 6 views onto 20000 Gaussians") && stdout.contains("scatter"), "{stdout}");
    assert_eq!(std::fs::read(room.join("cameras.json")).expect("cameras"), before, "the input is untouched");

    let lifted = rtgs2::scene::load(&out, &Default::default()).expect("the lifted PLY loads");
    let labels = lifted.scene.labels.as_ref().expect("a label property");
    let confidence = &lifted.scene.extras.iter().find(|e| e.name == "label_confidence").expect("confidence").values;
    assert_eq!((labels.len(), confidence.len()), (20000, 20000));
    let labelled = labels.iter().filter(|&&l| l != 0).count();
    // Six small views see a good part of the room (the rest is hidden or behind them).
    assert!(labelled > 5000, "a good part of the room gets a class: {labelled}");
    for (&l, &c) in labels.iter().zip(confidence) {
        assert!(l <= 40, "NYU40 ids only: {l}");
        assert!(if l == 0 { c == 0.0 } else { c > 0.0 && c <= 1.0 + 1e-6 }, "class {l} confidence {c}");
    }
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).expect("json")).expect("JSON");
    assert_eq!(summary["labelled"].as_u64(), Some(labelled as u64));
    assert!(summary["stages"]["segment"]["total_s"].as_f64().is_some_and(|t| t > 0.0), "{summary}");
    let counted: u64 = summary["class_counts"].as_object().expect("counts").values().filter_map(|v| v.as_u64()).sum();
    assert_eq!(counted, labelled as u64);
    // Cached: the second run reads the labels back; a corrupt cache file is named and
    // recomputed to the same labels; --no-cache neither reads nor writes it.
    let again = dir.path().join("again.ply");
    let (ok, _, err) = rtgs2(&[&args[..], &["--out", s(&again)]].concat());
    assert!(ok && err.contains("lifted labels read from"), "{err}");
    let same = |p: &Path| rtgs2::scene::load(p, &Default::default()).expect("PLY").scene.labels;
    assert_eq!(same(&again), lifted.scene.labels, "a cache hit gives the same labels");
    let file = std::fs::read_dir(&cache)
        .expect("cache dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "rtgs2lift"))
        .expect("a lifted-label cache file");
    let mut bytes = std::fs::read(&file).expect("cache bytes");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20;
    std::fs::write(&file, &bytes).expect("corrupt it");
    let (ok, _, err) = rtgs2(&[&args[..], &["--out", s(&again)]].concat());
    assert!(ok && err.contains("corrupt") && err.contains("recomputing") && !err.contains("read from"), "{err}");
    assert_eq!(same(&again), lifted.scene.labels, "recomputed to the same labels");
    // Cut out by class: only the Gaussians lifted to wall or floor (by name or id).
    let cut = dir.path().join("cut.ply");
    let (ok, _, err) = rtgs2(&[&args[..], &["--out", s(&cut), "--only", "wall,2"]].concat());
    assert!(ok, "lift --only: {err}");
    let cut_labels = same(&cut).expect("labels");
    let expected = labels.iter().filter(|&&l| l == 1 || l == 2).count();
    assert!(expected > 0 && cut_labels.len() == expected, "{} of {expected}", cut_labels.len());
    assert!(cut_labels.iter().all(|&l| l == 1 || l == 2));
    let (ok, _, err) = rtgs2(&[&args[..], &["--out", s(&cut), "--only", "chairs"]].concat());
    assert!(!ok && err.contains("\"chairs\" is not an NYU40 class"), "{err}");
    // The lifted PLY is a scene like any other: it renders its lifted labels.
    let ids = dir.path().join("ids.png");
    let cams = room.join("cameras.json");
    std::fs::copy(&cams, dir.path().join("cameras.json")).expect("cameras beside the PLY");
    let args = ["render", s(&out), "--camera", "0", "--what", "label-ids", "--width", "64", "--height", "48"];
    let (ok, _, err) = rtgs2(&[&args[..], &["--out", s(&ids)]].concat());
    assert!(ok, "render the lifted labels: {err}");
    let (_, _, _, ids) = rtgs2::image_io::read_png(&ids).expect("label-id png");
    assert!(ids.iter().filter(|&&i| i != 0 && i != 255).count() > ids.len() / 4, "lifted classes render");
}

#[test]
fn segment_shows_the_lifted_labels_lifting_once_then_from_the_cache() {
    let dir = tempfile::tempdir().expect("temp dir");
    let room = synth_room(&dir.path().join("rooms"));
    let (png, cache) = (dir.path().join("seg.png"), dir.path().join("cache"));
    let args = [
        &["segment", s(&room), "--camera", "1", "--semantic-source", "lifted", "--lift-views", "4"][..],
        &SMALL,
        &["--cache-dir", s(&cache), "--out", s(&png)],
    ]
    .concat();
    let (ok, _, err) = rtgs2(&args);
    assert!(ok, "segment --semantic-source lifted: {err}");
    assert!(err.contains("lifted labels from 4 views") && err.contains("classes: "), "{err}");
    let (w, h, channels, pixels) = rtgs2::image_io::read_png(&png).expect("the sheet");
    assert_eq!((w, h, channels), (128, 48, 3), "render | overlay");
    let differ = (0..48usize * 64)
        .filter(|&i| {
            let (y, x) = (i / 64, i % 64);
            let (a, b) = ((y * 128 + x) * 3, (y * 128 + 64 + x) * 3);
            pixels[a..a + 3] != pixels[b..b + 3]
        })
        .count();
    assert!(differ > 48 * 64 / 4, "the overlay colours the lifted classes: {differ} pixels differ");
    let (ok, _, err) = rtgs2(&args);
    assert!(ok && err.contains("lifted labels read from"), "the second run reads the cache: {err}");
    let none = ["segment", s(&room), "--semantic-source", "lifted", "--lift-views", "0", "--out", s(&png)];
    let (ok, _, err) = rtgs2(&none);
    assert!(!ok && err.contains("--lift-views") && !err.contains("panicked"), "{err}");
}

#[test]
fn eval_scores_lifted_and_live_predictions_against_the_same_ground_truth() {
    let dir = tempfile::tempdir().expect("temp dir");
    let room = synth_room(&dir.path().join("rooms"));
    let (json, cache) = (dir.path().join("scores.json"), dir.path().join("cache"));
    let args = [&["eval", s(&room), "--source", "both", "--lift-views", "6", "--consistency"][..], &SMALL].concat();
    let (ok, stdout, err) = rtgs2(&[&args[..], &["--cache-dir", s(&cache), "--json", s(&json)]].concat());
    assert!(ok, "eval --source both: {err}");
    assert!(stdout.contains("live predictions") && stdout.contains("lifted predictions"), "{stdout}");
    assert!(stdout.contains("total: ") && stdout.contains("total (lifted): "), "{stdout}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).expect("json")).expect("JSON");
    let pixels = |src: &str| -> Vec<(u64, u64)> {
        v[src]["total"]["per_class"]
            .as_array()
            .expect("per_class")
            .iter()
            .map(|c| (c["id"].as_u64().expect("id"), c["pixels"].as_u64().expect("pixels")))
            .collect()
    };
    assert!(!pixels("live").is_empty());
    assert_eq!(pixels("live"), pixels("lifted"), "both sources are scored on the same ground-truth pixels");
    for src in ["live", "lifted"] {
        let miou = v[src]["total"]["miou"].as_f64().expect("miou");
        assert!((0.0..=1.0).contains(&miou), "{src} mIoU {miou}");
        assert_eq!(v[src]["source"], src);
        let share = v[src]["consistency"]["share"].as_f64().expect("a consistency share");
        assert!((0.0..=1.0).contains(&share) && v[src]["consistency"]["pixels"].as_u64() > Some(1000), "{}", v[src]);
    }
    assert!(stdout.contains("view consistency (live): ") && stdout.contains("view consistency (lifted): "));
}

#[test]
fn lift_refuses_what_it_cannot_lift() {
    let dir = tempfile::tempdir().expect("temp dir");
    let room = synth_room(&dir.path().join("rooms"));
    let (ok, _, err) = rtgs2(&["lift", s(&room), "--views", "0"]);
    assert!(!ok && err.contains("--views"), "{err}");
    let ply = room.join("point_cloud/iteration_30000/point_cloud.ply");
    let (ok, _, err) = rtgs2(&["lift", s(&room), "--views", "2", "--width", "32", "--height", "24", "--out", s(&ply)]);
    assert!(!ok && err.contains("refusing to overwrite"), "{err}");
    let (ok, _, err) = rtgs2(&["eval", s(&room), "--source", "lifted", "--lift-views", "0"]);
    assert!(!ok && err.contains("--lift-views"), "{err}");
}

/// The room's Gaussians without its cameras, whole (`lone.ply`) and as one kind of furniture
/// alone, the kind with most Gaussians of bed, sofa, table, cabinet and desk (`object.ply`):
/// the kinds of files users open (`.splat` and the like carry no cameras).
fn camera_less_copies(room: &Path, dir: &Path) -> (PathBuf, PathBuf) {
    let ply = room.join("point_cloud/iteration_30000/point_cloud.ply");
    let lone = dir.join("lone.ply");
    std::fs::copy(&ply, &lone).expect("copy");
    let mut scene = rtgs2::scene::load(&ply, &Default::default()).expect("room").scene;
    let labels = scene.labels.clone().expect("labels");
    let count = |id: u16| labels.iter().filter(|&&l| l == id).count();
    let kind = [4u16, 6, 7, 3, 14].into_iter().max_by_key(|&id| count(id)).expect("a kind");
    assert!(count(kind) > 500, "the room has furniture");
    scene.retain(&labels.iter().map(|&l| l == kind).collect::<Vec<bool>>());
    let object = dir.join("object.ply");
    rtgs2::scene::ply_write::write_ply(&object, &scene).expect("write the object");
    (lone, object)
}

#[test]
fn scenes_without_cameras_are_lifted_from_views_placed_inside_the_room_or_around_the_scene() {
    let dir = tempfile::tempdir().expect("temp dir");
    let room = synth_room(&dir.path().join("rooms"));
    let (lone, object) = camera_less_copies(&room, dir.path());
    let cache = dir.path().join("cache");
    for (scene, placed) in [(&lone, "placed in the room's free space"), (&object, "on rings around the scene")] {
        let args = [&["lift", s(scene), "--views", "6"][..], &SMALL, &["--cache-dir", s(&cache)]].concat();
        let (ok, stdout, err) = rtgs2(&args);
        assert!(ok, "lift {}: {err}", scene.display());
        assert!(err.contains("has no cameras") && err.contains(&format!("6 views {placed}")), "{err}");
        let labelled: usize = stdout
            .split_once(" labelled")
            .and_then(|(head, _)| head.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .expect("the labelled count");
        let total = rtgs2::scene::load(scene, &Default::default()).expect("scene").scene.len();
        // Six 64x48 views see a good part of either scene.
        assert!(labelled * 4 > total, "{}: {labelled} of {total} Gaussians labelled", scene.display());
    }
    // `segment --semantic-source lifted` lifts a camera-less scene the same way (it once
    // splatted labels lifted from no view at all: every pixel unclassified).
    let png = dir.path().join("seg.png");
    let eye = ["--eye", "1,1,1.5", "--target", "3,2,1"];
    let args =
        [&["segment", s(&object), "--semantic-source", "lifted", "--lift-views", "4"][..], &eye, &SMALL].concat();
    let (ok, _, err) = rtgs2(&[&args[..], &["--cache-dir", s(&cache), "--out", s(&png)]].concat());
    assert!(ok && err.contains("4 views on rings around the scene"), "{err}");
}
