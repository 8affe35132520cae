//! The `rtgs2` command: sets up the process (allocator thresholds, runtime folder, logging,
//! Ctrl-C clean-up) and runs [`rtgs2::cli`].

use clap::Parser;

fn main() {
    keep_frame_buffers_in_the_heap();
    ensure_runtime_dir();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    if let Err(e) = rtgs2::util::atomic_write::remove_temporaries_on_signal() {
        log::warn!("no Ctrl-C handler ({e}): an interrupted write may leave a hidden .NAME.tmp-PID file");
    }
    if let Err(e) = rtgs2::cli::run(rtgs2::cli::Cli::parse()) {
        // The whole cause chain on one line, no backtrace: errors here are the user's to fix
        // (a file, an argument), and every message names what is wrong.
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

/// At 640×480 the per-frame buffers of the segmentation path — the 32-channel feature tensor
/// read back from the GPU (39 MB), the network's logits (49 MB) — are above glibc's largest
/// automatic mmap threshold (32 MiB). Each frame then took fresh pages from the kernel and
/// gave them back: page faults and zeroing cost more than the copies (read-back 28.6 ms and
/// classification 38.6 ms a frame on a 16-core H200 host). With these thresholds such buffers
/// come from the heap and are reused frame after frame; freed memory up to 512 MiB stays with
/// the process instead of going back to the kernel at every frame.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_frame_buffers_in_the_heap() {
    const LIMIT: libc::c_int = 512 << 20;
    // SAFETY: mallopt only sets allocator parameters; it runs first in main, before any other
    // thread exists. A refusal (return 0) leaves glibc's defaults, which are merely slower.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, LIMIT);
        libc::mallopt(libc::M_TRIM_THRESHOLD, LIMIT);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_frame_buffers_in_the_heap() {}

/// Vulkan's window-system code (libwayland, loaded by Mesa even for headless lavapipe) prints
/// "error: XDG_RUNTIME_DIR is invalid or not set in the environment." twice when the variable
/// is missing, as under cron, `su`, containers or a first login over some SSH setups: an error
/// that is none, since rtgs2 renders fine. So where it is unset (or no folder), the process
/// gets a private one: `rtgs2-runtime-UID` in the temp folder, mode 0700 as the XDG spec asks,
/// reused by later runs. This must run before any thread starts (set_var is not thread-safe).
#[cfg(unix)]
fn ensure_runtime_dir() {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    let current = std::env::var_os("XDG_RUNTIME_DIR").map(std::path::PathBuf::from);
    if current.is_some_and(|d| d.is_absolute() && d.is_dir()) {
        return;
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    let dir = std::env::temp_dir().join(format!("rtgs2-runtime-{uid}"));
    if let Err(e) = std::fs::DirBuilder::new().mode(0o700).create(&dir)
        && e.kind() != std::io::ErrorKind::AlreadyExists
    {
        return; // the warning above is harmless; no folder is no reason to stop
    }
    // Only our own private folder: someone else could have made one of that name first.
    let private = std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir() && m.uid() == uid && m.mode() & 0o077 == 0);
    if private {
        // SAFETY: called first in main, before any other thread exists or reads the environment.
        unsafe { std::env::set_var("XDG_RUNTIME_DIR", &dir) };
    }
}

#[cfg(not(unix))]
fn ensure_runtime_dir() {}
