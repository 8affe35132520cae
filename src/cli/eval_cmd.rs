//! `rtgs2 eval`: the fusion network's segmentation quality on labelled scenes. Every camera
//! of every scene (or `--max-views` of them, evenly spread) is rendered with its ground-truth
//! label splat, segmented, and counted into one confusion matrix per scene and one over all,
//! scored over every NYU40 class or, with `--classes scannet20`, ScanNet's 20 benchmark classes.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::fusion_args::{FusionArgs, scene_name};
use crate::dataset::views::scene_views;
use crate::eval::{ClassProtocol, Confusion, Summary};
use crate::pipeline::Backend;

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Labelled scenes with cameras (trainer folders, or scene files beside a cameras.json).
    #[arg(required = true)]
    pub scenes: Vec<PathBuf>,
    #[arg(long, default_value_t = 320)]
    pub width: u32,
    #[arg(long, default_value_t = 240)]
    pub height: u32,
    /// Evaluate at most this many cameras per scene, evenly spread [default: all].
    #[arg(long)]
    pub max_views: Option<usize>,
    /// Also write the scores as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Classes scored: every NYU40 class present in the ground truth, or ScanNet's 20
    /// benchmark classes (ground truth of other classes is ignored, and predicting a class
    /// outside the 20 on a counted pixel is a miss).
    #[arg(long, value_enum, default_value_t = ClassProtocol::All)]
    pub classes: ClassProtocol,
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: Backend,
    #[command(flatten)]
    pub fusion: FusionArgs,
}

struct SceneResult {
    name: String,
    views: usize,
    confusion: Confusion,
}

pub fn run(args: &EvalArgs) -> anyhow::Result<()> {
    if args.width == 0 || args.height == 0 {
        bail!("--width and --height must be positive");
    }
    if args.max_views == Some(0) {
        bail!("--max-views must be at least 1");
    }
    let mut model = args.fusion.open()?;
    let mut results: Vec<SceneResult> = Vec::new();
    for path in &args.scenes {
        let name = scene_name(path);
        if results.iter().any(|r| r.name == name) {
            bail!("two scenes are named {name:?}; give them distinct folder names");
        }
        let loaded = super::load_scene(path, false)?;
        if loaded.scene.labels.is_none() {
            bail!("{} has no 'label' property: eval needs ground-truth labels", loaded.source.display());
        }
        if loaded.cameras.is_empty() {
            bail!("nothing to evaluate from: {}", loaded.why_no_cameras());
        }
        let mut segmenter = args.fusion.segmenter(&loaded, args.backend, &model)?;
        let cams = scene_views(&loaded.cameras, args.max_views.unwrap_or(usize::MAX), args.width, args.height);
        let bar = ProgressBar::new(cams.len() as u64).with_message(name.clone());
        bar.set_style(ProgressStyle::with_template("{msg:20} {bar:30} {pos}/{len} [{eta}]").expect("valid template"));
        let mut confusion = Confusion::default();
        for (_, cam) in &cams {
            let view = segmenter.segment(&mut model, cam, true).with_context(|| format!("segmenting {name}"))?;
            confusion.add(&view.labels, &view.prediction.classes);
            bar.inc(1);
        }
        bar.finish_and_clear();
        if confusion.total() == 0 {
            eprintln!("warning: {name}: no labelled pixels in any evaluated view");
        }
        results.push(SceneResult { name, views: cams.len(), confusion });
    }
    let mut total = Confusion::default();
    results.iter().for_each(|r| total.merge(&r.confusion));
    let total = total.summary_for(args.classes);
    let scenes: Vec<(&SceneResult, Summary)> =
        results.iter().map(|r| (r, r.confusion.summary_for(args.classes))).collect();
    print_table(&scenes, &total, &model.model_path, &model.provider, args.classes);
    if let Some(path) = &args.json {
        let doc = json!({
            "classes": args.classes,
            "scenes": scenes.iter().map(|(r, s)| json!({
                "name": r.name, "views": r.views, "miou": s.miou, "macc": s.macc, "oacc": s.oacc, "per_class": s.per_class,
            })).collect::<Vec<_>>(),
            "total": {"miou": total.miou, "macc": total.macc, "oacc": total.oacc, "per_class": total.per_class},
        });
        crate::util::atomic_write::write_bytes_atomically(path, serde_json::to_string_pretty(&doc)?.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("scores -> {}", path.display());
    }
    Ok(())
}

fn print_table(
    scenes: &[(&SceneResult, Summary)],
    total: &Summary,
    model: &std::path::Path,
    provider: &str,
    classes: ClassProtocol,
) {
    println!("{} on {provider}", model.display());
    println!("classes {classes}: {}; mIoU and mAcc over those present in the ground truth", classes.describe());
    println!("{:<24} {:>6} {:>7} {:>7} {:>7}", "scene", "views", "mIoU", "mAcc", "oAcc");
    for (r, s) in scenes {
        println!("{:<24} {:>6} {:>7.4} {:>7.4} {:>7.4}", r.name, r.views, s.miou, s.macc, s.oacc);
    }
    println!();
    println!("{:>4} {:<16} {:>7} {:>7} {:>10}", "id", "class", "IoU", "acc", "pixels");
    for c in &total.per_class {
        println!("{:>4} {:<16} {:>7.4} {:>7.4} {:>10}", c.id, c.name, c.iou, c.acc, c.pixels);
    }
    let views: usize = scenes.iter().map(|(r, _)| r.views).sum();
    println!();
    println!(
        "total: {} scenes, {views} views, classes {classes}: mIoU {:.4}, mAcc {:.4}, oAcc {:.4} ({} classes present)",
        scenes.len(),
        total.miou,
        total.macc,
        total.oacc,
        total.per_class.len()
    );
}
