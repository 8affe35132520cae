//! Screenshots: the current layout's views read back from their textures and composed on the
//! CPU in the layout's grid (reading order, left to right, top to bottom), as an RGB PNG.

use std::path::Path;

use super::layout::Layout;
use super::viewport::Viewport;

#[derive(Debug, thiserror::Error)]
/// Why a screenshot could not be written.
pub enum ScreenshotError {
    #[error("nothing has been rendered yet")]
    /// No frame has been rendered yet.
    NothingRendered,
    /// The OS message is in the text and not also a `source`: anyhow's `{:#}` would print it twice.
    #[error("writing {path}: {error}")]
    Write {
        /// The PNG file.
        path: String,
        /// What the operating system reported.
        error: std::io::Error,
    },
}

/// Writes the layout's views of the last rendered frame to `path`; returns the image size.
pub fn write(viewport: &Viewport, layout: Layout, path: &Path) -> Result<(u32, u32), ScreenshotError> {
    let mut images = Vec::new();
    let mut size = (0, 0);
    for kind in layout.views() {
        let (w, h, pixels) = viewport.read_view(*kind).ok_or(ScreenshotError::NothingRendered)?;
        size = (w, h);
        images.push(pixels);
    }
    let (cols, rows) = layout.grid();
    let rgb = crate::image_io::grid_rgb(&images, 4, size.0 as usize, size.1 as usize, cols as usize, rows as usize);
    let (w, h) = (size.0 * cols, size.1 * rows);
    crate::image_io::write_png(path, w, h, 3, &rgb)
        .map_err(|source| ScreenshotError::Write { path: path.display().to_string(), error: source })?;
    Ok((w, h))
}
