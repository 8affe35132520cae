//! Atomic file writes: write to a temporary file beside the target, fsync, then rename, so
//! readers see either the old file or the complete new one, never a partial write.
//!
//! The temporary is `.NAME.tmp-PID`, hidden, so nobody would notice one left behind. Every
//! temporary in flight is registered: it is removed when its write fails or panics, and by
//! the Ctrl-C / SIGTERM handler that `main` installs ([`remove_temporaries_on_signal`]). What
//! a process cannot clean up itself (SIGKILL, a crash, a power cut) the next write to the same
//! target removes: temporaries whose process is gone ([`sweep_stale_temporaries`]).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Temporaries this process is writing, for the signal handler.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn in_flight() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic while the list was held leaves it intact (pushes and removals are single steps).
    IN_FLIGHT.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Writes a file through `fill`, atomically replacing `path`.
pub fn write_atomically(path: &Path, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    create_folder(dir)?;
    sweep_stale_temporaries(path);
    let mut tmp = Temporary::create(temp_path(path))?;
    fill(&mut tmp.file)?;
    tmp.file.sync_all()?;
    tmp.persist(path)
}

/// Writes `bytes` to `path` atomically.
pub fn write_bytes_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomically(path, |w| w.write_all(bytes))
}

/// Installs the Ctrl-C / SIGTERM / SIGHUP handler: it removes the temporaries in flight and
/// exits with status 130 (128 + SIGINT, what shells report for Ctrl-C). Call once, from `main`.
pub fn remove_temporaries_on_signal() -> Result<(), ctrlc::Error> {
    ctrlc::set_handler(|| {
        // Held until the exit: no new temporary can start after these are removed.
        let list = in_flight();
        for tmp in list.iter() {
            // Best effort: a write that has just been renamed into place has no temporary.
            let _ = remove_temporary(tmp);
        }
        exit_now(130);
    })
}

/// Ends the process without running exit handlers, as the default signal action would: other
/// threads (ONNX Runtime's, the GPU driver's) are still running, and C++ static destructors
/// run under them have been seen to crash.
#[cfg(unix)]
fn exit_now(code: i32) -> ! {
    // SAFETY: _exit only ends the process; it touches no Rust state.
    unsafe { libc::_exit(code) }
}

#[cfg(not(unix))]
fn exit_now(code: i32) -> ! {
    std::process::exit(code)
}

/// A registered temporary: removed (and unregistered) when dropped unless persisted.
struct Temporary {
    path: PathBuf,
    file: File,
    persisted: bool,
}

impl Temporary {
    fn create(path: PathBuf) -> io::Result<Self> {
        // Created under the lock, so the signal handler either sees it or runs before it exists.
        let mut list = in_flight();
        let file = File::create(&path)?;
        list.push(path.clone());
        Ok(Self { path, file, persisted: false })
    }

    fn persist(mut self, target: &Path) -> io::Result<()> {
        std::fs::rename(&self.path, target)?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if !self.persisted {
            // Best effort: the temporary is ours, never the user's file.
            let _ = std::fs::remove_file(&self.path);
        }
        let mut list = in_flight();
        if let Some(at) = list.iter().position(|p| *p == self.path) {
            list.swap_remove(at);
        }
    }
}

/// Removes a temporary file, or a temporary folder with what it holds.
fn remove_temporary(path: &Path) -> io::Result<()> {
    if std::fs::symlink_metadata(path)?.is_dir() { std::fs::remove_dir_all(path) } else { std::fs::remove_file(path) }
}

/// A hidden working folder beside `target` (`.NAME.tmp-PID`), for output made of many files
/// before the result is renamed into place (a video's frames). Registered like a temporary
/// file: removed when dropped, by the Ctrl-C handler, and by the next run's sweep if this
/// process dies.
pub struct TemporaryFolder {
    path: PathBuf,
}

impl TemporaryFolder {
    /// A new temporary folder beside `target`, registered for clean-up.
    pub fn beside(target: &Path) -> io::Result<Self> {
        let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        create_folder(dir)?;
        sweep_stale_temporaries(target);
        let path = temp_path(target);
        let mut list = in_flight();
        std::fs::create_dir(&path)?;
        list.push(path.clone());
        Ok(Self { path })
    }

    /// The folder's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TemporaryFolder {
    fn drop(&mut self) {
        // Best effort: it holds only what this process wrote.
        let _ = std::fs::remove_dir_all(&self.path);
        let mut list = in_flight();
        if let Some(at) = list.iter().position(|p| *p == self.path) {
            list.swap_remove(at);
        }
    }
}

/// `create_dir_all`, with a file in the way named as such: the OS says only "File exists"
/// (or "Not a directory" further down) and not which path is the file.
pub fn create_folder(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        match dir.ancestors().find(|a| !a.as_os_str().is_empty() && std::fs::metadata(a).is_ok()) {
            Some(blocker) if !blocker.is_dir() => io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("cannot create the folder {}: {} is not a directory", dir.display(), blocker.display()),
            ),
            _ => e,
        }
    })
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!("{}{}", temp_prefix(&name), std::process::id()))
}

fn temp_prefix(name: &str) -> String {
    format!(".{name}.tmp-")
}

/// Removes `.NAME.tmp-PID` files beside `path` whose process no longer exists: what a killed
/// or crashed writer left. Temporaries of live processes (and of this one) are kept, and so is
/// everything where liveness cannot be told (no /proc). Returns how many were removed.
pub fn sweep_stale_temporaries(path: &Path) -> usize {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return 0;
    };
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let prefix = temp_prefix(&name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)).and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && process_is_gone(pid) && remove_temporary(&entry.path()).is_ok() {
            log::info!("removed {}, left by process {pid} which no longer runs", entry.path().display());
            removed += 1;
        }
    }
    removed
}

/// True only when the process is known not to exist (Linux: no /proc/PID while /proc is
/// mounted). A PID from another PID namespace or machine (a shared folder) may look gone
/// while it runs; such a writer's rename then fails and its command reports the error.
fn process_is_gone(pid: u32) -> bool {
    cfg!(target_os = "linux") && Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_temporary_folder_goes_when_dropped_and_a_dead_process_folder_is_swept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("video.mp4");
        let tmp = TemporaryFolder::beside(&target).expect("folder");
        std::fs::write(tmp.path().join("frame.png"), b"x").expect("write");
        assert!(in_flight().contains(&tmp.path().to_path_buf()));
        drop(tmp);
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
        // A folder left by a process that no longer runs (PID far above any real one).
        let stale = dir.path().join(".video.mp4.tmp-4000000000");
        std::fs::create_dir(&stale).expect("stale");
        std::fs::write(stale.join("frame.png"), b"x").expect("write");
        if process_is_gone(4_000_000_000) {
            assert_eq!(sweep_stale_temporaries(&target), 1);
            assert!(!stale.exists());
        }
    }

    #[test]
    fn failed_fill_leaves_no_file_and_no_temp() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.bin");
        let err = write_atomically(&target, |_| Err(io::Error::other("boom")));
        assert!(err.is_err());
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
        assert!(!in_flight().iter().any(|p| p.starts_with(dir.path())), "unregistered");
    }

    #[test]
    fn a_panicking_fill_leaves_no_temp() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.bin");
        let caught = std::panic::catch_unwind(|| write_atomically(&target, |_| panic!("fill panics")));
        assert!(caught.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
    }

    #[test]
    fn replaces_existing_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.bin");
        write_bytes_atomically(&target, b"one").expect("first write");
        write_bytes_atomically(&target, b"two").expect("second write");
        assert_eq!(std::fs::read(&target).expect("read"), b"two");
        assert!(!in_flight().iter().any(|p| p.starts_with(dir.path())), "unregistered");
    }

    /// Issue 29 item 17: a file where a folder should be was "File exists (os error 17)".
    #[test]
    fn a_file_in_place_of_the_folder_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("notes.txt");
        std::fs::write(&file, "x").expect("write");
        for target in [file.join("out.ply"), file.join("sub/out.ply")] {
            let err = write_bytes_atomically(&target, b"x").expect_err("refused").to_string();
            assert!(err.contains(&format!("{} is not a directory", file.display())), "{err}");
            assert!(!err.contains("os error"), "{err}");
        }
    }

    /// Issue 29 item 12: a temporary whose writer was killed stayed forever.
    #[cfg(target_os = "linux")]
    #[test]
    fn stale_temporaries_of_dead_processes_are_swept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out.ply");
        // A process that has exited: its PID is free (reuse within the test is unlikely).
        let mut child = std::process::Command::new("true").spawn().expect("spawn true");
        let dead = child.id();
        child.wait().expect("wait");
        let stale = dir.path().join(format!(".out.ply.tmp-{dead}"));
        let live = dir.path().join(".out.ply.tmp-1"); // init always runs
        let other = dir.path().join(format!(".other.ply.tmp-{dead}")); // another target's
        let mine = dir.path().join(format!(".out.ply.tmp-{}", std::process::id()));
        for p in [&stale, &live, &other] {
            std::fs::write(p, "partial").expect("write");
        }
        assert_eq!(sweep_stale_temporaries(&target), 1);
        assert!(!stale.exists() && live.exists() && other.exists());
        // A write sweeps too, and leaves only its target and what it must keep.
        std::fs::write(&stale, "partial").expect("write");
        write_bytes_atomically(&target, b"done").expect("write");
        assert!(!stale.exists() && !mine.exists() && live.exists());
        assert_eq!(std::fs::read(&target).expect("read"), b"done");
    }
}
