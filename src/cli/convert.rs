//! `rtgs2 convert`: any readable scene to the reference PLY (for example .spz or .splat to
//! .ply), in the encoding asked for. The input is never modified.

use std::path::PathBuf;

use anyhow::bail;
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
    /// PLY file to write.
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
    write_ply_encoded(&args.output, &loaded.scene, encoding)?;
    eprintln!(
        "{} ({}, {} Gaussians) -> {}",
        loaded.source.display(),
        loaded.format,
        loaded.scene.len(),
        args.output.display()
    );
    Ok(())
}
