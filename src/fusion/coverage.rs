//! Pixels the scene does not cover get no class. The ground truth ignores pixels whose
//! accumulated alpha is under 0.5 (DESIGN.md, [`crate::render::IGNORE_LABEL`]); a prediction
//! gives them class 0 (unlabelled), which overlays leave uncoloured, rather than whatever the
//! network made of the empty background.
//!
//! Coverage travels as 8-bit alpha (`image_io::to_u8` of the accumulated alpha, the top byte
//! of the GPU's RGBA8 read-back): `to_u8(a) >= 128` exactly when `a >= 0.5`, so the 8 bits
//! draw the same line as the f32 alpha the label renderer compares.

use crate::image_io::to_u8;

/// The class of a pixel the scene does not cover: 0, unlabelled.
pub const NO_CLASS: u8 = 0;

/// Smallest 8-bit alpha of a covered pixel: `to_u8(0.5)`.
pub const COVERED_ALPHA8: u8 = 128;

/// Whether a pixel of 8-bit alpha `alpha8` is covered by the scene (alpha ≥ 0.5).
pub fn covered(alpha8: u8) -> bool {
    alpha8 >= COVERED_ALPHA8
}

/// 8-bit alpha of an f32 alpha image (`image_io::to_u8`, as the GPU's RGBA8 read-back rounds).
pub fn alpha8(alpha: &[f32]) -> Vec<u8> {
    alpha.iter().map(|&a| to_u8(a)).collect()
}

/// Sets [`NO_CLASS`] on every pixel whose 8-bit alpha says the scene does not cover it;
/// returns how many. An empty `alpha8` (coverage unknown) leaves the classes as they are.
pub fn mask_uncovered(classes: &mut [u8], alpha8: &[u8]) -> usize {
    if alpha8.is_empty() {
        return 0;
    }
    debug_assert_eq!(classes.len(), alpha8.len(), "one alpha per class");
    let mut masked = 0;
    for (class, &a) in classes.iter_mut().zip(alpha8) {
        if !covered(a) {
            *class = NO_CLASS;
            masked += 1;
        }
    }
    masked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncovered_pixels_lose_their_class_and_covered_ones_keep_it() {
        let mut classes = [5, 7, 9, 1, 40, 3];
        let alpha8 = [0, 127, 128, 255, 64, 200];
        assert_eq!(mask_uncovered(&mut classes, &alpha8), 3);
        assert_eq!(classes, [0, 0, 9, 1, 0, 3]);
        // Unknown coverage masks nothing.
        let mut kept = [5, 7];
        assert_eq!(mask_uncovered(&mut kept, &[]), 0);
        assert_eq!(kept, [5, 7]);
    }

    #[test]
    fn eight_bit_alpha_draws_the_line_where_f32_alpha_is_half() {
        let below = f32::from_bits(0.5f32.to_bits() - 1);
        let alphas = [0.0, 0.25, below, 0.5, 0.5 + 1e-7, 0.75, 1.0, -0.1, 1.5, f32::NAN];
        for (&a, a8) in alphas.iter().zip(alpha8(&alphas)) {
            // NaN is no coverage: to_u8 reads it as 0, and `NaN >= 0.5` is false.
            assert_eq!(covered(a8), a >= 0.5, "alpha {a} -> {a8}");
        }
        assert_eq!(alpha8(&[below, 0.5]), vec![127, 128]);
        // Every f32 in [0.49, 0.51] (a million of them) falls on the right side.
        let (lo, hi) = (0.49f32.to_bits(), 0.51f32.to_bits());
        for bits in lo..=hi {
            let a = f32::from_bits(bits);
            assert_eq!(covered(to_u8(a)), a >= 0.5, "alpha {a}");
        }
    }
}
