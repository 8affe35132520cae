//! WGSL sources. The splatting passes share `common.wgsl` (prepended here, since WGSL has no
//! includes); a test validates every module with naga for every variant we compile.

pub const COMMON: &str = include_str!("../../../shaders/common.wgsl");
pub const SCAN: &str = include_str!("../../../shaders/scan.wgsl");
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

/// The raster pass specialised for `feature_dim` channels (0 to 64, even) and labels.
pub fn raster(feature_dim: u32, labels: bool) -> String {
    let body = RASTER_BODY
        .replace("{{FEATURE_DIM}}", &feature_dim.to_string())
        .replace("{{FEATURE_SLOTS}}", &feature_dim.max(1).to_string())
        .replace("{{LABELS}}", if labels { "true" } else { "false" })
        .replace("{{LABEL_SLOTS}}", if labels { "41" } else { "1" });
    format!("{COMMON}\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses and validates, then resolves override constants the way a pipeline would, so
    /// every (FEATURE_DIM, LABELS) variant we compile is checked too.
    fn validate(name: &str, source: &str, overrides: &[(&str, f64)]) {
        let module = naga::front::wgsl::parse_str(source).unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(source)));
        let info = naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::default())
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
        validate("preprocess", &preprocess(), &[]);
        validate("binning", &binning(), &[]);
        validate("dispatch setup", &dispatch_setup(), &[]);
        for dim in [0, 4, 16, 32, 64] {
            for labels in [false, true] {
                validate(&format!("raster D={dim} labels={labels}"), &raster(dim, labels), &[]);
            }
        }
    }
}
