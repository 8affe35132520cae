//! `rtgs2 export-dataset`: fusion-network training data from labelled scenes.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::encoder_args::EncoderArgs;
use super::fusion_args::scene_name;
use crate::dataset::export::{FORMAT, write_view};
use crate::dataset::views::{ViewSource, extra_views, scene_views};
use crate::encoder::resolve_scale;
use crate::pipeline::{Backend, Renderer, network_features, with_gravity_cues};
use crate::scene::gravity::GRAVITY_CUES;

#[derive(Args, Debug)]
pub struct ExportDatasetArgs {
    /// Labelled scenes (files or trainer folders with cameras).
    #[arg(required = true)]
    pub scenes: Vec<PathBuf>,
    /// Output folder (gets one sub-folder per scene and manifest.json).
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 320)]
    pub width: u32,
    #[arg(long, default_value_t = 240)]
    pub height: u32,
    /// How many of each scene's own cameras to render (evenly spread).
    #[arg(long, default_value_t = 30)]
    pub views_per_scene: usize,
    /// Random extra views per scene, near its cameras.
    #[arg(long, default_value_t = 0)]
    pub extra_views: usize,
    /// Seed of the extra views.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Skip the encoder features (RGB, depth and labels only; with --gravity-cues, the cues
    /// alone).
    #[arg(long)]
    pub no_features: bool,
    /// Append the gravity cues (height above the floor, below the top, relative height,
    /// flatness: 4 channels) after the encoder features, as a fusion network whose card names
    /// `gravity-v1` reads them.
    #[arg(long)]
    pub gravity_cues: bool,
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: Backend,
    #[command(flatten)]
    pub encoder: EncoderArgs,
}

pub fn run(args: &ExportDatasetArgs) -> anyhow::Result<()> {
    if args.width == 0 || args.height == 0 {
        bail!("--width and --height must be positive");
    }
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let mut views = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    let mut feature_dim = 0;
    for path in &args.scenes {
        let loaded = super::load_scene(path, false)?;
        if loaded.scene.labels.is_none() {
            bail!("{} has no 'label' property: export-dataset needs ground-truth labels", loaded.source.display());
        }
        if loaded.cameras.is_empty() {
            bail!("nothing to render from: {}", loaded.why_no_cameras());
        }
        let name = scene_name(path);
        if !names.insert(name.clone()) {
            bail!("two scenes are named {name:?}; give them distinct folder names");
        }
        let mut renderer = Renderer::new(args.backend, &loaded.scene)?;
        let features = if args.no_features {
            // Cues alone: at the scale the features would have been encoded at, so the metres agree.
            args.gravity_cues.then(|| {
                let (scale, note) =
                    resolve_scale(&loaded.scene, &loaded.cameras, loaded.recorded_scale, args.encoder.scene_scale);
                eprintln!("note: {}: {note}", loaded.source.display());
                with_gravity_cues(0, &[], &loaded.scene, &loaded.cameras, scale)
            })
        } else {
            let f = args.encoder.features(&loaded, true)?;
            Some(network_features(args.gravity_cues, f.dim, f.features, &loaded.scene, &loaded.cameras, f.scene_scale))
        };
        if let Some((dim, values)) = features {
            feature_dim = dim;
            renderer.set_features(dim, values)?;
        }
        let mut cams = scene_views(&loaded.cameras, args.views_per_scene, args.width, args.height);
        cams.extend(extra_views(&loaded.cameras, args.extra_views, args.width, args.height, args.seed));
        std::fs::create_dir_all(args.out.join(&name))?;
        let bar = ProgressBar::new(cams.len() as u64).with_message(name.clone());
        bar.set_style(ProgressStyle::with_template("{msg:20} {bar:30} {pos}/{len} [{eta}]").expect("valid template"));
        for (k, (source, cam)) in cams.iter().enumerate() {
            let frame = renderer.render(cam, true, [0.0; 3])?;
            let files = write_view(&args.out, &format!("{name}/{k:04}"), &frame)
                .with_context(|| format!("writing view {k} of {name}"))?;
            let source = match source {
                ViewSource::SceneCamera(i) => json!({"camera": i}),
                ViewSource::Extra { near } => json!({"extra_near_camera": near}),
            };
            views.push(json!({"scene": name, "view": k, "source": source, "files": files, "camera": cam}));
            bar.inc(1);
        }
        bar.finish_and_clear();
        eprintln!("{name}: {} views", cams.len());
    }
    let manifest = json!({
        "format": FORMAT,
        "width": args.width,
        "height": args.height,
        "feature_dim": feature_dim,
        "gravity_cues": args.gravity_cues.then_some(GRAVITY_CUES),
        "ignore_label": crate::render::IGNORE_LABEL,
        "scenes": names,
        "views": views,
    });
    let path = args.out.join("manifest.json");
    crate::util::atomic_write::write_bytes_atomically(&path, serde_json::to_string_pretty(&manifest)?.as_bytes())?;
    println!("{} views of {} scenes -> {}", views.len(), names.len(), path.display());
    Ok(())
}
