//! `rtgs2 convert` to `.sog` and `.glb` and back: a generated room with SH degree 3 written in
//! each format, read back and rendered from its cameras by the CPU reference renderer, differs
//! from the original render only by the format's quantisation (PSNR printed for the notes).

mod common;

use std::path::{Path, PathBuf};

use common::path_arg as s;
use common::run_rtgs2 as rtgs2;
use rtgs2::image_io::read_png;

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    let mse = a.iter().zip(b).map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2)).sum::<f64>() / a.len() as f64;
    10.0 * (255.0f64 * 255.0 / mse.max(1e-12)).log10()
}

fn render(scene: &Path, camera: &str, out: &Path) -> Vec<u8> {
    let args = ["render", s(scene), "--camera", camera, "--width", "160", "--height", "120", "--backend", "cpu"];
    let (ok, _, err) = rtgs2(&[&args[..], &["--out", s(out)]].concat());
    assert!(ok, "render {}: {err}", scene.display());
    read_png(out).expect("png").3
}

#[test]
fn sog_and_glb_round_trips_change_a_render_only_by_their_quantisation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rooms = dir.path().join("rooms");
    let (ok, _, err) =
        rtgs2(&["synth", s(&rooms), "--seed", "12", "--gaussians", "20000", "--views", "3", "--sh-degree", "3"]);
    assert!(ok, "synth: {err}");
    let room: PathBuf = std::fs::read_dir(&rooms).expect("rooms").next().expect("a room").expect("entry").path();
    let out = dir.path().join("converted");
    std::fs::create_dir_all(&out).expect("dir");
    // The cameras travel beside the converted files.
    std::fs::copy(room.join("cameras.json"), out.join("cameras.json")).expect("cameras");
    for (format, min_psnr) in [("glb", 60.0), ("sog", 30.0)] {
        let file = out.join(format!("room.{format}"));
        let (ok, _, err) = rtgs2(&["convert", s(&room), s(&file)]);
        assert!(ok, "{format}: {err}");
        assert!(err.contains("warning") && err.contains("label"), "{format}: labels are dropped with a warning: {err}");
        let mut worst = f64::INFINITY;
        for camera in ["0", "1", "2"] {
            let a = render(&room, camera, &dir.path().join("a.png"));
            let b = render(&file, camera, &dir.path().join("b.png"));
            worst = worst.min(psnr(&a, &b));
        }
        eprintln!("{format}: round-trip PSNR {worst:.1} dB (worst of 3 views, 160x120, SH degree 3)");
        assert!(worst > min_psnr, "{format}: PSNR {worst:.1} dB");
        // The files we write are what the readers expect in every detail they check.
        let loaded = rtgs2::scene::load(&file, &Default::default()).expect("read back");
        assert!(loaded.warnings.is_empty(), "{format}: {:?}", loaded.warnings);
        assert_eq!(loaded.scene.sh_degree, 3);
    }
}
