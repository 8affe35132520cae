//! Predicted (or ground-truth) classes drawn over the colour image on the CPU, for PNGs the
//! command line writes. The viewer does the same blend on the GPU (`shaders/present.wgsl`'s
//! `semantic`): mix(rgb, palette colour, opacity) on the 8-bit colour, pixels without a class
//! left as they are.

use crate::classes::IGNORE_LABEL;
use crate::classes::{self, NUM_CLASSES};

/// `rgb8` (3 bytes per pixel) with each pixel's class colour (ScanNet palette) blended in at
/// `opacity` (clamped to [0, 1]; 1 = pure class colours). Class 0 (unlabelled), 255 (ignored)
/// and ids outside NYU40 keep the image's colour.
pub fn composite(rgb8: &[u8], classes: &[u8], opacity: f32) -> Vec<u8> {
    debug_assert_eq!(rgb8.len(), classes.len() * 3, "one class per RGB pixel");
    let a = opacity.clamp(0.0, 1.0);
    let mut out = rgb8.to_vec();
    for (px, &class) in out.chunks_exact_mut(3).zip(classes) {
        if class == 0 || class == IGNORE_LABEL || class as usize >= NUM_CLASSES {
            continue;
        }
        let colour = classes::color(class as u16);
        for (v, c) in px.iter_mut().zip(colour) {
            let mixed = *v as f32 + (c as f32 - *v as f32) * a;
            *v = (mixed + 0.5).clamp(0.0, 255.0) as u8;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classes::id;

    #[test]
    fn opacity_blends_between_the_image_and_the_palette() {
        let rgb = [10, 20, 30, 200, 200, 200, 7, 8, 9];
        let labels = [id::WALL as u8, id::FLOOR as u8, IGNORE_LABEL];
        assert_eq!(composite(&rgb, &labels, 0.0), rgb.to_vec());
        let full = composite(&rgb, &labels, 1.0);
        assert_eq!(&full[..3], &classes::color(id::WALL));
        assert_eq!(&full[3..6], &classes::color(id::FLOOR));
        assert_eq!(&full[6..], &[7, 8, 9], "ignored pixels keep their colour");
        let half = composite(&rgb, &labels, 0.5);
        let wall = classes::color(id::WALL);
        assert_eq!(half[0], ((10.0 + wall[0] as f32) / 2.0 + 0.5) as u8);
        assert_eq!(composite(&rgb, &[0, 0, 41], 1.0), rgb.to_vec(), "unlabelled and invalid ids stay");
        assert_eq!(composite(&rgb, &labels, 7.0), full, "opacity is clamped");
    }
}
