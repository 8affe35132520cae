//! `rtgs2 view` end to end: the real binary opens a real window under Xvfb (on lavapipe when
//! there is no GPU), renders scripted frames of a small generated room and writes
//! screenshots, which are checked here: the colour view is a real image (and the same bytes
//! `rtgs2 render` writes), the semantic view shows ScanNet colours of classes in the scene,
//! scripted navigation changes the image, and bad input fails cleanly.
//!
//! Without Xvfb the window tests skip with a message, except under `CI=true`, where that is a
//! failure (scripts/setup.sh installs it).

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use rtgs2::classes::SCANNET_PALETTE;
use rtgs2::image_io::read_png;
use rtgs2::scene::trainer_folder::{DEFAULT_ITERATION, write_trainer_folder};
use rtgs2::synth::{GlobalRotation, SynthOptions, generate};

/// A private X server on a display number it picks itself; killed on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Starts Xvfb, or says why not: `None` skips (a failure under CI).
fn xvfb() -> Option<Xvfb> {
    // -displayfd: Xvfb chooses a free display and writes its number to our pipe when ready.
    let spawned = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let why = match spawned {
        Ok(mut child) => {
            let mut line = String::new();
            let stdout = child.stdout.take().expect("piped stdout");
            match BufReader::new(stdout).read_line(&mut line) {
                Ok(n) if n > 0 && line.trim().parse::<u32>().is_ok() => {
                    return Some(Xvfb { child, display: format!(":{}", line.trim()) });
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    "Xvfb started but did not report a display".to_string()
                }
            }
        }
        Err(e) => format!("Xvfb could not be started ({e})"),
    };
    assert!(!in_ci(), "CI=true but {why}; scripts/setup.sh installs the xvfb package");
    eprintln!("skipping viewer window tests: {why} (install the xvfb package)");
    None
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn view(display: Option<&Xvfb>, cache: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rtgs2"));
    cmd.arg("view").args(args).env_remove("WAYLAND_DISPLAY").env("XDG_CACHE_HOME", cache);
    match display {
        Some(x) => cmd.env("DISPLAY", &x.display),
        None => cmd.env_remove("DISPLAY"),
    };
    let out = cmd.output().expect("the binary runs");
    let run = Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "no panic: {}", run.stderr);
    run
}

/// A small labelled room: 30k Gaussians, unit scale.
fn room(dir: &Path) -> Vec<u16> {
    let opts = SynthOptions {
        seed: 7,
        target_gaussians: 30_000,
        views: 6,
        width: 160,
        height: 120,
        rotation: GlobalRotation::Random,
        scale: Some(1.0),
        ..Default::default()
    };
    let r = generate(&opts);
    write_trainer_folder(dir, &r.scene, &r.cameras, DEFAULT_ITERATION).expect("write room");
    let mut present: Vec<u16> = r.scene.labels.expect("synth rooms are labelled");
    present.sort_unstable();
    present.dedup();
    present
}

/// One view of a side-by-side RGB screenshot, as RGB bytes.
fn half(pixels: &[u8], w: usize, h: usize, right: bool) -> Vec<u8> {
    let half_w = w / 2;
    (0..h)
        .flat_map(|y| {
            let start = (y * w + if right { half_w } else { 0 }) * 3;
            pixels[start..start + half_w * 3].to_vec()
        })
        .collect()
}

fn mean_abs_diff(a: &[u8], b: &[u8]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (*x as f64 - *y as f64).abs()).sum::<f64>() / a.len() as f64
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    let mse = a.iter().zip(b).map(|(x, y)| (*x as f64 - *y as f64).powi(2)).sum::<f64>() / a.len() as f64;
    if mse == 0.0 { f64::INFINITY } else { 10.0 * (255.0f64.powi(2) / mse).log10() }
}

#[test]
fn a_missing_scene_is_a_clear_error_without_a_window() {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = view(None, dir.path(), &["/nonexistent/room.ply", "--frames", "1"]);
    assert!(!r.ok && r.stderr.contains("/nonexistent/room.ply: no such file or folder"), "{}", r.stderr);
    let r = view(None, dir.path(), &["/nonexistent", "--script", "w:1,x:2"]);
    assert!(!r.ok, "{}", r.stderr);
}

#[test]
fn scripted_views_show_colour_semantics_and_navigation() {
    let Some(x) = xvfb() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("room");
    let present = room(&scene);
    let s = scene.to_str().expect("utf-8 path");
    let cache = dir.path().join("cache");
    let shot = |name: &str| dir.path().join(name).to_str().expect("utf-8").to_string();
    let common = ["--camera", "1", "--size", "320x240", "--no-features", "--frames", "2"];

    // (a), (b): colour | semantic at full overlay opacity.
    let base = shot("base.png");
    let mut args = vec![s, "--layout", "side-by-side", "--overlay-opacity", "1", "--screenshot", &base];
    args.extend(common);
    let r = view(Some(&x), &cache, &args);
    assert!(r.ok, "view failed: {}\n{}", r.stderr, r.stdout);
    assert!(r.stdout.contains("FPS") && r.stdout.contains("p95"), "frame statistics printed: {}", r.stdout);
    let (w, h, channels, pixels) = read_png(Path::new(&base)).expect("screenshot png");
    assert_eq!((w, h, channels), (640, 240, 3));
    let (w, h) = (w as usize, h as usize);
    let rgb = half(&pixels, w, h, false);
    let covered = rgb.chunks_exact(3).filter(|p| p.iter().any(|&c| c > 8)).count() as f64 / (w / 2 * h) as f64;
    let mean = rgb.iter().map(|&v| v as f64).sum::<f64>() / rgb.len() as f64;
    let variance = rgb.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / rgb.len() as f64;
    assert!(covered > 0.5 && variance > 100.0, "colour view is an image: covered {covered:.2}, variance {variance:.0}");

    let semantic = half(&pixels, w, h, true);
    let palette_of = |p: &[u8]| SCANNET_PALETTE.iter().position(|c| c == p);
    let mut seen = std::collections::BTreeSet::new();
    let mut matching = 0usize;
    for p in semantic.chunks_exact(3) {
        if let Some(class) = palette_of(p) {
            assert!(present.contains(&(class as u16)), "class {class} shown but not in the scene");
            seen.insert(class);
            matching += 1;
        }
    }
    let fraction = matching as f64 / (w / 2 * h) as f64;
    assert!(fraction > 0.8, "semantic view at opacity 1 is class colours: {fraction:.2} of pixels");
    assert!(seen.len() >= 3, "several classes visible: {seen:?}");

    // The colour view shows the bytes `rtgs2 render` writes for the same camera.
    let reference = shot("render.png");
    let out = Command::new(env!("CARGO_BIN_EXE_rtgs2"))
        .args([
            "render",
            s,
            "--camera",
            "1",
            "--width",
            "320",
            "--height",
            "240",
            "--backend",
            "gpu",
            "--out",
            &reference,
        ])
        .output()
        .expect("render runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (_, _, _, expected) = read_png(Path::new(&reference)).expect("render png");
    let p = psnr(&rgb, &expected);
    assert!(p > 35.0, "viewer colour vs rtgs2 render: {p:.1} dB");

    // (c): scripted navigation (walk forward, look right) changes the image.
    let moved = shot("moved.png");
    let mut args = vec![s, "--layout", "single", "--script", "w:10,mouse:40:0:5", "--screenshot", &moved];
    args.extend(common);
    let r = view(Some(&x), &cache, &args);
    assert!(r.ok, "scripted view failed: {}", r.stderr);
    let (mw, mh, _, moved_pixels) = read_png(Path::new(&moved)).expect("moved png");
    assert_eq!((mw, mh), (320, 240));
    let diff = mean_abs_diff(&moved_pixels, &rgb);
    assert!(diff > 5.0, "navigation changed the view: mean difference {diff:.1}");

    // (d): a scene that exists but cannot be read: a clear error, a non-zero exit.
    let bad = shot("bad.ply");
    std::fs::write(&bad, b"ply\nformat binary_little_endian 1.0\nelement vertex 10\nproperty float x\nend_header\n")
        .expect("write");
    let r = view(Some(&x), &cache, &[&bad, "--frames", "1", "--size", "64x48"]);
    assert!(!r.ok && r.stderr.contains("bad.ply"), "{}", r.stderr);
}

#[test]
fn the_semantic_view_shows_the_fusion_networks_prediction_like_rtgs2_segment() {
    let Some(x) = xvfb() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("room");
    room(&scene);
    let s = scene.to_str().expect("utf-8 path");
    let cache = dir.path().join("cache");
    let shot = dir.path().join("predicted.png");
    let shot_s = shot.to_str().expect("utf-8");
    let args = [
        s,
        "--layout",
        "side-by-side",
        "--overlay-opacity",
        "1",
        "--camera",
        "1",
        "--size",
        "320x240",
        "--frames",
        "2",
        "--screenshot",
        shot_s,
    ];
    let r = view(Some(&x), &cache, &args);
    assert!(r.ok, "view failed: {}\n{}", r.stderr, r.stdout);
    assert!(r.stdout.contains("predictions at 320x240"), "the overlay came from the network: {}", r.stdout);
    let (w, h, _, pixels) = read_png(&shot).expect("screenshot png");
    let (w, h) = (w as usize, h as usize);
    let viewer_semantic = half(&pixels, w, h, true);
    let palette = viewer_semantic.chunks_exact(3).filter(|p| SCANNET_PALETTE.iter().any(|c| c == p)).count();
    assert!(palette as f64 > 0.99 * (w / 2 * h) as f64, "every pixel gets a class at opacity 1: {palette}");

    // `rtgs2 segment` of the same camera at the same resolution: same renderer, same network.
    let seg = dir.path().join("segment.png");
    let out = Command::new(env!("CARGO_BIN_EXE_rtgs2"))
        .args([
            "segment",
            s,
            "--camera",
            "1",
            "--width",
            "320",
            "--height",
            "240",
            "--opacity",
            "1",
            "--backend",
            "gpu",
        ])
        .arg("--out")
        .arg(&seg)
        .env("XDG_CACHE_HOME", &cache)
        .output()
        .expect("segment runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (sw, sh, _, seg_pixels) = read_png(&seg).expect("segment png");
    assert_eq!((sw as usize, sh as usize), (w, h));
    let segment_semantic = half(&seg_pixels, w, h, true);
    let same = viewer_semantic.chunks_exact(3).zip(segment_semantic.chunks_exact(3)).filter(|(a, b)| a == b).count();
    let fraction = same as f64 / (w / 2 * h) as f64;
    assert!(fraction > 0.98, "viewer overlay and `rtgs2 segment` agree on {fraction:.4} of pixels");
}

/// The `lifted` semantic source: the viewer lifts in the background (scripted runs wait for
/// it) and splats the labels like the ground truth; they are the labels `rtgs2 lift` gives
/// with the same options on the CPU, rendered the same way. The two share the lifted-label
/// cache: `rtgs2 lift` reads what the viewer lifted, and a second viewer run reads it too.
#[test]
fn the_lifted_source_shows_the_labels_rtgs2_lift_makes() {
    let Some(x) = xvfb() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("room");
    room(&scene);
    let s = scene.to_str().expect("utf-8 path");
    let cache = dir.path().join("cache");
    let shot = dir.path().join("lifted.png");
    let args = ["--semantic-source", "lifted", "--layout", "side-by-side", "--overlay-opacity", "1"];
    let size = ["--camera", "1", "--size", "160x120", "--frames", "2", "--screenshot"];
    let r = view(Some(&x), &cache, &[&[s][..], &args, &size, &[shot.to_str().expect("utf-8")]].concat());
    assert!(r.ok, "view failed: {}\n{}", r.stderr, r.stdout);
    assert!(r.stdout.contains("lifted labels: lifted from 48 views"), "lifted in this run: {}", r.stdout);
    let (w, h, _, pixels) = read_png(&shot).expect("screenshot png");
    let viewer_semantic = half(&pixels, w as usize, h as usize, true);

    let lifted = dir.path().join("lifted.ply");
    std::fs::copy(scene.join("cameras.json"), dir.path().join("cameras.json")).expect("cameras beside");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_rtgs2")).args(args).env("XDG_CACHE_HOME", &cache).output();
        let out = out.expect("rtgs2 runs");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let lifted_s = lifted.to_str().expect("utf-8");
    let out = run(&["lift", s, "--backend", "cpu", "--threads", "1", "--out", lifted_s]);
    assert!(out.contains("lifted labels read from"), "rtgs2 lift reads the viewer's labels: {out}");
    let again = dir.path().join("again.png");
    let r = view(Some(&x), &cache, &[&[s][..], &args, &size, &[again.to_str().expect("utf-8")]].concat());
    assert!(r.stdout.contains("lifted labels: read from the cache"), "second opening: {}", r.stdout);
    assert_eq!(read_png(&again).expect("png").3, pixels, "the cached labels show the same view");
    let labels = dir.path().join("labels.png");
    let labels_s = labels.to_str().expect("utf-8");
    run(&[
        "render", lifted_s, "--camera", "1", "--width", "160", "--height", "120", "--what", "labels", "--out", labels_s,
    ]);
    let (_, _, _, rendered) = read_png(&labels).expect("labels png");
    let classified: Vec<(&[u8], &[u8])> = viewer_semantic
        .chunks_exact(3)
        .zip(rendered.chunks_exact(3))
        .filter(|(_, r)| SCANNET_PALETTE[1..].iter().any(|c| c == r))
        .collect();
    assert!(classified.len() > 160 * 120 / 2, "most of the view has lifted classes: {}", classified.len());
    let same = classified.iter().filter(|(a, b)| a == b).count();
    let fraction = same as f64 / classified.len() as f64;
    assert!(fraction > 0.97, "viewer's lifted view and the lifted PLY agree on {fraction:.4} of pixels");
}

/// A scene file without cameras (as `.splat` files come) is lifted too, from views generated
/// for it, and the semantic view shows the lifted classes.
#[test]
fn a_scene_without_cameras_is_lifted_from_generated_views() {
    let Some(x) = xvfb() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("room");
    room(&scene);
    let lone = dir.path().join("lone.ply");
    std::fs::copy(scene.join(format!("point_cloud/iteration_{DEFAULT_ITERATION}/point_cloud.ply")), &lone)
        .expect("the room's PLY alone");
    let (cache, shot) = (dir.path().join("cache"), dir.path().join("lone.png"));
    let args = ["--semantic-source", "lifted", "--layout", "side-by-side", "--overlay-opacity", "1"];
    let size = ["--size", "160x120", "--frames", "2", "--screenshot", shot.to_str().expect("utf-8")];
    let r = view(Some(&x), &cache, &[&[lone.to_str().expect("utf-8")][..], &args, &size].concat());
    assert!(r.ok, "view failed: {}\n{}", r.stderr, r.stdout);
    assert!(r.stdout.contains("lifted labels: lifted from 48 views"), "lifted in this run: {}", r.stdout);
    let (w, h, _, pixels) = read_png(&shot).expect("screenshot png");
    let (colour, semantic) =
        (half(&pixels, w as usize, h as usize, false), half(&pixels, w as usize, h as usize, true));
    assert!(mean_abs_diff(&colour, &semantic) > 10.0, "the semantic half shows class colours, not the render");
}

/// The camera-path recorder: `keyframe` script steps (K in the window) record views, the
/// saved keyframe file plays back through `rtgs2 render --path`, and its frames are the views
/// the viewer showed: the first is scene camera 1, the last the view the script ends on.
#[test]
fn a_recorded_camera_path_plays_back_the_views_the_viewer_showed() {
    let Some(x) = xvfb() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("room");
    room(&scene);
    let s = scene.to_str().expect("utf-8 path");
    let cache = dir.path().join("cache");
    let shot = dir.path().join("end.png");
    let keys = dir.path().join("path.json");
    let script = "keyframe,w:10,mouse:30:0:5,wait:20,keyframe";
    let args = ["--no-fusion", "--layout", "single", "--camera", "1", "--size", "160x120", "--script", script];
    let files = ["--save-path", keys.to_str().expect("utf-8"), "--screenshot", shot.to_str().expect("utf-8")];
    let r = view(Some(&x), &cache, &[&[s][..], &args, &files].concat());
    assert!(r.ok, "view failed: {}\n{}", r.stderr, r.stdout);
    assert!(r.stdout.contains("2 keyframes saved to") && r.stdout.contains("--path"), "{}", r.stdout);
    let frames = dir.path().join("frames");
    let render = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_rtgs2")).args(args).env("XDG_CACHE_HOME", &cache).output();
        let out = out.expect("rtgs2 runs");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let size = ["--width", "160", "--height", "120"];
    let (keys_s, frames_s) = (keys.to_str().expect("utf-8"), frames.to_str().expect("utf-8"));
    render(&[&["render", s, "--path", keys_s, "--frames", "2", "--out", frames_s][..], &size].concat());
    let start = dir.path().join("start.png");
    render(&[&["render", s, "--camera", "1", "--out", start.to_str().expect("utf-8")][..], &size].concat());
    let frame = |k: usize| read_png(&frames.join(format!("frame_{k:05}.png"))).expect("frame").3;
    let p_start = psnr(&frame(0), &read_png(&start).expect("start").3);
    let p_end = psnr(&frame(1), &read_png(&shot).expect("screenshot").3);
    assert!(p_start > 35.0 && p_end > 30.0, "start PSNR {p_start:.1}, end PSNR {p_end:.1}");
    assert!(psnr(&frame(0), &frame(1)) < 25.0, "the script moved the camera");
}

/// The newer formats open in the viewer window: a SOG folder, a bundled .sog and a .glb.
#[test]
fn sog_and_gltf_scenes_open_in_the_viewer() {
    let Some(x) = xvfb() else { return };
    let Some(real) = common::real_splats_dir() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    for name in
        ["sog_v2_playbot_lod6", "sog_v2_bundled_monkey.sog", "gltf_khr_draft_2026_01_bevy/khr_conformance_matrix.glb"]
    {
        let shot = dir.path().join(format!("{}.png", name.replace('/', "_")));
        let scene = real.join(name);
        let args =
            [scene.to_str().expect("utf-8"), "--no-features", "--layout", "single", "--size", "96x72", "--frames", "2"];
        let r = view(Some(&x), dir.path(), &[&args[..], &["--screenshot", shot.to_str().expect("utf-8")]].concat());
        assert!(r.ok, "{name}: {}\n{}", r.stderr, r.stdout);
        let (_, _, _, pixels) = read_png(&shot).expect("screenshot png");
        assert!(pixels.iter().filter(|&&v| v > 20).count() > 50, "{name}: the view is empty");
    }
}
