//! The encoder's model card (`models/encoder.json`): what the ONNX graph expects. Loading
//! checks every field the Rust precompute depends on, so a model from another recipe is
//! refused with a message instead of producing garbage.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::EncoderError;
use super::indices::{BITS, PATCH, SerialOrder};

pub const FORMAT: &str = "rtgs2-encoder/1";

#[derive(Debug, Clone, Deserialize)]
pub struct EncoderCard {
    pub format: String,
    pub feature_dim: usize,
    pub grid: f64,
    pub stages: usize,
    pub patch_size: usize,
    pub coord_bits: u32,
    pub orders: Vec<String>,
    pub used_patches: Vec<(usize, String)>,
    pub inputs: Vec<String>,
    pub output: String,
    #[serde(skip)]
    pub path: PathBuf,
}

impl EncoderCard {
    pub fn load(path: &Path) -> Result<Self, EncoderError> {
        let text = std::fs::read_to_string(path).map_err(|source| EncoderError::io(path, source))?;
        let mut card: EncoderCard = serde_json::from_str(&text)
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
        if !(self.grid.is_finite() && self.grid > 0.0) {
            return bad(format!("grid {} must be a positive number", self.grid));
        }
        if self.patch_size != PATCH || self.coord_bits != BITS {
            return bad(format!(
                "patch size {} / coordinate bits {} differ from this build's {PATCH} / {BITS}",
                self.patch_size, self.coord_bits
            ));
        }
        if !(1..=8).contains(&self.stages) || self.feature_dim == 0 || self.feature_dim > 256 {
            return bad(format!("{} stages / feature dimension {} are out of range", self.stages, self.feature_dim));
        }
        let names: Vec<&str> = SerialOrder::ALL.iter().map(|o| o.name()).collect();
        if self.orders != names {
            return bad(format!("orders {:?}, this build computes {names:?}", self.orders));
        }
        for (s, o) in &self.used_patches {
            if *s >= self.stages || SerialOrder::from_name(o).is_none() {
                return bad(format!("used patch ({s}, {o:?}) names no stage/order this build knows"));
            }
        }
        Ok(())
    }

    pub fn wanted_patches(&self) -> Vec<(usize, SerialOrder)> {
        self.used_patches
            .iter()
            .map(|(s, o)| (*s, SerialOrder::from_name(o).expect("validated when the card was loaded")))
            .collect()
    }
}
