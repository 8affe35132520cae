//! Bad input through the `rtgs2` binary (issue 29, "the second sweep"): every case ends in a
//! message naming the file or option and the problem, a non-zero exit and no panic, or in a
//! counted repair.

mod common;

use std::path::Path;
use std::process::Command;

use rtgs2::image_io::read_png;
use rtgs2::scene::trainer_folder::{DEFAULT_ITERATION, write_trainer_folder};
use rtgs2::scene::{ExtraProperty, ScalarKind};
use rtgs2::synth::{SynthOptions, generate};

fn rtgs2(args: &[&str]) -> (bool, String, String) {
    let (ok, stdout, stderr) = common::run_rtgs2(args);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (ok, stdout, stderr)
}

/// A small room with cameras and 4 `f_pc_*` feature channels; Gaussian `nan_at` (if any)
/// holds a NaN in `f_pc_2`.
fn room(dir: &Path, nan_at: Option<usize>) {
    let opts = SynthOptions { seed: 5, target_gaussians: 4_000, views: 2, width: 64, height: 48, ..Default::default() };
    let mut r = generate(&opts);
    let labels = r.scene.labels.clone().expect("synth rooms are labelled");
    for k in 0..4usize {
        let mut values: Vec<f64> = labels.iter().map(|&l| ((l as usize * 5 + k * 3) % 11) as f64 / 11.0).collect();
        if k == 2
            && let Some(i) = nan_at
        {
            values[i] = f64::NAN;
        }
        r.scene.extras.push(ExtraProperty { name: format!("f_pc_{k}"), kind: ScalarKind::F32, values });
    }
    write_trainer_folder(dir, &r.scene, &r.cameras, DEFAULT_ITERATION).expect("write room");
}

use common::path_arg as s;

/// Item 5: one NaN in an `f_pc_*` property used to blacken the whole features image, even
/// with --strict.
#[test]
fn a_nan_feature_property_is_dropped_with_a_warning_or_refused_when_strict() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("room");
    room(&scene, Some(17));
    let out = dir.path().join("f.png");
    let render = |extra: &[&str]| {
        let mut args = vec![
            "render",
            s(&scene),
            "--camera",
            "0",
            "--what",
            "features",
            "--feature-source",
            "properties",
            "--backend",
            "cpu",
            "--out",
            s(&out),
        ];
        args.extend_from_slice(extra);
        rtgs2(&args)
    };
    let (ok, _, err) = render(&[]);
    assert!(ok, "{err}");
    assert!(err.contains("dropped 1 Gaussians with NaN or infinite f_pc_* feature values"), "{err}");
    let (_, _, _, pixels) = read_png(&out).expect("png");
    let lit = pixels.iter().filter(|&&v| v > 0).count();
    assert!(lit > pixels.len() / 10, "the image is not black: {lit} of {} values lit", pixels.len());

    std::fs::remove_file(&out).expect("remove");
    let (ok, _, err) = render(&["--strict"]);
    assert!(!ok && err.contains("point_cloud.ply") && err.contains("Gaussian 17: property 'f_pc_2'"), "{err}");
    assert!(!out.exists(), "nothing written");
}

/// Item 4: `convert --encoding ascii` used to write `NaN` tokens its own reader rejects.
#[test]
fn ascii_convert_refuses_a_nan_extra_and_binary_keeps_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("room");
    room(&scene, Some(3));
    let ascii = dir.path().join("copy_ascii.ply");
    let (ok, _, err) = rtgs2(&["convert", s(&scene), s(&ascii), "--encoding", "ascii"]);
    assert!(!ok && err.contains("copy_ascii.ply") && err.contains("'f_pc_2'") && err.contains("binary"), "{err}");
    assert!(!ascii.exists());
    let binary = dir.path().join("copy.ply");
    let (ok, _, err) = rtgs2(&["convert", s(&scene), s(&binary)]);
    assert!(ok, "{err}");
    let (ok, out, err) = rtgs2(&["info", s(&binary)]);
    assert!(ok && out.contains("4000"), "{out}{err}");
}

/// Item 10: `info` on a FIFO named x.ply used to block forever.
#[cfg(unix)]
#[test]
fn info_on_a_fifo_is_refused_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("x.ply");
    assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_rtgs2"))
        .args(["info", s(&fifo)])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed().as_secs() > 20 {
            let _ = child.kill();
            panic!("info blocked on the FIFO");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err).expect("stderr");
    assert!(!status.success() && err.contains("x.ply") && err.contains("named pipe"), "{err}");
}

/// Items 15 and 16: --fov out of range (a negative one parsed as a value), and an empty
/// cameras.json named as such.
#[test]
fn render_names_a_bad_fov_and_an_empty_cameras_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("room");
    room(&scene, None);
    let out = dir.path().join("v.png");
    for fov in ["0", "180", "NaN", "-30"] {
        let (ok, _, err) = rtgs2(&[
            "render",
            s(&scene),
            "--eye",
            "0,0,0",
            "--target",
            "0,0,1",
            "--fov",
            fov,
            "--backend",
            "cpu",
            "--out",
            s(&out),
        ]);
        assert!(!ok && err.contains("--fov") && err.contains("0-180"), "{fov}: {err}");
    }
    std::fs::write(scene.join("cameras.json"), "[]").expect("empty cameras");
    let (ok, _, err) = rtgs2(&["render", s(&scene), "--backend", "cpu", "--out", s(&out)]);
    assert!(!ok && err.contains("cameras.json is empty") && err.contains("--eye"), "{err}");
    let (ok, _, err) = rtgs2(&[
        "render",
        s(&scene),
        "--eye",
        "0,0,0",
        "--target",
        "0,0,1",
        "--fov",
        "70",
        "--width",
        "32",
        "--height",
        "24",
        "--backend",
        "cpu",
        "--out",
        s(&out),
    ]);
    assert!(ok, "an empty cameras.json still renders from --eye/--target: {err}");
}

/// Item 12: Ctrl-C during a long convert left the hidden `.out.ply.tmp-PID` behind forever.
/// The handler removes it and exits with 130; the destination is never created.
#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_during_convert_removes_the_temporary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("big.ply");
    // Big enough that writing it as ASCII takes far longer than the polling below.
    let mut rng = rtgs2::util::rng::Rng::new(29);
    let scene = common::random_scene(&mut rng, 200_000, 3, false);
    rtgs2::scene::ply_write::write_ply(&input, &scene).expect("write input");
    let out = dir.path().join("out.ply");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rtgs2"))
        .args(["convert", s(&input), s(&out), "--encoding", "ascii"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let tmp = dir.path().join(format!(".out.ply.tmp-{}", child.id()));
    let started = std::time::Instant::now();
    while !tmp.exists() {
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("convert ended ({status}) before its temporary was seen; make the scene larger");
        }
        assert!(started.elapsed().as_secs() < 120, "no temporary {} appeared", tmp.display());
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(kill.success());
    let status = child.wait().expect("wait");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err).expect("stderr");
    assert_eq!(status.code(), Some(130), "exit status after Ctrl-C: {status}; {err}");
    assert!(!tmp.exists(), "the temporary {} is left behind", tmp.display());
    assert!(!out.exists(), "an interrupted convert created its destination");
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1, "only the input is left");
}

/// Item 13: `nan` in an ASCII PLY was a hard "Couldn't read element line" while the same
/// value in binary is repaired with a counted warning. Now both are repaired alike (and both
/// refused with --strict); a token that is no number names its line, property and text.
#[test]
fn ascii_nan_and_inf_are_repaired_like_binary_and_bad_tokens_are_named() {
    use common::{Enc, columns_of, encode_ply};
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rng = rtgs2::util::rng::Rng::new(13);
    let mut scene = common::random_scene(&mut rng, 40, 0, false);
    scene.positions[3][0] = f32::NAN;
    scene.positions[7][1] = f32::NEG_INFINITY;
    let cols = columns_of(&scene, ScalarKind::F32, ScalarKind::U8);
    let binary = dir.path().join("binary.ply");
    std::fs::write(&binary, encode_ply(&cols, Enc::Le)).expect("write");
    // Rust writes NaN as "NaN"; numpy and C's printf write "nan", as the file had.
    let text = String::from_utf8(encode_ply(&cols, Enc::Ascii)).expect("ascii").replace("NaN", "nan");
    assert!(text.contains(" -inf ") && text.contains("nan "), "both spellings are in the file");
    let ascii = dir.path().join("ascii.ply");
    std::fs::write(&ascii, &text).expect("write");
    for file in [&binary, &ascii] {
        let (ok, out, err) = rtgs2(&["info", s(file)]);
        assert!(ok && out.contains("38"), "{out}{err}");
        assert!(err.contains("dropped 2 Gaussians with NaN or infinite values"), "{err}");
        let (ok, _, err) = rtgs2(&["info", s(file), "--strict"]);
        assert!(!ok && err.contains("Gaussian 3"), "{err}");
    }

    // Header: ply, format, element, 15 properties, end_header; record r is on line 20 + r.
    let header_lines = 3 + cols.len() + 1;
    assert_eq!(header_lines, 19);
    let with_token = |record: usize, column: usize, token: &str| {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut tokens: Vec<&str> = lines[header_lines + record].split(' ').collect();
        tokens[column] = token;
        lines[header_lines + record] = tokens.join(" ");
        let path = dir.path().join("bad.ply");
        std::fs::write(&path, lines.join("\n") + "\n").expect("write");
        let (ok, _, err) = rtgs2(&["info", s(&path)]);
        assert!(!ok, "{err}");
        err
    };
    let err = with_token(5, 1, "1.2.3");
    assert!(err.contains("bad.ply") && err.contains("line 25: property 'y'") && err.contains("'1.2.3'"), "{err}");
    // Integers have no NaN: a `nan` label is still an error, named.
    let err = with_token(2, cols.len() - 1, "nan");
    assert!(err.contains("line 22: property 'label'") && err.contains("'nan', not a valid uchar"), "{err}");
}

/// A shipped model's card beside `garbage` bytes named like the model: a file that is no
/// ONNX model at all, as a truncated download or a wrong file would be.
fn not_onnx(dir: &Path, shipped: &Path) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).expect("model folder");
    let model = dir.join(shipped.file_name().expect("file name"));
    std::fs::write(&model, b"<html>404 Not Found</html>").expect("write");
    std::fs::copy(shipped.with_extension("json"), model.with_extension("json")).expect("card");
    model
}

/// Item 14: a model file that is not ONNX was reported as "ONNX Runtime is not available:
/// ... protobuf parsing failed", blaming the runtime for the file.
#[test]
fn a_model_file_that_is_not_onnx_is_named_as_such() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("room");
    room(&scene, None);
    let encoder = not_onnx(&dir.path().join("m"), &rtgs2::encoder::default_model_path());
    let fusion = not_onnx(&dir.path().join("m"), &rtgs2::fusion::default_model_path());
    let png = dir.path().join("s.png");
    let segment = ["segment", s(&scene), "--camera", "0", "--width", "64", "--height", "48", "--out", s(&png)];
    let runs: [(Vec<&str>, &Path); 3] = [
        (vec!["features", s(&scene), "--no-cache", "--model", s(&encoder)], &encoder),
        ([&segment[..], &["--model", s(&fusion)]].concat(), &fusion),
        ([&segment[..], &["--encoder-model", s(&encoder)]].concat(), &encoder),
    ];
    for (args, bad) in runs {
        let (ok, _, err) = rtgs2(&args);
        assert!(!ok, "{err}");
        assert!(err.contains(&format!("{}: not a valid ONNX model", bad.display())), "{args:?}: {err}");
        assert!(!err.contains("not available"), "the runtime is there: {err}");
    }
}

/// Item 17: a file where the output's folder should be gave "File exists (os error 17)"
/// twice; and an I/O error's text was printed twice (the error's text and its source).
#[test]
fn a_file_in_place_of_the_output_folder_is_named_and_os_errors_print_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("room");
    room(&scene, None);
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "x").expect("write");
    let (ok, _, err) = rtgs2(&["convert", s(&scene), s(&file.join("out.ply"))]);
    assert!(!ok && err.contains(&format!("{} is not a directory", file.display())), "{err}");
    assert!(!err.contains("os error"), "{err}");
    let missing = dir.path().join("missing.ply");
    let (ok, _, err) = rtgs2(&["info", s(&missing)]);
    assert!(!ok && err.contains("missing.ply"), "{err}");
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
}

/// `--scene-scale -3` stopped clap with "unexpected argument '-3'" (a leading minus read as
/// an option) instead of the option's own range message.
#[test]
fn a_negative_scene_scale_is_refused_with_the_option_named() {
    for args in [
        &["features", "room.ply"][..],
        &["eval", "room"],
        &["segment", "room", "--camera", "0", "--out", "s.png"],
        &["export-dataset", "room", "--out", "d"],
        &["bench", "segment", "room"],
        &["view", "room"],
    ] {
        let (ok, _, err) = rtgs2(&[args, &["--scene-scale", "-3"]].concat());
        assert!(!ok && err.contains("--scene-scale") && err.contains("a positive number"), "{args:?}: {err}");
        assert!(!err.contains("unexpected argument"), "{args:?}: {err}");
    }
}

/// A binary installed or copied away from its build tree finds its models beside itself
/// (`../share/rtgs2/models`), in the user data folder, or in RTGS2_MODELS_DIR, and names the
/// one it uses. It used to fall back on the build tree's `models/` at once.
#[test]
fn a_copied_binary_finds_models_beside_itself_in_user_data_and_in_rtgs2_models_dir() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("room");
    room(&scene, None);
    let bin = dir.path().join("prefix/bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let exe = bin.join("rtgs2");
    std::fs::copy(env!("CARGO_BIN_EXE_rtgs2"), &exe).expect("copy binary");
    // The library the tests use (fetched once if need be), so the copy fetches nothing.
    let ort = rtgs2::inference::runtime::library_path().expect("ONNX Runtime");
    let shipped = rtgs2::encoder::default_model_path();
    let data = dir.path().join("data");
    let features = |env_dir: Option<&Path>| {
        let mut cmd = Command::new(&exe);
        cmd.args(["features", s(&scene), "--no-cache"])
            .env("ORT_DYLIB_PATH", &ort)
            .env("XDG_DATA_HOME", &data)
            .env_remove("RTGS2_MODELS_DIR");
        if let Some(d) = env_dir {
            cmd.env("RTGS2_MODELS_DIR", d);
        }
        let out = output_of_fresh_copy(&mut cmd);
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // Lowest first: each place added below takes precedence over the ones before it.
    let in_data = not_onnx(&data.join("rtgs2/models"), &shipped);
    let err = features(None);
    assert!(err.contains(&format!("{}: not a valid ONNX model", in_data.display())), "{err}");
    let in_share = not_onnx(&dir.path().join("prefix/share/rtgs2/models"), &shipped);
    let err = features(None);
    assert!(err.contains(&format!("{}: not a valid ONNX model", in_share.display())), "{err}");
    let beside = not_onnx(&bin.join("models"), &shipped);
    let err = features(None);
    assert!(err.contains(&format!("{}: not a valid ONNX model", beside.display())), "{err}");
    let chosen = not_onnx(&dir.path().join("chosen"), &shipped);
    let err = features(Some(&dir.path().join("chosen")));
    assert!(err.contains(&format!("{}: not a valid ONNX model", chosen.display())), "{err}");
}

/// Runs a binary the test has just written. Another test thread may fork between our copy's
/// open and close; its child holds the written file open until it execs, and exec of a file
/// open for writing fails with ETXTBSY ("Text file busy"). The window is the child's
/// fork-to-exec time, so a short retry is the usual cure (cargo does the same).
fn output_of_fresh_copy(cmd: &mut Command) -> std::process::Output {
    for _ in 0..50 {
        match cmd.output() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(std::time::Duration::from_millis(100))
            }
            other => return other.expect("copied binary runs"),
        }
    }
    panic!("the copied binary stayed busy (ETXTBSY) for 5 s");
}

/// Without XDG_RUNTIME_DIR (cron, su, containers), Mesa's window-system code printed "error:
/// XDG_RUNTIME_DIR is invalid or not set in the environment." twice on every GPU command.
#[test]
fn a_gpu_command_without_xdg_runtime_dir_prints_no_mesa_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scene = dir.path().join("room");
    room(&scene, None);
    let png = dir.path().join("g.png");
    let out = Command::new(env!("CARGO_BIN_EXE_rtgs2"))
        .args(["render", s(&scene), "--camera", "0", "--width", "64", "--height", "48", "--backend", "gpu"])
        .args(["--out", s(&png)])
        .env_remove("XDG_RUNTIME_DIR")
        .output()
        .expect("binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("XDG_RUNTIME_DIR"), "{err}");
}
