//! `rtgs2 import` end to end: a labelled scan of a box room (floor, walls, a table) written as
//! a ScanNet-style `.npy` pair and as a PLY becomes a trainer folder that the other commands
//! read, whose label renders show the scan's classes where its cameras look; bad scans are
//! refused with the file named, and inputs are never modified.

mod common;

use rtgs2::util::npy;
use rtgs2::util::rng::Rng;

use common::run_rtgs2 as rtgs2;

use common::path_arg as s;

const WALL: u32 = 1;
const FLOOR: u32 = 2;
const TABLE: u32 = 7;

/// A 5 × 4 m room, walls scanned 2.2 m up (no ceiling), a table in the middle, z up:
/// rows of [x y z r g b] and NYU40 ids, ~30 000 points.
fn box_scan() -> (Vec<f32>, Vec<u32>) {
    let mut rng = Rng::new(17);
    let (mut vert, mut labels) = (Vec::new(), Vec::new());
    let mut push = |p: [f32; 3], c: [f32; 3], l: u32| {
        vert.extend_from_slice(&[p[0], p[1], p[2], c[0], c[1], c[2]]);
        labels.push(l);
    };
    for _ in 0..30_000 {
        let (a, b) = (rng.f32(), rng.f32());
        match rng.below(10) {
            0..=2 => push([a * 5.0, b * 4.0, 0.0], [120.0, 90.0, 60.0], FLOOR),
            3 => push([a * 5.0, 0.0, b * 2.2], [230.0, 230.0, 220.0], WALL),
            4 => push([a * 5.0, 4.0, b * 2.2], [230.0, 230.0, 220.0], WALL),
            5 => push([0.0, a * 4.0, b * 2.2], [230.0, 230.0, 220.0], WALL),
            6 => push([5.0, a * 4.0, b * 2.2], [230.0, 230.0, 220.0], WALL),
            _ => push([2.0 + a * 1.0, 1.6 + b * 0.8, 0.75], [60.0, 40.0, 30.0], TABLE),
        }
    }
    (vert, labels)
}

#[test]
fn a_labelled_scan_becomes_a_scene_with_cameras_whose_labels_render() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (vert, labels) = box_scan();
    let v = dir.path().join("room7_00_vert.npy");
    npy::write(&v, &[labels.len(), 6], &vert).expect("write vert");
    npy::write(&dir.path().join("room7_00_sem_label.npy"), &[labels.len()], &labels).expect("write labels");
    let before = std::fs::read(&v).expect("read input");
    let out = dir.path().join("scenes");
    let (ok, stdout, err) = rtgs2(&[
        "import",
        s(&v),
        "--out",
        s(&out),
        "--views",
        "6",
        "--width",
        "64",
        "--height",
        "48",
        "--units-per-metre",
        "1",
    ]);
    assert!(ok, "import: {err}");
    assert!(stdout.contains("30000 Gaussians") && stdout.contains("6 cameras"), "{stdout}");
    assert_eq!(std::fs::read(&v).expect("read input"), before, "the input is not modified");
    let room = out.join("room7_00");
    let loaded = rtgs2::scene::load(&room, &Default::default()).expect("the imported scene loads");
    assert_eq!(loaded.scene.len(), 30_000);
    assert_eq!(loaded.cameras.len(), 6);
    assert_eq!(
        loaded.scene.labels.as_ref().map(|l| l.iter().filter(|&&c| c == TABLE as u16).count()),
        Some(labels.iter().filter(|&&c| c == TABLE).count())
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(room.join("import.json")).expect("import.json")).expect("json");
    assert_eq!(report["points"], 30_000);
    // Every camera sees the room from inside: its label render is mostly labelled surface,
    // and the views together show walls, floor and the table.
    let mut seen = std::collections::BTreeSet::new();
    for cam in 0..6 {
        let png = dir.path().join(format!("ids{cam}.png"));
        let cam_s = cam.to_string();
        let (ok, _, err) = rtgs2(&[
            "render",
            s(&room),
            "--camera",
            &cam_s,
            "--what",
            "label-ids",
            "--backend",
            "cpu",
            "--out",
            s(&png),
        ]);
        assert!(ok, "render: {err}");
        let (_, _, channels, pixels) = rtgs2::image_io::read_png(&png).expect("png");
        let ids: Vec<u8> = pixels.chunks_exact(channels).map(|p| p[0]).collect();
        let covered = ids.iter().filter(|&&i| i != 255).count();
        assert!(covered * 10 >= ids.len() * 9, "camera {cam}: only {covered} of {} pixels covered", ids.len());
        seen.extend(ids.iter().copied().filter(|&i| i != 255));
    }
    for class in [WALL, FLOOR, TABLE] {
        assert!(seen.contains(&(class as u8)), "class {class} in some view: {seen:?}");
    }
}

#[test]
fn a_ply_scan_imports_like_its_npy_twin() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (vert, labels) = box_scan();
    let mut ply = format!(
        "ply\nformat ascii 1.0\nelement vertex {}\nproperty float x\nproperty float y\nproperty float z\n\
         property uchar red\nproperty uchar green\nproperty uchar blue\nproperty int label\nend_header\n",
        labels.len()
    );
    for (row, l) in vert.chunks_exact(6).zip(&labels) {
        ply.push_str(&format!("{} {} {} {} {} {} {l}\n", row[0], row[1], row[2], row[3], row[4], row[5]));
    }
    let p = dir.path().join("room7_ply.ply");
    std::fs::write(&p, ply).expect("write ply");
    let out = dir.path().join("scenes");
    let (ok, _, err) = rtgs2(&["import", s(&p), "--out", s(&out), "--views", "3", "--units-per-metre", "1"]);
    assert!(ok, "import: {err}");
    let loaded = rtgs2::scene::load(&out.join("room7_ply"), &Default::default()).expect("loads");
    assert_eq!(loaded.scene.len(), labels.len());
    assert_eq!(loaded.cameras.len(), 3);
}

#[test]
fn bad_scans_are_refused_with_the_file_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("scenes");
    let out_s = out.to_str().expect("utf-8").to_string();
    // Labels of another length.
    let v = dir.path().join("short_vert.npy");
    npy::write(&v, &[2, 6], &[0.0f32; 12]).expect("write");
    npy::write(&dir.path().join("short_sem_label.npy"), &[3], &[1u32, 1, 1]).expect("write");
    let (ok, _, err) = rtgs2(&["import", s(&v), "--out", &out_s]);
    assert!(!ok && err.contains("short_sem_label.npy") && err.contains("3 labels for the 2 points"), "{err}");
    // A NaN coordinate.
    let (mut vert, labels) = box_scan();
    vert[6 * 100 + 2] = f32::NAN;
    let v = dir.path().join("nan_vert.npy");
    npy::write(&v, &[labels.len(), 6], &vert).expect("write");
    npy::write(&dir.path().join("nan_sem_label.npy"), &[labels.len()], &labels).expect("write");
    let (ok, _, err) = rtgs2(&["import", s(&v), "--out", &out_s]);
    assert!(!ok && err.contains("nan_vert.npy") && err.contains("point 100: z is NaN"), "{err}");
    // Labels over 40 are repaired with a count.
    let (vert, mut labels) = box_scan();
    labels[5] = 41;
    labels[6] = 1000;
    let v = dir.path().join("big_vert.npy");
    npy::write(&v, &[labels.len(), 6], &vert).expect("write");
    npy::write(&dir.path().join("big_sem_label.npy"), &[labels.len()], &labels).expect("write");
    let (ok, _, err) = rtgs2(&["import", s(&v), "--out", &out_s, "--views", "2", "--units-per-metre", "1"]);
    assert!(ok, "{err}");
    assert!(err.contains("big_vert.npy") && err.contains("set 2 labels outside NYU40"), "{err}");
    // A flat floor with no walls has no room to stand in.
    let floor: Vec<f32> =
        (0..4000).flat_map(|i| [(i % 63) as f32 * 0.08, (i / 63) as f32 * 0.08, 0.0, 9.0, 9.0, 9.0]).collect();
    let v = dir.path().join("floor_vert.npy");
    npy::write(&v, &[4000, 6], &floor).expect("write");
    npy::write(&dir.path().join("floor_sem_label.npy"), &[4000], &vec![FLOOR; 4000]).expect("write");
    let (ok, _, err) = rtgs2(&["import", s(&v), "--out", &out_s, "--units-per-metre", "1"]);
    assert!(!ok && err.contains("floor_vert.npy") && err.contains("no free space"), "{err}");
    // Not a scan at all.
    let t = dir.path().join("notes.txt");
    std::fs::write(&t, "hello").expect("write");
    let (ok, _, err) = rtgs2(&["import", s(&t), "--out", &out_s]);
    assert!(!ok && err.contains("notes.txt"), "{err}");
}

#[test]
fn disc_size_scales_every_disc_and_is_range_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (vert, labels) = box_scan();
    let v = dir.path().join("room8_00_vert.npy");
    npy::write(&v, &[labels.len(), 6], &vert).expect("write vert");
    npy::write(&dir.path().join("room8_00_sem_label.npy"), &[labels.len()], &labels).expect("write labels");
    let mut mean_log_scale = Vec::new();
    for size in ["0.5", "1.0"] {
        let out = dir.path().join(format!("scenes{size}"));
        let args = ["import", s(&v), "--out", s(&out), "--views", "2", "--units-per-metre", "1", "--disc-size", size];
        let (ok, _, err) = rtgs2(&args);
        assert!(ok, "import --disc-size {size}: {err}");
        let loaded = rtgs2::scene::load(&out.join("room8_00"), &Default::default()).expect("loads");
        let s = &loaded.scene.log_scales;
        mean_log_scale.push(s.iter().map(|l| l[0] as f64).sum::<f64>() / s.len() as f64);
    }
    // Twice the fraction of the spacing: every disc twice as wide.
    assert!((mean_log_scale[1] - mean_log_scale[0] - 2f64.ln()).abs() < 1e-3, "{mean_log_scale:?}");
    let out = dir.path().join("bad");
    let (ok, _, err) = rtgs2(&["import", s(&v), "--out", s(&out), "--disc-size", "0"]);
    assert!(!ok && err.contains("--disc-size must be 0.1 to 4"), "{err}");
}
