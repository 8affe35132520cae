//! The fusion network's model card (`models/fusion.json`): its inputs, output classes and the
//! exact preprocessing the training side applied. Loading checks everything the Rust path
//! depends on, so a model from another recipe is refused with a message naming the card.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::FusionError;
use super::preprocess::rgb_table;
use crate::classes::NUM_CLASSES;
use crate::render::gpu::pack::{TensorElement, TensorRecipe};

/// The card format this build reads (`format` field).
pub const FORMAT: &str = "rtgs2-fusion/1";
/// Name of the RGB graph input.
pub const RGB_INPUT: &str = "rgb";
/// Name of the features graph input.
pub const FEATURES_INPUT: &str = "features";

/// `rgb_std` bounds. RGB enters as u8 / 255, in [0, 1], whose standard deviation is at most
/// 0.5; 1 leaves it unscaled. Below 0.001 one 8-bit step (1/255) would become more than four
/// normalised units: no real image statistics, a typo or a broken export.
const RGB_STD_RANGE: std::ops::RangeInclusive<f32> = 0.001..=1.0;
/// `feature_scale` bounds. The training side sets it to 1 / RMS of the splatted encoder
/// features (10.3 for the shipped model); 1e-6..1e6 covers any RMS f32 features can carry
/// usefully. Zero erases the features, a negative value flips them, neither is a recipe.
const FEATURE_SCALE_RANGE: std::ops::RangeInclusive<f32> = 1e-6..=1e6;

#[derive(Debug, Clone, Deserialize)]
/// The fusion network's model card (the `.json` beside the `.onnx`): inputs, classes, normalisation; checked on load.
pub struct FusionCard {
    #[serde(default)]
    /// Human-readable name of the model; empty when the card has none.
    pub name: String,
    /// Card format; must be [`FORMAT`].
    pub format: String,
    /// Graph input names in order: "rgb" and/or "features".
    pub inputs: Vec<String>,
    /// Name of the graph's logits output (`[1, classes, H, W]`).
    pub output: String,
    /// D of the features input; 0 when the model takes no features.
    pub feature_dim: usize,
    /// NYU40 id of each output channel. Wider than u8 here so out-of-range ids are reported,
    /// not wrapped by the parser.
    pub class_ids: Vec<i64>,
    /// Per-channel mean subtracted from RGB in 0-1 (3 values).
    pub rgb_mean: Vec<f32>,
    /// Per-channel standard deviation RGB is divided by (3 values, 0.001-1).
    pub rgb_std: Vec<f32>,
    /// Factor on every splatted feature (1 / their RMS in training); positive.
    pub feature_scale: f32,
    /// Input height and width are padded up to a multiple of this (1-4096).
    pub size_multiple: usize,
    /// How padding is filled; only `replicate` (edge pixels repeated) is supported.
    pub padding: String,
    /// Per-Gaussian cues appended after the encoder's features, by name (absent: none). The
    /// only kind is [`crate::scene::gravity::GRAVITY_CUES`]: `feature_dim` then counts its
    /// [`crate::scene::gravity::GRAVITY_CHANNELS`] channels too.
    #[serde(default)]
    pub gravity_cues: Option<String>,
    /// SHA-256 of the encoder model the features came from (absent: not checked).
    #[serde(default)]
    pub encoder_sha256: Option<String>,
    #[serde(skip)]
    /// Where the card was read from (for messages); not part of the JSON.
    pub path: PathBuf,
}

impl FusionCard {
    /// Channels the network reads per pixel from the encoder itself (the rest are cues).
    pub fn encoder_dim(&self) -> usize {
        self.feature_dim - if self.gravity_cues.is_some() { crate::scene::gravity::GRAVITY_CHANNELS } else { 0 }
    }

    /// Reads and checks the card at `path`.
    pub fn load(path: &Path) -> Result<Self, FusionError> {
        let text = std::fs::read_to_string(path).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => {
                FusionError::model(path, "model card not found (it belongs beside the .onnx file)")
            }
            _ => FusionError::io(path, source),
        })?;
        Self::parse(path, &text)
    }

    /// A card from its JSON text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Self, FusionError> {
        let mut card: FusionCard = serde_json::from_str(text)
            .map_err(|e| FusionError::model(path, format!("not a valid fusion model card: {e}")))?;
        card.path = path.to_path_buf();
        card.validate()?;
        Ok(card)
    }

    fn validate(&self) -> Result<(), FusionError> {
        let bad = |p: String| Err(FusionError::model(&self.path, p));
        if self.format != FORMAT {
            return bad(format!("card format {:?}, this build reads {FORMAT:?}", self.format));
        }
        let known = [RGB_INPUT, FEATURES_INPUT];
        if self.inputs.is_empty() || self.inputs.iter().any(|i| !known.contains(&i.as_str())) {
            return bad(format!("inputs {:?} must be a non-empty selection of {known:?}", self.inputs));
        }
        if self.inputs.iter().filter(|i| *i == RGB_INPUT).count() > 1
            || self.inputs.iter().filter(|i| *i == FEATURES_INPUT).count() > 1
        {
            return bad(format!("inputs {:?} name an input twice", self.inputs));
        }
        match (self.takes_features(), self.feature_dim) {
            (true, 0) => return bad("feature_dim is 0 but the inputs include \"features\"".into()),
            (false, d) if d != 0 => {
                return bad(format!("feature_dim is {d} but the inputs do not include \"features\""));
            }
            (true, d) if d > 256 => return bad(format!("feature_dim {d} is out of range (1..=256)")),
            _ => {}
        }
        if let Some(cues) = &self.gravity_cues {
            use crate::scene::gravity::{GRAVITY_CHANNELS, GRAVITY_CUES};
            if cues != GRAVITY_CUES {
                return bad(format!("gravity_cues {cues:?}: this build computes {GRAVITY_CUES:?} only"));
            }
            if self.feature_dim <= GRAVITY_CHANNELS {
                return bad(format!(
                    "feature_dim {} leaves no encoder channels beside the {GRAVITY_CHANNELS} gravity cues",
                    self.feature_dim
                ));
            }
        }
        if self.output.is_empty() {
            return bad("output name is empty".into());
        }
        if self.class_ids.is_empty() {
            return bad("class_ids is empty".into());
        }
        let mut seen = [false; NUM_CLASSES];
        for &id in &self.class_ids {
            if !(1..NUM_CLASSES as i64).contains(&id) {
                return bad(format!("class id {id} is not an NYU40 id (1..=40)"));
            }
            if std::mem::replace(&mut seen[id as usize], true) {
                return bad(format!("class id {id} appears twice in class_ids"));
            }
        }
        // RGB enters as u8 / 255, so its mean is in [0, 1]; range checks are written so that
        // NaN fails them.
        if self.rgb_mean.len() != 3 || !self.rgb_mean.iter().all(|m| (0.0..=1.0).contains(m)) {
            return bad(format!("rgb_mean {} must be 3 numbers in 0-1 (RGB is u8 / 255)", list(&self.rgb_mean)));
        }
        if self.rgb_std.len() != 3 || !self.rgb_std.iter().all(|s| RGB_STD_RANGE.contains(s)) {
            return bad(format!(
                "rgb_std {} must be 3 numbers in {}-{} (the spread of u8 / 255 values)",
                list(&self.rgb_std),
                RGB_STD_RANGE.start(),
                RGB_STD_RANGE.end()
            ));
        }
        if !FEATURE_SCALE_RANGE.contains(&self.feature_scale) {
            return bad(format!(
                "feature_scale {} must be a positive number in {:e}-{:e} (it is 1 / RMS of the features)",
                self.feature_scale,
                FEATURE_SCALE_RANGE.start(),
                FEATURE_SCALE_RANGE.end()
            ));
        }
        if !(1..=4096).contains(&self.size_multiple) {
            return bad(format!("size_multiple {} must be in 1..=4096", self.size_multiple));
        }
        if self.padding != "replicate" {
            return bad(format!("padding {:?}: this build pads by \"replicate\" only", self.padding));
        }
        Ok(())
    }

    /// Whether the graph has an `rgb` input.
    pub fn takes_rgb(&self) -> bool {
        self.inputs.iter().any(|i| i == RGB_INPUT)
    }

    /// Whether the graph has a `features` input.
    pub fn takes_features(&self) -> bool {
        self.inputs.iter().any(|i| i == FEATURES_INPUT)
    }

    /// Output channel → NYU40 id (validated to fit in 1..=40).
    pub fn class_ids_u8(&self) -> Vec<u8> {
        self.class_ids.iter().map(|&id| id as u8).collect()
    }

    /// `rgb_mean` as an array.
    pub fn mean3(&self) -> [f32; 3] {
        [self.rgb_mean[0], self.rgb_mean[1], self.rgb_mean[2]]
    }

    /// `rgb_std` as an array.
    pub fn std3(&self) -> [f32; 3] {
        [self.rgb_std[0], self.rgb_std[1], self.rgb_std[2]]
    }

    /// How the GPU packs a frame into this network's inputs (the same normalisation,
    /// scale and padding as [`super::preprocess`]), its values stored as `element`.
    pub fn tensor_recipe(&self, element: TensorElement) -> TensorRecipe {
        TensorRecipe {
            rgb_table: self.takes_rgb().then(|| rgb_table(self.mean3(), self.std3())),
            feature_scale: self.takes_features().then_some(self.feature_scale),
            size_multiple: self.size_multiple,
            element,
        }
    }
}

/// `[a, b, c]` for a message (plain numbers, no Rust syntax).
fn list(v: &[f32]) -> String {
    format!("[{}]", v.iter().map(f32::to_string).collect::<Vec<_>>().join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card_json(edit: impl FnOnce(&mut serde_json::Value)) -> String {
        let mut v = serde_json::json!({
            "name": "t", "format": FORMAT, "inputs": ["rgb", "features"], "output": "logits",
            "feature_dim": 32, "class_ids": [1, 2, 5, 40],
            "rgb_mean": [0.5, 0.5, 0.5], "rgb_std": [0.25, 0.25, 0.25], "feature_scale": 1.0,
            "size_multiple": 32, "padding": "replicate", "encoder_sha256": "ab", "recipe": {"ignored": true}
        });
        edit(&mut v);
        v.to_string()
    }

    fn parse(edit: impl FnOnce(&mut serde_json::Value)) -> Result<FusionCard, FusionError> {
        FusionCard::parse(Path::new("/m/fusion.json"), &card_json(edit))
    }

    #[test]
    fn a_valid_card_loads_and_ignores_informational_keys() {
        let c = parse(|_| {}).expect("valid card");
        assert!(c.takes_rgb() && c.takes_features());
        assert_eq!(c.class_ids_u8(), vec![1, 2, 5, 40]);
        let rgb_only = parse(|v| {
            v["inputs"] = serde_json::json!(["rgb"]);
            v["feature_dim"] = serde_json::json!(0);
        })
        .expect("rgb-only card");
        assert!(!rgb_only.takes_features());
    }

    #[test]
    fn gravity_cues_count_in_feature_dim_but_not_in_the_encoders_width() {
        let card = parse(|v| v["gravity_cues"] = "gravity-v1".into()).expect("valid");
        assert_eq!((card.feature_dim, card.encoder_dim()), (32, 28));
        assert_eq!(parse(|_| {}).expect("valid").encoder_dim(), 32);
    }

    #[test]
    fn each_broken_field_is_named() {
        type Edit = fn(&mut serde_json::Value);
        let cases: [(Edit, &str); 13] = [
            (|v| v["gravity_cues"] = "gravity-v9".into(), "gravity_cues \"gravity-v9\""),
            (
                |v| {
                    v["gravity_cues"] = "gravity-v1".into();
                    v["feature_dim"] = 4.into();
                },
                "no encoder channels",
            ),
            (|v| v["format"] = "other/2".into(), "card format"),
            (|v| v["inputs"] = serde_json::json!([]), "non-empty"),
            (|v| v["inputs"] = serde_json::json!(["rgb", "depth"]), "non-empty"),
            (|v| v["inputs"] = serde_json::json!(["rgb", "rgb"]), "twice"),
            (|v| v["feature_dim"] = 0.into(), "feature_dim is 0"),
            (|v| v["class_ids"] = serde_json::json!([1, 41]), "class id 41"),
            (|v| v["class_ids"] = serde_json::json!([3, 0]), "class id 0"),
            (|v| v["class_ids"] = serde_json::json!([3, 3]), "twice"),
            (|v| v["rgb_std"] = serde_json::json!([1.0, 0.0, 1.0]), "rgb_std"),
            (|v| v["rgb_mean"] = serde_json::json!([1.0, 0.0]), "rgb_mean"),
            (|v| v["padding"] = "zeros".into(), "replicate"),
        ];
        for (edit, expect) in cases {
            let err = parse(edit).expect_err(expect).to_string();
            assert!(err.contains(expect) && err.contains("/m/fusion.json"), "expected {expect:?} in {err}");
        }
        let err = parse(|v| v["size_multiple"] = 0.into()).expect_err("size multiple").to_string();
        assert!(err.contains("size_multiple"), "{err}");
        let err = parse(|v| v["size_multiple"] = 5000.into()).expect_err("size multiple").to_string();
        assert!(err.contains("size_multiple"), "{err}");
        let err = parse(|v| {
            v["inputs"] = serde_json::json!(["rgb"]);
            v["feature_dim"] = 8.into();
        });
        assert!(err.expect_err("a dim without a features input").to_string().contains("do not include"));
    }

    /// Every number on the card must be finite and in a sensible range: feature_scale −1e9
    /// or 0 used to load. (JSON cannot spell NaN or infinity, and numbers beyond f32 are
    /// refused by the parser.)
    #[test]
    fn numeric_fields_out_of_range_are_named() {
        type Edit = fn(&mut serde_json::Value);
        let cases: [(Edit, &str); 12] = [
            (|v| v["feature_scale"] = serde_json::json!(-1e9), "feature_scale -1000000000"),
            (|v| v["feature_scale"] = serde_json::json!(0), "feature_scale 0"),
            (|v| v["feature_scale"] = serde_json::json!(1e-9), "feature_scale 0.000000001"),
            (|v| v["feature_scale"] = serde_json::json!(1e7), "feature_scale 10000000"),
            (|v| v["rgb_mean"] = serde_json::json!([0.5, -0.5, 0.5]), "rgb_mean [0.5, -0.5, 0.5]"),
            (|v| v["rgb_mean"] = serde_json::json!([0.5, 0.5, 300]), "rgb_mean"),
            (|v| v["rgb_mean"] = serde_json::json!([0.5, 0.5, 2]), "rgb_mean [0.5, 0.5, 2]"),
            (|v| v["rgb_std"] = serde_json::json!([0.2, -0.2, 0.2]), "rgb_std"),
            (|v| v["rgb_std"] = serde_json::json!([0.2, 0.2, 1e-5]), "rgb_std"),
            (|v| v["rgb_std"] = serde_json::json!([0.2, 0.2, 50]), "rgb_std"),
            (|v| v["feature_dim"] = 300.into(), "feature_dim 300"),
            (|v| v["class_ids"] = serde_json::json!([1, -3]), "class id -3"),
        ];
        for (edit, expect) in cases {
            let err = parse(edit).expect_err(expect).to_string();
            assert!(err.contains(expect) && err.contains("/m/fusion.json"), "expected {expect:?} in {err}");
        }
        // NaN and numbers beyond f32 never reach the checks: the parser refuses them, naming
        // the card.
        for spelled in ["NaN", "1e39", "-1e39"] {
            let text = card_json(|_| {}).replace("\"feature_scale\":1.0", &format!("\"feature_scale\":{spelled}"));
            assert!(text.contains(spelled));
            let err = FusionCard::parse(Path::new("/m/fusion.json"), &text).expect_err(spelled).to_string();
            assert!(err.contains("/m/fusion.json"), "{err}");
        }
        // NaN fails every range check, should a card be built some other way.
        let mut card = parse(|_| {}).expect("valid");
        card.feature_scale = f32::NAN;
        assert!(card.validate().expect_err("NaN").to_string().contains("feature_scale NaN"));
        let mut card = parse(|_| {}).expect("valid");
        card.rgb_mean[1] = f32::NAN;
        assert!(card.validate().expect_err("NaN").to_string().contains("rgb_mean [0.5, NaN, 0.5]"));
        // The edges of the ranges load.
        parse(|v| {
            v["rgb_mean"] = serde_json::json!([0.0, 1.0, 0.5]);
            v["rgb_std"] = serde_json::json!([0.001, 1.0, 0.5]);
            v["feature_scale"] = serde_json::json!(1e6);
        })
        .expect("in range");
    }
}
