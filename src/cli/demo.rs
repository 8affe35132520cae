//! `rtgs2 demo` (and `rtgs2` with no command): the main job on the embedded default scene.
//! The scene is generated from the recipe in assets/demo_scene.json (cached in the output
//! folder, regenerated when the recipe changes), loaded back through the normal loader, and a
//! few of its cameras are rendered to side-by-side PNGs: colour | encoder features (PCA) |
//! the fusion network's predicted classes | ground-truth labels | depth. The features come
//! from the scene encoder (computed once, cached in the output folder) and are splatted with
//! the colours, as in the method; the prediction is the shipped fusion network on that frame.
//! When ONNX Runtime is unavailable the demo says why and renders the other panels.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::demo_fusion::{DemoSegmenter, agreement};
use super::demo_scene::{DEMO_RECIPE, ensure_scene};
use crate::image_io::write_png;
use crate::overlay::composite;
use crate::pipeline::{Backend, Renderer};
use crate::render::pca::FeaturePca;
use crate::synth::SynthOptions;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Output folder for the scene and the images.
    #[arg(long, default_value = "out/demo")]
    pub out: PathBuf,
    /// How many of the scene's cameras to render.
    #[arg(long, default_value_t = 4)]
    pub views: usize,
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: Backend,
    /// Show this scene (file or trainer folder with cameras) instead of the embedded one.
    #[arg(long)]
    pub scene: Option<PathBuf>,
    /// Render size of each panel, WxH (default: the cameras' own size).
    #[arg(long, value_parser = super::view_args::parse_size)]
    pub size: Option<(u32, u32)>,
    /// Also write every view's panels stacked into one PNG (a contact sheet).
    #[arg(long)]
    pub sheet: Option<PathBuf>,
}

impl Default for DemoArgs {
    fn default() -> Self {
        Self { out: PathBuf::from("out/demo"), views: 4, backend: Backend::Auto, scene: None, size: None, sheet: None }
    }
}

/// The encoder's per-Gaussian features (cached under `out/feature-cache`).
fn demo_features(loaded: &crate::scene::LoadedScene, out: &Path) -> anyhow::Result<crate::encoder::SceneFeatures> {
    let opts = crate::encoder::FeatureOptions {
        cache_dir: Some(out.join("feature-cache")),
        progress: true,
        ..Default::default()
    };
    let t = std::time::Instant::now();
    let f = crate::pipeline::features_for(loaded, crate::encoder::SceneScale::Estimate, opts)?.features;
    for w in &f.warnings {
        eprintln!("warning: {w}");
    }
    let how = match &f.computed {
        Some((e, provider)) => format!("computed on {provider} ({} voxels)", e.voxels),
        None => "read from the cache".into(),
    };
    println!("encoder features: {how} in {:.1} s", t.elapsed().as_secs_f64());
    Ok(f)
}

/// The feature image as colours: the per-scene PCA basis applied to each pixel's splatted
/// encoder features (a linear map, so this is the splat of the per-Gaussian PCA colours up to
/// the clamp into [0, 1]); gravity cues after them are not shown.
fn feature_panel(pca: &FeaturePca, frame: &crate::render::Frame) -> Vec<u8> {
    let encoder: Vec<f32> =
        frame.features.chunks_exact(frame.feature_dim).flat_map(|px| px[..pca.dim].iter().copied()).collect();
    pca.colours(&encoder).chunks_exact(4).flat_map(|c| [c[0], c[1], c[2]]).map(crate::image_io::to_u8).collect()
}

pub fn run(args: &DemoArgs) -> anyhow::Result<()> {
    let scene_dir = match &args.scene {
        Some(path) => path.clone(),
        None => {
            let recipe: SynthOptions =
                serde_json::from_str(DEMO_RECIPE).context("assets/demo_scene.json is not a valid recipe")?;
            let dir = args.out.join("scene");
            ensure_scene(&dir, &recipe)?;
            dir
        }
    };
    let loaded = super::load_scene(&scene_dir, false)?;
    let s = &loaded.scene;
    let classes: std::collections::BTreeSet<u16> = s.labels.iter().flatten().copied().collect();
    println!(
        "scene {}: {} Gaussians, SH degree {}, {} cameras, {} classes",
        scene_dir.display(),
        s.len(),
        s.sh_degree,
        loaded.cameras.len(),
        classes.len()
    );
    let mut renderer = Renderer::new(args.backend, s)?;
    println!("renderer: {}", renderer.describe());
    let features =
        demo_features(&loaded, &args.out).inspect_err(|e| eprintln!("warning: no feature panel: {e:#}")).ok();
    let pca = features.as_ref().map(|f| FeaturePca::fit(&f.features, f.dim));
    let mut segmenter = DemoSegmenter::open(features.as_ref().map(|f| f.dim));
    if let Some(f) = features {
        let reads_cues = segmenter.as_ref().is_some_and(DemoSegmenter::reads_gravity_cues);
        let (dim, values) =
            crate::pipeline::network_features(reads_cues, f.dim, f.features, s, &loaded.cameras, f.scene_scale);
        renderer.set_features(dim, values)?;
    }
    let n = loaded.cameras.len();
    if n == 0 {
        anyhow::bail!("no cameras to render from: {}", loaded.why_no_cameras());
    }
    let views = args.views.clamp(1, n.max(1));
    let mut sheet: Vec<(u32, u32, Vec<u8>)> = Vec::new();
    for k in 0..views {
        let idx = k * n / views;
        let cam = match args.size {
            Some((w, h)) => loaded.cameras[idx].resized(w, h),
            None => loaded.cameras[idx].clone(),
        };
        let cam = &cam;
        let t = std::time::Instant::now();
        let frame = renderer.render(cam, s.labels.is_some(), [0.0; 3])?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let (w, h) = (frame.width as usize, frame.height as usize);
        let depth: Vec<u8> = frame.depth8().iter().flat_map(|&g| [g, g, g]).collect();
        let rgb = frame.rgb8();
        let labels = (!frame.labels.is_empty()).then(|| frame.labels_rgb8());
        let feats = pca.as_ref().map(|pca| feature_panel(pca, &frame));
        let predicted = match segmenter.as_mut() {
            Some(seg) => Some(seg.classes(&frame, &rgb).with_context(|| format!("segmenting camera {idx}"))?),
            None => None,
        };
        let predicted_rgb = predicted.as_ref().map(|classes| composite(&rgb, classes, 1.0));
        let panels: Vec<&[u8]> = [Some(&rgb), feats.as_ref(), predicted_rgb.as_ref(), labels.as_ref(), Some(&depth)]
            .into_iter()
            .flatten()
            .map(Vec::as_slice)
            .collect();
        let img = crate::image_io::grid_rgb(&panels, 3, w, h, panels.len(), 1);
        if args.sheet.is_some() {
            sheet.push(((panels.len() * w) as u32, h as u32, img.clone()));
        }
        let path = args.out.join(format!("view_{idx:03}.png"));
        write_png(&path, (panels.len() * w) as u32, h as u32, 3, &img)
            .with_context(|| format!("writing {}", path.display()))?;
        let present: std::collections::BTreeSet<u8> =
            frame.labels.iter().copied().filter(|&l| l != crate::render::IGNORE_LABEL).collect();
        let names: Vec<&str> = present.iter().map(|&l| crate::classes::name(l as u16)).collect();
        let agrees = match predicted.as_ref().and_then(|p| agreement(p, &frame.labels)) {
            Some(share) => format!(", prediction agrees on {:.0}% of labelled pixels", share * 100.0),
            None => String::new(),
        };
        println!(
            "camera {idx:>3}: {ms:>7.1} ms, {} visible -> {}  [{}]{agrees}",
            frame.stats.visible,
            path.display(),
            names.join(", ")
        );
    }
    if let Some(path) = &args.sheet {
        let width = sheet.first().map_or(0, |s| s.0);
        if sheet.iter().any(|s| s.0 != width) {
            anyhow::bail!("--sheet needs views of one size; pass --size WxH");
        }
        let height: u32 = sheet.iter().map(|s| s.1).sum();
        let pixels: Vec<u8> = sheet.into_iter().flat_map(|s| s.2).collect();
        write_png(path, width, height, 3, &pixels).with_context(|| format!("writing {}", path.display()))?;
        println!("contact sheet -> {}", path.display());
    }
    let features = if pca.is_some() { "encoder features (PCA) | " } else { "" };
    let predicted = if segmenter.is_some() { "predicted classes | " } else { "" };
    let labels = if s.labels.is_some() { "ground-truth labels (ScanNet palette) | " } else { "" };
    println!("colour | {features}{predicted}{labels}depth, in {}", args.out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_recipe_is_a_valid_synth_recipe() {
        let recipe: SynthOptions = serde_json::from_str(DEMO_RECIPE).expect("assets/demo_scene.json parses");
        assert!(recipe.target_gaussians >= 100_000 && recipe.views >= 4);
    }
}
