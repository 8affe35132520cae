//! `rtgs2 features`: compute (or load from the cache) the encoder's per-Gaussian features.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use super::encoder_args::EncoderArgs;
use crate::encoder::CacheOutcome;

#[derive(Args, Debug)]
pub struct FeaturesArgs {
    /// Scene file or trainer output folder.
    pub path: PathBuf,
    #[command(flatten)]
    pub encoder: EncoderArgs,
    /// Also write the features as a [gaussians, dim] float32 .npy file.
    #[arg(long)]
    pub export: Option<PathBuf>,
    /// Print the timings and outcome as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Reject damaged Gaussians instead of dropping them.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: &FeaturesArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let loaded = super::load_scene(&args.path, args.strict)?;
    let load_ms = started.elapsed().as_secs_f64() * 1e3;
    let feats = args.encoder.features(&loaded, !args.json)?;
    let total_ms = started.elapsed().as_secs_f64() * 1e3;
    if let Some(out) = &args.export {
        crate::util::npy::write(out, &[loaded.scene.len(), feats.dim], &feats.features)
            .with_context(|| format!("writing {}", out.display()))?;
    }
    let (cache, cache_path) = match &feats.cache {
        CacheOutcome::Hit(p) => ("hit", Some(p)),
        CacheOutcome::Written(p) => ("written", Some(p)),
        CacheOutcome::Disabled => ("disabled", None),
    };
    let mut stages = vec![("load scene", load_ms), ("hash", feats.hash_ms)];
    if let Some((enc, _)) = &feats.computed {
        stages.extend([
            ("open session", feats.session_ms),
            ("attributes", enc.times.attributes_ms),
            ("indices", enc.times.indices_ms),
            ("inputs", enc.times.inputs_ms),
            ("inference", enc.times.inference_ms),
        ]);
    }
    stages.push(if cache == "hit" { ("read cache", feats.cache_io_ms) } else { ("write cache", feats.cache_io_ms) });
    if args.json {
        let json = serde_json::json!({
            "scene": loaded.source.display().to_string(),
            "gaussians": loaded.scene.len(),
            "dim": feats.dim,
            "cache": cache,
            "cache_path": cache_path.map(|p| p.display().to_string()),
            "provider": feats.computed.as_ref().map(|(_, p)| p.clone()),
            "voxels": feats.computed.as_ref().map(|(e, _)| e.voxels),
            "chunks": feats.computed.as_ref().map(|(e, _)| e.chunks),
            "stages_ms": stages.iter().map(|(n, ms)| (n.to_string(), serde_json::json!(*ms))).collect::<serde_json::Map<_, _>>(),
            "total_ms": total_ms,
        });
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(());
    }
    println!("{}: {} Gaussians -> {}-d features", loaded.source.display(), loaded.scene.len(), feats.dim);
    if let Some((enc, provider)) = &feats.computed {
        println!("  encoder on {provider}: {} voxels at stage 0, {} pass(es)", enc.voxels, enc.chunks);
    }
    for (name, ms) in &stages {
        println!("  {name:<13} {ms:>9.1} ms");
    }
    println!("  {:<13} {total_ms:>9.1} ms", "total");
    match (cache, cache_path) {
        ("hit", Some(p)) => println!("  features read from the cache {}", p.display()),
        (_, Some(p)) => println!("  features cached at {}", p.display()),
        _ => println!("  cache disabled"),
    }
    if let Some(out) = &args.export {
        println!("  exported to {}", out.display());
    }
    Ok(())
}
