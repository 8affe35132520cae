//! A rendered frame → the fusion network's input tensors, exactly as the training side builds
//! them from the exported `.npy` views: RGB as the 8-bit image (`Frame::rgb8`'s rounding, so
//! Rust sees what Python saw), normalised per channel; features scaled; both padded at the
//! bottom and right by repeating the last row / column up to the card's size multiple, and
//! transposed from row-major HWC to NCHW. Pure functions: no ONNX Runtime here.

use rayon::prelude::*;

use super::error::FusionError;
use crate::render::Frame;
use crate::render::gpu::pack::PackedTensors;

/// What the network needs from one rendered view.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrameInputs {
    /// Frame width, pixels.
    pub width: usize,
    /// Frame height, pixels.
    pub height: usize,
    /// 8-bit RGB, row-major `[height, width, 3]` (may be empty when `packed` holds the
    /// network's inputs and nobody shows the colour).
    pub rgb8: Vec<u8>,
    /// Splatted features, row-major `[height, width, feature_dim]` (empty when none, or
    /// when `packed` holds them).
    pub features: Vec<f32>,
    /// Channels per pixel in `features` (or in `packed`'s feature tensor).
    pub feature_dim: usize,
    /// The network's input tensors already made on the GPU (`render_packed`): used as they
    /// are instead of preprocessing `rgb8` and `features`.
    pub packed: Option<PackedTensors>,
    /// 8-bit accumulated alpha, one a pixel, row-major: the prediction gives the pixels the
    /// scene does not cover (under 128, alpha < 0.5) no class ([`super::coverage`]). Empty
    /// when unknown: then every pixel keeps the network's class.
    pub alpha8: Vec<u8>,
}

impl FrameInputs {
    /// Takes the frame's feature image without copying it; its alpha becomes the coverage.
    pub fn from_frame(frame: Frame) -> Self {
        Self {
            width: frame.width as usize,
            height: frame.height as usize,
            rgb8: frame.rgb8(),
            alpha8: super::coverage::alpha8(&frame.alpha),
            feature_dim: frame.feature_dim,
            features: frame.features,
            packed: None,
        }
    }

    /// A GPU-rendered view whose network inputs were packed on the GPU
    /// ([`crate::render::gpu::headless::PackedFrame`]): its size, 8-bit colour and alpha,
    /// and tensors.
    pub fn from_packed(width: u32, height: u32, rgb8: Vec<u8>, alpha8: Vec<u8>, packed: PackedTensors) -> Self {
        Self {
            width: width as usize,
            height: height as usize,
            rgb8,
            alpha8,
            features: Vec::new(),
            feature_dim: packed.feature_dim,
            packed: Some(packed),
        }
    }

    /// Number of pixels, `width * height`.
    pub fn pixels(&self) -> usize {
        self.width * self.height
    }

    /// Sizes agree with each other (a frame from elsewhere may not).
    pub fn check(&self) -> Result<(), FusionError> {
        if self.width == 0 || self.height == 0 {
            return Err(FusionError::Input(format!("empty image {}x{}", self.width, self.height)));
        }
        let rgb_optional = self.packed.is_some() && self.rgb8.is_empty();
        if self.rgb8.len() != self.pixels() * 3 && !rgb_optional {
            return Err(FusionError::Input(format!(
                "{} RGB bytes for a {}x{} image (needs {})",
                self.rgb8.len(),
                self.width,
                self.height,
                self.pixels() * 3
            )));
        }
        if !self.alpha8.is_empty() && self.alpha8.len() != self.pixels() {
            return Err(FusionError::Input(format!(
                "{} alpha bytes for a {}x{} image (needs {} or none)",
                self.alpha8.len(),
                self.width,
                self.height,
                self.pixels()
            )));
        }
        if let Some(p) = &self.packed {
            let (rgb_len, feature_len) = p.recipe.tensor_lens(p.padded, p.feature_dim);
            if p.padded.0 < self.height
                || p.padded.1 < self.width
                || p.rgb.len() != rgb_len
                || p.features.len() != feature_len
            {
                return Err(FusionError::Input(format!(
                    "packed tensors of {} RGB and {} feature values at {}x{} for a {}x{} image of {} channels",
                    p.rgb.len(),
                    p.features.len(),
                    p.padded.1,
                    p.padded.0,
                    self.width,
                    self.height,
                    p.feature_dim
                )));
            }
            return Ok(());
        }
        if self.features.len() != self.pixels() * self.feature_dim {
            return Err(FusionError::Input(format!(
                "{} feature values for a {}x{} image of {} channels",
                self.features.len(),
                self.width,
                self.height,
                self.feature_dim
            )));
        }
        Ok(())
    }
}

/// Defined beside the GPU packing that pads the same way; the network side uses it too.
pub use crate::render::gpu::pack::padded_len;

/// `[3, hp, wp]`: (u8 / 255 − mean\[c\]) / std\[c\], replicate-padded. The divisions (not
/// multiplications by reciprocals) follow the PyTorch side's order of operations.
pub fn rgb_nchw(
    rgb8: &[u8],
    width: usize,
    height: usize,
    mean: [f32; 3],
    std: [f32; 3],
    padded: (usize, usize),
) -> Vec<f32> {
    let table = rgb_table(mean, std);
    let mut out = vec![0.0; 3 * padded.0 * padded.1];
    hwc_to_padded_chw(rgb8, width, height, 3, padded, &mut out, |v, c| table[c * 256 + v as usize]);
    out
}

/// `[3 * 256]`: (v / 255 − mean\[c\]) / std\[c\] for every 8-bit value v of channel c — the
/// normalisation as a table, shared with the GPU's packing pass so both give the same values.
pub fn rgb_table(mean: [f32; 3], std: [f32; 3]) -> Vec<f32> {
    (0..3).flat_map(|c| (0..256).map(move |v| (v as f32 / 255.0 - mean[c]) / std[c])).collect()
}

/// `[dim, hp, wp]`: features × scale, replicate-padded.
pub fn features_nchw(
    features: &[f32],
    width: usize,
    height: usize,
    dim: usize,
    scale: f32,
    padded: (usize, usize),
) -> Vec<f32> {
    let mut out = vec![0.0; dim * padded.0 * padded.1];
    hwc_to_padded_chw(features, width, height, dim, padded, &mut out, |v, _| v * scale);
    out
}

/// Rows per parallel task: a band's source rows (16 × 320 px × 32 channels × 4 B = 655 KB at
/// the trained size) stay in cache while all its channel planes are written.
const BAND_ROWS: usize = 16;

/// Pixels converted per block of a row, channel by channel.
const PIXELS: usize = 16;

/// Fills `out` (`[channels, hp, wp]`, `padded` = (hp, wp)) with `convert(value, channel)` of
/// every value of the `[height, width, channels]` image `source`; rows and columns past the
/// source repeat its last row / column. Bands of rows run in parallel: every channel plane is
/// cut into the same bands, so each task owns its rows of all planes.
fn hwc_to_padded_chw<T: Copy + Sync>(
    source: &[T],
    width: usize,
    height: usize,
    channels: usize,
    (hp, wp): (usize, usize),
    out: &mut [f32],
    convert: impl Fn(T, usize) -> f32 + Sync,
) {
    debug_assert!(hp >= height && wp >= width && out.len() == channels * hp * wp);
    debug_assert_eq!(source.len(), width * height * channels);
    let mut bands: Vec<Vec<&mut [f32]>> = (0..hp.div_ceil(BAND_ROWS)).map(|_| Vec::with_capacity(channels)).collect();
    for plane in out.chunks_exact_mut(hp * wp) {
        for (band, rows) in bands.iter_mut().zip(plane.chunks_mut(BAND_ROWS * wp)) {
            band.push(rows);
        }
    }
    let row_len = width * channels;
    bands.into_par_iter().enumerate().for_each(|(b, mut planes)| {
        let rows = planes.first().map_or(0, |p| p.len() / wp);
        for r in 0..rows {
            let y = (b * BAND_ROWS + r).min(height - 1);
            let source_row = &source[y * row_len..(y + 1) * row_len];
            // Blocks of PIXELS pixels, one channel at a time: each plane's writes are
            // sequential, and the block's source values stay in L1 across the channels.
            for (block, pixels) in source_row.chunks(PIXELS * channels).enumerate() {
                let x0 = r * wp + block * PIXELS;
                let n = pixels.len() / channels;
                for (c, plane) in planes.iter_mut().enumerate() {
                    for (i, v) in plane[x0..x0 + n].iter_mut().enumerate() {
                        *v = convert(pixels[i * channels + c], c);
                    }
                }
            }
            for plane in planes.iter_mut() {
                let out_row = &mut plane[r * wp..(r + 1) * wp];
                let last = out_row[width - 1];
                out_row[width..].fill(last);
            }
        }
    });
}

/// `[k, height, width]` cut from the top-left of `[k, hp, wp]` logits.
pub fn crop_chw<T: Copy>(logits: &[T], k: usize, (hp, wp): (usize, usize), width: usize, height: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(k * width * height);
    for c in 0..k {
        for y in 0..height {
            let start = c * hp * wp + y * wp;
            out.extend_from_slice(&logits[start..start + width]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::rng::Rng;

    /// The straightforward definition, pixel by pixel, to check the fast path against.
    fn reference(src: &[f32], w: usize, h: usize, ch: usize, hp: usize, wp: usize) -> Vec<f32> {
        let mut out = vec![f32::NAN; ch * hp * wp];
        for c in 0..ch {
            for y in 0..hp {
                for x in 0..wp {
                    let (sy, sx) = (y.min(h - 1), x.min(w - 1));
                    out[(c * hp + y) * wp + x] = src[(sy * w + sx) * ch + c];
                }
            }
        }
        out
    }

    #[test]
    fn padded_sizes_round_up() {
        assert_eq!(padded_len(240, 32), 256);
        assert_eq!(padded_len(256, 32), 256);
        assert_eq!(padded_len(1, 32), 32);
        assert_eq!(padded_len(7, 1), 7);
    }

    #[test]
    fn features_pad_by_repeating_the_last_row_and_column() {
        let mut rng = Rng::new(4);
        // Sizes with several row bands, a last band cut short, and padding inside a band.
        for (w, h, d, m) in
            [(5, 3, 4, 4), (8, 8, 2, 4), (1, 1, 3, 8), (7, 9, 1, 32), (6, 2, 5, 1), (37, 41, 6, 32), (13, 50, 3, 1)]
        {
            let src: Vec<f32> = (0..w * h * d).map(|_| rng.normal()).collect();
            let (hp, wp) = (padded_len(h, m), padded_len(w, m));
            let got = features_nchw(&src, w, h, d, 2.0, (hp, wp));
            let scaled: Vec<f32> = src.iter().map(|v| v * 2.0).collect();
            assert_eq!(got, reference(&scaled, w, h, d, hp, wp), "{w}x{h}x{d} padded to {wp}x{hp}");
        }
    }

    #[test]
    fn rgb_is_normalised_per_channel_and_padded() {
        let mut rng = Rng::new(5);
        let (w, h, hp, wp) = (5, 3, 8, 8);
        let rgb: Vec<u8> = (0..w * h * 3).map(|_| rng.below(256) as u8).collect();
        let (mean, std) = ([0.4, 0.5, 0.6], [0.2, 0.25, 0.3]);
        let got = rgb_nchw(&rgb, w, h, mean, std, (hp, wp));
        let norm: Vec<f32> =
            rgb.iter().enumerate().map(|(i, &v)| (v as f32 / 255.0 - mean[i % 3]) / std[i % 3]).collect();
        assert_eq!(got, reference(&norm, w, h, 3, hp, wp));
        // The bottom-right padded corner repeats the last pixel.
        let last = (h - 1) * w + (w - 1);
        assert_eq!(got[hp * wp - 1], norm[last * 3]);
        assert_eq!(got[3 * hp * wp - 1], norm[last * 3 + 2]);
    }

    #[test]
    fn crop_undoes_padding() {
        let (w, h, d, hp, wp) = (3, 2, 2, 4, 4);
        let src: Vec<f32> = (0..w * h * d).map(|i| i as f32).collect();
        let padded = features_nchw(&src, w, h, d, 1.0, (hp, wp));
        let chw: Vec<f32> = (0..d).flat_map(|c| (0..w * h).map(move |p| (p * d + c) as f32)).collect();
        assert_eq!(crop_chw(&padded, d, (hp, wp), w, h), chw);
    }

    #[test]
    fn inconsistent_inputs_are_reported() {
        let ok = FrameInputs {
            width: 2,
            height: 1,
            rgb8: vec![0; 6],
            features: vec![0.0; 8],
            feature_dim: 4,
            ..Default::default()
        };
        ok.check().expect("consistent");
        FrameInputs { alpha8: vec![255; 2], ..ok.clone() }.check().expect("with its alpha");
        let short = FrameInputs { rgb8: vec![0; 5], ..ok.clone() };
        assert!(short.check().expect_err("short rgb").to_string().contains("5 RGB bytes"));
        let alpha = FrameInputs { alpha8: vec![255; 3], ..ok.clone() };
        assert!(alpha.check().expect_err("long alpha").to_string().contains("3 alpha bytes"));
        let feats = FrameInputs { features: vec![0.0; 7], ..ok };
        assert!(feats.check().expect_err("short features").to_string().contains("7 feature values"));
    }
}
