//! Lossless WebP images as SOG stores them: decoded with the `image-webp` crate to RGBA8, and
//! encoded (for `convert` to `.sog`) the same way.
//!
//! SOG images are data, not pictures: every byte indexes a codebook or is a quantised value,
//! so a lossy image would decode to plausible-looking garbage. Lossy and animated files are
//! refused, and the image must be no larger than the data needs (a small file may declare
//! a 16383 x 16383 canvas; decoding it would take a gigabyte).

use std::io::Cursor;

use image_webp::{ColorType, WebPDecoder, WebPEncoder};

/// An RGBA8 image, row-major: pixel `i` is `rgba[4 * i..4 * i + 4]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Rgba8 {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl Rgba8 {
    pub fn pixels(&self) -> usize {
        self.width as usize * self.height as usize
    }
}

/// Decodes a lossless WebP whose pixel count must lie in `min_pixels..=max_pixels`; the
/// error is a sentence without the file name (the caller knows it).
pub fn decode(bytes: &[u8], min_pixels: usize, max_pixels: usize) -> Result<Rgba8, String> {
    let mut decoder = WebPDecoder::new(Cursor::new(bytes)).map_err(|e| format!("not a readable WebP image ({e})"))?;
    if decoder.is_animated() {
        return Err("an animated WebP; SOG images are single lossless frames".into());
    }
    if decoder.is_lossy() {
        return Err("a lossy WebP; SOG images must be lossless (each byte is an index or a quantised value)".into());
    }
    let (width, height) = decoder.dimensions();
    let pixels = width as usize * height as usize;
    if pixels < min_pixels {
        return Err(format!("{width}x{height} pixels is too small: the data needs {min_pixels}"));
    }
    if pixels > max_pixels {
        return Err(format!("{width}x{height} pixels is larger than the data can use (at most {max_pixels})"));
    }
    let size = decoder.output_buffer_size().ok_or_else(|| format!("{width}x{height} pixels is too large to decode"))?;
    let mut buf = vec![0u8; size];
    decoder.read_image(&mut buf).map_err(|e| format!("the WebP data is damaged ({e})"))?;
    let rgba = if decoder.has_alpha() {
        buf
    } else {
        // Encoders drop a constant-255 alpha channel; put it back so every image reads alike.
        let mut out = Vec::with_capacity(pixels * 4);
        for px in buf.chunks_exact(3) {
            out.extend_from_slice(&[px[0], px[1], px[2], 255]);
        }
        out
    };
    debug_assert_eq!(rgba.len(), pixels * 4);
    Ok(Rgba8 { width, height, rgba })
}

/// Encodes RGBA8 pixels as a lossless WebP.
pub fn encode(image: &Rgba8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    WebPEncoder::new(&mut out)
        .encode(&image.rgba, image.width, image.height, ColorType::Rgba8)
        .map_err(|e| format!("WebP encoding failed ({e})"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_image(w: u32, h: u32, seed: u32) -> Rgba8 {
        let mut x = seed.wrapping_mul(2_654_435_761).max(1);
        let rgba = (0..w * h * 4)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 24) as u8
            })
            .collect();
        Rgba8 { width: w, height: h, rgba }
    }

    #[test]
    fn lossless_round_trip_keeps_every_byte() {
        let img = random_image(37, 11, 3);
        let bytes = encode(&img).expect("encode");
        assert_eq!(decode(&bytes, 0, usize::MAX).expect("decode"), img);
    }

    #[test]
    fn sizes_outside_the_data_are_refused() {
        let bytes = encode(&random_image(8, 8, 1)).expect("encode");
        assert!(decode(&bytes, 65, usize::MAX).expect_err("too small").contains("too small"));
        assert!(decode(&bytes, 0, 63).expect_err("too large").contains("larger than"));
        assert!(decode(&bytes[..bytes.len() / 2], 0, usize::MAX).is_err());
        assert!(decode(b"RIFF\0\0\0\0WEBPVP8L", 0, usize::MAX).is_err());
    }
}
