//! Options and set-up shared by the commands that run the fusion network (`eval`, `segment`,
//! `bench segment`): the fusion model, the encoder whose features it reads, one ONNX Runtime
//! provider/thread choice for both, and a renderer that splats those features.

use std::path::{Path, PathBuf};

use clap::Args;

use super::encoder_args::{EncoderArgs, FeatureCacheArgs, RuntimeArgs};
use crate::fusion::{DeviceOptions, FusionModel, InputPrecision, PixelHead, encoder_mismatch};
use crate::pipeline::{Backend, EncoderInput, Renderer, Segmenter};
use crate::scene::LoadedScene;

#[derive(Args, Debug, Clone)]
pub struct FusionArgs {
    /// Fusion model (.onnx with its .json card beside it) [default: the shipped models/fusion.onnx].
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Encoder model whose features the fusion network reads [default: models/encoder.onnx].
    #[arg(long)]
    pub encoder_model: Option<PathBuf>,
    /// World units per metre of the scene for the encoder, `auto` to estimate it from the
    /// room's height, or `recorded` for the units `import` recorded.
    #[arg(long, default_value = "auto", allow_negative_numbers = true)]
    pub scene_scale: crate::encoder::SceneScale,
    #[command(flatten)]
    pub cache: FeatureCacheArgs,
    #[command(flatten)]
    pub runtime: RuntimeArgs,
    /// Where each pixel's class and confidence are computed: `auto` appends them to the
    /// network's graph on a GPU provider (the logits stay on the device) and computes them in
    /// Rust on the CPU provider.
    #[arg(long, value_enum, default_value = "auto")]
    pub pixel_head: PixelHead,
    /// How the network's input tensors travel from the renderer to the network: `auto` packs
    /// them as f16 for a GPU provider (half the bytes to read back and upload; widened to
    /// f32 on the device) and as f32 for the CPU provider.
    #[arg(long, value_enum, default_value = "auto")]
    pub input_precision: InputPrecision,
}

impl FusionArgs {
    pub fn model_path(&self) -> PathBuf {
        self.model.clone().unwrap_or_else(crate::fusion::default_model_path)
    }

    pub fn encoder(&self) -> EncoderArgs {
        EncoderArgs {
            model: self.encoder_model.clone(),
            scene_scale: self.scene_scale,
            cache: self.cache.clone(),
            runtime: self.runtime.clone(),
        }
    }

    /// Opens the fusion model (see [`open_model`]).
    pub fn open(&self) -> anyhow::Result<FusionModel> {
        open_model(&self.model_path(), &self.runtime, self.device_options(), &self.encoder().model_path())
    }

    pub fn device_options(&self) -> DeviceOptions {
        DeviceOptions { pixel_head: self.pixel_head, input_precision: self.input_precision }
    }

    /// The segmentation pipeline for `loaded`: a renderer that also splats the encoder's
    /// features (from the cache or computed, notes printed) when `model` reads them.
    pub fn segmenter<'a>(
        &self,
        loaded: &'a LoadedScene,
        backend: Backend,
        model: &FusionModel,
    ) -> anyhow::Result<Segmenter<'a>> {
        self.segmenter_on(Renderer::new(backend, &loaded.scene)?, loaded, model)
    }

    /// As [`FusionArgs::segmenter`], on a renderer already made.
    pub fn segmenter_on<'a>(
        &self,
        renderer: Renderer<'a>,
        loaded: &'a LoadedScene,
        model: &FusionModel,
    ) -> anyhow::Result<Segmenter<'a>> {
        let encoder = self.encoder().model_path();
        let features = if model.card.takes_features() { Some(self.encoder().features(loaded, true)?) } else { None };
        let input = features.map(|features| EncoderInput {
            encoder: &encoder,
            features,
            scene: &loaded.scene,
            cameras: &loaded.cameras,
        });
        Ok(Segmenter::new(renderer, model, input)?)
    }
}

/// Opens the fusion model `model` on `runtime`'s provider, saying which provider it fell back
/// to and warning when its card names another encoder than `encoder`.
pub fn open_model(
    model: &Path,
    runtime: &RuntimeArgs,
    options: DeviceOptions,
    encoder: &Path,
) -> anyhow::Result<FusionModel> {
    let model = FusionModel::open_with(model, runtime.ep, runtime.threads, options)?;
    if !model.fallbacks.is_empty() {
        eprintln!("note: fusion network on {} ({})", model.provider, group_reasons(&model.fallbacks));
    }
    if model.card.takes_features()
        && let Some(w) = encoder_mismatch(&model.card, encoder)
    {
        eprintln!("warning: {w}");
    }
    Ok(model)
}

/// "TensorRT: why; CUDA: why" as "TensorRT, CUDA: why" when the reasons are the same (the
/// usual case: a CPU-only ONNX Runtime offers neither).
fn group_reasons(refusals: &[String]) -> String {
    let mut groups: Vec<(Vec<&str>, &str)> = Vec::new();
    for r in refusals {
        let (who, why) = r.split_once(": ").unwrap_or((r.as_str(), ""));
        match groups.iter_mut().find(|(_, w)| *w == why) {
            Some((names, _)) => names.push(who),
            None => groups.push((vec![who], why)),
        }
    }
    groups.iter().map(|(names, why)| format!("{}: {why}", names.join(", "))).collect::<Vec<_>>().join("; ")
}

/// A scene's folder name (trainer folders) or file stem.
pub fn scene_name(path: &std::path::Path) -> String {
    let p = if path.is_dir() { path.file_name() } else { path.file_stem() };
    p.map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scene".into())
}
