//! The demo's prediction panel: the shipped fusion network run on each rendered view and drawn
//! in class colours next to the ground truth, with the share of labelled pixels where the two
//! agree — the method's output for users without a display.

use super::encoder_args::RuntimeArgs;
use super::fusion_args::open_model;
use crate::eval::metrics::Confusion;
use crate::fusion::{DeviceOptions, FrameInputs, FusionModel, default_model_path};
use crate::inference::ExecutionChoice;
use crate::render::Frame;

pub(crate) struct DemoSegmenter {
    model: FusionModel,
}

impl DemoSegmenter {
    /// Opens the shipped fusion model for scenes with `feature_dim`-d encoder features (`None`:
    /// no features); [`DemoSegmenter::reads_gravity_cues`] says whether the frames must also
    /// carry the gravity cues. `None` with the reason on stderr when it cannot run
    /// here; the demo's other panels do not depend on it.
    pub fn open(feature_dim: Option<usize>) -> Option<Self> {
        let path = default_model_path();
        let runtime = RuntimeArgs { ep: ExecutionChoice::Auto, threads: 0 };
        let model = match open_model(&path, &runtime, DeviceOptions::default(), &crate::encoder::default_model_path()) {
            Ok(model) => model,
            Err(e) => {
                eprintln!("warning: no prediction panel: {e:#}");
                return None;
            }
        };
        if model.card.takes_features() && feature_dim != Some(model.card.encoder_dim()) {
            let have = feature_dim.map_or("no encoder features".to_string(), |d| format!("{d}-d features"));
            eprintln!(
                "warning: no prediction panel: {} reads {}-d encoder features, the demo has {have}",
                path.display(),
                model.card.encoder_dim()
            );
            return None;
        }
        println!("fusion network: {} on {}", path.display(), model.provider);
        Some(Self { model })
    }

    /// Whether the network reads the gravity cues after the encoder's features.
    pub fn reads_gravity_cues(&self) -> bool {
        self.model.card.takes_features() && self.model.card.gravity_cues.is_some()
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
            packed: None,
            // Empty background gets no class, as `rtgs2 segment` shows it.
            alpha8: crate::fusion::coverage::alpha8(&frame.alpha),
        };
        Ok(self.model.predict(inputs)?.classes)
    }
}

/// Share of the valid ground-truth pixels (`rtgs2 eval`'s rule: neither unlabelled nor
/// ignored) where `predicted` names the same class — one view's oAcc; `None` when no pixel is
/// valid.
pub(crate) fn agreement(predicted: &[u8], truth: &[u8]) -> Option<f64> {
    let mut confusion = Confusion::default();
    confusion.add(truth, predicted);
    (confusion.total() > 0).then(|| confusion.summary().oacc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::IGNORE_LABEL;

    #[test]
    fn agreement_counts_only_labelled_pixels() {
        let truth = [1, 1, 0, IGNORE_LABEL, 5, 5];
        let predicted = [1, 2, 3, 3, 5, 7];
        assert_eq!(agreement(&predicted, &truth), Some(0.5));
        assert_eq!(agreement(&[1, 2], &[0, IGNORE_LABEL]), None);
    }
}
