//! A rendered frame → the fusion network's input tensors, exactly as the training side builds
//! them from the exported `.npy` views: RGB as the 8-bit image (`Frame::rgb8`'s rounding, so
//! Rust sees what Python saw), normalised per channel; features scaled; both padded at the
//! bottom and right by repeating the last row / column up to the card's size multiple, and
//! transposed from row-major HWC to NCHW. Pure functions: no ONNX Runtime here.

use super::error::FusionError;
use crate::render::Frame;

/// What the network needs from one rendered view.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrameInputs {
    pub width: usize,
    pub height: usize,
    /// 8-bit RGB, row-major `[height, width, 3]`.
    pub rgb8: Vec<u8>,
    /// Splatted features, row-major `[height, width, feature_dim]` (empty when none).
    pub features: Vec<f32>,
    pub feature_dim: usize,
}

impl FrameInputs {
    /// Takes the frame's feature image without copying it.
    pub fn from_frame(frame: Frame) -> Self {
        Self {
            width: frame.width as usize,
            height: frame.height as usize,
            rgb8: frame.rgb8(),
            feature_dim: frame.feature_dim,
            features: frame.features,
        }
    }

    pub fn pixels(&self) -> usize {
        self.width * self.height
    }

    /// Sizes agree with each other (a frame from elsewhere may not).
    pub fn check(&self) -> Result<(), FusionError> {
        if self.width == 0 || self.height == 0 {
            return Err(FusionError::Input(format!("empty image {}x{}", self.width, self.height)));
        }
        if self.rgb8.len() != self.pixels() * 3 {
            return Err(FusionError::Input(format!(
                "{} RGB bytes for a {}x{} image (needs {})",
                self.rgb8.len(),
                self.width,
                self.height,
                self.pixels() * 3
            )));
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

/// `n` rounded up to a multiple of `multiple` (≥ 1).
pub fn padded_len(n: usize, multiple: usize) -> usize {
    n.div_ceil(multiple.max(1)) * multiple.max(1)
}

/// `[3, hp, wp]`: (u8 / 255 − mean[c]) / std[c], replicate-padded. The divisions (not
/// multiplications by reciprocals) follow the PyTorch side's order of operations.
pub fn rgb_nchw(
    rgb8: &[u8],
    width: usize,
    height: usize,
    mean: [f32; 3],
    std: [f32; 3],
    padded: (usize, usize),
) -> Vec<f32> {
    let lut: [[f32; 256]; 3] = std::array::from_fn(|c| std::array::from_fn(|v| (v as f32 / 255.0 - mean[c]) / std[c]));
    let mut out = vec![0.0; 3 * padded.0 * padded.1];
    hwc_to_padded_chw(width, height, 3, padded, &mut out, |p, c| lut[c][rgb8[p * 3 + c] as usize]);
    out
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
    hwc_to_padded_chw(width, height, dim, padded, &mut out, |p, c| features[p * dim + c] * scale);
    out
}

/// Fills `out` (`[channels, hp, wp]`, `padded` = (hp, wp)) from a `[height, width, channels]`
/// source read through `value(pixel, channel)`; rows and columns past the source repeat its
/// last row / column.
fn hwc_to_padded_chw(
    width: usize,
    height: usize,
    channels: usize,
    (hp, wp): (usize, usize),
    out: &mut [f32],
    value: impl Fn(usize, usize) -> f32,
) {
    debug_assert!(hp >= height && wp >= width && out.len() == channels * hp * wp);
    let plane = hp * wp;
    for y in 0..height {
        for x in 0..width {
            let p = y * width + x;
            for c in 0..channels {
                out[c * plane + y * wp + x] = value(p, c);
            }
        }
    }
    for c in 0..channels {
        let img = &mut out[c * plane..(c + 1) * plane];
        for y in 0..height {
            let row = &mut img[y * wp..(y + 1) * wp];
            let last = row[width - 1];
            row[width..].fill(last);
        }
        let (done, pad) = img.split_at_mut(height * wp);
        let last_row = &done[(height - 1) * wp..];
        for row in pad.chunks_exact_mut(wp) {
            row.copy_from_slice(last_row);
        }
    }
}

/// `[k, height, width]` cut from the top-left of `[k, hp, wp]` logits.
pub fn crop_chw(logits: &[f32], k: usize, (hp, wp): (usize, usize), width: usize, height: usize) -> Vec<f32> {
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
        for (w, h, d, m) in [(5, 3, 4, 4), (8, 8, 2, 4), (1, 1, 3, 8), (7, 9, 1, 32), (6, 2, 5, 1)] {
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
        let ok = FrameInputs { width: 2, height: 1, rgb8: vec![0; 6], features: vec![0.0; 8], feature_dim: 4 };
        ok.check().expect("consistent");
        let short = FrameInputs { rgb8: vec![0; 5], ..ok.clone() };
        assert!(short.check().expect_err("short rgb").to_string().contains("5 RGB bytes"));
        let feats = FrameInputs { features: vec![0.0; 7], ..ok };
        assert!(feats.check().expect_err("short features").to_string().contains("7 feature values"));
    }
}
