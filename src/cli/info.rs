//! `rtgs2 info`: what a scene holds, for people (text) and scripts (--json).

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use crate::classes;

#[derive(Args, Debug)]
pub struct InfoArgs {
    /// Scene file (.ply, .splat, .spz, .sog, .gltf/.glb, compressed .ply), SOG folder or trainer
    /// output folder.
    pub path: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Reject damaged Gaussians instead of dropping them.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: &InfoArgs) -> anyhow::Result<()> {
    let loaded = super::load_scene(&args.path, args.strict)?;
    let s = &loaded.scene;
    let (lo, hi) = s.bounds().expect("loaders reject empty scenes");
    let mut labels: BTreeMap<u16, usize> = BTreeMap::new();
    if let Some(l) = &s.labels {
        for &id in l {
            *labels.entry(id).or_default() += 1;
        }
    }
    let scale = crate::scene::scale::estimate_scale(s, &loaded.cameras);
    let gravity = crate::scene::gravity::gravity_frame(s, &loaded.cameras);
    if args.json {
        let label_map: serde_json::Map<String, serde_json::Value> =
            labels.iter().map(|(id, n)| (id.to_string(), json!(n))).collect();
        let out = json!({
            "path": args.path,
            "source": loaded.source,
            "format": loaded.format.to_string(),
            "gaussians": s.len(),
            "sh_degree": s.sh_degree,
            "bounds": {"min": lo, "max": hi},
            "labels": if s.labels.is_some() { serde_json::Value::Object(label_map) } else { serde_json::Value::Null },
            "cameras": loaded.cameras.len(),
            "scale_estimate": scale,
            "gravity": gravity.map(|g| json!({
                "up": g.up.to_array(), "up_from": g.up_from, "floor": g.floor, "top": g.top,
            })),
            "extra_properties": s.extras.iter().map(|e| e.name.clone()).collect::<Vec<_>>(),
            "warnings": loaded.warnings,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("{}", loaded.source.display());
    println!("  format      {}", loaded.format);
    println!("  gaussians   {}", s.len());
    println!("  sh degree   {}", s.sh_degree);
    println!("  bounds      [{:.3}, {:.3}, {:.3}] .. [{:.3}, {:.3}, {:.3}]", lo[0], lo[1], lo[2], hi[0], hi[1], hi[2]);
    println!("  cameras     {}", loaded.cameras.len());
    if let Some(e) = scale {
        println!(
            "  scale       {:.3} units per metre (estimated: height {:.3} along up from the {}; the encoder divides by it)",
            e.scale, e.height, e.up_from
        );
    }
    if let Some(g) = gravity {
        println!(
            "  up          [{:.3}, {:.3}, {:.3}] from the {}; floor at {:.3}, top at {:.3} along it (gravity cues)",
            g.up.x, g.up.y, g.up.z, g.up_from, g.floor, g.top
        );
    }
    if !s.extras.is_empty() {
        let names: Vec<&str> = s.extras.iter().map(|e| e.name.as_str()).collect();
        println!("  extras      {}", names.join(" "));
    }
    if s.labels.is_none() {
        println!("  labels      none");
    } else {
        println!("  labels      {} classes", labels.len());
        let mut by_count: Vec<_> = labels.iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(a.1));
        for (id, n) in by_count {
            println!("    {id:>3} {:<16} {n:>9} ({:.1}%)", classes::name(*id), 100.0 * *n as f64 / s.len() as f64);
        }
    }
    Ok(())
}
