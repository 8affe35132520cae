//! Every real splat file in `../shared/data/real-splats/` (made by other people's tools; see
//! PROVENANCE.md there) opens in `rtgs2 info` and renders (one orbit frame, since none has
//! cameras), except the legacy glTF extension, which is refused by name. Skips when the
//! folder is absent.

mod common;

use common::path_arg as s;
use common::run_rtgs2 as rtgs2;

const FILES: [&str; 13] = [
    "inria_sh0_gshairlod_donut_mipsplat.ply",
    "inria_sh3_kacytran1122-try_iter7000.ply",
    "spz_v3_justdealman_flowers.spz",
    "splat_justdealman_flowers.splat",
    "supersplat_olgelta_blkpinstripe.compressed.ply",
    "splat_haakongarfjell_indoor_furniture.splat",
    "splat_sjeongab_nerfsynthetic_chair.splat",
    "sog_v2_playbot_lod6",
    "sog_v2_playbot_lod5/meta.json",
    "sog_v2_bundled_monkey.sog",
    "sog_v1_playcanvas_logo",
    "gltf_khr_draft_2026_01_bevy/khr_conformance_matrix.glb",
    "gltf_khr_spz2_cesium_basic.glb",
];

#[test]
fn every_real_file_opens_in_info_and_renders() {
    let Some(dir) = common::real_splats_dir() else { return };
    let out = tempfile::tempdir().expect("temp dir");
    for name in FILES {
        let path = dir.join(name);
        let (ok, stdout, err) = rtgs2(&["info", s(&path)]);
        assert!(ok && stdout.contains("gaussians"), "info {name}: {err}");
        let frames = out.path().join(name.replace('/', "_"));
        let args = ["render", s(&path), "--path", "orbit", "--frames", "1", "--width", "64", "--height", "48"];
        let (ok, _, err) = rtgs2(&[&args[..], &["--backend", "cpu", "--out", s(&frames)]].concat());
        assert!(ok, "render {name}: {err}");
        let (w, h, _, px) = rtgs2::image_io::read_png(&frames.join("frame_00000.png")).expect("frame");
        assert_eq!((w, h), (64, 48));
        assert!(px.iter().any(|&v| v > 0), "{name}: the orbit frame is black");
    }
    for name in ["gltf_legacy_cesium/UnitSH_legacy.glb", "gltf_legacy_cesium/UnitSH_legacy.gltf"] {
        let (ok, _, err) = rtgs2(&["info", s(&dir.join(name))]);
        assert!(!ok && err.contains("KHR_spz_gaussian_splats_compression"), "{name}: {err}");
    }
}
