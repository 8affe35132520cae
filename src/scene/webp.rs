//! Lossless WebP images as SOG stores them: decoded with the `image-webp` crate to RGBA8, and
//! encoded (for `convert` to `.sog`) the same way.
//!
//! SOG images are data, not pictures: every byte indexes a codebook or is a quantised value,
//! so a lossy image would decode to plausible-looking garbage. Lossy and animated files are
//! refused, and the image must be no larger than the data needs (a small file may declare
//! a 16383 x 16383 canvas; decoding it would take a gigabyte).

use std::io::Cursor;

use image_webp::{ColorType, DecodingError, EncodingError, WebPDecoder, WebPEncoder};

/// An RGBA8 image, row-major: pixel `i` is `rgba[4 * i..4 * i + 4]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Rgba8 {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `4 * width * height` bytes: red, green, blue, alpha per pixel (alpha 255 where the file has none).
    pub rgba: Vec<u8>,
}

impl Rgba8 {
    /// Number of pixels, `width * height`.
    pub fn pixels(&self) -> usize {
        self.width as usize * self.height as usize
    }
}

/// Why a WebP image could not be decoded or encoded. The message is a sentence without the
/// file name (the caller knows it). The image crate's error is part of the message and not
/// also a `source`, so a chain printed with anyhow's `{:#}` does not repeat it.
#[derive(Debug, thiserror::Error)]
pub enum WebpError {
    #[error("not a readable WebP image ({0})")]
    /// The bytes are not a WebP the decoder recognises.
    Unreadable(DecodingError),
    #[error("an animated WebP; SOG images are single lossless frames")]
    /// The WebP is animated (SOG images are single frames).
    Animated,
    #[error("a lossy WebP; SOG images must be lossless (each byte is an index or a quantised value)")]
    /// The WebP is lossy (SOG bytes are indices and quantised values, which loss would corrupt).
    Lossy,
    /// The image has fewer pixels than the data it should hold needs.
    #[error("{width}x{height} pixels is too small: the data needs {min}")]
    TooSmall {
        /// Image width in pixels.
        width: u32,
        /// Image height in pixels.
        height: u32,
        /// Fewest pixels the caller needs.
        min: usize,
    },
    /// The image has more pixels than the caller can use (a damaged or hostile file).
    #[error("{width}x{height} pixels is larger than the data can use (at most {max})")]
    TooLarge {
        /// Image width in pixels.
        width: u32,
        /// Image height in pixels.
        height: u32,
        /// Most pixels the caller accepts.
        max: usize,
    },
    /// The decoder cannot size an output buffer for these dimensions.
    #[error("{width}x{height} pixels is too large to decode")]
    TooLargeToDecode {
        /// Image width in pixels.
        width: u32,
        /// Image height in pixels.
        height: u32,
    },
    #[error("the WebP data is damaged ({0})")]
    /// The image data is damaged.
    Damaged(DecodingError),
    #[error("WebP encoding failed ({0})")]
    /// The encoder failed.
    Encoding(EncodingError),
}

/// Decodes a lossless WebP whose pixel count must lie in `min_pixels..=max_pixels`.
pub fn decode(bytes: &[u8], min_pixels: usize, max_pixels: usize) -> Result<Rgba8, WebpError> {
    let mut decoder = WebPDecoder::new(Cursor::new(bytes)).map_err(WebpError::Unreadable)?;
    if decoder.is_animated() {
        return Err(WebpError::Animated);
    }
    if decoder.is_lossy() {
        return Err(WebpError::Lossy);
    }
    let (width, height) = decoder.dimensions();
    let pixels = width as usize * height as usize;
    if pixels < min_pixels {
        return Err(WebpError::TooSmall { width, height, min: min_pixels });
    }
    if pixels > max_pixels {
        return Err(WebpError::TooLarge { width, height, max: max_pixels });
    }
    let size = decoder.output_buffer_size().ok_or(WebpError::TooLargeToDecode { width, height })?;
    let mut buf = vec![0u8; size];
    decoder.read_image(&mut buf).map_err(WebpError::Damaged)?;
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
pub fn encode(image: &Rgba8) -> Result<Vec<u8>, WebpError> {
    let mut out = Vec::new();
    WebPEncoder::new(&mut out)
        .encode(&image.rgba, image.width, image.height, ColorType::Rgba8)
        .map_err(WebpError::Encoding)?;
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
        assert!(decode(&bytes, 65, usize::MAX).expect_err("too small").to_string().contains("too small"));
        assert!(decode(&bytes, 0, 63).expect_err("too large").to_string().contains("larger than"));
        assert!(decode(&bytes[..bytes.len() / 2], 0, usize::MAX).is_err());
        assert!(decode(b"RIFF\0\0\0\0WEBPVP8L", 0, usize::MAX).is_err());
    }
}
