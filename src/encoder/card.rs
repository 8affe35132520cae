//! The encoder's model card (`models/encoder.json`): what the ONNX graph expects. Loading
//! checks every field the Rust precompute depends on, so a model from another recipe is
//! refused with a message instead of producing garbage.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::EncoderError;
use super::indices::{BITS, PATCH, SerialOrder};
use super::inputs::InputRule;

/// The card format this build reads (`format` field).
pub const FORMAT: &str = "rtgs2-encoder/1";

/// `grid` bounds, in metres (the encoder sees scenes rescaled to metres): the shipped model
/// uses 0.05. Below a millimetre a room needs billions of voxels and the 16-bit voxel
/// coordinates span under 66 m; above 10 m a whole room is one voxel.
const GRID_RANGE: std::ops::RangeInclusive<f64> = 0.001..=10.0;
const STAGES: std::ops::RangeInclusive<usize> = 1..=8;
const FEATURE_DIM: std::ops::RangeInclusive<usize> = 1..=256;

#[derive(Debug, Clone, Deserialize)]
/// The encoder's model card: the ONNX graph's inputs and the precompute it expects, checked on load.
pub struct EncoderCard {
    /// Card format; must be [`FORMAT`].
    pub format: String,
    /// Features per Gaussian the network outputs (1-256).
    pub feature_dim: usize,
    /// Voxel size in metres (the scene is rescaled to metres first); 0.001-10.
    pub grid: f64,
    /// Encoder stages (1-8); each halves the voxel grid.
    pub stages: usize,
    /// Voxels per attention patch; must equal this build's `PATCH` (128).
    pub patch_size: usize,
    /// Bits per voxel coordinate; must equal this build's `BITS` (16).
    pub coord_bits: u32,
    /// Serialisation order names, which must be the four this build computes, in its order.
    pub orders: Vec<String>,
    /// (stage, order name) pairs whose patch tables the graph reads.
    pub used_patches: Vec<(usize, String)>,
    /// The graph's input names, in the order they are fed.
    pub inputs: Vec<String>,
    /// The graph's output name (`[gaussians, feature_dim]`).
    pub output: String,
    /// Which float inputs the network was trained on (`scene_inputs.py`); cards written
    /// before rule 2 existed have none and mean rule 1.
    #[serde(default = "first_input_rule")]
    pub input_rule: u32,
    /// The network was trained on rooms levelled to +z up and turned only about it
    /// (`train_encoder --upright`): scenes are levelled the same way before encoding
    /// ([`super::upright`]). Cards without the field mean a rotation-invariant encoder.
    #[serde(default)]
    pub upright: bool,
    #[serde(skip)]
    /// Where the card was read from (for messages); not part of the JSON.
    pub path: PathBuf,
}

fn first_input_rule() -> u32 {
    1
}

impl EncoderCard {
    /// Reads and checks the card at `path`.
    pub fn load(path: &Path) -> Result<Self, EncoderError> {
        let text = std::fs::read_to_string(path).map_err(|source| EncoderError::io(path, source))?;
        Self::parse(path, &text)
    }

    /// A card from its JSON text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Self, EncoderError> {
        let mut card: EncoderCard = serde_json::from_str(text)
            .map_err(|e| EncoderError::model(path, format!("not a valid model card: {e}")))?;
        card.path = path.to_path_buf();
        card.validate()?;
        Ok(card)
    }

    fn validate(&self) -> Result<(), EncoderError> {
        let bad = |p: String| Err(EncoderError::model(&self.path, p));
        if self.format != FORMAT {
            return bad(format!("card format {:?}, this build reads {FORMAT:?}", self.format));
        }
        if !GRID_RANGE.contains(&self.grid) {
            return bad(format!(
                "grid {} must be a voxel size in {}-{} metres",
                self.grid,
                GRID_RANGE.start(),
                GRID_RANGE.end()
            ));
        }
        if self.patch_size != PATCH {
            return bad(format!("patch_size {} differs from this build's {PATCH}", self.patch_size));
        }
        if self.coord_bits != BITS {
            return bad(format!("coord_bits {} differs from this build's {BITS}", self.coord_bits));
        }
        if !STAGES.contains(&self.stages) {
            return bad(format!("stages {} is outside {}-{}", self.stages, STAGES.start(), STAGES.end()));
        }
        if !FEATURE_DIM.contains(&self.feature_dim) {
            return bad(format!(
                "feature_dim {} is outside {}-{}",
                self.feature_dim,
                FEATURE_DIM.start(),
                FEATURE_DIM.end()
            ));
        }
        if InputRule::from_number(self.input_rule).is_none() {
            return bad(format!("input_rule {} is not one this build computes (1 or 2)", self.input_rule));
        }
        let names: Vec<&str> = SerialOrder::ALL.iter().map(|o| o.name()).collect();
        if self.orders != names {
            return bad(format!("orders {:?}, this build computes {names:?}", self.orders));
        }
        for (s, o) in &self.used_patches {
            if *s >= self.stages || SerialOrder::from_name(o).is_none() {
                return bad(format!(
                    "used_patches entry [{s}, \"{o}\"] names no stage (0-{}) and order this build knows",
                    self.stages - 1
                ));
            }
        }
        Ok(())
    }

    /// The float-input rule the network was trained with.
    pub fn input_rule(&self) -> InputRule {
        InputRule::from_number(self.input_rule).expect("validated when the card was loaded")
    }

    /// The (stage, order) patch tables the graph reads, parsed from `used_patches`.
    pub fn wanted_patches(&self) -> Vec<(usize, SerialOrder)> {
        self.used_patches
            .iter()
            .map(|(s, o)| (*s, SerialOrder::from_name(o).expect("validated when the card was loaded")))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card_json(edit: impl FnOnce(&mut serde_json::Value)) -> String {
        let orders: Vec<&str> = SerialOrder::ALL.iter().map(|o| o.name()).collect();
        let mut v = serde_json::json!({
            "format": FORMAT, "feature_dim": 32, "grid": 0.05, "stages": 4, "patch_size": PATCH,
            "coord_bits": BITS, "orders": orders, "used_patches": [[0, orders[0]], [3, orders[1]]],
            "inputs": ["voxel_feat"], "output": "features", "name": "ignored"
        });
        edit(&mut v);
        v.to_string()
    }

    fn parse(edit: impl FnOnce(&mut serde_json::Value)) -> Result<EncoderCard, EncoderError> {
        EncoderCard::parse(Path::new("/m/encoder.json"), &card_json(edit))
    }

    #[test]
    fn a_valid_card_loads() {
        let c = parse(|_| {}).expect("valid card");
        assert_eq!(c.wanted_patches().len(), 2);
        assert_eq!(c.input_rule(), InputRule::SceneNormalised, "a card without input_rule means rule 1");
        let c = parse(|v| v["input_rule"] = 2.into()).expect("rule 2 card");
        assert_eq!(c.input_rule(), InputRule::DensityFree);
    }

    /// Every number on the card is checked for a finite, sensible value, and the message
    /// names the field and the card.
    #[test]
    fn numeric_fields_out_of_range_are_named() {
        type Edit = fn(&mut serde_json::Value);
        let cases: [(Edit, &str); 11] = [
            (|v| v["input_rule"] = 3.into(), "input_rule 3"),
            (|v| v["grid"] = serde_json::json!(0), "grid 0"),
            (|v| v["grid"] = serde_json::json!(-0.05), "grid -0.05"),
            (|v| v["grid"] = serde_json::json!(1e-9), "grid 0.000000001"),
            (|v| v["grid"] = serde_json::json!(1e9), "grid 1000000000"),
            (|v| v["stages"] = 0.into(), "stages 0"),
            (|v| v["stages"] = 9.into(), "stages 9"),
            (|v| v["feature_dim"] = 0.into(), "feature_dim 0"),
            (|v| v["feature_dim"] = 1000.into(), "feature_dim 1000"),
            (|v| v["patch_size"] = 64.into(), "patch_size 64"),
            (|v| v["used_patches"] = serde_json::json!([[4, "z"]]), "used_patches entry [4, \"z\"]"),
        ];
        for (edit, expect) in cases {
            let err = parse(edit).expect_err(expect).to_string();
            assert!(err.contains(expect) && err.contains("/m/encoder.json"), "expected {expect:?} in {err}");
        }
        let err = parse(|v| v["coord_bits"] = 12.into()).expect_err("coord bits").to_string();
        assert!(err.contains("coord_bits 12"), "{err}");
    }
}
