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

/// The folder holding the running executable.
pub fn exe_dir() -> Option<PathBuf> {
    std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf))
}

/// The source tree this binary was built from, while it still exists there (a build machine).
pub fn source_tree() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    dir.join("Cargo.toml").is_file().then(|| dir.to_path_buf())
}

/// The user data folder: `$XDG_DATA_HOME`, else `~/.local/share`.
fn data_home() -> Option<PathBuf> {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".local/share")))
}

/// Where trained models are looked for, in order: `RTGS2_MODELS_DIR` (an explicit choice beats
/// any copy), `models/` beside the executable and `../share/rtgs2/models` (an installed or
/// copied binary brings its own), the user data folder's `rtgs2/models`, then the source
/// tree's `models/` (`cargo run`). A binary used elsewhere than its build tree must not
/// depend on, or name, that tree while a copy of its own exists.
pub fn model_search_dirs() -> Vec<PathBuf> {
    model_dirs_from(std::env::var_os("RTGS2_MODELS_DIR").map(PathBuf::from), exe_dir(), data_home(), source_tree())
}

fn model_dirs_from(
    env: Option<PathBuf>,
    exe_dir: Option<PathBuf>,
    data_home: Option<PathBuf>,
    source: Option<PathBuf>,
) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = env.into_iter().filter(|d| !d.as_os_str().is_empty()).collect();
    if let Some(exe) = exe_dir {
        dirs.push(exe.join("models"));
        dirs.extend(exe.parent().map(|prefix| prefix.join("share/rtgs2/models")));
    }
    dirs.extend(data_home.map(|d| d.join("rtgs2/models")));
    dirs.extend(source.map(|d| d.join("models")));
    dirs
}

/// The shipped model file `name` (e.g. `fusion.onnx`): the first of [`model_search_dirs`]
/// that holds it, else where the first would have it (reading it then fails with
/// [`model_search_note`]'s list of every place looked).
pub fn find_model(name: &str) -> PathBuf {
    let dirs = model_search_dirs();
    dirs.iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| dirs.first().map_or_else(|| PathBuf::from("models").join(name), |d| d.join(name)))
}

/// For a missing model file at one of the searched places: every place looked, and the fix.
pub fn model_search_note(missing: &Path) -> Option<String> {
    let name = missing.file_name()?.to_string_lossy().into_owned();
    let dirs = model_search_dirs();
    dirs.iter().any(|d| d.join(&name) == missing).then(|| {
        format!(
            "looked for {name} in {}; put it (with its .json card) in one of them, or set RTGS2_MODELS_DIR",
            list_places(&dirs)
        )
    })
}

/// Folders for a message, in search order.
pub fn list_places(dirs: &[PathBuf]) -> String {
    dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_are_looked_for_in_the_env_folder_beside_the_binary_in_user_data_then_the_source_tree() {
        let p = PathBuf::from;
        let dirs =
            model_dirs_from(Some(p("/env")), Some(p("/opt/bin")), Some(p("/home/u/.local/share")), Some(p("/src")));
        assert_eq!(
            dirs,
            [
                p("/env"),
                p("/opt/bin/models"),
                p("/opt/share/rtgs2/models"),
                p("/home/u/.local/share/rtgs2/models"),
                p("/src/models")
            ]
        );
        // Off the build machine there is no source tree to fall back on.
        let dirs = model_dirs_from(Some(p("")), Some(p("/opt/bin")), None, None);
        assert_eq!(dirs, [p("/opt/bin/models"), p("/opt/share/rtgs2/models")]);
    }

    #[test]
    fn a_missing_model_in_a_searched_folder_lists_every_place_looked() {
        let dirs = model_search_dirs();
        let note = model_search_note(&dirs[0].join("nothing.onnx")).expect("a searched place");
        for d in &dirs {
            assert!(note.contains(&d.display().to_string()), "{note}");
        }
        assert!(note.contains("RTGS2_MODELS_DIR"), "{note}");
        assert_eq!(model_search_note(Path::new("/elsewhere/nothing.onnx")), None, "a path given by hand");
    }
}
