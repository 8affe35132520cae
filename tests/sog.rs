//! SOG scenes (PlayCanvas' Spatially Ordered Gaussians): the real files in
//! `../shared/data/real-splats/` against values decoded independently (numpy + Pillow,
//! following the reference reader; see `playbot_matches_values_decoded_independently`),
//! small scenes written here in every layout, and the damaged files a user may bring.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::real_splats_dir;
use rtgs2::scene::webp::{self, Rgba8};
use rtgs2::scene::{LoadOptions, SceneFormat, load};

/// A scene's files by name, as written into a folder or a zip.
type Files = Vec<(String, Vec<u8>)>;

fn square(count: usize, fill: impl Fn(usize) -> [u8; 4]) -> Rgba8 {
    let side = (count as f64).sqrt().ceil() as u32;
    let side = side.div_ceil(4) * 4;
    let mut rgba = Vec::new();
    for i in 0..(side * side) as usize {
        rgba.extend(if i < count { fill(i) } else { [0; 4] });
    }
    Rgba8 { width: side, height: side, rgba }
}

/// A small version-2 scene with SH bands 1 (palette of 3 entries), as named files.
fn small_v2(count: usize) -> Files {
    let images = [
        ("means_l.webp", square(count, |i| [(i * 37) as u8, (i * 11) as u8, (i * 5) as u8, 255])),
        ("means_u.webp", square(count, |i| [(i * 3) as u8, 128, 200, 255])),
        ("quats.webp", square(count, |i| [(i * 7) as u8, 100, 150, 252 + (i % 4) as u8])),
        ("scales.webp", square(count, |i| [(i % 4) as u8, 1, 2, 255])),
        ("sh0.webp", square(count, |i| [0, 1, (i % 2) as u8, 200])),
        ("shN_labels.webp", square(count, |i| [(i % 3) as u8, 0, 0, 255])),
        (
            "shN_centroids.webp",
            Rgba8 { width: 192, height: 1, rgba: (0..192).flat_map(|p| [(p % 5) as u8, 1, 2, 255]).collect() },
        ),
    ];
    let meta = format!(
        r#"{{"version":2,"count":{count},
        "means":{{"mins":[-1,-2,-3],"maxs":[1,2,3],"files":["means_l.webp","means_u.webp"]}},
        "scales":{{"codebook":[-5,-4,-3,-2],"files":["scales.webp"]}},
        "quats":{{"files":["quats.webp"]}},
        "sh0":{{"codebook":[-1,0,1],"files":["sh0.webp"]}},
        "shN":{{"count":3,"bands":1,"codebook":[-0.2,-0.1,0,0.1,0.2],"files":["shN_centroids.webp","shN_labels.webp"]}}}}"#
    );
    let mut files = vec![("meta.json".to_string(), meta.into_bytes())];
    for (name, img) in images {
        files.push((name.to_string(), webp::encode(&img).expect("encode")));
    }
    files
}

fn write_folder(dir: &Path, files: &[(String, Vec<u8>)]) {
    std::fs::create_dir_all(dir).expect("dir");
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).expect("write");
    }
}

fn write_zip(path: &Path, files: &[(String, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).expect("create"));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in files {
        zip.start_file(name.as_str(), stored).expect("entry");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish");
}

fn replaced(files: &[(String, Vec<u8>)], name: &str, bytes: Vec<u8>) -> Files {
    files.iter().map(|(n, b)| (n.clone(), if n == name { bytes.clone() } else { b.clone() })).collect()
}

#[test]
fn a_small_scene_reads_alike_as_folder_meta_json_and_bundle() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = small_v2(50);
    let folder = dir.path().join("scene");
    write_folder(&folder, &files);
    let bundle = dir.path().join("scene.sog");
    write_zip(&bundle, &files);
    let a = load(&folder, &LoadOptions::default()).expect("folder");
    let b = load(&folder.join("meta.json"), &LoadOptions::default()).expect("meta.json");
    let c = load(&bundle, &LoadOptions::default()).expect("bundle");
    assert_eq!(a.format, SceneFormat::Sog { version: 2, bundled: false });
    assert_eq!(c.format, SceneFormat::Sog { version: 2, bundled: true });
    assert_eq!(a.scene, b.scene);
    assert_eq!(a.scene, c.scene);
    let s = &a.scene;
    assert_eq!((s.len(), s.sh_degree), (50, 1));
    for i in 0..50 {
        // Positions: 16 bits between the bounds, then the inverse log transform.
        let q = [(i * 37) % 256 + 256 * ((i * 3) % 256), (i * 11) % 256 + 256 * 128, (i * 5) % 256 + 256 * 200];
        for (k, (lo, hi)) in [(-1.0f64, 1.0f64), (-2.0, 2.0), (-3.0, 3.0)].into_iter().enumerate() {
            let v = lo + (hi - lo) * q[k] as f64 / 65535.0;
            let want = v.signum() * (v.abs().exp() - 1.0);
            assert!((f64::from(s.positions[i][k]) - want).abs() < 1e-5, "{i} {k}");
        }
        // Rotations: unit length, largest component (tagged) positive and in its w,x,y,z slot.
        let r = s.rotations[i];
        assert!((r.iter().map(|v| v * v).sum::<f32>() - 1.0).abs() < 1e-5, "{r:?}");
        assert!(r[i % 4] >= 0.0);
        assert_eq!(s.log_scales[i], [[-5.0, -4.0, -3.0, -2.0][i % 4], -4.0, -3.0]);
        assert!((rtgs2::scene::sigmoid(s.opacity_logits[i]) - 200.0 / 255.0).abs() < 1e-5);
        // DC, then palette entry i % 3 (3 coefficients, each (p % 5, 1, 2) into the codebook).
        let sh = s.sh_of(i);
        assert_eq!(&sh[..3], &[-1.0, 0.0, [-1.0, 0.0][i % 2]]);
        for k in 0..3 {
            let p = (i % 3) * 3 + k;
            assert_eq!(&sh[3 + 3 * k..6 + 3 * k], &[[-0.2, -0.1, 0.0, 0.1, 0.2][p % 5], -0.1, 0.0]);
        }
    }
}

#[test]
fn damaged_sog_scenes_are_named_with_what_is_wrong() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = small_v2(20);
    let meta = String::from_utf8(files[0].1.clone()).expect("utf8");
    let cases: Vec<(&str, Files, &str)> = vec![
        ("missing", files.iter().filter(|(n, _)| n != "quats.webp").cloned().collect(), "quats.webp"),
        (
            "count",
            replaced(&files, "meta.json", meta.replace("\"count\":20", "\"count\":900").into_bytes()),
            "too small",
        ),
        ("nan", replaced(&files, "meta.json", meta.replace("[1,2,3]", "[1,NaN,3]").into_bytes()), "meta.json"),
        ("notwebp", replaced(&files, "scales.webp", b"RIFF0000WEBPVP8 junk".to_vec()), "scales.webp"),
        (
            "cut",
            replaced(&files, "sh0.webp", files.iter().find(|(n, _)| n == "sh0.webp").expect("sh0").1[..40].to_vec()),
            "sh0.webp",
        ),
        (
            "codebook",
            replaced(
                &files,
                "meta.json",
                meta.replace("\"codebook\":[-5,-4,-3,-2]", "\"codebook\":[-5,-4]").into_bytes(),
            ),
            "codebook entry 3",
        ),
        (
            "palette",
            replaced(
                &files,
                "meta.json",
                meta.replace("\"count\":3,\"bands\":1", "\"count\":2,\"bands\":1").into_bytes(),
            ),
            "palette entry 2",
        ),
        (
            "bands",
            replaced(&files, "meta.json", meta.replace("\"bands\":1", "\"bands\":2").into_bytes()),
            "64 x 8 = 512 pixels wide",
        ),
        (
            "escape",
            replaced(&files, "meta.json", meta.replace("\"quats.webp\"", "\"../x.webp\"").into_bytes()),
            "beside",
        ),
    ];
    for (what, case, want) in cases {
        let folder = dir.path().join(what);
        write_folder(&folder, &case);
        let err = load(&folder, &LoadOptions::default()).expect_err(what).to_string();
        assert!(err.contains(want) && err.contains(what), "{what}: {err}");
        let bundle = dir.path().join(format!("{what}.sog"));
        write_zip(&bundle, &case);
        let err = load(&bundle, &LoadOptions::default()).expect_err(what).to_string();
        assert!(err.contains(want) && err.contains(&format!("{what}.sog")), "{what} (bundled): {err}");
    }
    // A truncated zip names the bundle.
    let bundle = dir.path().join("whole.sog");
    write_zip(&bundle, &files);
    let bytes = std::fs::read(&bundle).expect("read");
    let cut = dir.path().join("cut.sog");
    std::fs::write(&cut, &bytes[..bytes.len() - 30]).expect("write");
    let err = load(&cut, &LoadOptions::default()).expect_err("truncated zip").to_string();
    assert!(err.contains("cut.sog") && err.contains("zip"), "{err}");
    // A tag under 252 is a zero quaternion: dropped with a warning, refused when strict.
    let bad_tag = square(20, |i| [1, 2, 3, if i == 4 { 7 } else { 252 }]);
    let case = replaced(&files, "quats.webp", webp::encode(&bad_tag).expect("encode"));
    let folder = dir.path().join("tag");
    write_folder(&folder, &case);
    let loaded = load(&folder, &LoadOptions::default()).expect("repaired");
    assert_eq!(loaded.scene.len(), 19);
    assert!(loaded.warnings.iter().any(|w| w.contains("quaternion")), "{:?}", loaded.warnings);
    let err = load(&folder, &LoadOptions { strict: true }).expect_err("strict").to_string();
    assert!(err.contains("Gaussian 4"), "{err}");
}

#[test]
fn bench_load_counts_every_file_an_unbundled_scene_reads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = small_v2(50);
    let folder = dir.path().join("scene");
    write_folder(&folder, &files);
    std::fs::write(folder.join("notes.txt"), "not read by the loader").expect("write");
    let read: usize = files.iter().map(|(_, b)| b.len()).sum();
    for path in [folder.clone(), folder.join("meta.json")] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rtgs2"))
            .args(["bench", "load", "--repeat", "1", "--json"])
            .arg(&path)
            .output()
            .expect("binary runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(v["bytes"].as_f64(), Some(read as f64), "{}", path.display());
    }
}

fn real(name: &str) -> Option<PathBuf> {
    Some(real_splats_dir()?.join(name))
}

/// Reference values for four Gaussians of the PLAYBOT capture, decoded by a separate numpy +
/// Pillow script that follows splat-transform's reader (so the two decoders share no code):
/// position, rotation (w x y z), log-scales, DC, opacity logit, first and last SH-palette
/// coefficient.
#[test]
fn playbot_matches_values_decoded_independently() {
    let Some(path) = real("sog_v2_playbot_lod6") else { return };
    let loaded = load(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let s = &loaded.scene;
    assert_eq!((s.len(), s.sh_degree), (1873, 2));
    type Row = (usize, [f32; 3], [f32; 4], [f32; 3], [f32; 3], [f32; 3], [f32; 3]);
    let want: [Row; 4] = [
        (
            0,
            [-1.003802, -0.021, -1.001879],
            [0.63501, 0.169151, 0.296708, 0.692904],
            [-7.58423, -4.582156, -4.253626],
            [-1.257241, -1.301147, -1.257241],
            [-0.108984, -0.108984, -0.101719],
            [0.040412, 0.040412, 0.047408],
        ),
        (
            1,
            [-0.938429, -0.019031, -1.01161],
            [0.56595, 0.529637, 0.463086, 0.42981],
            [-6.302392, -4.976556, -3.483203],
            [-1.032306, -1.164886, -1.229303],
            [-0.115504, -0.101719, -0.08682],
            [0.014072, 0.007799, 0.010478],
        ),
        (
            1000,
            [-0.129805, -0.882343, 0.226478],
            [0.097054, -0.623918, 0.767862, -0.108146],
            [-3.06911, -2.890272, -4.37887],
            [0.483566, -0.653003, -1.803199],
            [-0.094383, 0.024599, 0.150675],
            [-0.017646, -0.141632, -0.256513],
        ),
        (
            1872,
            [0.999799, -0.025667, 1.007612],
            [0.997, 0.036049, -0.063778, 0.024957],
            [-4.253626, -7.772024, -4.615567],
            [-1.333446, -1.333446, -1.333446],
            [-0.115504, -0.094383, -0.08682],
            [0.007799, 0.007799, 0.002798],
        ),
    ];
    let close = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 2e-5);
    for (i, pos, rot, scale, dc, first, last) in want {
        assert!(close(&s.positions[i], &pos), "{i}: {:?}", s.positions[i]);
        assert!(close(&s.rotations[i], &rot), "{i}: {:?}", s.rotations[i]);
        assert!(close(&s.log_scales[i], &scale), "{i}: {:?}", s.log_scales[i]);
        let sh = s.sh_of(i);
        assert!(close(&sh[..3], &dc) && close(&sh[3..6], &first) && close(&sh[24..27], &last), "{i}: {sh:?}");
        assert!((s.opacity_logits[i] - 5.53733).abs() < 1e-4, "{i}");
    }
    // Every quaternion unit length; every position within the bounds (after the transform).
    assert!(s.rotations.iter().all(|q| (q.iter().map(|v| v * v).sum::<f32>() - 1.0).abs() < 1e-4));
    let inv = |v: f64| (v.signum() * (v.abs().exp() - 1.0)) as f32;
    let (mins, maxs) = ([-0.7043757, -0.7297116, -0.7048832], [0.7043752, 0.0366971, 0.7074410]);
    for p in &s.positions {
        assert!((0..3).all(|k| p[k] >= inv(mins[k]) - 1e-4 && p[k] <= inv(maxs[k]) + 1e-4), "{p:?}");
    }
}

#[test]
fn every_real_sog_file_loads() {
    for (name, count, degree, version, bundled) in [
        ("sog_v2_playbot_lod5", 3000, 2, 2, false),
        ("sog_v2_playbot_lod6/meta.json", 1873, 2, 2, false),
        ("sog_v2_bundled_monkey.sog", 31658, 0, 2, true),
        ("sog_v1_playcanvas_logo", 307_128, 0, 1, false),
    ] {
        let Some(path) = real(name) else { return };
        let loaded = load(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(loaded.format, SceneFormat::Sog { version, bundled }, "{name}");
        assert_eq!((loaded.scene.len(), loaded.scene.sh_degree), (count, degree), "{name}");
        assert!(loaded.warnings.is_empty(), "{name}: {:?}", loaded.warnings);
        let opaque = loaded.scene.opacity_logits.iter().filter(|&&o| o > 0.0).count();
        assert!(opaque > count / 4, "{name}: {opaque} of {count} Gaussians over half opaque");
    }
}
