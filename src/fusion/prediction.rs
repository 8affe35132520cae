//! What the fusion network says about one frame: per pixel a NYU40 class, and its confidence
//! (the softmax probability of that class), with the logits they came from when they were
//! returned to Rust, and what each step cost.

use rayon::prelude::*;

use super::coverage::{NO_CLASS, mask_uncovered};

/// Per-frame cost of the three steps, milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PredictTimings {
    /// Building the input tensors (0 when they came packed from the GPU).
    pub preprocess_ms: f64,
    /// Running the network (and the head's graph, when used).
    pub inference_ms: f64,
    /// Class, confidence and cropping on the host.
    pub postprocess_ms: f64,
}

/// The per-pixel result for one frame, row-major, top row first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prediction {
    /// Frame width, pixels.
    pub width: usize,
    /// Frame height, pixels.
    pub height: usize,
    /// NYU40 id per pixel.
    pub classes: Vec<u8>,
    /// The network's output the classes came from, kept for [`Prediction::confidence_at`]
    /// (empty when the head's graph ran).
    pub logits: Logits,
    /// Per pixel, the softmax probability of its class, when the head's graph ran (else empty:
    /// computed from the logits on demand).
    pub confidence: Vec<f32>,
    /// What each step cost.
    pub timings: PredictTimings,
}

impl Prediction {
    /// Softmax probability of the predicted class at pixel index `i` (row-major), or `None`
    /// outside the frame, on a pixel with no class (one the scene does not cover), or when
    /// neither confidences nor logits were kept.
    pub fn confidence_at(&self, i: usize) -> Option<f32> {
        if self.classes.get(i) == Some(&NO_CLASS) {
            return None;
        }
        match self.confidence.is_empty() {
            true => self.logits.softmax_max(i),
            false => self.confidence.get(i).copied(),
        }
    }

    /// Gives the pixels the scene does not cover (8-bit alpha under 128, alpha < 0.5) class 0,
    /// unlabelled: no class, as the ground truth ignores them. An empty `alpha8` (coverage
    /// unknown) changes nothing. Returns how many pixels lost their class.
    pub fn mask_uncovered(&mut self, alpha8: &[u8]) -> usize {
        mask_uncovered(&mut self.classes, alpha8)
    }
}

/// The network's raw output cropped back to the frame: `[classes, height, width]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Logits {
    /// Output channels (the card's classes).
    pub classes: usize,
    /// Frame width, pixels.
    pub width: usize,
    /// Frame height, pixels.
    pub height: usize,
    /// `[classes, height, width]` row-major logits.
    pub data: Vec<f32>,
}

impl Logits {
    /// The largest softmax probability at pixel index `i`: that of the argmax class.
    pub fn softmax_max(&self, i: usize) -> Option<f32> {
        let n = self.width * self.height;
        if i >= n || self.data.len() != self.classes * n || self.classes == 0 {
            return None;
        }
        let column = || (0..self.classes).map(|c| self.data[c * n + i]);
        let max = column().fold(f32::NEG_INFINITY, f32::max);
        Some(1.0 / column().map(|v| (v - max).exp()).sum::<f32>())
    }
}

/// Per pixel: the class id of the largest logit (the first on ties, like `argmax`). Pixels
/// are processed in parallel blocks, channel by channel within a block, so every read is
/// sequential in the `[K, H, W]` layout.
pub fn classify(logits: &Logits, class_ids: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 4096;
    let n = logits.width * logits.height;
    let k = logits.classes;
    debug_assert_eq!(class_ids.len(), k);
    let data = &logits.data;
    let mut classes = vec![0u8; n];
    classes.par_chunks_mut(BLOCK).enumerate().for_each(|(b, cls)| {
        let (start, len) = (b * BLOCK, cls.len());
        let channel = |c: usize| &data[c * n + start..c * n + start + len];
        let mut max = channel(0).to_vec();
        let mut best = vec![0u16; len];
        for c in 1..k {
            for ((m, b), &v) in max.iter_mut().zip(best.iter_mut()).zip(channel(c)) {
                if v > *m {
                    *m = v;
                    *b = c as u16;
                }
            }
        }
        for (out, &b) in cls.iter_mut().zip(&best) {
            *out = class_ids[b as usize];
        }
    });
    classes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_takes_the_argmax_and_confidence_its_softmax() {
        // Two pixels, three classes: pixel 0 favours channel 2, pixel 1 ties 0 and 1.
        let logits = Logits { classes: 3, width: 2, height: 1, data: vec![0.0, 1.0, 0.0, 1.0, 2.0, -1.0] };
        let classes = classify(&logits, &[4, 7, 9]);
        assert_eq!(classes, vec![9, 4]);
        let p0 = 2f32.exp() / (1.0 + 2f32.exp() + 1.0);
        let p1 = 1f32.exp() / (1f32.exp() + 1f32.exp() + (-1f32).exp());
        let prediction = Prediction { width: 2, height: 1, classes, logits, ..Default::default() };
        let conf = [prediction.confidence_at(0), prediction.confidence_at(1)].map(|c| c.expect("inside"));
        assert!((conf[0] - p0).abs() < 1e-6 && (conf[1] - p1).abs() < 1e-6, "{conf:?}");
        assert_eq!(prediction.confidence_at(2), None, "outside the frame");
        assert_eq!(Prediction::default().confidence_at(0), None, "no logits kept");
    }

    #[test]
    fn uncovered_pixels_have_no_class_and_no_confidence() {
        let logits = Logits { classes: 2, width: 3, height: 1, data: vec![0.0, 1.0, 2.0, 1.0, 0.0, 0.0] };
        let classes = classify(&logits, &[4, 7]);
        let mut prediction = Prediction { width: 3, height: 1, classes, logits, ..Default::default() };
        assert_eq!(prediction.classes, vec![7, 4, 4]);
        assert_eq!(prediction.mask_uncovered(&[255, 127, 128]), 1);
        assert_eq!(prediction.classes, vec![7, 0, 4]);
        assert_eq!(prediction.confidence_at(1), None, "no class, no confidence");
        assert!(prediction.confidence_at(0).is_some() && prediction.confidence_at(2).is_some());
        // With the head's confidences likewise.
        let mut graph =
            Prediction { width: 2, height: 1, classes: vec![3, 3], confidence: vec![0.9, 0.8], ..Default::default() };
        graph.mask_uncovered(&[0, 200]);
        assert_eq!((graph.confidence_at(0), graph.confidence_at(1)), (None, Some(0.8)));
    }

    #[test]
    fn classify_agrees_with_a_per_pixel_loop_across_block_boundaries() {
        let (k, w, h) = (5, 4099, 3); // three blocks, the last one partial
        let n = w * h;
        let mut rng = crate::util::rng::Rng::new(9);
        let logits = Logits { classes: k, width: w, height: h, data: (0..k * n).map(|_| rng.normal()).collect() };
        let ids = [3, 1, 40, 7, 2];
        let classes = classify(&logits, &ids);
        for p in 0..n {
            let column: Vec<f32> = (0..k).map(|c| logits.data[c * n + p]).collect();
            let best = (1..k).fold(0, |b, c| if column[c] > column[b] { c } else { b });
            let sum: f32 = column.iter().map(|v| (v - column[best]).exp()).sum();
            assert_eq!(classes[p], ids[best], "pixel {p}");
            assert!((logits.softmax_max(p).expect("inside") - 1.0 / sum).abs() < 1e-6, "pixel {p}");
        }
    }
}
