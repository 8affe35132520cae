//! The File menu's recent scenes, kept in the user cache directory as a small JSON list
//! (most recent first). A missing or unreadable list is simply empty: it is a convenience,
//! never a reason to fail.

use std::path::{Path, PathBuf};

const MAX_RECENT: usize = 8;

#[derive(Clone, Debug, Default, PartialEq)]
/// Recently opened scenes, most recent first, at most 8.
pub struct RecentFiles {
    file: Option<PathBuf>,
    /// The scenes, most recent first.
    pub paths: Vec<PathBuf>,
}

impl RecentFiles {
    /// The list stored in `file` (`None`: keep it in memory only, as scripted runs do).
    pub fn load(file: Option<PathBuf>) -> Self {
        let paths = file
            .as_ref()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|bytes| serde_json::from_slice::<Vec<PathBuf>>(&bytes).ok())
            .unwrap_or_default();
        Self { file, paths }
    }

    /// The default place: `<cache dir>/recent.json`.
    pub fn default_file() -> PathBuf {
        crate::util::cache_dir().join("recent.json")
    }

    /// Moves `path` to the front and saves; a save failure is logged and otherwise ignored.
    pub fn add(&mut self, path: &Path) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.paths.retain(|p| p != &path);
        self.paths.insert(0, path);
        self.paths.truncate(MAX_RECENT);
        if let Some(file) = &self.file
            && let Err(e) = self.save(file)
        {
            log::warn!("could not save the recent-files list {}: {e}", file.display());
        }
    }

    fn save(&self, file: &Path) -> std::io::Result<()> {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let json = serde_json::to_vec_pretty(&self.paths).map_err(std::io::Error::other)?;
        crate::util::atomic_write::write_bytes_atomically(file, &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_recent_first_without_duplicates_and_persisted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("sub/recent.json");
        let mut r = RecentFiles::load(Some(file.clone()));
        assert!(r.paths.is_empty());
        for k in 0..10 {
            r.add(Path::new(&format!("/nonexistent/scene{k}.ply")));
        }
        r.add(Path::new("/nonexistent/scene5.ply"));
        assert_eq!(r.paths.len(), MAX_RECENT);
        assert_eq!(r.paths[0], PathBuf::from("/nonexistent/scene5.ply"));
        assert_eq!(r.paths[1], PathBuf::from("/nonexistent/scene9.ply"));
        assert_eq!(RecentFiles::load(Some(file.clone())).paths, r.paths);
        std::fs::write(&file, b"not json").expect("write");
        assert!(RecentFiles::load(Some(file)).paths.is_empty());
    }
}
