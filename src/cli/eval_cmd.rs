//! `rtgs2 eval`: the fusion network's segmentation quality on labelled scenes. Every camera
//! of every scene (or `--max-views` of them, evenly spread) is rendered with its ground-truth
//! label splat, segmented, and counted into one confusion matrix per scene and one over all,
//! scored over every NYU40 class or, with `--classes scannet20`, ScanNet's 20 benchmark classes.
//! `--source lifted` scores the predictions lifted onto the Gaussians instead (`rtgs2 lift`,
//! from the prediction path only), splatted like the ground truth; `both` prints both.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::fusion_args::{FusionArgs, scene_name};
use crate::dataset::views::scene_views;
use crate::eval::consistency::{Agreement, ViewMaps, median_depth, partner, reprojection_agreement};
use crate::eval::{ClassProtocol, Confusion, Summary};
use crate::pipeline::{Backend, LiftOptions, Renderer};

/// Which predictions are scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Source {
    /// The fusion network on each frame, as the viewer shows it live.
    Live,
    /// The predictions of many views lifted onto the Gaussians (`rtgs2 lift`), splatted.
    Lifted,
    /// Both, one table each.
    Both,
}

impl Source {
    fn live(self) -> bool {
        self != Self::Lifted
    }
    fn lifted(self) -> bool {
        self != Self::Live
    }
}

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
    /// Score the live per-frame predictions, the lifted ones, or both.
    #[arg(long, value_enum, default_value = "live")]
    pub source: Source,
    /// Also measure view consistency for each source: every evaluated view against a
    /// partner moved sideways by 5 % of its median depth, pixels reprojected with depth
    /// (occluded ones not counted); the share whose classes agree. Costs two more renders
    /// and one more prediction per view.
    #[arg(long)]
    pub consistency: bool,
    /// Views lifting segments per scene (`--source lifted|both`; see `rtgs2 lift --views`).
    #[arg(long, default_value_t = 48)]
    pub lift_views: usize,
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: Backend,
    #[command(flatten)]
    pub fusion: FusionArgs,
}

struct SceneResult {
    name: String,
    views: usize,
    live: Confusion,
    lifted: Confusion,
}

impl SceneResult {
    fn confusion(&self, source: &str) -> &Confusion {
        if source == "live" { &self.live } else { &self.lifted }
    }
}

pub fn run(args: &EvalArgs) -> anyhow::Result<()> {
    if args.width == 0 || args.height == 0 {
        bail!("--width and --height must be positive");
    }
    if args.max_views == Some(0) {
        bail!("--max-views must be at least 1");
    }
    if args.source.lifted() && args.lift_views == 0 {
        bail!("--lift-views must be at least 1");
    }
    let mut model = args.fusion.open()?;
    let mut results: Vec<SceneResult> = Vec::new();
    // View consistency over all scenes: [live, lifted].
    let mut consistency = [Agreement::default(); 2];
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
        let cams = scene_views(&loaded.cameras, args.max_views.unwrap_or(usize::MAX), args.width, args.height);
        // Lifted labels come from views of the prediction path only; the scene's labels are
        // swapped for them in a copy that is then splatted like the ground truth.
        let lifted_scene = if args.source.lifted() {
            let opts = LiftOptions { views: args.lift_views, width: args.width, height: args.height, seed: 0 };
            Some(super::lift_cmd::scene_with_lifted_labels(&loaded, &opts, args.backend, &args.fusion, &mut model)?)
        } else {
            None
        };
        let mut lifted_renderer = lifted_scene.as_ref().map(|s| Renderer::new(args.backend, s)).transpose()?;
        let mut segmenter = args.fusion.segmenter(&loaded, args.backend, &model)?;
        let bar = ProgressBar::new(cams.len() as u64).with_message(name.clone());
        bar.set_style(ProgressStyle::with_template("{msg:20} {bar:30} {pos}/{len} [{eta}]").expect("valid template"));
        let (mut live, mut lifted) = (Confusion::default(), Confusion::default());
        for (_, cam) in &cams {
            let (truth, live_classes) = if args.source.live() {
                let view = segmenter.segment(&mut model, cam, true).with_context(|| format!("segmenting {name}"))?;
                live.add(&view.labels, &view.prediction.classes);
                (view.labels, view.prediction.classes)
            } else {
                (segmenter.renderer.render(cam, true, [0.0; 3])?.labels, Vec::new())
            };
            let lifted_classes = match &mut lifted_renderer {
                Some(r) => {
                    let predicted = splatted_classes(r, cam)?;
                    lifted.add(&truth, &predicted);
                    predicted
                }
                None => Vec::new(),
            };
            if args.consistency {
                // The partner view B and both views' depths; each source's classes on B.
                let depth_a = segmenter.renderer.render(cam, false, [0.0; 3])?.depth;
                let cam_b = partner(cam, median_depth(&depth_a));
                let depth_b = segmenter.renderer.render(&cam_b, false, [0.0; 3])?.depth;
                let agree = |classes_a: &[u8], classes_b: &[u8]| {
                    reprojection_agreement(
                        &ViewMaps { camera: cam, classes: classes_a, depth: &depth_a },
                        &ViewMaps { camera: &cam_b, classes: classes_b, depth: &depth_b },
                    )
                };
                if args.source.live() {
                    let b =
                        segmenter.segment(&mut model, &cam_b, false).with_context(|| format!("segmenting {name}"))?;
                    consistency[0].add(agree(&live_classes, &b.prediction.classes));
                }
                if let Some(r) = &mut lifted_renderer {
                    let b = splatted_classes(r, &cam_b)?;
                    consistency[1].add(agree(&lifted_classes, &b));
                }
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        if live.total() == 0 && lifted.total() == 0 {
            eprintln!("warning: {name}: no labelled pixels in any evaluated view");
        }
        results.push(SceneResult { name, views: cams.len(), live, lifted });
    }
    let sources = [(args.source.live(), "live"), (args.source.lifted(), "lifted")];
    let mut docs = Vec::new();
    for source in sources.iter().filter(|(on, _)| *on).map(|(_, name)| *name) {
        let mut total = Confusion::default();
        results.iter().for_each(|r| total.merge(r.confusion(source)));
        let total = total.summary_for(args.classes);
        let scenes: Vec<(&SceneResult, Summary)> =
            results.iter().map(|r| (r, r.confusion(source).summary_for(args.classes))).collect();
        print_table(&scenes, &total, &model.model_path, &model.provider, args.classes, source);
        let agreement = consistency[usize::from(source == "lifted")];
        if args.consistency {
            match agreement.share() {
                Some(s) => println!(
                    "view consistency ({source}): {s:.4} of {} reprojected pixels agree with the partner view",
                    agreement.counted
                ),
                None => println!("view consistency ({source}): no pixel reprojects onto its partner view"),
            }
        }
        let mut doc = json!({
            "source": source,
            "classes": args.classes,
            "scenes": scenes.iter().map(|(r, s)| json!({
                "name": r.name, "views": r.views, "miou": s.miou, "macc": s.macc, "oacc": s.oacc, "per_class": s.per_class,
            })).collect::<Vec<_>>(),
            "total": {"miou": total.miou, "macc": total.macc, "oacc": total.oacc, "per_class": total.per_class},
        });
        if args.consistency {
            doc["consistency"] = json!({"share": agreement.share(), "pixels": agreement.counted});
        }
        docs.push((source, doc));
    }
    if let Some(path) = &args.json {
        // One source: its scores at the top level; both: one object per source.
        let doc = match docs.len() {
            1 => docs.remove(0).1,
            _ => serde_json::Value::Object(docs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
        };
        crate::util::atomic_write::write_bytes_atomically(path, serde_json::to_string_pretty(&doc)?.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("scores -> {}", path.display());
    }
    Ok(())
}

/// The lifted labels splatted into `cam` like the ground truth; uncovered pixels (no lifted
/// Gaussian reaches alpha 0.5) have no class.
fn splatted_classes(r: &mut Renderer, cam: &crate::scene::Camera) -> anyhow::Result<Vec<u8>> {
    Ok(super::lift_cmd::classes_of_label_map(&r.render(cam, true, [0.0; 3])?.labels))
}

fn print_table(
    scenes: &[(&SceneResult, Summary)],
    total: &Summary,
    model: &std::path::Path,
    provider: &str,
    classes: ClassProtocol,
    source: &str,
) {
    println!("{} on {provider}, {source} predictions", model.display());
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
        "total{}: {} scenes, {views} views, classes {classes}: mIoU {:.4}, mAcc {:.4}, oAcc {:.4} ({} classes present)",
        if source == "live" { String::new() } else { format!(" ({source})") },
        scenes.len(),
        total.miou,
        total.macc,
        total.oacc,
        total.per_class.len()
    );
}
