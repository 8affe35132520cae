//! `rtgs2 bench load`: scene loading throughput (MB/s of file read and decoded), as the
//! median over repeats after one warm-up load that fills the page cache.

use anyhow::bail;
use serde_json::json;

use super::LoadBench;
use super::stats::median_p95;
use crate::scene::SceneFormat;

pub fn run(b: &LoadBench) -> anyhow::Result<()> {
    if b.repeat == 0 {
        bail!("--repeat must be at least 1");
    }
    let first = crate::cli::load_scene(&b.path, false)?;
    let bytes = bytes_read(&first.source, first.format)? as f64;
    let mut secs = Vec::with_capacity(b.repeat);
    for _ in 0..b.repeat {
        let t = std::time::Instant::now();
        let loaded = crate::scene::load(&b.path, &Default::default())?;
        secs.push(t.elapsed().as_secs_f64());
        std::hint::black_box(loaded);
    }
    let (med, p95) = median_p95(secs);
    let mbps = bytes / 1e6 / med;
    if b.json {
        println!(
            "{}",
            json!({"path": b.path, "format": first.format.to_string(), "bytes": bytes, "gaussians": first.scene.len(), "median_s": med, "p95_s": p95, "mb_per_s": mbps})
        );
    } else {
        println!(
            "{} ({}, {} Gaussians, {:.1} MB): median {:.1} ms, p95 {:.1} ms, {:.0} MB/s",
            b.path.display(),
            first.format,
            first.scene.len(),
            bytes / 1e6,
            med * 1e3,
            p95 * 1e3,
            mbps
        );
    }
    Ok(())
}

/// Bytes a load reads: the file, or for an unbundled SOG its `meta.json` and the WebP images
/// beside it (the folder's `.webp` files; meta.json names no others).
fn bytes_read(source: &std::path::Path, format: SceneFormat) -> std::io::Result<u64> {
    let own = std::fs::metadata(source)?.len();
    if !matches!(format, SceneFormat::Sog { bundled: false, .. }) {
        return Ok(own);
    }
    let folder = if source.is_dir() { source } else { source.parent().unwrap_or(std::path::Path::new(".")) };
    let mut total = if source.is_dir() { 0 } else { own };
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        let webp = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("webp"));
        if webp || (source.is_dir() && path.file_name().is_some_and(|n| n == "meta.json")) {
            total += std::fs::metadata(&path)?.len();
        }
    }
    Ok(total)
}
