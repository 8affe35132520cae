//! glTF Gaussian splats (`KHR_gaussian_splatting`, its SPZ compression, the legacy extension
//! refused): the real files in `../shared/data/real-splats/` (bevy's conformance matrix of
//! attribute types, Cesium's SPZ sample) against the values they encode, node transforms
//! against the covariance and SH algebra, and damaged files.

mod common;

use base64::Engine;
use glam::{Mat3, Quat, Vec3};
use rtgs2::scene::gltf::GltfForm;
use rtgs2::scene::{LoadOptions, SceneFormat, load, sh};

fn real(name: &str) -> Option<std::path::PathBuf> {
    Some(common::real_splats_dir()?.join(name))
}

/// glTF's frame to rtgs2's: 180° about x.
fn flip(v: Vec3) -> Vec3 {
    Vec3::new(v.x, -v.y, -v.z)
}

fn close(a: &[f32], b: &[f32], tol: f32) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
}

/// Rotation as a unit quaternion with w ≥ 0 (q and -q are one rotation).
fn canonical(r: [f32; 4]) -> [f32; 4] {
    let n = r.iter().map(|v| v * v).sum::<f32>().sqrt();
    let s = if r[0] < 0.0 { -1.0 / n } else { 1.0 / n };
    r.map(|v| v * s)
}

#[test]
fn the_conformance_matrix_decodes_every_attribute_type_alike() {
    let Some(glb) = real("gltf_khr_draft_2026_01_bevy/khr_conformance_matrix.glb") else { return };
    let gltf = glb.with_extension("gltf");
    let a = load(&glb, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let b = load(&gltf, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.scene, b.scene, ".glb and embedded .gltf hold the same data");
    assert_eq!(a.format, SceneFormat::Gltf(GltfForm::Log));
    let s = &a.scene;
    assert_eq!((s.len(), s.sh_degree), (15, 3));
    // Node order: rotation f32/i8/i16, scale f32/i8/i8n/i16/i16n, opacity f32/u8n/u16n, SH 0-3.
    let scales: [[f32; 3]; 15] = [
        [0.0, 0.5, -0.5],
        [0.0, 0.5, -0.5],
        [0.0, 0.5, -0.5],
        [0.2, -0.1, 0.7],
        [1.0, -2.0, 3.0],
        [1.0, 0.0, -1.0],
        [2.0, -3.0, 4.0],
        [1.0, 0.0, -1.0],
        [0.0, 0.5, -0.5],
        [0.0, 0.5, -0.5],
        [0.0, 0.5, -0.5],
        [0.0, 0.5, -0.5],
        [0.0, 0.5, -0.5],
        [0.0, 0.5, -0.5],
        [0.0, 0.5, -0.5],
    ];
    for (i, scale) in scales.iter().enumerate() {
        assert!(close(&s.positions[i], &[1.0, -2.0, -3.0], 1e-6), "{i}: {:?}", s.positions[i]);
        // x-axis half turn, then the frame's half turn about x: the identity.
        assert!(close(&canonical(s.rotations[i]), &[1.0, 0.0, 0.0, 0.0], 1e-4), "{i}: {:?}", s.rotations[i]);
        assert!(close(&s.log_scales[i], scale, 1e-6), "{i}: {:?}", s.log_scales[i]);
        let want = if i == 8 { 0.75 } else { 0.25 };
        assert!((rtgs2::scene::sigmoid(s.opacity_logits[i]) - want).abs() < 2e-3, "{i}");
        assert!(close(&s.sh_of(i)[..3], &[0.1, 0.2, 0.3], 1e-6), "{i}");
    }
    // SH: degree-1 coefficient 0 (the y term) changes sign with y under the frame turn; the
    // bands a mesh does not have are zero.
    assert!(close(&s.sh_of(12)[3..6], &[-1.1, -1.2, -1.3], 1e-4), "{:?}", &s.sh_of(12)[3..6]);
    assert!(s.sh_of(11)[3..].iter().all(|&v| v == 0.0));
}

#[test]
fn colour_0_stands_in_for_a_missing_dc_term_and_spz_compression_decodes() {
    let Some(fallback) = real("gltf_khr_draft_2026_01_bevy/khr_extensible_fallback.gltf") else { return };
    let s = load(&fallback, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}")).scene;
    // COLOR_0 = C0 x DC (the extension's definition): DC (1, 2, 3).
    assert!(close(&s.sh_of(0)[..3], &[1.0, 2.0, 3.0], 1e-4), "{:?}", s.sh_of(0));
    assert!((rtgs2::scene::sigmoid(s.opacity_logits[0]) - 0.5).abs() < 1e-5);
    let Some(spz) = real("gltf_khr_spz2_cesium_basic.glb") else { return };
    let l = load(&spz, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(l.format, SceneFormat::Gltf(GltfForm::Spz));
    // Cesium's own test reads SCALE = exp(3, 2, 1) at mesh position (1, 2, 3); its node turns
    // z-up to y-up, then our frame turn: (1, 2, 3) -> (1, 3, -2) -> (1, -3, 2).
    assert!(close(&l.scene.log_scales[0], &[3.0, 2.0, 1.0], 1e-3), "{:?}", l.scene.log_scales[0]);
    assert!(close(&l.scene.positions[0], &[1.0, -3.0, 2.0], 1e-2), "{:?}", l.scene.positions[0]);
}

#[test]
fn the_legacy_spz_extension_is_refused_by_name() {
    for name in ["gltf_legacy_cesium/UnitSH_legacy.glb", "gltf_legacy_cesium/UnitSH_legacy.gltf"] {
        let Some(path) = real(name) else { return };
        let err = load(&path, &LoadOptions::default()).expect_err(name).to_string();
        assert!(
            err.contains("KHR_spz_gaussian_splats_compression") && err.contains(name.rsplit('/').next().expect("name")),
            "{err}"
        );
    }
}

/// A one-primitive `.gltf` with its buffer embedded: float attributes given as lists.
fn gltf_json(node: &str, attrs: &[(&str, &str, Vec<f32>)], count: usize) -> String {
    let mut bytes = Vec::new();
    let (mut views, mut accessors, mut map) = (Vec::new(), Vec::new(), Vec::new());
    for (i, (name, kind, values)) in attrs.iter().enumerate() {
        let offset = bytes.len();
        bytes.extend(values.iter().flat_map(|v| v.to_le_bytes()));
        views.push(format!(r#"{{"buffer":0,"byteOffset":{offset},"byteLength":{}}}"#, values.len() * 4));
        accessors.push(format!(r#"{{"bufferView":{i},"componentType":5126,"count":{count},"type":"{kind}"}}"#));
        map.push(format!(r#""{name}":{i}"#));
    }
    let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
    format!(
        r#"{{"asset":{{"version":"2.0"}},"extensionsUsed":["KHR_gaussian_splatting"],"scene":0,"scenes":[{{"nodes":[0]}}],
        "nodes":[{node}],"meshes":[{{"primitives":[{{"mode":0,"attributes":{{{}}},
        "extensions":{{"KHR_gaussian_splatting":{{"kernel":"ellipse","colorSpace":"srgb_rec709_display"}}}}}}]}}],
        "buffers":[{{"byteLength":{},"uri":"data:application/octet-stream;base64,{data}"}}],
        "bufferViews":[{}],"accessors":[{}]}}"#,
        map.join(","),
        bytes.len(),
        views.join(","),
        accessors.join(",")
    )
}

const K: &str = "KHR_gaussian_splatting:";

fn one_gaussian(sh1: &[f32]) -> Vec<(&'static str, &'static str, Vec<f32>)> {
    let q = Quat::from_axis_angle(Vec3::new(0.3, -0.5, 0.8).normalize(), 0.7);
    let mut a = vec![
        ("POSITION", "VEC3", vec![0.4, -1.2, 2.0]),
        ("KHR_gaussian_splatting:ROTATION", "VEC4", vec![q.x, q.y, q.z, q.w]),
        ("KHR_gaussian_splatting:SCALE", "VEC3", vec![0.05, 0.2, 0.6]),
        ("KHR_gaussian_splatting:OPACITY", "SCALAR", vec![0.8]),
        ("KHR_gaussian_splatting:SH_DEGREE_0_COEF_0", "VEC3", vec![0.3, -0.2, 0.1]),
    ];
    let names = [
        "KHR_gaussian_splatting:SH_DEGREE_1_COEF_0",
        "KHR_gaussian_splatting:SH_DEGREE_1_COEF_1",
        "KHR_gaussian_splatting:SH_DEGREE_1_COEF_2",
    ];
    for (k, name) in names.iter().enumerate() {
        if sh1.len() == 9 {
            a.push((name, "VEC3", sh1[3 * k..3 * k + 3].to_vec()));
        }
    }
    a
}

fn covariance(rot_wxyz: [f32; 4], log_scale: [f32; 3]) -> Mat3 {
    let [w, x, y, z] = rot_wxyz;
    let r = Mat3::from_quat(Quat::from_xyzw(x, y, z, w).normalize());
    let s = Mat3::from_diagonal(Vec3::from_array(log_scale.map(f32::exp)));
    r * s * s * r.transpose()
}

/// Node transforms move positions, covariances (rigid with uniform scale, and non-uniform)
/// and view-dependent colour exactly as the algebra says.
#[test]
fn node_transforms_carry_positions_covariances_and_sh() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sh1 = [0.5, -0.3, 0.2, -0.4, 0.6, 0.1, 0.25, -0.15, 0.35];
    let plain = dir.path().join("plain.gltf");
    std::fs::write(&plain, gltf_json(r#"{"mesh":0}"#, &one_gaussian(&sh1), 1)).expect("write");
    let base = load(&plain, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}")).scene;
    assert_eq!(base.sh_degree, 1);
    // Linear scales read as such: ln(0.05) etc.
    assert!(close(&base.log_scales[0], &[0.05f32.ln(), 0.2f32.ln(), 0.6f32.ln()], 1e-5));
    let turn = Quat::from_axis_angle(Vec3::new(1.0, 2.0, 0.5).normalize(), 1.1);
    for (name, node, linear) in [
        (
            "trs",
            format!(
                r#"{{"mesh":0,"translation":[3,-1,2],"rotation":[{},{},{},{}],"scale":[2.5,2.5,2.5]}}"#,
                turn.x, turn.y, turn.z, turn.w
            ),
            Mat3::from_quat(turn) * 2.5,
        ),
        (
            "stretch",
            format!(
                r#"{{"mesh":0,"translation":[3,-1,2],"rotation":[{},{},{},{}],"scale":[1,3,0.5]}}"#,
                turn.x, turn.y, turn.z, turn.w
            ),
            Mat3::from_quat(turn) * Mat3::from_diagonal(Vec3::new(1.0, 3.0, 0.5)),
        ),
    ] {
        let path = dir.path().join(format!("{name}.gltf"));
        std::fs::write(&path, gltf_json(&node, &one_gaussian(&sh1), 1)).expect("write");
        let s = load(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}")).scene;
        // Positions: back in glTF's frame, then the node transform.
        let p_gltf = flip(Vec3::from_array(base.positions[0]));
        let want = flip(linear * p_gltf + Vec3::new(3.0, -1.0, 2.0));
        assert!(close(&s.positions[0], &want.to_array(), 1e-4), "{name}: {:?} vs {want}", s.positions[0]);
        // Covariance: F A F Σ F Aᵀ F with F the frame flip (its own inverse).
        let f = Mat3::from_diagonal(Vec3::new(1.0, -1.0, -1.0));
        let a = f * linear * f;
        let want = a * covariance(base.rotations[0], base.log_scales[0]) * a.transpose();
        let got = covariance(s.rotations[0], s.log_scales[0]);
        let err = (got - want).to_cols_array().iter().map(|v| v.abs()).fold(0.0f32, f32::max);
        assert!(
            err < 1e-4 * want.to_cols_array().iter().map(|v| v.abs()).fold(0.0f32, f32::max),
            "{name}: {got} vs {want}"
        );
        // Colour seen along R d after equals colour along d before (R: the rotation part).
        let r = f * Mat3::from_quat(turn) * f;
        for d in [Vec3::X, Vec3::new(0.3, -0.8, 0.5).normalize(), Vec3::new(-0.6, 0.2, 0.77).normalize()] {
            let before = sh::eval(1, &base.sh[..12], d.to_array());
            let after = sh::eval(1, &s.sh[..12], (r * d).to_array());
            assert!(close(&before, &after, 1e-4), "{name}: {before:?} {after:?}");
        }
    }
}

#[test]
fn damaged_gltf_files_are_named_with_what_is_wrong() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = gltf_json(r#"{"mesh":0}"#, &one_gaussian(&[]), 1);
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    };
    let cases = [
        ("count.gltf", good.replacen(r#""count":1"#, r#""count":50"#, 1), "needs"),
        ("noscale.gltf", good.replace(&format!(r#""{K}SCALE""#), r#""_SCALE""#), "SCALE is missing"),
        ("view.gltf", good.replacen(r#""bufferView":0"#, r#""bufferView":9"#, 1), "buffer view 9 does not exist"),
        ("json.gltf", good[..good.len() / 2].to_string(), "not valid"),
        (
            "required.gltf",
            good.replace(r#""extensionsUsed""#, r#""extensionsRequired":["EXT_meshopt_compression"],"extensionsUsed""#),
            "EXT_meshopt_compression",
        ),
        (
            "nosplat.gltf",
            good.replace(r#""KHR_gaussian_splatting":{"kernel""#, r#""OTHER":{"kernel""#),
            "no mesh primitive",
        ),
        ("mode.gltf", good.replace(r#""mode":0"#, r#""mode":4"#), "mode POINTS"),
        ("uri.gltf", good.replace("data:application/octet-stream;base64,", "missing-").replace("==", ""), "missing-"),
    ];
    for (name, text, want) in cases {
        let err = load(&write(name, &text), &LoadOptions::default()).expect_err(name).to_string();
        assert!(err.contains(name) && err.contains(want), "{name}: {err}");
    }
    // A partly defined SH degree.
    let mut attrs = one_gaussian(&[0.0; 9]);
    attrs.pop();
    let err = load(&write("sh.gltf", &gltf_json(r#"{"mesh":0}"#, &attrs, 1)), &LoadOptions::default())
        .expect_err("sh")
        .to_string();
    assert!(err.contains("SH degree 1 is defined in part"), "{err}");
    // NaN in a position: dropped with a warning like every format, refused with --strict.
    let mut attrs = one_gaussian(&[]);
    attrs[0].2[1] = f32::NAN;
    let path = write("nan.gltf", &gltf_json(r#"{"mesh":0}"#, &attrs, 1));
    let err = load(&path, &LoadOptions::default()).expect_err("all dropped").to_string();
    assert!(err.contains("no usable Gaussians"), "{err}");
    // A .glb cut short.
    let Some(glb) = real("gltf_khr_draft_2026_01_bevy/khr_conformance_matrix.glb") else { return };
    let bytes = std::fs::read(glb).expect("read");
    let cut = dir.path().join("cut.glb");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let err = load(&cut, &LoadOptions::default()).expect_err("cut").to_string();
    assert!(err.contains("cut.glb") && err.contains(".glb container"), "{err}");
}
