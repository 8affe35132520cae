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
pub fn to_u8(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
}
