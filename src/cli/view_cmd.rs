//! `rtgs2 view`: the interactive viewer, or with `--frames`/`--screenshot`/`--script` a
//! scripted run that renders, writes a screenshot, prints frame-time statistics and exits.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;

use super::view_args::parse_size;
use crate::app::{FusionOptions, LabelSource, Layout, OverlayStyle, SceneSource, ScriptedRun, ViewerOptions};
use crate::inference::ExecutionChoice;

#[derive(Args, Debug)]
pub struct ViewArgs {
    /// Scene file or trainer output folder. Default: the embedded demo scene (generated into
    /// out/demo/scene on first use).
    pub path: Option<PathBuf>,
    /// Views to show: colour alone, semantic alone, colour | semantic, or all four.
    #[arg(long, value_enum, default_value = "quad")]
    pub layout: Layout,
    /// Opacity of the semantic class colours over the colour image, 0 to 1.
    #[arg(long, default_value_t = 0.6)]
    pub overlay_opacity: f32,
    /// Start from this scene camera (cameras.json order).
    #[arg(long)]
    pub camera: Option<usize>,
    /// Scripted run: render this many frames, then exit (with --screenshot: write it first).
    #[arg(long)]
    pub frames: Option<usize>,
    /// Scripted run: write the layout's views to this PNG after the last frame.
    #[arg(long)]
    pub screenshot: Option<PathBuf>,
    /// Scripted run: save the camera path recorded by the script's `keyframe` steps (or K) to
    /// this keyframe file, for `rtgs2 render --path`.
    #[arg(long)]
    pub save_path: Option<PathBuf>,
    /// Scripted run: synthetic input, one step per comma, e.g. "w:20,mouse:40:0:10" (hold W
    /// for 20 frames, then mouse-look 40 px right per frame for 10 frames). Steps: KEYS:N
    /// (keys of wasdqe, upper case = Shift), mouse:DX:DY:N, orbit:DX:DY:N, pan:DX:DY:N,
    /// scroll:LINES:N, wait:N, camera:I, mode:fly|orbit, keyframe (add the view to the camera path).
    #[arg(long)]
    pub script: Option<String>,
    /// Render size of each view, WxH (default: follow the window).
    #[arg(long, value_parser = parse_size)]
    pub size: Option<(u32, u32)>,
    /// Do not compute the scene encoder's features (no feature view).
    #[arg(long)]
    pub no_features: bool,
    /// World units per metre of the scene for the encoder, `auto` to estimate it, or
    /// `recorded` for the units `import` recorded.
    #[arg(long, default_value = "auto", allow_negative_numbers = true)]
    pub scene_scale: crate::encoder::SceneScale,
    /// Scripted runs wait at most this many seconds for the encoder features when the layout
    /// shows them (and for the semantic view's prediction).
    #[arg(long, default_value_t = 300.0)]
    pub feature_timeout: f64,
    /// What the semantic view colours: the fusion network's prediction, or the scene's
    /// ground-truth `label` property.
    #[arg(long, value_enum, default_value = "prediction")]
    pub semantic_source: LabelSource,
    /// Do not run the fusion network (the semantic view then shows ground truth only).
    #[arg(long)]
    pub no_fusion: bool,
    /// Do not lift the predictions onto the Gaussians in the background (the `lifted`
    /// semantic source). Scripted runs lift only when `--semantic-source lifted` asks.
    #[arg(long)]
    pub no_lift: bool,
    /// Fusion model (.onnx with its .json card beside it) [default: models/fusion.onnx].
    #[arg(long)]
    pub fusion_model: Option<PathBuf>,
    /// Inference resolution = view size / N (1-8); 0 = auto (about 320 px wide, the
    /// resolution the shipped network was trained at).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=8))]
    pub inference_scale: u32,
    /// ONNX Runtime execution provider of the fusion network.
    #[arg(long, value_enum, default_value = "auto")]
    pub ep: ExecutionChoice,
    /// ONNX Runtime threads of the fusion network (0 = all cores).
    #[arg(long, default_value_t = 0)]
    pub fusion_threads: usize,
}

/// The embedded demo scene, generated on the loader thread the first time.
fn demo_source() -> SceneSource {
    SceneSource::Prepared {
        label: "the demo scene".into(),
        prepare: Box::new(|| {
            let recipe: crate::synth::SynthOptions = serde_json::from_str(super::demo_scene::DEMO_RECIPE)
                .map_err(|e| format!("assets/demo_scene.json is not a valid recipe: {e}"))?;
            let dir = PathBuf::from("out/demo/scene");
            super::demo_scene::ensure_scene(&dir, &recipe).map_err(|e| format!("generating the demo scene: {e:#}"))?;
            Ok(dir)
        }),
    }
}

pub fn run(args: &ViewArgs) -> anyhow::Result<()> {
    let source = match &args.path {
        Some(p) if !p.exists() => bail!("{}: no such file or folder", p.display()),
        Some(p) => SceneSource::Path(p.clone()),
        None => demo_source(),
    };
    if !(0.0..=1.0).contains(&args.overlay_opacity) {
        bail!("--overlay-opacity must be between 0 and 1, got {}", args.overlay_opacity);
    }
    let scripted_run =
        args.frames.is_some() || args.screenshot.is_some() || args.script.is_some() || args.save_path.is_some();
    let scripted = if scripted_run {
        let script = crate::app::script::parse(args.script.as_deref().unwrap_or(""))?;
        let timeout = Duration::try_from_secs_f64(args.feature_timeout).context("--feature-timeout")?;
        let mut run = ScriptedRun::new(script, args.frames.unwrap_or(1), args.screenshot.clone(), timeout);
        run.save_path = args.save_path.clone();
        Some(run)
    } else {
        None
    };
    let opts = ViewerOptions {
        source,
        layout: args.layout,
        style: OverlayStyle { opacity: args.overlay_opacity, ..Default::default() },
        start_camera: args.camera,
        size: args.size,
        compute_features: !args.no_features,
        scene_scale: args.scene_scale,
        recent_file: (!scripted_run).then(crate::app::recent::RecentFiles::default_file),
        scripted,
        fusion: (!args.no_fusion && !args.no_features).then(|| FusionOptions {
            model: args.fusion_model.clone().unwrap_or_else(crate::fusion::default_model_path),
            provider: args.ep,
            threads: args.fusion_threads,
            inference_divisor: args.inference_scale,
        }),
        label_source: if args.no_fusion || args.no_features { LabelSource::GroundTruth } else { args.semantic_source },
        lift: !args.no_lift && (!scripted_run || args.semantic_source == LabelSource::Lifted),
    };
    let report = crate::app::run(opts)?;
    if scripted_run {
        let s = report.summary;
        let size = args.size.map_or("window-sized".into(), |(w, h)| format!("{w}x{h}"));
        println!(
            "rendered {} frames ({size} per view, {:?} layout) on {}: median {:.1} ms ({:.1} FPS), p95 {:.1} ms, max {:.1} ms; \
             UI frame median {:.1} ms, max {:.1} ms",
            s.frames,
            args.layout,
            report.adapter,
            s.median_ms,
            s.fps(),
            s.p95_ms,
            s.max_ms,
            report.ui.median_ms,
            report.ui.max_ms
        );
        if let Some(f) = &report.features {
            println!("encoder features: {f}");
        }
        if let Some(f) = &report.fusion {
            println!("fusion network: {f}");
        }
        if let Some(l) = &report.lifted {
            println!("lifted labels: {l}");
        }
        if report.feature_wait_timed_out {
            eprintln!(
                "warning: the encoder features did not arrive within --feature-timeout; the feature view is empty"
            );
        }
        if let Some((path, (w, h))) = &report.screenshot {
            println!("screenshot {w}x{h} -> {}", path.display());
        }
        if let Some(msg) = &report.saved_path {
            println!("{msg}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_absurd_ones_are_refused() {
        assert_eq!(parse_size("320x240"), Ok((320, 240)));
        assert_eq!(parse_size("1280X720"), Ok((1280, 720)));
        for bad in ["320", "0x10", "axb", "99999x10"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
