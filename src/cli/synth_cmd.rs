//! `rtgs2 synth`: writes procedurally furnished, labelled rooms as trainer output folders
//! (PLY with a `label` property plus `cameras.json`) and a `synth.json` describing each.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::scene::MAX_GAUSSIANS;
use crate::scene::trainer_folder::{DEFAULT_ITERATION, write_trainer_folder};
use crate::synth::{GlobalRotation, RoomKind, SynthOptions, generate};
use crate::util::atomic_write::write_bytes_atomically;

/// Generate synthetic labelled rooms (training and test data).
#[derive(clap::Args, Debug)]
pub struct SynthArgs {
    /// Folder that receives one sub-folder per room, `<kind>_<seed>`.
    pub out_dir: PathBuf,
    /// Seed of the first room.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Room kind (default: chosen by each seed).
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<RoomKind>,
    /// Number of rooms, with seeds S, S+1, ...
    #[arg(long, default_value_t = 1)]
    pub count: u64,
    /// Gaussians per room, floaters included.
    #[arg(long, default_value_t = 300_000)]
    pub gaussians: usize,
    /// Spherical-harmonics degree of the colours (0–3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(0..=3))]
    pub sh_degree: u8,
    /// World rotation: `none`, `random`, or `AXIS_X,AXIS_Y,AXIS_Z,DEGREES`.
    #[arg(long, default_value = "random", value_parser = parse_rotation)]
    pub rotation: GlobalRotation,
    /// World translation `x,y,z` (default: random per seed).
    #[arg(long, value_parser = parse_vec3, allow_hyphen_values = true)]
    pub translation: Option<[f32; 3]>,
    /// Uniform world scale (default: random in [0.5, 2] per seed).
    #[arg(long)]
    pub scale: Option<f32>,
    /// Cameras per room.
    #[arg(long, default_value_t = 60)]
    pub views: usize,
    /// Image width of the cameras.
    #[arg(long, default_value_t = 640)]
    pub width: u32,
    /// Image height of the cameras.
    #[arg(long, default_value_t = 480)]
    pub height: u32,
}

fn parse_kind(s: &str) -> Result<RoomKind, String> {
    s.parse()
}

fn parse_floats(s: &str) -> Result<Vec<f32>, String> {
    s.split(',').map(|p| p.trim().parse::<f32>().map_err(|e| format!("{p:?}: {e}"))).collect()
}

fn parse_vec3(s: &str) -> Result<[f32; 3], String> {
    let v = parse_floats(s)?;
    <[f32; 3]>::try_from(v.as_slice()).map_err(|_| format!("expected x,y,z, got {s:?}"))
}

fn parse_rotation(s: &str) -> Result<GlobalRotation, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "none" => Ok(GlobalRotation::None),
        "random" => Ok(GlobalRotation::Random),
        _ => {
            let v = parse_floats(s).map_err(|e| format!("expected none, random or AXIS_X,AXIS_Y,AXIS_Z,DEG: {e}"))?;
            let [x, y, z, deg] = <[f32; 4]>::try_from(v.as_slice())
                .map_err(|_| format!("expected AXIS_X,AXIS_Y,AXIS_Z,DEG, got {s:?}"))?;
            if x * x + y * y + z * z < 1e-12 {
                return Err("the rotation axis must not be zero".into());
            }
            Ok(GlobalRotation::AxisAngle { axis: [x, y, z], deg })
        }
    }
}

/// What `synth.json` records about a room.
#[derive(Serialize)]
struct Manifest<'a> {
    seed: u64,
    kind: RoomKind,
    options: &'a SynthOptions,
    up: [f32; 3],
    world_from_room: [[f32; 4]; 4],
    gaussians: usize,
    cameras: usize,
    class_counts: std::collections::BTreeMap<&'static str, usize>,
}

/// `rtgs2 synth`: generates `--count` furnished, labelled rooms into the output folder, each
/// with its cameras and a `synth.json` manifest.
pub fn run(args: &SynthArgs) -> anyhow::Result<()> {
    if args.count == 0 {
        bail!("--count must be at least 1");
    }
    // Zero Gaussians is a scene every reader refuses; more than the readers' limit is one
    // none of them would open (and aborts on allocation long before it is written).
    if args.gaussians == 0 || args.gaussians as u64 > MAX_GAUSSIANS {
        bail!("--gaussians {} is outside 1-{MAX_GAUSSIANS} (the most any scene reader accepts)", args.gaussians);
    }
    if args.width == 0 || args.height == 0 {
        bail!("--width and --height must be positive");
    }
    if let Some(s) = args.scale
        && !(s.is_finite() && s > 0.0)
    {
        bail!("--scale must be a positive number, got {s}");
    }
    std::fs::create_dir_all(&args.out_dir).with_context(|| format!("creating {}", args.out_dir.display()))?;
    let bar = ProgressBar::new(args.count);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} rooms {elapsed} (eta {eta}) {msg}")
            .expect("static progress template"),
    );
    for seed in args.seed..args.seed + args.count {
        let clock = Instant::now();
        let opts = SynthOptions {
            seed,
            kind: args.kind,
            target_gaussians: args.gaussians,
            sh_degree: args.sh_degree,
            rotation: args.rotation,
            translation: args.translation,
            scale: args.scale,
            views: args.views,
            width: args.width,
            height: args.height,
        };
        let room = generate(&opts);
        let dir = args.out_dir.join(format!("{}_{seed:05}", room.kind));
        write_trainer_folder(&dir, &room.scene, &room.cameras, DEFAULT_ITERATION)
            .with_context(|| format!("writing {}", dir.display()))?;
        let class_counts = room.class_counts();
        let classes = class_counts.keys().filter(|k| **k != "unlabelled").count();
        let manifest = Manifest {
            seed,
            kind: room.kind,
            options: &opts,
            up: room.up,
            world_from_room: room.world_from_room,
            gaussians: room.scene.len(),
            cameras: room.cameras.len(),
            class_counts,
        };
        let json = serde_json::to_vec_pretty(&manifest).context("serialising synth.json")?;
        let path = dir.join("synth.json");
        write_bytes_atomically(&path, &json).with_context(|| format!("writing {}", path.display()))?;
        // Through the bar, so the line is printed even when no terminal shows the bar.
        let line = format!(
            "{}: {} Gaussians, {classes} classes, {:.1} s",
            dir.display(),
            room.scene.len(),
            clock.elapsed().as_secs_f64()
        );
        bar.suspend(|| println!("{line}"));
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Wrap {
        #[command(flatten)]
        args: SynthArgs,
    }

    #[test]
    fn parses_rotation_forms() {
        assert_eq!(parse_rotation("none"), Ok(GlobalRotation::None));
        assert_eq!(parse_rotation("Random"), Ok(GlobalRotation::Random));
        assert_eq!(parse_rotation("0,0,1,90"), Ok(GlobalRotation::AxisAngle { axis: [0.0, 0.0, 1.0], deg: 90.0 }));
        assert!(parse_rotation("0,0,0,90").is_err());
        assert!(parse_rotation("1,2").is_err());
        assert_eq!(parse_vec3("-1,2.5,3"), Ok([-1.0, 2.5, 3.0]));
    }

    /// `--gaussians 0` used to write a scene every reader rejects, and 200 M aborted on
    /// allocation; both are refused before anything is written.
    #[test]
    fn gaussian_counts_outside_the_readers_limit_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("rooms");
        for n in ["0", "100000001", "200000000"] {
            let w = Wrap::try_parse_from(["x", out.to_str().expect("utf-8"), "--gaussians", n]).expect("parse");
            let msg = run(&w.args).expect_err(n).to_string();
            assert!(msg.contains(&format!("--gaussians {n}")) && msg.contains("1-100000000"), "{msg}");
        }
        assert!(!out.exists(), "nothing written");
    }

    #[test]
    fn writes_rooms_with_manifest() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().to_string_lossy().into_owned();
        let w = Wrap::try_parse_from([
            "x",
            &out,
            "--seed",
            "3",
            "--count",
            "2",
            "--kind",
            "office",
            "--gaussians",
            "4000",
            "--views",
            "3",
            "--translation",
            "-1,0,2",
        ])
        .expect("parse");
        run(&w.args).expect("run");
        for seed in [3, 4] {
            let room = dir.path().join(format!("office_{seed:05}"));
            let cams = crate::scene::trainer_folder::read_cameras(&room).expect("cameras");
            assert_eq!(cams.len(), 3);
            assert!(crate::scene::trainer_folder::find_ply(&room).expect("ply").is_file());
            let manifest: serde_json::Value =
                serde_json::from_slice(&std::fs::read(room.join("synth.json")).expect("manifest")).expect("json");
            assert_eq!(manifest["seed"], seed);
            assert_eq!(manifest["kind"], "office");
            assert!(manifest["class_counts"]["desk"].as_u64().unwrap_or(0) > 0);
        }
    }
}
