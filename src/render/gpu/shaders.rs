//! WGSL sources. The splatting passes share `common.wgsl` (prepended here, since WGSL has no
//! includes); a test validates every module with naga for every variant we compile.

pub const COMMON: &str = include_str!("../../../shaders/common.wgsl");
pub const SCAN: &str = include_str!("../../../shaders/scan.wgsl");
pub const PACK_INPUTS: &str = include_str!("../../../shaders/pack_inputs.wgsl");
pub const COLOUR8: &str = include_str!("../../../shaders/colour8.wgsl");
const PREPROCESS_BODY: &str = include_str!("../../../shaders/preprocess.wgsl");
const BINNING_BODY: &str = include_str!("../../../shaders/binning.wgsl");
const DISPATCH_SETUP_BODY: &str = include_str!("../../../shaders/dispatch_setup.wgsl");
const RASTER_BODY: &str = include_str!("../../../shaders/raster.wgsl");

pub fn preprocess() -> String {
    format!("{COMMON}\n{PREPROCESS_BODY}")
}

pub fn binning() -> String {
    format!("{COMMON}\n{BINNING_BODY}")
}

pub fn dispatch_setup() -> String {
    format!("{COMMON}\n{DISPATCH_SETUP_BODY}")
}

/// Bytes of workgroup memory per staged splat besides its features (3 vec4 + an index).
const STAGED_BYTES: u32 = 52;
/// Workgroup memory not per splat: the feature array's minimum element and the counters.
const FIXED_BYTES: u32 = 64;

/// Splats the raster stages per batch: 256 (one per invocation) when they fit in
/// `workgroup_bytes` of workgroup memory, else the largest power of two that does.
pub fn raster_batch(feature_dim: u32, workgroup_bytes: u32) -> u32 {
    let per = STAGED_BYTES + 16 * feature_dim.div_ceil(4);
    let mut batch = 256;
    while batch > 16 && batch * per + FIXED_BYTES > workgroup_bytes {
        batch /= 2;
    }
    batch
}

/// The raster pass specialised for `feature_dim` channels (0 to 64, even), labels, and a
/// device with `workgroup_bytes` of workgroup memory.
pub fn raster(feature_dim: u32, labels: bool, workgroup_bytes: u32) -> String {
    let batch = raster_batch(feature_dim, workgroup_bytes);
    let words = feature_dim / 2;
    let body = RASTER_BODY
        .replace("{{BATCH}}", &batch.to_string())
        .replace("{{FEATURE_WORDS}}", &words.max(1).to_string())
        .replace("{{FEATURE_STAGE}}", &(batch * feature_dim.div_ceil(4)).max(1).to_string())
        .replace("{{FEATURE_VEC4S}}", &feature_dim.div_ceil(4).to_string())
        .replace("{{FEATURE_DIM}}", &feature_dim.to_string())
        .replace("{{FEATURE_SLOTS}}", &feature_dim.div_ceil(4).max(1).to_string())
        .replace("{{LABELS}}", if labels { "true" } else { "false" })
        .replace("{{LABEL_SLOTS}}", if labels { "41" } else { "1" });
    format!("{COMMON}\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raster_batches_fit_workgroup_memory() {
        for dim in (0..=64).step_by(4) {
            for bytes in [16384, 32768] {
                let b = raster_batch(dim, bytes);
                assert!(
                    b.is_power_of_two() && b <= 256 && b * (STAGED_BYTES + 16 * dim.div_ceil(4)) + FIXED_BYTES <= bytes,
                    "D {dim}: batch {b}"
                );
            }
        }
        assert_eq!(raster_batch(0, 16384), 256);
    }

    /// Parses and validates, then resolves override constants the way a pipeline would, so
    /// every (FEATURE_DIM, LABELS) variant we compile is checked too.
    /// `pack_inputs.wgsl` packs f16 pairs (`pack2x16float`), which the f16 pipeline is only
    /// made with where the adapter offers it.
    fn validate(name: &str, source: &str, overrides: &[(&str, f64)]) {
        let module =
            naga::front::wgsl::parse_str(source).unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(source)));
        let capabilities = naga::valid::Capabilities::default() | naga::valid::Capabilities::SHADER_FLOAT16_IN_FLOAT32;
        let info = naga::valid::Validator::new(naga::valid::ValidationFlags::all(), capabilities)
            .validate(&module)
            .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(source)));
        if !overrides.is_empty() {
            let constants: naga::back::PipelineConstants = overrides.iter().map(|(k, v)| (k.to_string(), *v)).collect();
            naga::back::pipeline_constants::process_overrides(&module, &info, None, &constants)
                .unwrap_or_else(|e| panic!("{name} with {overrides:?}: {e}"));
        }
    }

    #[test]
    fn every_shader_variant_validates() {
        validate("scan", SCAN, &[]);
        validate("pack inputs", PACK_INPUTS, &[]);
        validate("pack inputs, f16", PACK_INPUTS, &[("HALF", 1.0)]);
        validate("colour8", COLOUR8, &[]);
        validate("preprocess", &preprocess(), &[]);
        validate("binning", &binning(), &[]);
        validate("dispatch setup", &dispatch_setup(), &[]);
        for dim in [0, 4, 16, 32, 64] {
            for labels in [false, true] {
                for wg_bytes in [16384, 32768, 49152] {
                    validate(
                        &format!("raster D={dim} labels={labels} wg={wg_bytes}"),
                        &raster(dim, labels, wg_bytes),
                        &[],
                    );
                }
            }
        }
    }
}
