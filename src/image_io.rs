//! PNG output for renders, label maps and screenshots.

use std::path::Path;

/// Writes an 8-bit PNG with 1 (grey), 3 (RGB) or 4 (RGBA) channels, atomically.
pub fn write_png(path: &Path, width: u32, height: u32, channels: usize, pixels: &[u8]) -> std::io::Result<()> {
    let color = match channels {
        1 => png::ColorType::Grayscale,
        3 => png::ColorType::Rgb,
        4 => png::ColorType::Rgba,
        _ => return Err(std::io::Error::other(format!("cannot write a {channels}-channel PNG"))),
    };
    if pixels.len() != width as usize * height as usize * channels {
        return Err(std::io::Error::other("pixel buffer does not match the image size"));
    }
    crate::util::atomic_write::write_atomically(path, |w| {
        let mut enc = png::Encoder::new(w, width, height);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(std::io::Error::other)?;
        writer.write_image_data(pixels).map_err(std::io::Error::other)?;
        writer.finish().map_err(std::io::Error::other)
    })
}

/// Reads an 8-bit PNG: (width, height, channels, pixels). For tests and tools.
pub fn read_png(path: &Path) -> std::io::Result<(u32, u32, usize, Vec<u8>)> {
    let file = std::io::BufReader::new(std::fs::File::open(path)?);
    let decoder = png::Decoder::new(file);
    let mut reader = decoder.read_info().map_err(std::io::Error::other)?;
    let mut buf = vec![0; reader.output_buffer_size().ok_or_else(|| std::io::Error::other("image too large"))?];
    let info = reader.next_frame(&mut buf).map_err(std::io::Error::other)?;
    if info.bit_depth != png::BitDepth::Eight {
        return Err(std::io::Error::other("only 8-bit PNGs are read"));
    }
    let channels = info.color_type.samples();
    buf.truncate(info.buffer_size());
    Ok((info.width, info.height, channels, buf))
}

/// Linear float colour to 8 bits as the reference trainer saves renders: clamp to [0, 1],
/// scale by 255, no gamma.
/// Equally sized images (`channels` bytes per pixel, the first three used as RGB) placed in a
/// `cols`×`rows` grid in reading order, as one RGB image; cells without an image stay black.
pub fn grid_rgb<I: AsRef<[u8]>>(
    images: &[I],
    channels: usize,
    width: usize,
    height: usize,
    cols: usize,
    rows: usize,
) -> Vec<u8> {
    let out_w = width * cols;
    let mut out = vec![0u8; out_w * height * rows * 3];
    for (k, img) in images.iter().enumerate() {
        let img = img.as_ref();
        let (cx, cy) = (k % cols, k / cols);
        for y in 0..height {
            let dst = ((cy * height + y) * out_w + cx * width) * 3;
            for x in 0..width {
                let src = (y * width + x) * channels;
                out[dst + x * 3..dst + x * 3 + 3].copy_from_slice(&img[src..src + 3]);
            }
        }
    }
    out
}

/// A 0-1 value as a byte: clamped, × 255, rounded (NaN gives 0); what every PNG and tensor of the crate uses.
pub fn to_u8(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_places_views_in_reading_order() {
        let solid = |v: u8| vec![v; 2 * 4]; // 2×1 RGBA pixels
        let out = grid_rgb(&[solid(1), solid(2), solid(3), solid(4)], 4, 2, 1, 2, 2);
        // Rows of 4 pixels: [1 1 2 2] then [3 3 4 4].
        let firsts: Vec<u8> = out.chunks_exact(3).map(|p| p[0]).collect();
        assert_eq!(firsts, vec![1, 1, 2, 2, 3, 3, 4, 4]);
    }
}
