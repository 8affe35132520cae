//! Segmentation metrics as in Semantic-NeRF / RT-GS2 (DESIGN.md): one confusion matrix over
//! all evaluated views, indexed [ground truth, prediction] by NYU40 id. Valid pixels have a
//! ground truth that is neither ignored (255: accumulated alpha under 0.5) nor unlabelled (0).
//! mIoU and mAcc average over the classes present in the ground truth; oAcc is over all valid
//! pixels. `training/rtgs2_train/metrics.py` computes the same numbers (a parity test holds
//! the two together).

use serde::Serialize;

use crate::classes::{self, NUM_CLASSES};
use crate::render::IGNORE_LABEL;

/// Counts of (ground-truth id, predicted id) pairs over valid pixels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confusion {
    counts: Vec<u64>,
}

impl Default for Confusion {
    fn default() -> Self {
        Self { counts: vec![0; NUM_CLASSES * NUM_CLASSES] }
    }
}

/// One class's scores.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassScore {
    pub id: u8,
    pub name: &'static str,
    pub iou: f64,
    pub acc: f64,
    /// Valid ground-truth pixels of this class.
    pub pixels: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub miou: f64,
    pub macc: f64,
    pub oacc: f64,
    pub per_class: Vec<ClassScore>,
}

impl Confusion {
    /// Adds one view. A predicted id outside NYU40 is counted as 0 (unlabelled), a wrong
    /// answer: only ground truth decides which pixels count.
    pub fn add(&mut self, ground_truth: &[u8], predicted: &[u8]) {
        debug_assert_eq!(ground_truth.len(), predicted.len(), "one prediction per ground-truth pixel");
        for (&gt, &pred) in ground_truth.iter().zip(predicted) {
            if gt == IGNORE_LABEL || gt == 0 || gt as usize >= NUM_CLASSES {
                continue;
            }
            let pred = if (pred as usize) < NUM_CLASSES { pred as usize } else { 0 };
            self.counts[gt as usize * NUM_CLASSES + pred] += 1;
        }
    }

    pub fn merge(&mut self, other: &Confusion) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    pub fn get(&self, gt: usize, pred: usize) -> u64 {
        self.counts[gt * NUM_CLASSES + pred]
    }

    /// Valid pixels counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The scores; all zero when no valid pixel was counted.
    pub fn summary(&self) -> Summary {
        let row = |c: usize| (0..NUM_CLASSES).map(|p| self.get(c, p)).sum::<u64>();
        let col = |c: usize| (0..NUM_CLASSES).map(|g| self.get(g, c)).sum::<u64>();
        let per_class: Vec<ClassScore> = (0..NUM_CLASSES)
            .filter(|&c| row(c) > 0)
            .map(|c| {
                let (tp, gt, pred) = (self.get(c, c) as f64, row(c), col(c) as f64);
                ClassScore {
                    id: c as u8,
                    name: classes::name(c as u16),
                    iou: tp / (gt as f64 + pred - tp),
                    acc: tp / gt as f64,
                    pixels: gt,
                }
            })
            .collect();
        let mean = |f: fn(&ClassScore) -> f64| {
            if per_class.is_empty() { 0.0 } else { per_class.iter().map(f).sum::<f64>() / per_class.len() as f64 }
        };
        let total = self.total();
        let correct: u64 = (0..NUM_CLASSES).map(|c| self.get(c, c)).sum();
        Summary {
            miou: mean(|s| s.iou),
            macc: mean(|s| s.acc),
            oacc: if total > 0 { correct as f64 / total as f64 } else { 0.0 },
            per_class,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// By hand: ground truth wall ×4, floor ×2; predicted wall, wall, wall, floor | floor,
    /// chair. Wall: tp 3, gt 4, pred 3 → IoU 3/4, acc 3/4. Floor: tp 1, gt 2, pred 2 →
    /// IoU 1/3, acc 1/2. Chair is predicted but absent from the ground truth: not averaged.
    #[test]
    fn hand_computed_case() {
        let mut c = Confusion::default();
        c.add(&[1, 1, 1, 1, 2, 2], &[1, 1, 1, 2, 2, 5]);
        let s = c.summary();
        let ids: Vec<u8> = s.per_class.iter().map(|p| p.id).collect();
        assert_eq!(ids, vec![1, 2]);
        assert!(close(s.per_class[0].iou, 0.75) && close(s.per_class[0].acc, 0.75));
        assert!(close(s.per_class[1].iou, 1.0 / 3.0) && close(s.per_class[1].acc, 0.5));
        assert_eq!((s.per_class[0].pixels, s.per_class[1].pixels), (4, 2));
        assert_eq!(s.per_class[1].name, "floor");
        assert!(close(s.miou, (0.75 + 1.0 / 3.0) / 2.0));
        assert!(close(s.macc, (0.75 + 0.5) / 2.0));
        assert!(close(s.oacc, 4.0 / 6.0));
    }

    #[test]
    fn ignored_and_unlabelled_ground_truth_do_not_count_but_wrong_predictions_do() {
        let mut c = Confusion::default();
        // 255 and 0 in the ground truth are skipped whatever was predicted; a prediction of 0
        // or of an invalid id on a labelled pixel is a miss.
        c.add(&[255, 0, 7, 7, 7], &[7, 7, 7, 0, 200]);
        assert_eq!(c.total(), 3);
        assert_eq!((c.get(7, 7), c.get(7, 0)), (1, 2));
        let s = c.summary();
        assert!(close(s.oacc, 1.0 / 3.0) && close(s.miou, 1.0 / 3.0));
        assert_eq!(Confusion::default().summary(), Summary { miou: 0.0, macc: 0.0, oacc: 0.0, per_class: vec![] });
    }

    #[test]
    fn merging_views_equals_adding_them_to_one_matrix() {
        let (a_gt, a_pr, b_gt, b_pr) = ([1, 2, 3], [1, 3, 3], [3, 3, 40], [3, 1, 40]);
        let mut one = Confusion::default();
        one.add(&a_gt, &a_pr);
        one.add(&b_gt, &b_pr);
        let (mut a, mut b) = (Confusion::default(), Confusion::default());
        a.add(&a_gt, &a_pr);
        b.add(&b_gt, &b_pr);
        a.merge(&b);
        assert_eq!(a, one);
        // Per-view averaging would differ: the pooled matrix is what is reported.
        assert!(close(one.summary().oacc, 4.0 / 6.0));
    }
}

#[cfg(test)]
mod python_parity {
    use super::*;

    /// `tests/fixtures/fusion/metrics_case.json`: random ground truth (with 0 and 255) and
    /// noisy predictions, scored by `training/rtgs2_train/metrics.py`.
    #[test]
    fn rust_scores_equal_the_training_package() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fusion/metrics_case.json");
        let text = std::fs::read_to_string(path).expect("metrics_case.json exists");
        let case: serde_json::Value = serde_json::from_str(&text).expect("metrics_case.json is JSON");
        let ids = |k: &str| -> Vec<u8> {
            case[k].as_array().expect(k).iter().map(|v| v.as_u64().expect("an id") as u8).collect()
        };
        let mut c = Confusion::default();
        c.add(&ids("gt"), &ids("pred"));
        let got = c.summary();
        let want = &case["expected"];
        let num = |v: &serde_json::Value| v.as_f64().expect("a number");
        for key in ["miou", "macc", "oacc"] {
            let g = match key {
                "miou" => got.miou,
                "macc" => got.macc,
                _ => got.oacc,
            };
            assert!((g - num(&want[key])).abs() < 1e-12, "{key}: Rust {g}, Python {}", want[key]);
        }
        let classes = want["per_class"].as_array().expect("per_class");
        assert_eq!(got.per_class.len(), classes.len(), "the same classes are present");
        for (g, w) in got.per_class.iter().zip(classes) {
            assert_eq!(g.id as u64, w["id"].as_u64().expect("id"));
            assert_eq!(g.pixels, w["pixels"].as_u64().expect("pixels"));
            assert!((g.iou - num(&w["iou"])).abs() < 1e-12 && (g.acc - num(&w["acc"])).abs() < 1e-12, "class {}", g.id);
        }
    }
}
