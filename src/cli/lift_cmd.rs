//! `rtgs2 lift`: the fusion network's predictions over many views fused onto the Gaussians
//! (see [`crate::pipeline::lift`]); prints the classes found and the time per stage, and
//! writes the scene with `label` and `label_confidence` on request.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::bench::stats::median_p95;
use super::fusion_args::FusionArgs;
use crate::fusion::FusionModel;
use crate::pipeline::lift::{isolate_classes, with_lifted_labels};
use crate::pipeline::lift_cache::{LiftKey, lift_cache_path, lift_key_of_files, lift_through_cache};
use crate::pipeline::{Backend, LiftOptions, LiftTimings, LiftedLabels, lift, lift_views};

#[derive(Args, Debug)]
pub struct LiftArgs {
    /// Scene file or trainer output folder. Without cameras (a `.splat`, `.spz`, `.sog`, or a
    /// PLY with no cameras.json beside it) the views are generated: inside the room at eye
    /// height, or around the scene when it has no inside (one object).
    pub path: PathBuf,
    /// Views to segment: up to half the scene's own cameras, the rest random views near them
    /// (or generated views, for a scene without cameras).
    #[arg(long, default_value_t = 48)]
    pub views: usize,
    #[arg(long, default_value_t = 320)]
    pub width: u32,
    #[arg(long, default_value_t = 240)]
    pub height: u32,
    /// Seed of the random (or generated) views.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Write the scene as a reference PLY with the lifted `label` and `label_confidence`
    /// (any ground-truth labels of the input are replaced in this copy; the input is untouched).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// With `--out`: keep only the Gaussians lifted to these classes (names or NYU40 ids,
    /// comma-separated, e.g. `chair,sofa` or `5,6`): the objects cut out by class.
    #[arg(long, value_delimiter = ',', requires = "out")]
    pub only: Vec<String>,
    /// Also write the class counts and per-stage times as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: Backend,
    #[command(flatten)]
    pub fusion: FusionArgs,
}

pub fn run(args: &LiftArgs) -> anyhow::Result<()> {
    if args.views == 0 || args.width == 0 || args.height == 0 {
        bail!("--views, --width and --height must be positive");
    }
    let only = parse_classes(&args.only)?;
    let loaded = super::load_scene(&args.path, false)?;
    let opts = LiftOptions { views: args.views, width: args.width, height: args.height, seed: args.seed };
    let mut model = args.fusion.open()?;
    let (lifted, timings, seconds) = lift_scene(&loaded, &opts, args.backend, &args.fusion, &mut model)?;
    let summary = summary(&lifted, &timings, seconds, loaded.scene.len());
    print_summary(&summary);
    if let Some(out) = &args.out {
        if std::fs::canonicalize(out).ok() == std::fs::canonicalize(&loaded.source).ok() {
            bail!("refusing to overwrite the input file {}", loaded.source.display());
        }
        let labelled = with_lifted_labels(&loaded.scene, &lifted);
        let written = match &only {
            Some(keep) => isolate_classes(&labelled, keep),
            None => labelled,
        };
        if written.is_empty() {
            bail!("no Gaussian was lifted to {}: nothing to write", args.only.join(", "));
        }
        crate::scene::ply_write::write_ply(out, &written).with_context(|| format!("writing {}", out.display()))?;
        eprintln!("lifted labels of {} Gaussians -> {}", written.len(), out.display());
    }
    if let Some(path) = &args.json {
        crate::util::atomic_write::write_bytes_atomically(path, serde_json::to_string_pretty(&summary)?.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("summary -> {}", path.display());
    }
    Ok(())
}

/// A copy of `loaded`'s scene whose labels are its lifted ones ([`lift_scene`]), to splat like
/// the ground truth (`eval --source lifted`, `render`/`segment --semantic-source lifted`).
pub(crate) fn scene_with_lifted_labels(
    loaded: &crate::scene::LoadedScene,
    opts: &LiftOptions,
    backend: Backend,
    fusion: &FusionArgs,
    model: &mut FusionModel,
) -> anyhow::Result<crate::scene::Scene> {
    let (lifted, _, _) = lift_scene(loaded, opts, backend, fusion, model)?;
    let mut scene = loaded.scene.clone();
    scene.labels = Some(lifted.classes);
    Ok(scene)
}

/// Pixel classes of a label map splatted from lifted labels: pixels no labelled Gaussian covers
/// (alpha under 0.5, `IGNORE_LABEL`) have no class, as in a prediction.
pub(crate) fn classes_of_label_map(labels: &[u8]) -> Vec<u8> {
    labels
        .iter()
        .map(|&l| if l == crate::classes::IGNORE_LABEL { crate::fusion::coverage::NO_CLASS } else { l })
        .collect()
}

/// Lifts `loaded` with `model` (opened from `fusion`'s options), with a progress bar; from the
/// lifted-label cache when it holds this scene, models and options (`--no-cache`, `--force`
/// as for features), else computed and cached.
pub(crate) fn lift_scene(
    loaded: &crate::scene::LoadedScene,
    opts: &LiftOptions,
    backend: Backend,
    fusion: &FusionArgs,
    model: &mut FusionModel,
) -> anyhow::Result<(LiftedLabels, LiftTimings, f64)> {
    let started = std::time::Instant::now();
    // The scale the encoder takes the scene at keys the cache and places generated views at
    // eye height.
    let (scale, _) =
        crate::encoder::resolve_scale(&loaded.scene, &loaded.cameras, loaded.recorded_scale, fusion.scene_scale);
    let cached = cache_target(loaded, scale, opts, fusion, model)?;
    let lift = || compute(loaded, scale, opts, backend, fusion, model);
    let (lifted, timings, _) =
        lift_through_cache(cached.as_ref(), loaded.scene.len(), !fusion.cache.force, lift, |note| {
            let warning = if note.is_warning() { "warning: " } else { "" };
            eprintln!("{warning}{note}");
        })?;
    Ok((lifted, timings, started.elapsed().as_secs_f64()))
}

/// Where this scene's lifted labels are cached, and their key (`None` with `--no-cache`).
fn cache_target(
    loaded: &crate::scene::LoadedScene,
    scale: f32,
    opts: &LiftOptions,
    fusion: &FusionArgs,
    model: &FusionModel,
) -> anyhow::Result<Option<(PathBuf, LiftKey)>> {
    if fusion.cache.no_cache {
        return Ok(None);
    }
    let dir = fusion.cache.cache_dir.clone().unwrap_or_else(crate::encoder::default_cache_dir);
    let encoder_model = model.card.takes_features().then(|| fusion.encoder().model_path());
    let key =
        lift_key_of_files(&loaded.scene, &loaded.cameras, &model.model_path, encoder_model.as_deref(), scale, opts)?;
    Ok(Some((lift_cache_path(&dir, &key), key)))
}

fn compute(
    loaded: &crate::scene::LoadedScene,
    scale: f32,
    opts: &LiftOptions,
    backend: Backend,
    fusion: &FusionArgs,
    model: &mut FusionModel,
) -> anyhow::Result<(LiftedLabels, LiftTimings)> {
    // `auto` skips a software adapter: lavapipe renders and scatters many times slower than
    // the CPU reference (see Renderer). With a GPU renderer the scatter runs on the GPU.
    let renderer = crate::pipeline::Renderer::with_software_adapter(backend, &loaded.scene, false)?;
    let mut segmenter = fusion.segmenter_on(renderer, loaded, model)?;
    let (views, generated) = lift_views(&loaded.scene, &loaded.cameras, scale, opts);
    if let Some(how) = generated {
        eprintln!(
            "note: {} has no cameras ({}): {} views {}",
            loaded.source.display(),
            loaded.why_no_cameras(),
            views.len(),
            how.describe()
        );
    }
    if views.is_empty() {
        bail!("no view to lift {} from: it has no cameras and too few Gaussians to place any", loaded.source.display());
    }
    let bar = ProgressBar::new(views.len() as u64).with_message("lifting");
    bar.set_style(ProgressStyle::with_template("{msg:10} {bar:30} {pos}/{len} views [{eta}]").expect("valid template"));
    let (lifted, timings) = lift(&mut segmenter, model, &loaded.scene, &views, |i| bar.set_position(i as u64))
        .with_context(|| format!("lifting {}", loaded.source.display()))?;
    bar.finish_and_clear();
    Ok((lifted, timings))
}

/// `--only` as a per-class mask (`None`: every class).
fn parse_classes(names: &[String]) -> anyhow::Result<Option<[bool; crate::classes::NUM_CLASSES]>> {
    if names.is_empty() {
        return Ok(None);
    }
    let mut keep = [false; crate::classes::NUM_CLASSES];
    for n in names {
        match crate::classes::id_of(n) {
            Some(id) => keep[id as usize] = true,
            None => bail!(
                "--only {n:?} is not an NYU40 class: give names ({}, ...) or ids 1-40",
                crate::classes::NYU40_NAMES[1..6].join(", ")
            ),
        }
    }
    Ok(Some(keep))
}

fn summary(lifted: &LiftedLabels, t: &LiftTimings, seconds: f64, gaussians: usize) -> serde_json::Value {
    let mut counts = std::collections::BTreeMap::new();
    for &c in lifted.classes.iter().filter(|&&c| c != 0) {
        *counts.entry(crate::classes::name(c)).or_insert(0usize) += 1;
    }
    let stage = |v: &[f64]| {
        let (median, p95) = median_p95(v.to_vec());
        json!({"median_ms": median, "p95_ms": p95, "total_s": v.iter().sum::<f64>() / 1e3})
    };
    json!({
        "gaussians": gaussians,
        "labelled": lifted.labelled(),
        "views": lifted.views,
        "seconds": seconds,
        "stages": {"segment": stage(&t.segment_ms), "distribution": stage(&t.distribution_ms), "scatter": stage(&t.scatter_ms)},
        "class_counts": counts,
    })
}

fn print_summary(s: &serde_json::Value) {
    println!(
        "lifted {} views onto {} Gaussians in {:.1} s: {} labelled, {} seen in no view",
        s["views"],
        s["gaussians"],
        s["seconds"].as_f64().unwrap_or(f64::NAN),
        s["labelled"],
        s["gaussians"].as_u64().unwrap_or(0) - s["labelled"].as_u64().unwrap_or(0)
    );
    for name in ["segment", "distribution", "scatter"] {
        let st = &s["stages"][name];
        if !st["median_ms"].is_number() {
            continue; // read from the cache: nothing was timed
        }
        println!(
            "  {name:<13} median {:>8.1} ms/view  p95 {:>8.1} ms  total {:>7.1} s",
            st["median_ms"].as_f64().unwrap_or(f64::NAN),
            st["p95_ms"].as_f64().unwrap_or(f64::NAN),
            st["total_s"].as_f64().unwrap_or(f64::NAN)
        );
    }
    if let Some(counts) = s["class_counts"].as_object() {
        let mut v: Vec<(&String, u64)> = counts.iter().map(|(k, n)| (k, n.as_u64().unwrap_or(0))).collect();
        v.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
        let parts: Vec<String> = v.iter().take(10).map(|(k, n)| format!("{k} {n}")).collect();
        println!("  classes (Gaussians): {}", parts.join(", "));
    }
}
