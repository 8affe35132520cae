//! Segmentation metrics as in Semantic-NeRF / RT-GS2 (DESIGN.md): one confusion matrix over
//! all evaluated views, indexed [ground truth, prediction] by NYU40 id. Valid pixels have a
//! ground truth that is neither ignored (255: accumulated alpha under 0.5) nor unlabelled (0).
//! mIoU and mAcc average over the classes present in the ground truth; oAcc is over all valid
//! pixels. A [`ClassProtocol`] picks the classes scored: every NYU40 class, or ScanNet's 20
//! benchmark classes (ground truth of any other class is then not counted at all, and a
//! prediction outside the 20 on a counted pixel is a miss). `training/rtgs2_train/metrics.py`
//! computes the same numbers (a parity test holds the two together).

use serde::Serialize;

use crate::classes::IGNORE_LABEL;
use crate::classes::{self, NUM_CLASSES};

/// NYU40 ids of ScanNet's 20 benchmark classes: wall, floor, cabinet, bed, chair, sofa, table,
/// door, window, bookshelf, picture, counter, desk, curtain, refrigerator, shower curtain,
/// toilet, sink, bathtub, other furniture.
pub const SCANNET20: [u8; 20] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 24, 28, 33, 34, 36, 39];

/// Which ground-truth classes are scored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, clap::ValueEnum)]
pub enum ClassProtocol {
    /// Every NYU40 class (1-40) present in the ground truth.
    #[default]
    #[serde(rename = "all")]
    #[value(name = "all")]
    All,
    /// ScanNet's 20 benchmark classes (NYU40 ids 1-12, 14, 16, 24, 28, 33, 34, 36, 39): pixels
    /// whose ground truth is another class are not counted; a prediction outside the 20 on a
    /// counted pixel is a miss.
    #[serde(rename = "scannet20")]
    #[value(name = "scannet20")]
    ScanNet20,
}

impl ClassProtocol {
    /// The name the command line and the JSON output use.
    pub fn name(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::ScanNet20 => "scannet20",
        }
    }

    /// Whether ground truth of NYU40 id `id` (1-40) is scored.
    pub fn scores(self, id: usize) -> bool {
        match self {
            Self::All => (1..NUM_CLASSES).contains(&id),
            Self::ScanNet20 => id < NUM_CLASSES && SCANNET20.contains(&(id as u8)),
        }
    }

    /// A line saying what is averaged, for printed tables.
    pub fn describe(self) -> &'static str {
        match self {
            Self::All => "all NYU40 classes",
            Self::ScanNet20 => "ScanNet's 20 benchmark classes (other ground truth ignored)",
        }
    }
}

impl std::fmt::Display for ClassProtocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

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
    /// NYU40 id.
    pub id: u8,
    /// Its name.
    pub name: &'static str,
    /// Intersection over union: TP / (TP + FP + FN).
    pub iou: f64,
    /// Accuracy (recall): TP / ground-truth pixels.
    pub acc: f64,
    /// Valid ground-truth pixels of this class.
    pub pixels: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
/// Scores over the classes present in the ground truth.
pub struct Summary {
    /// Mean IoU over the classes present.
    pub miou: f64,
    /// Mean accuracy over the classes present.
    pub macc: f64,
    /// Overall accuracy: correct valid pixels / valid pixels.
    pub oacc: f64,
    /// Each present class's scores, by id.
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

    /// Adds `other`'s counts to this matrix.
    pub fn merge(&mut self, other: &Confusion) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    /// Pixels with ground truth `gt` predicted as `pred`.
    pub fn get(&self, gt: usize, pred: usize) -> u64 {
        self.counts[gt * NUM_CLASSES + pred]
    }

    /// Valid pixels counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The scores over every NYU40 class ([`ClassProtocol::All`]).
    pub fn summary(&self) -> Summary {
        self.summary_for(ClassProtocol::All)
    }

    /// The scores under `protocol`: the rows of ground-truth classes it does not score are
    /// dropped (those pixels are not counted at all), while every prediction on the rows kept
    /// stays, so a predicted class outside the protocol is a miss. All zero when no pixel is
    /// left.
    pub fn summary_for(&self, protocol: ClassProtocol) -> Summary {
        self.scored_rows(protocol).summary_of_all()
    }

    /// This matrix with the rows of ground-truth classes `protocol` does not score zeroed.
    pub fn scored_rows(&self, protocol: ClassProtocol) -> Confusion {
        let mut kept = self.clone();
        for (gt, row) in kept.counts.chunks_exact_mut(NUM_CLASSES).enumerate() {
            if !protocol.scores(gt) {
                row.fill(0);
            }
        }
        kept
    }

    fn summary_of_all(&self) -> Summary {
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

    /// By hand, ScanNet's 20 classes: ground truth wall ×3, blinds ×2 (13, not one of the
    /// 20), other prop ×1 (40, neither), refrigerator ×2, plus 0 and 255. Predicted: wall,
    /// wall, blinds | blinds, wall | refrigerator | refrigerator, other prop | chair, chair.
    /// Blinds and other prop are not counted, nor what was predicted on them (the wall on a
    /// blinds pixel is no false positive); blinds and other prop predicted on counted pixels
    /// are misses. Wall: tp 2, gt 3, pred 2 → IoU 2/3, acc 2/3. Refrigerator: tp 1, gt 2,
    /// pred 1 → IoU 1/2, acc 1/2. oAcc 3/5 over the 5 counted pixels.
    #[test]
    fn scannet20_ignores_other_ground_truth_and_misses_other_predictions() {
        let mut c = Confusion::default();
        c.add(&[1, 1, 1, 13, 13, 40, 24, 24, 0, 255], &[1, 1, 13, 13, 1, 24, 24, 40, 5, 5]);
        let s = c.summary_for(ClassProtocol::ScanNet20);
        let scores: Vec<(u8, f64, f64, u64)> = s.per_class.iter().map(|p| (p.id, p.iou, p.acc, p.pixels)).collect();
        assert_eq!(scores.len(), 2, "{scores:?}");
        assert_eq!((scores[0].0, scores[0].3, scores[1].0, scores[1].3), (1, 3, 24, 2));
        assert!(close(scores[0].1, 2.0 / 3.0) && close(scores[0].2, 2.0 / 3.0), "{scores:?}");
        assert!(close(scores[1].1, 0.5) && close(scores[1].2, 0.5), "{scores:?}");
        assert!(close(s.miou, 7.0 / 12.0) && close(s.macc, 7.0 / 12.0));
        assert!(close(s.oacc, 3.0 / 5.0));
        // Every NYU40 class: blinds and other prop count, and the wall predicted on blinds is
        // a false positive of wall (IoU 2/4).
        let all = c.summary_for(ClassProtocol::All);
        assert_eq!(all, c.summary());
        assert_eq!(all.per_class.iter().map(|p| p.id).collect::<Vec<_>>(), vec![1, 13, 24, 40]);
        assert!(close(all.per_class[0].iou, 0.5) && close(all.oacc, 4.0 / 8.0));
        // Only the 20 classes' rows remain, whole.
        let kept = c.scored_rows(ClassProtocol::ScanNet20);
        assert_eq!((kept.total(), kept.get(1, 13), kept.get(24, 40), kept.get(13, 1)), (5, 1, 1, 0));
    }

    #[test]
    fn protocols_name_their_classes() {
        assert_eq!(SCANNET20.len(), 20);
        let scored: Vec<usize> = (0..256).filter(|&id| ClassProtocol::ScanNet20.scores(id)).collect();
        assert_eq!(scored, SCANNET20.iter().map(|&id| id as usize).collect::<Vec<_>>());
        assert_eq!(
            (0..256).filter(|&id| ClassProtocol::All.scores(id)).collect::<Vec<_>>(),
            (1..41).collect::<Vec<_>>()
        );
        assert_eq!(
            (ClassProtocol::All.to_string(), ClassProtocol::ScanNet20.to_string()),
            ("all".into(), "scannet20".into())
        );
        assert_eq!(serde_json::to_value(ClassProtocol::ScanNet20).expect("serialises"), serde_json::json!("scannet20"));
        assert_eq!(ClassProtocol::default(), ClassProtocol::All);
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

    /// `tests/fixtures/fusion/metrics_case.json`: random ground truth (with 0, 255 and classes
    /// outside ScanNet's 20) and noisy predictions, scored by `training/rtgs2_train/metrics.py`
    /// under both protocols (`expected`: all classes, `expected_scannet20`); made by
    /// `training/rtgs2_train/make_metrics_fixture.py`.
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
        for (block, protocol) in [("expected", ClassProtocol::All), ("expected_scannet20", ClassProtocol::ScanNet20)] {
            let got = c.summary_for(protocol);
            let want = &case[block];
            assert!(want.is_object(), "metrics_case.json has {block}");
            let num = |v: &serde_json::Value| v.as_f64().expect("a number");
            for key in ["miou", "macc", "oacc"] {
                let g = match key {
                    "miou" => got.miou,
                    "macc" => got.macc,
                    _ => got.oacc,
                };
                assert!((g - num(&want[key])).abs() < 1e-12, "{block} {key}: Rust {g}, Python {}", want[key]);
            }
            let classes = want["per_class"].as_array().expect("per_class");
            assert_eq!(got.per_class.len(), classes.len(), "{block}: the same classes are present");
            for (g, w) in got.per_class.iter().zip(classes) {
                assert_eq!(g.id as u64, w["id"].as_u64().expect("id"), "{block}");
                assert_eq!(g.pixels, w["pixels"].as_u64().expect("pixels"), "{block}");
                let close = (g.iou - num(&w["iou"])).abs() < 1e-12 && (g.acc - num(&w["acc"])).abs() < 1e-12;
                assert!(close, "{block}: class {}", g.id);
            }
        }
    }
}
