//! `rtgs2 import`: labelled scans (coloured PLY point clouds or meshes with a `label`
//! property, or ScanNet-style `<scan>_vert.npy` + `<scan>_sem_label.npy` pairs) become
//! labelled Gaussian scenes with cameras: one trainer folder per scan under `--out`.

use std::path::PathBuf;

use anyhow::{anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};

use crate::import::{SurfelOptions, ViewOptions, import_points, parse_up, read_points, scan_name, write_imported};

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// Scans: `.ply` (vertex x y z, red green blue, label) or `<scan>_vert.npy` with
    /// `<scan>_sem_label.npy` beside it.
    #[arg(required = true)]
    pub points: Vec<PathBuf>,
    /// Folder that receives one trainer folder per scan, named after it.
    #[arg(long)]
    pub out: PathBuf,
    /// The scan's up axis: x, y, z (signed: -y) or X,Y,Z. ScanNet scans are z-up.
    #[arg(long, default_value = "z", value_parser = parse_up, allow_hyphen_values = true)]
    pub up: glam::Vec3,
    /// World units per metre of the scans (ScanNet: 1), or `auto` to estimate it from each
    /// room's height. Cameras stand 1.2-1.7 m above the floor.
    #[arg(long, default_value = "auto", allow_negative_numbers = true)]
    pub units_per_metre: crate::encoder::SceneScale,
    /// Cameras per scene.
    #[arg(long, default_value_t = 30)]
    pub views: usize,
    #[arg(long, default_value_t = 640)]
    pub width: u32,
    #[arg(long, default_value_t = 480)]
    pub height: u32,
    /// Horizontal field of view of the cameras, degrees (ScanNet's colour camera: ~58).
    #[arg(long, default_value_t = 60.0, allow_negative_numbers = true)]
    pub fov: f32,
    /// Seed of the camera placement.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Opacity of every Gaussian.
    #[arg(long, default_value_t = 0.95, allow_negative_numbers = true)]
    pub opacity: f32,
    /// Disc size (standard deviation) as a fraction of the local point spacing. 0.9 closes
    /// the gaps of a random subsample (ScanNet's preprocessed scans are one); 0.6 is enough
    /// for an even sampling and keeps edges sharper.
    #[arg(long, default_value_t = 0.9, allow_negative_numbers = true)]
    pub disc_size: f32,
}

pub fn run(args: &ImportArgs) -> anyhow::Result<()> {
    if args.views == 0 || args.views > 10_000 {
        bail!("--views must be 1 to 10000, got {}", args.views);
    }
    if args.width == 0 || args.height == 0 || args.width > 8192 || args.height > 8192 {
        bail!("--width and --height must be 1 to 8192");
    }
    if args.units_per_metre == crate::encoder::SceneScale::Recorded {
        bail!("--units-per-metre recorded: a scan records no units; give 'auto' or a number (ScanNet: 1)");
    }
    if !(args.fov > 0.0 && args.fov < 180.0) {
        bail!("--fov must be between 0 and 180 degrees, got {}", args.fov);
    }
    if !(args.opacity > 0.0 && args.opacity < 1.0) {
        bail!("--opacity must be between 0 and 1 (exclusive), got {}", args.opacity);
    }
    if !(args.disc_size >= 0.1 && args.disc_size <= 4.0) {
        bail!("--disc-size must be 0.1 to 4 (a fraction of the point spacing), got {}", args.disc_size);
    }
    let mut names: Vec<String> = args.points.iter().map(|p| scan_name(p)).collect();
    names.sort();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        bail!("two inputs are both named {:?}; their folders under --out would collide", w[0]);
    }
    // A file in the way is named as such, not "File exists (os error 17)".
    crate::util::atomic_write::create_folder(&args.out).map_err(|e| anyhow!("--out {}: {e}", args.out.display()))?;
    let bar = ProgressBar::new(args.points.len() as u64);
    bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} scans {elapsed} {msg}").expect("static template"));
    let surfel_opts = SurfelOptions { opacity: args.opacity, radius_factor: args.disc_size, ..Default::default() };
    for (i, path) in args.points.iter().enumerate() {
        let clock = std::time::Instant::now();
        let points = read_points(path)?;
        if points.labels_repaired > 0 {
            bar.suspend(|| {
                eprintln!(
                    "warning: {}: set {} labels outside NYU40 (0-40) to 0 (unlabelled)",
                    path.display(),
                    points.labels_repaired
                )
            });
        }
        for warning in &points.warnings {
            bar.suspend(|| eprintln!("warning: {}: {warning}", path.display()));
        }
        let view_opts = ViewOptions {
            count: args.views,
            width: args.width,
            height: args.height,
            fov_x_deg: args.fov,
            seed: args.seed.wrapping_add(i as u64),
        };
        let scale = match args.units_per_metre {
            crate::encoder::SceneScale::Fixed(v) => Some(v),
            crate::encoder::SceneScale::Estimate | crate::encoder::SceneScale::Recorded => None,
        };
        let imported = import_points(path, &points, args.up, scale, &surfel_opts, &view_opts)?;
        let dir = args.out.join(scan_name(path));
        write_imported(&dir, &imported)?;
        let r = &imported.report;
        let mut line = format!(
            "{}: {} Gaussians (spacing {:.3}), {} cameras, {:.1} s",
            dir.display(),
            r.points,
            r.surfels.median_spacing,
            r.cameras,
            clock.elapsed().as_secs_f64()
        );
        if r.levelled_deg > 0.0 {
            line.push_str(&format!("; up levelled {:.1}° on its floor and ceiling", r.levelled_deg));
        }
        if r.cameras < args.views {
            line.push_str(&format!(" (only {} of {} views fit its free space)", r.cameras, args.views));
        }
        bar.suspend(|| println!("{line}"));
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}
