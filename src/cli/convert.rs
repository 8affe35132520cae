//! `rtgs2 convert`: any readable scene to the reference PLY (for example .spz or .splat to
//! .ply, in the encoding asked for), to SOG (`.sog`, version 2 bundled) or to glTF (`.glb`,
//! `KHR_gaussian_splatting`), chosen by the output's extension. The input is never modified;
//! the output is written atomically.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use crate::scene::ply_write::{PlyEncoding, write_ply_encoded};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Encoding {
    BinaryLe,
    BinaryBe,
    Ascii,
}

#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// Scene file or trainer output folder to read.
    pub input: PathBuf,
    /// File to write: .ply (reference PLY), .sog (SOG version 2, bundled) or .glb (glTF,
    /// KHR_gaussian_splatting).
    pub output: PathBuf,
    #[arg(long, value_enum, default_value = "binary-le")]
    pub encoding: Encoding,
    /// Reject damaged Gaussians instead of dropping them.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: &ConvertArgs) -> anyhow::Result<()> {
    let loaded = super::load_scene(&args.input, args.strict)?;
    if std::fs::canonicalize(&args.output).ok() == std::fs::canonicalize(&loaded.source).ok() {
        bail!("refusing to overwrite the input file {}", loaded.source.display());
    }
    let encoding = match args.encoding {
        Encoding::BinaryLe => PlyEncoding::BinaryLittleEndian,
        Encoding::BinaryBe => PlyEncoding::BinaryBigEndian,
        Encoding::Ascii => PlyEncoding::Ascii,
    };
    let ext = args.output.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some(format @ ("sog" | "glb")) => {
            let s = &loaded.scene;
            if s.labels.is_some() || !s.extras.is_empty() {
                eprintln!(
                    "warning: .{format} has no place for labels or extra properties ({}); they are dropped (PLY keeps them)",
                    s.extras
                        .iter()
                        .map(|e| e.name.as_str())
                        .chain(s.labels.as_ref().map(|_| "label"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            let bytes = if format == "sog" {
                // Fitting the codebooks and the SH palette takes minutes for millions of
                // Gaussians with SH (two-level k-means).
                let spinner = indicatif::ProgressBar::new_spinner()
                    .with_message(format!("encoding {} Gaussians as SOG (codebooks, SH palette)", s.len()));
                spinner.enable_steady_tick(std::time::Duration::from_millis(200));
                let bytes = crate::scene::sog_write::sog_bytes(s);
                spinner.finish_and_clear();
                bytes.map_err(|e| anyhow::anyhow!("encoding {}: {e}", args.output.display()))?
            } else {
                crate::scene::gltf_write::glb_bytes(s)
            };
            crate::util::atomic_write::write_bytes_atomically(&args.output, &bytes)
                .with_context(|| format!("writing {}", args.output.display()))?;
        }
        _ => write_ply_encoded(&args.output, &loaded.scene, encoding)?,
    }
    eprintln!(
        "{} ({}, {} Gaussians) -> {}",
        loaded.source.display(),
        loaded.format,
        loaded.scene.len(),
        args.output.display()
    );
    Ok(())
}
