//! `rtgs2 segment`: one view segmented by the fusion network, written as a side-by-side PNG
//! (render | class colours over the render). Pixels the scene does not cover (alpha < 0.5)
//! get no class and keep the render's colour. With `--semantic-source lifted` the classes are
//! the labels lifted onto the Gaussians from many views (lifted first when not cached).

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use super::fusion_args::FusionArgs;
use super::render_cmd::SemanticSource;
use super::view_args::ViewArgs;
use crate::fusion::coverage::NO_CLASS;
use crate::image_io::{grid_rgb, write_png};
use crate::overlay::composite;
use crate::pipeline::{Backend, LiftOptions, Renderer};
use crate::scene::{Camera, LoadedScene};

#[derive(Args, Debug)]
pub struct SegmentArgs {
    /// Scene file or trainer output folder.
    pub path: PathBuf,
    #[command(flatten)]
    pub view: ViewArgs,
    /// Output PNG, twice the view's width: the render, then the overlay.
    #[arg(long)]
    pub out: PathBuf,
    /// Class-colour opacity over the render (1 = class colours only).
    #[arg(long, default_value_t = 0.6)]
    pub opacity: f32,
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: Backend,
    /// Where the classes come from: the network on this view, or the labels lifted onto the
    /// Gaussians from many views (view-consistent; more accurate on real scans, see
    /// docs/benchmarks.md).
    #[arg(long, value_enum, default_value = "live")]
    pub semantic_source: SemanticSource,
    /// Views fused for --semantic-source lifted.
    #[arg(long, default_value_t = 48)]
    pub lift_views: usize,
    #[command(flatten)]
    pub fusion: FusionArgs,
}

pub fn run(args: &SegmentArgs) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&args.opacity) {
        bail!("--opacity {} is outside 0-1", args.opacity);
    }
    if args.semantic_source == SemanticSource::Lifted && args.lift_views == 0 {
        bail!("--lift-views must be at least 1");
    }
    let loaded = super::load_scene(&args.path, false)?;
    // A view of the fusion network's usual size unless asked otherwise.
    let view =
        ViewArgs { width: args.view.width.or(Some(640)), height: args.view.height.or(Some(480)), ..args.view.clone() };
    let cam = view.camera_for(&loaded)?;
    let mut model = args.fusion.open()?;
    let (rgb8, classes) = match args.semantic_source {
        SemanticSource::Live => {
            let mut segmenter = args.fusion.segmenter(&loaded, args.backend, &model)?;
            let view = segmenter
                .segment(&mut model, &cam, false)
                .with_context(|| format!("segmenting {}", loaded.source.display()))?;
            let t = view.prediction.timings;
            eprintln!(
                "{}: {}x{} segmented on {} (preprocess {:.1} ms, inference {:.1} ms, postprocess {:.1} ms)",
                loaded.source.display(),
                cam.width,
                cam.height,
                model.provider,
                t.preprocess_ms,
                t.inference_ms,
                t.postprocess_ms,
            );
            (view.rgb8, view.prediction.classes)
        }
        SemanticSource::Lifted => lifted_view(args, &loaded, &cam, &mut model)?,
    };
    let (w, h) = (cam.width as usize, cam.height as usize);
    if classes.len() != w * h || rgb8.len() != 3 * w * h {
        bail!("the class map has {} pixels, the {w}x{h} view {}", classes.len(), w * h);
    }
    let overlay = composite(&rgb8, &classes, args.opacity);
    let sheet = grid_rgb(&[&rgb8, &overlay], 3, w, h, 2, 1);
    write_png(&args.out, 2 * w as u32, h as u32, 3, &sheet)
        .with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!("wrote {}", args.out.display());
    eprintln!("classes: {}", class_shares(&classes));
    Ok(())
}

/// The view's colours and the lifted labels splatted like ground truth (a pixel's class is the
/// one with the most blending weight; uncovered pixels get none).
fn lifted_view(
    args: &SegmentArgs,
    loaded: &LoadedScene,
    cam: &Camera,
    model: &mut crate::fusion::FusionModel,
) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let opts = LiftOptions { views: args.lift_views, ..LiftOptions::default() };
    let scene = super::lift_cmd::scene_with_lifted_labels(loaded, &opts, args.backend, &args.fusion, model)?;
    let mut renderer = Renderer::new(args.backend, &scene)?;
    let frame = renderer.render(cam, true, [0.0; 3])?;
    let classes = super::lift_cmd::classes_of_label_map(&frame.labels);
    eprintln!(
        "{}: lifted labels from {} views, splatted on {}",
        loaded.source.display(),
        args.lift_views,
        renderer.describe()
    );
    Ok((frame.rgb8(), classes))
}

/// The predicted classes by share of the image, largest first, then the share the scene does
/// not cover, which has no class ("wall 41%, floor 22%, ...; no surface 35%").
fn class_shares(classes: &[u8]) -> String {
    let mut counts = [0usize; 256];
    classes.iter().for_each(|&c| counts[c as usize] += 1);
    let percent = |n: usize| 100.0 * n as f64 / classes.len().max(1) as f64;
    let mut shares: Vec<(usize, usize)> =
        counts.iter().copied().enumerate().filter(|&(c, n)| n > 0 && c != NO_CLASS as usize).collect();
    shares.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    let parts: Vec<String> =
        shares.iter().take(8).map(|&(c, n)| format!("{} {:.0}%", crate::classes::name(c as u16), percent(n))).collect();
    let mut text = parts.join(", ");
    let uncovered = counts[NO_CLASS as usize];
    if uncovered > 0 {
        let sep = if text.is_empty() { "" } else { "; " };
        text += &format!("{sep}no surface {:.0}%", percent(uncovered));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_list_the_classes_then_the_uncovered_part_apart() {
        // 10 pixels: wall 5, floor 2, no surface (class 0) 3.
        assert_eq!(class_shares(&[1, 1, 0, 2, 1, 0, 1, 2, 0, 1]), "wall 50%, floor 20%; no surface 30%");
        assert_eq!(class_shares(&[5, 5, 1]), "chair 67%, wall 33%");
        assert_eq!(class_shares(&[0, 0]), "no surface 100%");
    }
}
