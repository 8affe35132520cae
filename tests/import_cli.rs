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
    // `--scene-scale recorded` encodes at the scan's recorded units; the default estimates
    // (the shipped networks were trained that way).
    assert_eq!(loaded.recorded_scale, Some(1.0));
    let cache = dir.path().join("cache");
    let (ok, _, err) = rtgs2(&["features", s(&room), "--cache-dir", s(&cache), "--scene-scale", "recorded"]);
    assert!(ok, "features: {err}");
    assert!(err.contains("scene scale 1 world units per metre, recorded by rtgs2 import"), "{err}");
    let (ok, _, err) = rtgs2(&["features", s(&room), "--cache-dir", s(&cache)]);
    assert!(ok && err.contains("estimated"), "{err}");
    let (ok, _, err) = rtgs2(&["features", s(&room), "--cache-dir", s(&cache), "--scene-scale", "2"]);
    assert!(ok && err.contains("scene scale 2 world units per metre (--scene-scale)"), "{err}");
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

/// The box scan as PLY columns: x y z float, red green blue uchar, label int.
fn box_columns() -> Vec<common::Column> {
    use rtgs2::scene::ScalarKind;
    let (vert, labels) = box_scan();
    let col = |name: &str, kind, k: usize| common::Column {
        name: name.into(),
        kind,
        values: vert.chunks_exact(6).map(|r| r[k] as f64).collect(),
    };
    vec![
        col("x", ScalarKind::F32, 0),
        col("y", ScalarKind::F32, 1),
        col("z", ScalarKind::F32, 2),
        col("red", ScalarKind::U8, 3),
        col("green", ScalarKind::U8, 4),
        col("blue", ScalarKind::U8, 5),
        common::Column {
            name: "label".into(),
            kind: ScalarKind::I32,
            values: labels.iter().map(|&l| l as f64).collect(),
        },
    ]
}

/// Runs `import` on `ply` (written to `dir/<name>.ply`) with two small views at 1 unit a
/// metre; asserts no panic and that the input is left as it was. (ok, stdout, stderr).
fn import_ply(dir: &std::path::Path, name: &str, ply: &[u8]) -> (bool, String, String) {
    let path = dir.join(format!("{name}.ply"));
    std::fs::write(&path, ply).expect("write ply");
    let out = dir.join("scenes");
    let args = ["import", s(&path), "--out", s(&out), "--views", "2", "--width", "32", "--height", "24"];
    let (ok, stdout, err) = rtgs2(&[&args[..], &["--units-per-metre", "1"]].concat());
    assert!(!err.contains("panicked"), "{name}: {err}");
    assert_eq!(std::fs::read(&path).expect("read input"), ply, "{name}: the input is not modified");
    (ok, stdout, err)
}

/// The second sweep over import (issue 29): ASCII PLY used to go through ply-rs, whose
/// grammar refused `nan` with a parser dump and ignored surplus values; binary bodies with
/// data past the last record loaded silently, truncated ones failed with a three-line
/// ply-rs trace, and a huge header count was walked before it was found wanting.
#[test]
fn damaged_ply_scans_are_refused_with_file_point_or_line_named() {
    use common::{Enc, encode_ply};
    let dir = tempfile::tempdir().expect("temp dir");
    let cols = box_columns();
    let ascii = String::from_utf8(encode_ply(&cols, Enc::Ascii)).expect("ascii");
    // Header: ply, format, element, 7 properties, end_header: record i is on line 12 + i.
    let with_record = |i: usize, edit: &dyn Fn(&str) -> String| -> Vec<u8> {
        let mut lines: Vec<String> = ascii.lines().map(str::to_string).collect();
        lines[11 + i] = edit(&lines[11 + i]);
        (lines.join("\n") + "\n").into_bytes()
    };
    let replace_value = |k: usize, token: &'static str| {
        move |line: &str| {
            let mut v: Vec<&str> = line.split(' ').collect();
            v[k] = token;
            v.join(" ")
        }
    };
    let (ok, _, err) = import_ply(dir.path(), "nan_ascii", &with_record(100, &replace_value(1, "nan")));
    assert!(!ok && err.contains("nan_ascii.ply: vertex 100: y is NaN"), "{err}");
    let (ok, _, err) = import_ply(dir.path(), "inf_ascii", &with_record(7, &replace_value(2, "-inf")));
    assert!(!ok && err.contains("inf_ascii.ply: vertex 7: z is -inf"), "{err}");
    let (ok, _, err) = import_ply(dir.path(), "token", &with_record(5, &replace_value(0, "1.2.3")));
    assert!(
        !ok && err.contains("token.ply") && err.contains("line 17: property 'x' of 'vertex' record 5 is '1.2.3'"),
        "{err}"
    );
    let (ok, _, err) = import_ply(dir.path(), "surplus", &with_record(3, &|l| format!("{l} 9")));
    assert!(
        !ok && err.contains("surplus.ply") && err.contains("line 15: 8 values") && err.contains("surplus values"),
        "{err}"
    );

    let binary = encode_ply(&cols, Enc::Le);
    let mut truncated = binary.clone();
    truncated.truncate(binary.len() - 50);
    let (ok, _, err) = import_ply(dir.path(), "truncated", &truncated);
    assert!(!ok && err.contains("truncated.ply") && err.contains("the body is truncated"), "{err}");
    let mut long = binary.clone();
    long.extend_from_slice(&[0; 19]);
    let (ok, _, err) = import_ply(dir.path(), "long", &long);
    assert!(!ok && err.contains("long.ply") && err.contains("19 extra bytes after the last element"), "{err}");
    let count_line = format!("element vertex {}\n", cols[0].values.len());
    let at = binary.windows(count_line.len()).position(|w| w == count_line.as_bytes()).expect("count line");
    let huge = [&binary[..at], b"element vertex 90000000\n", &binary[at + count_line.len()..]].concat();
    let (ok, _, err) = import_ply(dir.path(), "huge", &huge);
    assert!(
        !ok && err.contains("huge.ply") && err.contains("90000000 vertices") && err.contains("cannot hold them"),
        "{err}"
    );
    let empty: Vec<common::Column> =
        cols.iter().map(|c| common::Column { name: c.name.clone(), kind: c.kind, values: Vec::new() }).collect();
    for enc in [Enc::Ascii, Enc::Le] {
        let (ok, _, err) = import_ply(dir.path(), "empty", &encode_ply(&empty, enc));
        assert!(!ok && err.contains("empty.ply: no points"), "{enc:?}: {err}");
    }
    let (ok, _, err) = import_ply(dir.path(), "text", b"solid cube\nendsolid\n");
    assert!(!ok && err.contains("text.ply") && err.contains("does not start with 'ply'"), "{err}");
}

/// Float labels with fractions used to be truncated (1.5 became 1) and NaN ones counted as
/// out of range; float colours of 0-255 read as 0-1 made every Gaussian white, and colours
/// outside their range were clamped without a word.
#[test]
fn float_labels_and_colours_are_read_for_what_they_are() {
    use common::{Enc, encode_ply};
    use rtgs2::scene::ScalarKind;
    let dir = tempfile::tempdir().expect("temp dir");
    let cols = box_columns();
    let (ok, _, err) = import_ply(dir.path(), "bytes", &encode_ply(&cols, Enc::Le));
    assert!(ok, "{err}");
    let reference = std::fs::read(dir.path().join("scenes/bytes/point_cloud/iteration_30000/point_cloud.ply"))
        .expect("imported scene");
    let retyped = |f: &dyn Fn(&common::Column) -> Option<common::Column>| -> Vec<common::Column> {
        cols.iter()
            .map(|c| f(c).unwrap_or(common::Column { name: c.name.clone(), kind: c.kind, values: c.values.clone() }))
            .collect()
    };
    let is_colour = |c: &common::Column| ["red", "green", "blue"].contains(&c.name.as_str());
    // Float colours in 0-255 are read as such (with a warning), 0-1 ones as usual: both give
    // the scene the byte colours give.
    for (name, scale) in [("float255", 1.0), ("float01", 255.0)] {
        let c = retyped(&|c| {
            is_colour(c).then(|| common::Column {
                name: c.name.clone(),
                kind: ScalarKind::F32,
                values: c.values.iter().map(|v| v / scale).collect(),
            })
        });
        let (ok, _, err) = import_ply(dir.path(), name, &encode_ply(&c, Enc::Le));
        assert!(ok, "{name}: {err}");
        assert_eq!(err.contains("float colours reach 230: read as 0-255"), scale == 1.0, "{name}: {err}");
        let ply = dir.path().join(format!("scenes/{name}/point_cloud/iteration_30000/point_cloud.ply"));
        assert!(std::fs::read(ply).expect("imported") == reference, "{name}: the same scene as byte colours");
    }
    // A negative and an overshooting 0-1 colour are clamped and counted.
    let c = retyped(&|c| {
        is_colour(c).then(|| {
            let mut values: Vec<f64> = c.values.iter().map(|v| v / 255.0).collect();
            values[3] = if c.name == "red" { -0.2 } else { 1.3 };
            common::Column { name: c.name.clone(), kind: ScalarKind::F32, values }
        })
    });
    let (ok, _, err) = import_ply(dir.path(), "clamped", &encode_ply(&c, Enc::Le));
    assert!(ok && err.contains("clamped.ply: clamped 3 colour values outside 0-1"), "{err}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("scenes/clamped/import.json")).expect("import.json"))
            .expect("json");
    assert_eq!(report["colours_clamped"], 3);
    // Whole float labels are ids; a fraction or NaN is refused with the vertex named.
    for (name, bad, shown) in [("whole", None, ""), ("fraction", Some(7.5), "7.5"), ("nanlabel", Some(f64::NAN), "NaN")]
    {
        let c = retyped(&|c| {
            (c.name == "label").then(|| {
                let mut values = c.values.clone();
                if let Some(b) = bad {
                    values[42] = b;
                }
                common::Column { name: c.name.clone(), kind: ScalarKind::F32, values }
            })
        });
        for enc in [Enc::Le, Enc::Ascii] {
            let (ok, _, err) = import_ply(dir.path(), name, &encode_ply(&c, enc));
            match bad {
                None => assert!(ok, "{name}: {err}"),
                Some(_) => assert!(
                    !ok && err.contains(&format!("{name}.ply: vertex 42: label is {shown}, not a whole NYU40 id")),
                    "{name} {enc:?}: {err}"
                ),
            }
        }
    }
}

#[test]
fn npy_scans_of_the_wrong_type_or_shape_are_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("scenes");
    let (vert, labels) = box_scan();
    let n = labels.len();
    let run = |stem: &str, extra: &[&str]| {
        let v = dir.path().join(format!("{stem}_vert.npy"));
        let before = std::fs::read(&v).expect("input");
        let args = ["import", s(&v), "--out", s(&out), "--views", "2", "--width", "32", "--height", "24"];
        let r = rtgs2(&[&args[..], extra].concat());
        assert!(!r.2.contains("panicked"), "{}", r.2);
        assert_eq!(std::fs::read(&v).expect("input"), before, "the input is not modified");
        r
    };
    let labels_beside = |stem: &str| {
        npy::write(&dir.path().join(format!("{stem}_sem_label.npy")), &[n], &labels).expect("write labels")
    };
    // Float64 coordinates, a 1-D array, labels as a column.
    let wide: Vec<f64> = vert.iter().map(|&v| v as f64).collect();
    std::fs::write(dir.path().join("f64_vert.npy"), npy_f64(&[n, 6], &wide)).expect("write");
    labels_beside("f64");
    let (ok, _, err) = run("f64", &[]);
    assert!(!ok && err.contains("f64_vert.npy") && err.contains("'<f8', expected '<f4'"), "{err}");
    npy::write(&dir.path().join("flat_vert.npy"), &[n * 6], &vert).expect("write");
    labels_beside("flat");
    let (ok, _, err) = run("flat", &[]);
    assert!(!ok && err.contains("flat_vert.npy: shape [180000], expected N x 6"), "{err}");
    npy::write(&dir.path().join("col_vert.npy"), &[n, 6], &vert).expect("write");
    npy::write(&dir.path().join("col_sem_label.npy"), &[n, 1], &labels).expect("write");
    let (ok, _, err) = run("col", &[]);
    assert!(!ok && err.contains("col_sem_label.npy: shape [30000, 1], expected one label per point"), "{err}");
    // Colours normalised to 0-1 are read as 0-1 (not as black), with a warning; colours
    // outside 0-255 are clamped and counted.
    let unit: Vec<f32> =
        vert.chunks_exact(6).flat_map(|r| [r[0], r[1], r[2], r[3] / 255.0, r[4] / 255.0, r[5] / 255.0]).collect();
    npy::write(&dir.path().join("unit_vert.npy"), &[n, 6], &unit).expect("write");
    labels_beside("unit");
    let (ok, _, err) = run("unit", &["--units-per-metre", "1"]);
    assert!(ok && err.contains("unit_vert.npy: every colour value lies in 0-1: read as 0-1"), "{err}");
    let mut odd = vert.clone();
    (odd[3], odd[10]) = (-20.0, 1000.0);
    npy::write(&dir.path().join("odd_vert.npy"), &[n, 6], &odd).expect("write");
    labels_beside("odd");
    let (ok, _, err) = run("odd", &["--units-per-metre", "1"]);
    assert!(ok && err.contains("odd_vert.npy: clamped 2 colour values outside 0-255"), "{err}");
    // A scale no room has: the message gives the scan's height in metres at that scale.
    let (ok, _, err) = run("odd", &["--units-per-metre", "1e-30"]);
    assert!(!ok && err.contains("no free space") && err.contains("the scan is 2.200e30 m tall"), "{err}");
}

/// A little-endian float64 `.npy` (the writer in `rtgs2::util::npy` writes only the types
/// this project exchanges).
fn npy_f64(shape: &[usize], data: &[f64]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({},), }}", dims.join(", "));
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend(data.iter().flat_map(|v| v.to_le_bytes()));
    out
}

/// Options out of range are refused with the option named; negative values used to stop
/// clap with "unexpected argument '-1'" before the range check could name the option.
#[test]
fn import_options_out_of_range_are_refused_with_the_option_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (vert, labels) = box_scan();
    let v = dir.path().join("opt_vert.npy");
    npy::write(&v, &[labels.len(), 6], &vert).expect("write vert");
    npy::write(&dir.path().join("opt_sem_label.npy"), &[labels.len()], &labels).expect("write labels");
    let out = dir.path().join("scenes");
    for (option, value, expect) in [
        ("--views", "0", "--views must be 1 to 10000"),
        ("--views", "10001", "--views must be 1 to 10000"),
        ("--units-per-metre", "0", "expected 'auto', 'recorded' or a positive number"),
        ("--units-per-metre", "-1", "expected 'auto', 'recorded' or a positive number"),
        ("--units-per-metre", "NaN", "expected 'auto', 'recorded' or a positive number"),
        ("--disc-size", "-1", "--disc-size must be 0.1 to 4"),
        ("--disc-size", "4.5", "--disc-size must be 0.1 to 4"),
        ("--disc-size", "NaN", "--disc-size must be 0.1 to 4"),
        ("--fov", "-60", "--fov must be between 0 and 180"),
        ("--opacity", "-0.5", "--opacity must be between 0 and 1"),
        ("--up", "0,0,0", "must be finite and not zero"),
    ] {
        let (ok, _, err) = rtgs2(&["import", s(&v), "--out", s(&out), option, value]);
        assert!(!ok && err.contains(expect), "{option} {value}: {err}");
        assert!(!out.exists(), "{option} {value}: refused before anything is written");
    }
    // Two scans of one name would share a folder; a file where --out should be is named.
    let (ok, _, err) = rtgs2(&["import", s(&v), s(&v), "--out", s(&out)]);
    assert!(!ok && err.contains("two inputs are both named \"opt\""), "{err}");
    let file = dir.path().join("a_file");
    std::fs::write(&file, "x").expect("write");
    let (ok, _, err) = rtgs2(&["import", s(&v), "--out", s(&file)]);
    assert!(!ok && err.contains("a_file is not a directory") && !err.contains("os error"), "{err}");
    // A folder (or anything not a regular file) given as a scan.
    let folder = dir.path().join("room.ply");
    std::fs::create_dir(&folder).expect("mkdir");
    let (ok, _, err) = rtgs2(&["import", s(&folder), "--out", s(&out)]);
    assert!(!ok && err.contains("room.ply: not a regular file"), "{err}");
}
