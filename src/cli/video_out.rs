//! Where `render --path` puts its frames: numbered PNGs in a folder, or an H.264 MP4 made by
//! the system's `ffmpeg` from PNGs kept in a hidden folder beside the output (removed after,
//! also on failure; the MP4 appears only when complete).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::image_io::write_png;
use crate::util::atomic_write::TemporaryFolder;

/// The `ffmpeg` to run: `$RTGS2_FFMPEG`, else `ffmpeg` on the PATH.
fn ffmpeg() -> PathBuf {
    std::env::var_os("RTGS2_FFMPEG").map_or_else(|| PathBuf::from("ffmpeg"), PathBuf::from)
}

pub enum FrameSink {
    Folder(PathBuf),
    Mp4 { out: PathBuf, frames: TemporaryFolder, fps: u32, encoder: &'static str },
}

impl FrameSink {
    /// A folder of PNGs, or (for a `.mp4` name) a video; for a video, checks before any frame
    /// is rendered that ffmpeg is there and has an H.264 encoder.
    pub fn new(out: &Path, fps: u32) -> anyhow::Result<Self> {
        let is_mp4 = out.extension().is_some_and(|e| e.eq_ignore_ascii_case("mp4"));
        if !is_mp4 {
            if out.extension().is_some_and(|e| e.eq_ignore_ascii_case("png")) {
                bail!("--out {} names a PNG; a camera path writes a folder of frames or an .mp4", out.display());
            }
            crate::util::atomic_write::create_folder(out).with_context(|| format!("creating {}", out.display()))?;
            return Ok(Self::Folder(out.to_path_buf()));
        }
        let encoder = h264_encoder()?;
        let frames = TemporaryFolder::beside(out)
            .with_context(|| format!("making a folder for the frames of {}", out.display()))?;
        Ok(Self::Mp4 { out: out.to_path_buf(), frames, fps, encoder })
    }

    fn folder(&self) -> &Path {
        match self {
            Self::Folder(d) => d,
            Self::Mp4 { frames, .. } => frames.path(),
        }
    }

    /// Writes frame `index` (RGB8, `width` x `height`).
    pub fn push(&self, index: usize, width: u32, height: u32, rgb8: &[u8]) -> anyhow::Result<()> {
        let path = self.folder().join(format!("frame_{index:05}.png"));
        write_png(&path, width, height, 3, rgb8).with_context(|| format!("writing {}", path.display()))
    }

    /// Encodes the video (for an MP4); returns what was written, for the message.
    pub fn finish(self) -> anyhow::Result<PathBuf> {
        match self {
            Self::Folder(d) => Ok(d),
            Self::Mp4 { out, frames, fps, encoder } => {
                // Encoded inside the frames' folder (same file system as the target), so
                // whatever stops us also takes the half-written video away.
                let tmp = frames.path().join("video.mp4");
                let status = Command::new(ffmpeg())
                    .args(["-y", "-hide_banner", "-loglevel", "error", "-framerate", &fps.to_string(), "-i"])
                    .arg(frames.path().join("frame_%05d.png"))
                    // H.264 in yuv420p needs even sides; players expect yuv420p.
                    .args(["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", encoder, "-pix_fmt", "yuv420p"])
                    .args(["-movflags", "+faststart"])
                    .arg(&tmp)
                    .status()
                    .context("running ffmpeg")?;
                if !status.success() {
                    bail!("ffmpeg failed ({status}) encoding {}", out.display());
                }
                std::fs::rename(&tmp, &out).with_context(|| format!("moving the video to {}", out.display()))?;
                Ok(out)
            }
        }
    }
}

/// ffmpeg's H.264 encoder: libx264, else OpenH264; a clear error when there is neither.
fn h264_encoder() -> anyhow::Result<&'static str> {
    let cmd = ffmpeg();
    let listed = Command::new(&cmd).args(["-hide_banner", "-encoders"]).output();
    let Ok(listed) = listed.as_ref().map(|o| String::from_utf8_lossy(&o.stdout).into_owned()) else {
        bail!(
            "an .mp4 needs ffmpeg, and `{}` cannot be run (install ffmpeg, or set RTGS2_FFMPEG); \
             give --out a folder name to get the frames as PNGs instead",
            cmd.display()
        );
    };
    for encoder in ["libx264", "libopenh264"] {
        if listed.lines().any(|l| l.split_whitespace().nth(1) == Some(encoder)) {
            return Ok(encoder);
        }
    }
    bail!(
        "`{}` has no H.264 encoder (neither libx264 nor libopenh264); give --out a folder name to get the \
         frames as PNGs instead",
        cmd.display()
    )
}
