//! `rtgs2 render --path`: camera paths to PNG frames and MP4s, and `--what semantic` /
//! `side-by-side`, end to end on a small generated room (the real binary, the CPU reference
//! renderer, the shipped networks).

mod common;

use std::path::{Path, PathBuf};

use common::path_arg as s;
use common::run_rtgs2 as rtgs2;
use rtgs2::image_io::read_png;

fn synth_room(parent: &Path) -> PathBuf {
    let (ok, _, err) = rtgs2(&["synth", s(parent), "--seed", "9", "--gaussians", "12000", "--views", "4"]);
    assert!(ok, "synth: {err}");
    std::fs::read_dir(parent).expect("synth output").filter_map(Result::ok).map(|e| e.path()).next().expect("a room")
}

const SMALL: [&str; 6] = ["--width", "64", "--height", "48", "--backend", "cpu"];

fn frames_in(dir: &Path) -> Vec<(u32, u32, usize, Vec<u8>)> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir).expect("frames").map(|e| e.expect("entry").path()).collect();
    names.sort();
    names.iter().map(|p| read_png(p).expect("png")).collect()
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    let mse = a.iter().zip(b).map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2)).sum::<f64>() / a.len() as f64;
    10.0 * (255.0f64 * 255.0 / mse.max(1e-12)).log10()
}

#[test]
fn orbit_and_camera_paths_write_numbered_frames_that_move() {
    let dir = tempfile::tempdir().expect("temp dir");
    let room = synth_room(&dir.path().join("rooms"));
    for spec in ["orbit", "cameras"] {
        let out = dir.path().join(spec);
        let (ok, _, err) =
            rtgs2(&[&["render", s(&room), "--path", spec, "--frames", "5", "--out", s(&out)], &SMALL[..]].concat());
        assert!(ok, "{spec}: {err}");
        let frames = frames_in(&out);
        assert_eq!(frames.len(), 5, "{spec}");
        assert!(frames.iter().all(|f| (f.0, f.1, f.2) == (64, 48, 3)), "{spec}");
        for pair in frames.windows(2) {
            assert!(psnr(&pair[0].3, &pair[1].3) < 40.0, "{spec}: consecutive frames are the same picture");
        }
        assert!(frames[0].3.iter().map(|&v| u64::from(v)).sum::<u64>() > 64 * 48 * 3 * 20, "{spec}: dark frame");
    }
    // The scene's cameras path starts exactly at camera 0.
    let single = dir.path().join("cam0.png");
    let (ok, _, err) = rtgs2(&[&["render", s(&room), "--camera", "0", "--out", s(&single)], &SMALL[..]].concat());
    assert!(ok, "{err}");
    let first = frames_in(&dir.path().join("cameras")).remove(0).3;
    let p = psnr(&first, &read_png(&single).expect("png").3);
    assert!(p > 45.0, "first frame of --path cameras vs camera 0: PSNR {p:.1}");
}

#[test]
fn a_keyframe_file_drives_the_camera_and_its_first_frame_is_that_view() {
    let dir = tempfile::tempdir().expect("temp dir");
    let room = synth_room(&dir.path().join("rooms"));
    let loaded = rtgs2::scene::load(&room, &Default::default()).expect("room");
    let c = loaded.scene.bounds().map(|(lo, hi)| [0, 1, 2].map(|k| 0.5 * (lo[k] + hi[k]))).expect("bounds");
    let eye = loaded.cameras[0].centre().to_array();
    let keys = dir.path().join("path.json");
    let text = format!(
        r#"{{"keyframes":[{{"eye":{eye:?},"target":{c:?}}},{{"eye":[{},{},{}],"target":{c:?},"fov_x_deg":70}}]}}"#,
        c[0],
        c[1],
        c[2] + 0.3
    );
    std::fs::write(&keys, text).expect("write keyframes");
    let out = dir.path().join("frames");
    let (ok, _, err) =
        rtgs2(&[&["render", s(&room), "--path", s(&keys), "--frames", "3", "--out", s(&out)], &SMALL[..]].concat());
    assert!(ok, "{err}");
    let frames = frames_in(&out);
    assert_eq!(frames.len(), 3);
    let single = dir.path().join("eye.png");
    let v = |a: [f32; 3]| format!("{},{},{}", a[0], a[1], a[2]);
    let (ok, _, err) =
        rtgs2(&[&["render", s(&room), "--eye", &v(eye), "--target", &v(c), "--out", s(&single)], &SMALL[..]].concat());
    assert!(ok, "{err}");
    let p = psnr(&frames[0].3, &read_png(&single).expect("png").3);
    assert!(p > 45.0, "first keyframe vs the same --eye/--target view: PSNR {p:.1}");
    // A damaged keyframe file is named with what is wrong, before any frame is written.
    std::fs::write(&keys, br#"{"keyframes":[{"eye":[0,0,0],"target":[0,0,0]}]}"#).expect("write");
    let out = dir.path().join("bad");
    let (ok, _, err) = rtgs2(&[&["render", s(&room), "--path", s(&keys), "--out", s(&out)], &SMALL[..]].concat());
    assert!(!ok && err.contains("path.json") && err.contains("keyframe 0"), "{err}");
    assert!(!out.exists());
}

#[test]
fn the_semantic_overlay_renders_per_frame_and_from_lifted_labels() {
    let dir = tempfile::tempdir().expect("temp dir");
    let room = synth_room(&dir.path().join("rooms"));
    let cache = dir.path().join("cache");
    let common = [&SMALL[..], &["--threads", "2", "--cache-dir", s(&cache)]].concat();
    let rgb = dir.path().join("rgb.png");
    let (ok, _, err) = rtgs2(&[&["render", s(&room), "--camera", "1", "--out", s(&rgb)], &common[..]].concat());
    assert!(ok, "{err}");
    let rgb = read_png(&rgb).expect("png");
    for (source, extra) in [("live", &[][..]), ("lifted", &["--lift-views", "4"][..])] {
        let out = dir.path().join(format!("{source}.png"));
        let (ok, _, err) = rtgs2(
            &[
                &["render", s(&room), "--camera", "1", "--what", "side-by-side", "--semantic-source", source],
                extra,
                &["--out", s(&out)],
                &common[..],
            ]
            .concat(),
        );
        assert!(ok, "{source}: {err}");
        let (w, h, c, px) = read_png(&out).expect("png");
        assert_eq!((w, h, c), (128, 48, 3), "{source}");
        // Left half: the render itself; right half: coloured by class.
        let half = |right: bool| -> Vec<u8> {
            (0..48).flat_map(|y| px[(y * 128 + if right { 64 } else { 0 }) * 3..][..64 * 3].to_vec()).collect()
        };
        assert_eq!(half(false), rgb.3, "{source}: left half is the plain render");
        assert!(psnr(&half(true), &rgb.3) < 30.0, "{source}: the overlay changed nothing");
    }
}

#[test]
fn an_mp4_needs_ffmpeg_and_says_so_before_rendering() {
    let dir = tempfile::tempdir().expect("temp dir");
    let room = synth_room(&dir.path().join("rooms"));
    let mp4 = dir.path().join("orbit.mp4");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rtgs2"))
        .args([&["render", s(&room), "--path", "orbit", "--frames", "3", "--out", s(&mp4)], &SMALL[..]].concat())
        .env("RTGS2_FFMPEG", dir.path().join("no-such-ffmpeg"))
        .output()
        .expect("binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("ffmpeg") && err.contains("folder"), "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(left, ["rooms"], "nothing written");
    // With the system's ffmpeg (where installed): an H.264 MP4 and no frames left behind.
    let has_ffmpeg = std::process::Command::new("ffmpeg").arg("-version").output().is_ok_and(|o| o.status.success());
    if !has_ffmpeg {
        eprintln!("skipping the encode: no ffmpeg on the PATH");
        return;
    }
    let (ok, _, err) =
        rtgs2(&[&["render", s(&room), "--path", "orbit", "--frames", "6", "--out", s(&mp4)], &SMALL[..]].concat());
    assert!(ok, "{err}");
    let bytes = std::fs::read(&mp4).expect("mp4");
    assert!(bytes.len() > 500 && &bytes[4..8] == b"ftyp" && bytes.windows(4).any(|w| w == b"avc1"));
    let mut left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").map(|e| e.expect("entry").file_name()).collect();
    left.sort();
    assert_eq!(left, ["orbit.mp4", "rooms"]);
}

#[test]
fn bad_path_options_are_refused_with_the_option_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let room = synth_room(&dir.path().join("rooms"));
    let out = dir.path().join("f");
    for (args, want) in [
        (&["--path", "orbit", "--frames", "0"][..], "--frames 0"),
        (&["--path", "orbit", "--fps", "0"][..], "--fps 0"),
        (&["--path", "orbit", "--camera", "1"][..], "--camera"),
        (&["--path", "no-such-file.json"][..], "no-such-file.json"),
    ] {
        let (ok, _, err) = rtgs2(&[&["render", s(&room), "--out", s(&out)], args, &SMALL[..]].concat());
        assert!(!ok && err.contains(want), "{args:?}: {err}");
    }
    let png = dir.path().join("x.png");
    let (ok, _, err) = rtgs2(&[&["render", s(&room), "--path", "orbit", "--out", s(&png)], &SMALL[..]].concat());
    assert!(!ok && err.contains("names a PNG"), "{err}");
}

/// Ctrl-C while the frames of an MP4 are being rendered leaves neither the frames' folder nor
/// a video behind.
#[test]
fn ctrl_c_during_a_video_removes_its_frames() {
    let has_ffmpeg = std::process::Command::new("ffmpeg").arg("-version").output().is_ok_and(|o| o.status.success());
    if !has_ffmpeg {
        eprintln!("skipping: no ffmpeg on the PATH");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let room = synth_room(&dir.path().join("rooms"));
    let mp4 = dir.path().join("v.mp4");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rtgs2"))
        .args([&["render", s(&room), "--path", "orbit", "--frames", "2000", "--out", s(&mp4)], &SMALL[..]].concat())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let frames = dir.path().join(format!(".v.mp4.tmp-{}", child.id()));
    let started = std::time::Instant::now();
    while !frames.join("frame_00001.png").exists() {
        assert!(child.try_wait().expect("wait").is_none(), "render ended before its frames were seen");
        assert!(started.elapsed().as_secs() < 120, "no frames appeared in {}", frames.display());
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let kill = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(kill.success());
    assert_eq!(child.wait().expect("wait").code(), Some(130));
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(left, ["rooms"], "the frames or a video were left behind");
}
