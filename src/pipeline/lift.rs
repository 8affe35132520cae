//! Lifting: the fusion network's per-frame predictions fused onto the Gaussians, so every view
//! of the scene agrees and a frame costs one splat. Each view is segmented; every pixel's class
//! distribution (softmax of the logits) goes to the Gaussians that made the pixel, weighted by
//! their blending weight α·T ([`crate::render::lift`], or its GPU twin
//! [`crate::render::gpu::scatter`] when the views are rendered on the GPU, see
//! [`super::lift_sums`]); a Gaussian's class is the largest sum,
//! its confidence that sum's share. Only the prediction path runs: labels are never read.

use std::time::Instant;

use super::lift_viewpoints::{GeneratedViews, generated_views};
use super::segmenter::{SegmentError, Segmenter};
use crate::classes::NUM_CLASSES;
use crate::dataset::views::{extra_views, scene_views};
use crate::fusion::coverage::NO_CLASS;
use crate::fusion::{FusionModel, Prediction};
use crate::render::lift::WeightedSums;
use crate::scene::{Camera, ExtraProperty, ScalarKind, Scene};

/// Below this summed class weight a Gaussian counts as unseen (its pixels were all uncovered
/// or it never reached 1 % of one pixel).
const MIN_WEIGHT: f32 = 0.01;

#[derive(Clone, Copy, Debug, PartialEq)]
/// How labels are lifted from 2D predictions onto the Gaussians.
pub struct LiftOptions {
    /// Views in all: up to half of them the scene's own cameras (evenly spread), the rest
    /// random views near them ([`extra_views`]); for a scene without cameras, generated views
    /// ([`generated_views`]).
    pub views: usize,
    /// Width of each view, pixels.
    pub width: u32,
    /// Height of each view, pixels.
    pub height: u32,
    /// Seed of the random extra (or generated) views.
    pub seed: u64,
}

impl Default for LiftOptions {
    fn default() -> Self {
        Self { views: 48, width: 320, height: 240, seed: 0 }
    }
}

/// Per Gaussian: a NYU40 class (0 = unlabelled: seen in no view) and a confidence in 0-1.
#[derive(Clone, Debug, PartialEq)]
pub struct LiftedLabels {
    /// NYU40 id per Gaussian; 0 where no view saw it.
    pub classes: Vec<u16>,
    /// Per Gaussian, the class's share of its summed class weight, 0-1 (0 when unseen).
    pub confidence: Vec<f32>,
    /// Views the labels were lifted from.
    pub views: usize,
}

impl LiftedLabels {
    /// Gaussians that got a class.
    pub fn labelled(&self) -> usize {
        self.classes.iter().filter(|&&c| c != 0).count()
    }
}

/// Milliseconds per view and stage.
#[derive(Clone, Debug, Default)]
pub struct LiftTimings {
    /// Rendering the view and running the network.
    pub segment_ms: Vec<f64>,
    /// Softmax of the logits into per-pixel distributions.
    pub distribution_ms: Vec<f64>,
    /// Scattering them onto the Gaussians (on the GPU the last view's time includes reading
    /// the sums back).
    pub scatter_ms: Vec<f64>,
}

/// The views lifting segments for `scene` (see [`LiftOptions::views`]): around its own
/// `cameras`, or, for a scene that came without any, views generated for it
/// ([`generated_views`]: inside the room, else around the object; `units_per_metre` is the
/// scale the encoder uses). Says how they were chosen: `None` for the scene's cameras.
pub fn lift_views(
    scene: &Scene,
    cameras: &[Camera],
    units_per_metre: f32,
    opts: &LiftOptions,
) -> (Vec<Camera>, Option<GeneratedViews>) {
    if cameras.is_empty() {
        let (views, how) = generated_views(scene, units_per_metre, opts.views, (opts.width, opts.height), opts.seed);
        return (views, Some(how));
    }
    let own = scene_views(cameras, opts.views / 2, opts.width, opts.height);
    let extra = extra_views(cameras, opts.views - own.len(), opts.width, opts.height, opts.seed);
    (own.into_iter().chain(extra).map(|(_, c)| c).collect(), None)
}

/// Segments every view in `views` and lifts the predictions onto `scene`'s Gaussians (the
/// scene `segmenter` renders, whose renderer also scatters); `progress` hears after each view.
pub fn lift(
    segmenter: &mut Segmenter,
    model: &mut FusionModel,
    scene: &Scene,
    views: &[Camera],
    mut progress: impl FnMut(usize),
) -> Result<(LiftedLabels, LiftTimings), SegmentError> {
    let class_ids = model.card.class_ids_u8();
    let k = class_ids.len();
    let mut acc = segmenter.renderer.lift_sums(k)?;
    let mut timings = LiftTimings::default();
    for (i, cam) in views.iter().enumerate() {
        let t = Instant::now();
        let view = segmenter.segment(model, cam, false)?;
        timings.segment_ms.push(ms(t));
        let t = Instant::now();
        let pixels = distributions(&view.prediction, &class_ids);
        timings.distribution_ms.push(ms(t));
        let t = Instant::now();
        segmenter.renderer.scatter(cam, &pixels, &mut acc)?;
        timings.scatter_ms.push(ms(t));
        progress(i + 1);
    }
    let t = Instant::now();
    let acc = segmenter.renderer.read_lift_sums(acc)?;
    if let Some(last) = timings.scatter_ms.last_mut() {
        *last += ms(t);
    }
    debug_assert_eq!(acc.weights.len(), scene.len(), "the renderer's scene is the one lifted");
    Ok((decide(&acc, &class_ids, views.len()), timings))
}

/// Per pixel, the network's distribution over its classes (`[pixels][k]`, model order): the
/// softmax of the logits, or — when the classes were computed in the graph and only the top
/// class's confidence came back — that confidence on that class. Pixels without a class
/// (the scene does not cover them) are all zero.
pub fn distributions(p: &Prediction, class_ids: &[u8]) -> Vec<f32> {
    let (k, n) = (class_ids.len(), p.width * p.height);
    let mut out = vec![0.0f32; n * k];
    let logits = &p.logits;
    let have_logits = logits.classes == k && logits.data.len() == k * n;
    for i in 0..n {
        if p.classes[i] == NO_CLASS {
            continue;
        }
        let row = &mut out[i * k..(i + 1) * k];
        if have_logits {
            let max = (0..k).map(|c| logits.data[c * n + i]).fold(f32::NEG_INFINITY, f32::max);
            let mut sum = 0.0;
            for (c, o) in row.iter_mut().enumerate() {
                *o = (logits.data[c * n + i] - max).exp();
                sum += *o;
            }
            row.iter_mut().for_each(|o| *o /= sum);
        } else if let Some(c) = class_ids.iter().position(|&id| id == p.classes[i]) {
            row[c] = p.confidence_at(i).unwrap_or(1.0);
        }
    }
    out
}

/// Each Gaussian's class: the largest summed probability, its share of the Gaussian's summed
/// class weight as confidence; unseen Gaussians stay unlabelled.
fn decide(acc: &WeightedSums, class_ids: &[u8], views: usize) -> LiftedLabels {
    let k = acc.k;
    let n = acc.weights.len();
    let mut classes = vec![0u16; n];
    let mut confidence = vec![0.0f32; n];
    for g in 0..n {
        let sums = &acc.sums[g * k..(g + 1) * k];
        let total: f32 = sums.iter().sum();
        if total < MIN_WEIGHT {
            continue;
        }
        let (best, &top) = sums.iter().enumerate().fold((0, &sums[0]), |b, (c, v)| if *v > *b.1 { (c, v) } else { b });
        classes[g] = class_ids[best] as u16;
        confidence[g] = top / total;
    }
    LiftedLabels { classes, confidence, views }
}

/// The scene with the lifted classes as `label` and their confidence as `label_confidence`
/// (the reference PLY's properties for them).
pub fn with_lifted_labels(scene: &Scene, lifted: &LiftedLabels) -> Scene {
    let mut out = scene.clone();
    out.labels = Some(lifted.classes.clone());
    out.extras.retain(|e| e.name != "label_confidence");
    out.extras.push(ExtraProperty {
        name: "label_confidence".into(),
        kind: ScalarKind::F32,
        values: lifted.confidence.iter().map(|&c| c as f64).collect(),
    });
    out
}

/// Only the Gaussians of `labelled` (labels present) whose class `keep` marks: objects cut
/// out by class. A scene without labels gives an empty one.
pub fn isolate_classes(labelled: &Scene, keep: &[bool; NUM_CLASSES]) -> Scene {
    let mask: Vec<bool> = match &labelled.labels {
        Some(l) => l.iter().map(|&c| keep.get(c as usize).copied().unwrap_or(false)).collect(),
        None => vec![false; labelled.len()],
    };
    let mut out = labelled.clone();
    out.retain(&mask);
    out
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fusion::Logits;

    #[test]
    fn distributions_are_softmax_rows_and_uncovered_pixels_are_zero() {
        // 3 pixels, 2 classes (ids 1 and 5); pixel 2 is not covered.
        let logits = Logits { classes: 2, width: 3, height: 1, data: vec![0.0, 2.0, 1.0, 0.0, 0.0, 1.0] };
        let p = Prediction { width: 3, height: 1, classes: vec![1, 1, NO_CLASS], logits, ..Default::default() };
        let d = distributions(&p, &[1, 5]);
        assert!((d[0] - 0.5).abs() < 1e-6 && (d[1] - 0.5).abs() < 1e-6);
        let e = 1.0 / (1.0 + (-2.0f32).exp());
        assert!((d[2] - e).abs() < 1e-6 && (d[3] - (1.0 - e)).abs() < 1e-6);
        assert_eq!(&d[4..], &[0.0, 0.0]);
        // Classes from the graph: the top class's confidence only.
        let p = Prediction {
            width: 2,
            height: 1,
            classes: vec![5, NO_CLASS],
            confidence: vec![0.75, 0.0],
            ..Default::default()
        };
        assert_eq!(distributions(&p, &[1, 5]), vec![0.0, 0.75, 0.0, 0.0]);
    }

    #[test]
    fn each_gaussian_takes_its_largest_sum_and_unseen_ones_stay_unlabelled() {
        let acc = WeightedSums { k: 2, sums: vec![0.2, 0.6, 0.0, 0.0, 0.9, 0.1], weights: vec![1.0, 0.5, 1.0] };
        let l = decide(&acc, &[3, 7], 4);
        assert_eq!(l.classes, vec![7, 0, 3]);
        assert!(
            (l.confidence[0] - 0.75).abs() < 1e-6 && l.confidence[1] == 0.0 && (l.confidence[2] - 0.9).abs() < 1e-6
        );
        assert_eq!(l.labelled(), 2);
    }
}
