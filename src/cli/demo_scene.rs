//! The embedded demo scene: its recipe (`assets/demo_scene.json`) and its generation on first
//! use, shared by `rtgs2 demo` and the viewer's default scene.

use std::path::Path;

use crate::scene::trainer_folder::{DEFAULT_ITERATION, write_trainer_folder};
use crate::synth::{SynthOptions, generate};

/// The embedded default scene's recipe.
pub const DEMO_RECIPE: &str = include_str!("../../assets/demo_scene.json");

/// Generates the demo scene into `dir` unless the same recipe is already there.
pub(crate) fn ensure_scene(dir: &Path, recipe: &SynthOptions) -> anyhow::Result<()> {
    let stamp = dir.join("recipe.json");
    let wanted = serde_json::to_string_pretty(recipe)?;
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    eprintln!("generating the demo scene ({} Gaussians, seed {}) ...", recipe.target_gaussians, recipe.seed);
    let t = std::time::Instant::now();
    let room = generate(recipe);
    write_trainer_folder(dir, &room.scene, &room.cameras, DEFAULT_ITERATION)?;
    crate::util::atomic_write::write_bytes_atomically(&stamp, wanted.as_bytes())?;
    eprintln!(
        "  {:?} room with {} classes in {:.1} s",
        room.kind,
        room.class_counts().len(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
