//! PLY reading and writing: every encoding and property order, bit-exact round trips, and a
//! clear typed error (never a panic) for each kind of damage.

mod common;

use common::{Column, Enc, columns_of, encode_ply, fresh_seed, random_scene, real_splats_dir};
use proptest::prelude::*;
use rtgs2::scene::ply_write::{write_ply, write_ply_to};
use rtgs2::scene::{LoadOptions, Problem, ScalarKind, Scene, SceneError, SceneFormat, load};
use rtgs2::util::rng::Rng;

fn write_tmp(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).expect("write temp file");
    p
}

fn load_bytes(bytes: &[u8]) -> Result<rtgs2::scene::LoadedScene, SceneError> {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = write_tmp(&dir, "scene.ply", bytes);
    load(&p, &LoadOptions::default())
}

fn problem_of(bytes: &[u8]) -> Problem {
    match load_bytes(bytes) {
        Ok(_) => panic!("expected an error"),
        Err(e) => {
            // Every error names the file.
            assert!(e.to_string().contains("scene.ply"), "error does not name the file: {e}");
            e.problem().cloned().unwrap_or_else(|| panic!("expected a content problem, got {e}"))
        }
    }
}

/// Scenes equal up to the order of extra properties (shuffled files reorder them).
fn assert_same(a: &Scene, b: &Scene) {
    let mut a = a.clone();
    let mut b = b.clone();
    a.extras.sort_by(|x, y| x.name.cmp(&y.name));
    b.extras.sort_by(|x, y| x.name.cmp(&y.name));
    assert!(a == b, "scenes differ");
}

#[test]
fn written_ply_round_trips_bit_exactly_for_every_sh_degree() {
    let mut rng = Rng::new(fresh_seed("round trip"));
    for degree in 0..=3 {
        let scene = random_scene(&mut rng, 257, degree, true);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.ply");
        write_ply(&path, &scene).expect("writes");
        let loaded = load(&path, &LoadOptions::default()).expect("reads back");
        assert_eq!(loaded.format, SceneFormat::PlyFast);
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        assert!(loaded.scene == scene, "degree {degree}: read-back differs");
        let mut again = Vec::new();
        write_ply_to(&mut again, &loaded.scene).expect("writes to memory");
        assert_eq!(again, std::fs::read(&path).expect("read file"), "second write differs");
    }
}

#[test]
fn every_encoding_type_and_property_order_reads_the_same_scene() {
    let mut rng = Rng::new(fresh_seed("encodings"));
    let scene = random_scene(&mut rng, 61, 3, true);
    for enc in [Enc::Ascii, Enc::Le, Enc::Be] {
        for geom in [ScalarKind::F32, ScalarKind::F64] {
            for label in [ScalarKind::U8, ScalarKind::I16, ScalarKind::U16, ScalarKind::I32, ScalarKind::U32] {
                let mut cols: Vec<Column> = columns_of(&scene, geom, label);
                // Shuffle the property order.
                for i in (1..cols.len()).rev() {
                    cols.swap(i, rng.below(i + 1));
                }
                let loaded =
                    load_bytes(&encode_ply(&cols, enc)).unwrap_or_else(|e| panic!("{enc:?} {geom:?} {label:?}: {e}"));
                let want = if enc == Enc::Le { SceneFormat::PlyFast } else { SceneFormat::PlyGeneral };
                assert_eq!(loaded.format, want);
                assert_same(&loaded.scene, &scene);
            }
        }
    }
}

#[test]
fn damaged_files_get_typed_errors() {
    let mut rng = Rng::new(fresh_seed("damage"));
    let scene = random_scene(&mut rng, 40, 1, false);
    let cols = columns_of(&scene, ScalarKind::F32, ScalarKind::U16);
    let le = encode_ply(&cols, Enc::Le);
    let ascii = encode_ply(&cols, Enc::Ascii);
    let be = encode_ply(&cols, Enc::Be);

    assert!(matches!(problem_of(&le[..le.len() - 7]), Problem::Truncated { .. }));
    assert!(matches!(problem_of(&be[..be.len() - 7]), Problem::Truncated { .. }));
    let ascii_cut = &ascii[..ascii.len() - ascii.len() / 4];
    let p = problem_of(ascii_cut);
    assert!(matches!(p, Problem::CountMismatch { .. } | Problem::Malformed(_)), "{p}");

    let mut longer = le.clone();
    longer.extend_from_slice(&le[le.len() - 100..]);
    assert!(matches!(problem_of(&longer), Problem::CountMismatch { .. }));
    let mut ascii_longer = ascii.clone();
    ascii_longer.extend_from_slice(b"1 2 3\n");
    assert!(matches!(problem_of(&ascii_longer), Problem::CountMismatch { .. }));

    let without: Vec<Column> =
        columns_of(&scene, ScalarKind::F32, ScalarKind::U16).into_iter().filter(|c| c.name != "opacity").collect();
    assert_eq!(problem_of(&encode_ply(&without, Enc::Le)), Problem::MissingProperty("opacity".into()));

    let odd_sh: Vec<Column> =
        columns_of(&scene, ScalarKind::F32, ScalarKind::U16).into_iter().filter(|c| c.name != "f_rest_8").collect();
    assert_eq!(problem_of(&encode_ply(&odd_sh, Enc::Le)), Problem::BadShCount(8));

    let header_only =
        b"ply\nformat binary_little_endian 1.0\nelement vertex 1000000000000\nproperty float x\nend_header\n";
    assert!(matches!(problem_of(header_only), Problem::AbsurdCount { .. }));
    let big_for_file = b"ply\nformat binary_little_endian 1.0\nelement vertex 50000000\nproperty float x\nend_header\n";
    assert!(matches!(problem_of(big_for_file), Problem::AbsurdCount { .. }));

    assert!(matches!(problem_of(b"ply\nformat ascii 1.0\nelement vertex 1\n"), Problem::BadHeader { .. }));
    assert!(matches!(problem_of(b"hello"), Problem::UnknownFormat(_)));

    let mut float_label = columns_of(&scene, ScalarKind::F32, ScalarKind::F32);
    float_label.retain(|c| c.name != "nothing");
    assert!(matches!(problem_of(&encode_ply(&float_label, Enc::Le)), Problem::BadPropertyType { .. }));
}

#[test]
fn nan_and_zero_quaternions_are_dropped_with_a_warning_or_rejected_when_strict() {
    let mut rng = Rng::new(fresh_seed("sanitize"));
    let mut scene = random_scene(&mut rng, 30, 0, false);
    scene.positions[3][1] = f32::NAN;
    scene.sh[5 * 3 + 2] = f32::INFINITY;
    scene.rotations[7] = [0.0; 4];
    scene.labels.as_mut().expect("labelled")[9] = 200;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.ply");
    write_ply(&path, &scene).expect("writes even bad values");
    let original = std::fs::read(&path).expect("read");

    let loaded = load(&path, &LoadOptions::default()).expect("repaired load");
    assert_eq!(loaded.scene.len(), 27);
    let w = loaded.warnings.join("\n");
    assert!(w.contains("dropped 2 Gaussians with NaN"), "{w}");
    assert!(w.contains("dropped 1 Gaussians with a zero rotation"), "{w}");
    assert!(w.contains("1 labels outside NYU40"), "{w}");
    assert!(loaded.scene.positions.iter().flatten().all(|v| v.is_finite()));

    let strict = load(&path, &LoadOptions { strict: true }).expect_err("strict rejects");
    assert!(matches!(strict.problem(), Some(Problem::NonFinite { index: 3, .. })), "{strict}");
    assert!(strict.to_string().contains("bad.ply"));
    // The user's file is never touched.
    assert_eq!(std::fs::read(&path).expect("read"), original);

    let mut all_bad = random_scene(&mut rng, 3, 0, false);
    all_bad.rotations = vec![[0.0; 4]; 3];
    write_ply(&path, &all_bad).expect("writes");
    assert!(matches!(load(&path, &LoadOptions::default()).expect_err("empty").problem(), Some(Problem::Empty(_))));
}

#[test]
fn trainer_folder_picks_the_highest_iteration_and_its_cameras() {
    let mut rng = Rng::new(fresh_seed("folder"));
    let dir = tempfile::tempdir().expect("temp dir");
    let old = random_scene(&mut rng, 10, 0, false);
    let new = random_scene(&mut rng, 12, 0, false);
    let cam = rtgs2::scene::Camera::look_at(glam::Vec3::ZERO, glam::Vec3::Z, glam::Vec3::Y, 60.0, 64, 48);
    rtgs2::scene::trainer_folder::write_trainer_folder(dir.path(), &old, std::slice::from_ref(&cam), 7000)
        .expect("writes");
    rtgs2::scene::trainer_folder::write_trainer_folder(dir.path(), &new, &[cam.clone(), cam.clone()], 30000)
        .expect("writes");
    let loaded = load(dir.path(), &LoadOptions::default()).expect("loads folder");
    assert_eq!(loaded.scene, new);
    assert_eq!(loaded.cameras.len(), 2);
    assert!(loaded.source.ends_with("point_cloud/iteration_30000/point_cloud.ply"));
    // The PLY inside a trainer folder finds the folder's cameras too.
    let direct = load(&loaded.source, &LoadOptions::default()).expect("loads file");
    assert_eq!(direct.cameras.len(), 2);

    std::fs::write(dir.path().join("cameras.json"), b"[{\"id\": 0}]").expect("write");
    assert!(matches!(
        load(dir.path(), &LoadOptions::default()).expect_err("bad cameras").problem(),
        Some(Problem::Cameras(_))
    ));
    let empty = tempfile::tempdir().expect("temp dir");
    assert!(load(empty.path(), &LoadOptions::default()).is_err());
}

#[test]
fn real_reference_plys_load_with_sane_values() {
    let Some(dir) = real_splats_dir() else { return };
    for (name, degree) in
        [("inria_sh0_gshairlod_donut_mipsplat.ply", 0u8), ("inria_sh3_kacytran1122-try_iter7000.ply", 3)]
    {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).expect("read real file");
        let header = rtgs2::scene::ply_header::parse(&bytes).expect("header");
        let declared = header.element("vertex").expect("vertex").count as usize;
        let loaded = load(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let s = &loaded.scene;
        assert_eq!(s.sh_degree, degree, "{name}");
        let dropped: usize =
            loaded.warnings.iter().filter_map(|w| w.split_whitespace().nth(1)?.parse::<usize>().ok()).sum();
        assert_eq!(s.len() + dropped, declared, "{name}: {:?}", loaded.warnings);
        assert!(s.len() > 1000, "{name}");
        assert!(s.positions.iter().flatten().chain(s.log_scales.iter().flatten()).all(|v| v.is_finite()));
        assert!(s.rotations.iter().all(|q| q.iter().map(|v| v * v).sum::<f32>() > 1e-12));
        let (lo, hi) = s.bounds().expect("non-empty");
        assert!((0..3).all(|k| hi[k] > lo[k] && hi[k] - lo[k] < 1e4), "{name}: bounds {lo:?} {hi:?}");
        let mean_opacity = s.opacity_logits.iter().map(|&o| rtgs2::scene::sigmoid(o)).sum::<f32>() / s.len() as f32;
        assert!((0.05..1.0).contains(&mean_opacity), "{name}: mean opacity {mean_opacity}");
        // Our writer reproduces it: re-reading our copy gives the same scene.
        let mut copy = Vec::new();
        write_ply_to(&mut copy, s).expect("write");
        let again = load_bytes(&copy).expect("read our copy");
        assert!(again.scene == *s, "{name}: round trip differs");
    }
}

/// 300 cases in the normal test run; `RTGS2_FUZZ_CASES=N` for long fuzzing sessions.
fn fuzz_cases() -> u32 {
    std::env::var("RTGS2_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases()))]

    /// Byte flips, truncations and splices of valid files must give errors or scenes, never a
    /// panic or an unbounded allocation.
    #[test]
    fn mutated_plys_never_panic(
        enc in prop::sample::select(vec![Enc::Ascii, Enc::Le, Enc::Be]),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in prop::option::of(any::<prop::sample::Index>()),
        seed in any::<u64>(),
    ) {
        let mut rng = Rng::new(seed);
        let (degree, extras) = (rng.below(4) as u8, rng.chance(0.5));
        let scene = random_scene(&mut rng, 5, degree, extras);
        let mut bytes = encode_ply(&columns_of(&scene, ScalarKind::F32, ScalarKind::U8), enc);
        for (at, v) in flips {
            let i = at.index(bytes.len());
            bytes[i] = v;
        }
        if let Some(c) = cut {
            bytes.truncate(c.index(bytes.len() + 1));
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let p = write_tmp(&dir, "fuzz.ply", &bytes);
        let _ = load(&p, &LoadOptions::default());
    }

    #[test]
    fn random_bytes_after_a_ply_magic_never_panic(tail in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut bytes = b"ply\nformat binary_little_endian 1.0\nelement vertex 3\n".to_vec();
        bytes.extend_from_slice(&tail);
        let dir = tempfile::tempdir().expect("temp dir");
        let p = write_tmp(&dir, "fuzz.ply", &bytes);
        let _ = load(&p, &LoadOptions::default());
    }
}

#[test]
fn big_endian_and_ascii_writes_read_back_identically() {
    use rtgs2::scene::ply_write::{PlyEncoding, write_ply_encoded};
    let mut rng = Rng::new(fresh_seed("encoded writes"));
    let scene = random_scene(&mut rng, 33, 2, true);
    let dir = tempfile::tempdir().expect("temp dir");
    for enc in [PlyEncoding::BinaryBigEndian, PlyEncoding::Ascii] {
        let path = dir.path().join(format!("{enc:?}.ply"));
        write_ply_encoded(&path, &scene, enc).expect("writes");
        let loaded = load(&path, &LoadOptions::default()).expect("reads");
        assert_eq!(loaded.format, SceneFormat::PlyGeneral);
        assert!(loaded.scene == scene, "{enc:?} differs");
    }
}
