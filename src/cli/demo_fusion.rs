//! The demo's prediction panel: the shipped fusion network run on each rendered view and drawn
//! in class colours next to the ground truth, with the share of labelled pixels where the two
//! agree — the method's output for users without a display.

use crate::fusion::{FrameInputs, FusionModel, default_model_path, encoder_mismatch};
use crate::inference::ExecutionChoice;
use crate::render::{Frame, IGNORE_LABEL};

pub(crate) struct DemoSegmenter {
    model: FusionModel,
}

impl DemoSegmenter {
    /// Opens the shipped fusion model for frames carrying `feature_dim` splatted encoder
    /// channels (`None`: no features). `None` with the reason on stderr when it cannot run
    /// here; the demo's other panels do not depend on it.
    pub fn open(feature_dim: Option<usize>) -> Option<Self> {
        let path = default_model_path();
        let model = match FusionModel::open(&path, ExecutionChoice::Auto, 0) {
            Ok(model) => model,
            Err(e) => {
                eprintln!("warning: no prediction panel: {e}");
                return None;
            }
        };
        if model.card.takes_features() {
            if feature_dim != Some(model.card.feature_dim) {
                let have = feature_dim.map_or("no encoder features".to_string(), |d| format!("{d}-d features"));
                eprintln!(
                    "warning: no prediction panel: {} reads {}-d encoder features, the demo has {have}",
                    path.display(),
                    model.card.feature_dim
                );
                return None;
            }
            if let Some(w) = encoder_mismatch(&model.card, &crate::encoder::default_model_path()) {
                eprintln!("warning: {w}");
            }
        }
        println!("fusion network: {} on {}", path.display(), model.provider);
        Some(Self { model })
    }

    /// NYU40 class per pixel of `frame` (whose 8-bit colour is `rgb8`).
    pub fn classes(&mut self, frame: &Frame, rgb8: &[u8]) -> anyhow::Result<Vec<u8>> {
        let takes_features = self.model.card.takes_features();
        let inputs = FrameInputs {
            width: frame.width as usize,
            height: frame.height as usize,
            rgb8: rgb8.to_vec(),
            features: if takes_features { frame.features.clone() } else { Vec::new() },
            feature_dim: if takes_features { frame.feature_dim } else { 0 },
        };
        Ok(self.model.predict(&inputs)?.classes)
    }
}

/// Share of the labelled ground-truth pixels (neither unlabelled 0 nor ignored) where
/// `predicted` names the same class; `None` when no pixel is labelled.
pub(crate) fn agreement(predicted: &[u8], truth: &[u8]) -> Option<f64> {
    let (mut labelled, mut same) = (0usize, 0usize);
    for (&p, &t) in predicted.iter().zip(truth) {
        if t != 0 && t != IGNORE_LABEL {
            labelled += 1;
            same += usize::from(p == t);
        }
    }
    (labelled > 0).then(|| same as f64 / labelled as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agreement_counts_only_labelled_pixels() {
        let truth = [1, 1, 0, IGNORE_LABEL, 5, 5];
        let predicted = [1, 2, 3, 3, 5, 7];
        assert_eq!(agreement(&predicted, &truth), Some(0.5));
        assert_eq!(agreement(&[1, 2], &[0, IGNORE_LABEL]), None);
    }
}
