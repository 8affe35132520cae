//! Small self-contained helpers shared by several modules.

pub mod atomic_write;
pub mod eigen;
pub mod npy;
pub mod rng;

use std::path::{Path, PathBuf};

/// rtgs2's folder in the user cache directory (`$XDG_CACHE_HOME`, else `~/.cache`).
pub fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("rtgs2")
}

/// Where trained models live: `RTGS2_MODELS_DIR`, else `models/` beside the executable, else
/// the source tree's `models/` (for `cargo run`).
pub fn models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("RTGS2_MODELS_DIR").filter(|p| !p.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(|p| p.join("models")))
        && dir.is_dir()
    {
        return dir;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models")
}
