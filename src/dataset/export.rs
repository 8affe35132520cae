//! Writing one rendered view as `.npy` files Python reads directly:
//! `rgb` u8 [H, W, 3] (clamp·255, no gamma, like the reference trainer's images),
//! `features` f16 [H, W, D] (the splatted encoder features), `depth` f32 [H, W] (expected
//! depth), `labels` u8 [H, W] (NYU40 ids, 255 = ignored: accumulated alpha < 0.5).

use std::path::Path;

use half::f16;
use serde::Serialize;

use crate::render::Frame;
use crate::util::npy;

/// The dataset manifest's format tag.
pub const FORMAT: &str = "rtgs2-dataset/1";

/// File names of one view, relative to the dataset root.
#[derive(Debug, Clone, Serialize)]
pub struct ViewFiles {
    /// `<stem>_rgb.npy`: u8 `[H, W, 3]`.
    pub rgb: String,
    /// `<stem>_features.npy`: f16 `[H, W, D]`; `None` when the frame has no features.
    pub features: Option<String>,
    /// `<stem>_depth.npy`: f32 `[H, W]`.
    pub depth: String,
    /// `<stem>_labels.npy`: u8 `[H, W]` NYU40 ids, 255 = ignored.
    pub labels: String,
}

/// Writes `frame` under `root/stem_*.npy`; `stem` is relative to `root`.
pub fn write_view(root: &Path, stem: &str, frame: &Frame) -> std::io::Result<ViewFiles> {
    let (h, w) = (frame.height as usize, frame.width as usize);
    let name = |what: &str| format!("{stem}_{what}.npy");
    let files = ViewFiles {
        rgb: name("rgb"),
        features: (frame.feature_dim > 0).then(|| name("features")),
        depth: name("depth"),
        labels: name("labels"),
    };
    npy::write(&root.join(&files.rgb), &[h, w, 3], &frame.rgb8())?;
    if let Some(f) = &files.features {
        let halves: Vec<f16> = frame.features.iter().map(|&v| f16::from_f32(v)).collect();
        npy::write(&root.join(f), &[h, w, frame.feature_dim], &halves)?;
    }
    npy::write(&root.join(&files.depth), &[h, w], &frame.depth)?;
    npy::write(&root.join(&files.labels), &[h, w], &frame.labels)?;
    Ok(files)
}
