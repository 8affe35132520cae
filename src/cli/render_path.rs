//! `rtgs2 render --path`: frames along a camera path (the scene's cameras, an orbit, or a
//! keyframe file; [`crate::scene::camera_path`]) to numbered PNGs or an MP4, with a progress
//! bar.

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};

use super::render_cmd::RenderArgs;
use super::render_frames::{FrameMaker, lifted_scene};
use super::video_out::FrameSink;
use crate::scene::LoadedScene;
use crate::scene::camera::up_from_cameras;
use crate::scene::camera_path::{KeyframeFile, SceneExtent, camera_keyframes, orbit, through};

/// Most frames one path may have: an hour at 30 fps.
const MAX_FRAMES: usize = 108_000;

pub fn run(args: &RenderArgs, spec: &str, mut loaded: LoadedScene) -> anyhow::Result<()> {
    if args.frames == 0 || args.frames > MAX_FRAMES {
        bail!("--frames {} is outside 1-{MAX_FRAMES}", args.frames);
    }
    if args.fps == 0 || args.fps > 240 {
        bail!("--fps {} is outside 1-240", args.fps);
    }
    if args.view.camera.is_some() || args.view.eye.is_some() {
        bail!("--path gives the cameras; --camera and --eye/--target choose a single view");
    }
    let extent = SceneExtent::of_scene(&loaded.scene);
    let fov = super::view_args::check_fov(args.view.fov).map_err(anyhow::Error::msg)?;
    let poses = match spec {
        "cameras" => {
            if loaded.cameras.is_empty() {
                bail!("{}: --path cameras needs the scene's cameras; try --path orbit", loaded.why_no_cameras());
            }
            through(&camera_keyframes(&loaded.cameras), args.frames, extent)
        }
        "orbit" => orbit(extent, &loaded.cameras, args.frames, fov),
        file => {
            let up = args.view.up.or_else(|| up_from_cameras(&loaded.cameras)).unwrap_or(glam::Vec3::NEG_Y);
            let keys = KeyframeFile::read(std::path::Path::new(file), up, fov)?;
            through(&keys, args.frames, extent)
        }
    };
    // The size of the scene's first camera, else 640x480, unless given.
    let first = loaded.cameras.first();
    let width = args.view.width.or(first.map(|c| c.width)).unwrap_or(640);
    let height = args.view.height.or(first.map(|c| c.height)).unwrap_or(480);
    if width == 0 || height == 0 || width > 16384 || height > 16384 {
        bail!("image size {width}x{height} is outside 1-16384");
    }
    super::render_cmd::drop_bad_property_features(args, &mut loaded)?;
    let sink = FrameSink::new(&args.out, args.fps)?;
    let lifted = lifted_scene(args, &loaded)?;
    let mut maker = FrameMaker::new(args, &loaded, lifted.as_ref())?;
    let bar = ProgressBar::new(poses.len() as u64).with_message("frames");
    bar.set_style(
        ProgressStyle::with_template("{msg:8} {bar:30} {pos}/{len} [{elapsed} < {eta}]").expect("valid template"),
    );
    let started = std::time::Instant::now();
    for (k, pose) in poses.iter().enumerate() {
        let cam = pose.camera(k as i64, width, height);
        let image = maker.frame(&cam).with_context(|| format!("frame {k}"))?.into_rgb();
        sink.push(k, image.width, image.height, &image.pixels)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let per_frame = started.elapsed().as_secs_f64() * 1e3 / poses.len() as f64;
    let out = sink.finish()?;
    eprintln!(
        "{}: {} frames of {:?} along {spec} at {width}x{height}, {per_frame:.0} ms a frame on {} -> {}",
        loaded.source.display(),
        poses.len(),
        args.what,
        maker.describe(),
        out.display()
    );
    Ok(())
}
