//! Screenshots: the current layout's views read back from their textures and composed on the
//! CPU in the layout's grid (reading order, left to right, top to bottom), as an RGB PNG.

use std::path::Path;

use super::layout::Layout;
use super::viewport::Viewport;

#[derive(Debug, thiserror::Error)]
pub enum ScreenshotError {
    #[error("nothing has been rendered yet")]
    NothingRendered,
    #[error("writing {path}: {source}")]
    Write { path: String, source: std::io::Error },
}

/// Places equally sized RGBA images into a `cols`×`rows` grid as one RGB image.
pub fn compose(images: &[Vec<u8>], width: u32, height: u32, cols: u32, rows: u32) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    let out_w = w * cols as usize;
    let mut out = vec![0u8; out_w * h * rows as usize * 3];
    for (k, img) in images.iter().enumerate() {
        let (cx, cy) = (k % cols as usize, k / cols as usize);
        for y in 0..h {
            let dst = ((cy * h + y) * out_w + cx * w) * 3;
            for x in 0..w {
                let src = (y * w + x) * 4;
                out[dst + x * 3..dst + x * 3 + 3].copy_from_slice(&img[src..src + 3]);
            }
        }
    }
    out
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
    let rgb = compose(&images, size.0, size.1, cols, rows);
    let (w, h) = (size.0 * cols, size.1 * rows);
    crate::image_io::write_png(path, w, h, 3, &rgb)
        .map_err(|source| ScreenshotError::Write { path: path.display().to_string(), source })?;
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_places_views_in_reading_order() {
        let solid = |v: u8| vec![v; 2 * 4]; // 2×1 RGBA pixels
        let out = compose(&[solid(1), solid(2), solid(3), solid(4)], 2, 1, 2, 2);
        // Rows of 4 pixels: [1 1 2 2] then [3 3 4 4].
        let firsts: Vec<u8> = out.chunks_exact(3).map(|p| p[0]).collect();
        assert_eq!(firsts, vec![1, 1, 2, 2, 3, 3, 4, 4]);
    }
}
