//! WGSL sources. The splatting passes share `common.wgsl` (prepended here, since WGSL has no
//! includes); a test validates every module with naga for every variant we compile.

use super::pipeline_util::Bind::{self, Read as R, ReadWrite as W, Uniform as U};

pub const COMMON: &str = include_str!("../../../shaders/common.wgsl");
pub const SCAN: &str = include_str!("../../../shaders/scan.wgsl");
pub const PACK_INPUTS: &str = include_str!("../../../shaders/pack_inputs.wgsl");
pub const COLOUR8: &str = include_str!("../../../shaders/colour8.wgsl");
const PREPROCESS_BODY: &str = include_str!("../../../shaders/preprocess.wgsl");
const BINNING_BODY: &str = include_str!("../../../shaders/binning.wgsl");
const DISPATCH_SETUP_BODY: &str = include_str!("../../../shaders/dispatch_setup.wgsl");
const RASTER_BODY: &str = include_str!("../../../shaders/raster.wgsl");

// Each pass's bind group layout, binding i = entry i: the one list the Rust side builds its
// layout from and that the reflection test below checks against the shader's own
// `@group(0) @binding(i)` declarations (kind and access).
pub const PREPROCESS_BINDS: &[Bind] = &[U, R, R, R, R, R, R, W, W, W, W, W];
pub const BINNING_BINDS: &[Bind] = &[U, W, R, R, R, W, W, W, W, W, W];
pub const DISPATCH_SETUP_BINDS: &[Bind] = &[U, W, W];
pub const RASTER_BINDS: &[Bind] = &[U, R, R, R, R, R, R, R, R, R, R, W, W, W, W];
/// Count and total are read-write so they may live in the same buffer.
pub const SCAN_BINDS: &[Bind] = &[U, W, W, W, W];
pub const PACK_INPUTS_BINDS: &[Bind] = &[U, R, R, R, W, W];
pub const COLOUR8_BINDS: &[Bind] = &[R, W];
pub const SORT_SETUP_BINDS: &[Bind] = &[R, W, W];
pub const SORT_PASS_BINDS: &[Bind] = &[U, U, R, R, W, W, W];

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

    /// `(binding, kind)` of every resource the shader declares, from naga's reflection.
    fn declared(name: &str, source: &str) -> Vec<(u32, Bind)> {
        let module =
            naga::front::wgsl::parse_str(source).unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(source)));
        let mut out: Vec<(u32, Bind)> = module
            .global_variables
            .iter()
            .filter_map(|(_, v)| {
                let b = v.binding.as_ref()?;
                assert_eq!(b.group, 0, "{name}: every resource is in group 0");
                let kind = match v.space {
                    naga::AddressSpace::Uniform => Bind::Uniform,
                    naga::AddressSpace::Storage { access } if access.contains(naga::StorageAccess::STORE) => {
                        Bind::ReadWrite
                    }
                    naga::AddressSpace::Storage { .. } => Bind::Read,
                    other => panic!("{name}: binding {} in {other:?}, which no layout here declares", b.binding),
                };
                Some((b.binding, kind))
            })
            .collect();
        out.sort_by_key(|(i, _)| *i);
        out
    }

    /// Every pipeline's bind group layout (binding index, uniform or storage, access) is what
    /// its shader declares, for every variant compiled.
    #[test]
    fn bind_group_layouts_match_the_shaders() {
        use crate::render::gpu::sort::{SETUP_WGSL, SORT_WGSL};
        let mut cases: Vec<(String, String, &[Bind])> = vec![
            ("preprocess".into(), preprocess(), PREPROCESS_BINDS),
            ("binning".into(), binning(), BINNING_BINDS),
            ("dispatch setup".into(), dispatch_setup(), DISPATCH_SETUP_BINDS),
            ("scan".into(), SCAN.into(), SCAN_BINDS),
            ("pack inputs".into(), PACK_INPUTS.into(), PACK_INPUTS_BINDS),
            ("colour8".into(), COLOUR8.into(), COLOUR8_BINDS),
            ("radix sort setup".into(), SETUP_WGSL.into(), SORT_SETUP_BINDS),
            ("radix sort pass".into(), SORT_WGSL.into(), SORT_PASS_BINDS),
        ];
        for (dim, labels) in [(0, false), (0, true), (4, false), (32, true), (64, true)] {
            cases.push((format!("raster D {dim} labels {labels}"), raster(dim, labels, 16384), RASTER_BINDS));
        }
        for (name, source, binds) in cases {
            let expected: Vec<(u32, Bind)> = binds.iter().enumerate().map(|(i, b)| (i as u32, *b)).collect();
            assert_eq!(declared(&name, &source), expected, "{name}: layout vs shader");
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
