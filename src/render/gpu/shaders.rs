//! Every WGSL source the crate compiles, assembled here and only here: each pipeline's full
//! text comes from one function below (WGSL has no includes, so the splatting passes get
//! `common.wgsl` prepended and the sort passes `radix_sort_shared.wgsl`), and
//! [`super::pipeline_util::shader`] is the one place a module is made from it. The tests
//! below walk [`catalogue`], so a new shader is validated with naga and its bind group layout
//! checked as soon as it is listed there.

use std::borrow::Cow;

use super::pipeline_util::Bind::{self, Read as R, ReadWrite as W, Uniform as U, WriteTexture};

const COMMON: &str = include_str!("../../../shaders/common.wgsl");
const SCAN: &str = include_str!("../../../shaders/scan.wgsl");
const PACK_INPUTS: &str = include_str!("../../../shaders/pack_inputs.wgsl");
const COLOUR8: &str = include_str!("../../../shaders/colour8.wgsl");
const PRESENT: &str = include_str!("../../../shaders/present.wgsl");
const PREPROCESS_BODY: &str = include_str!("../../../shaders/preprocess.wgsl");
const BINNING_BODY: &str = include_str!("../../../shaders/binning.wgsl");
const DISPATCH_SETUP_BODY: &str = include_str!("../../../shaders/dispatch_setup.wgsl");
const RASTER_BODY: &str = include_str!("../../../shaders/raster.wgsl");
const SCATTER_BODY: &str = include_str!("../../../shaders/scatter.wgsl");

/// The radix sort's passes (shared declarations first), joined at compile time.
pub const SORT_WGSL: &str =
    concat!(include_str!("../../../shaders/radix_sort_shared.wgsl"), include_str!("../../../shaders/radix_sort.wgsl"));
/// The radix sort's set-up pass.
pub const SETUP_WGSL: &str = concat!(
    include_str!("../../../shaders/radix_sort_shared.wgsl"),
    include_str!("../../../shaders/radix_sort_setup.wgsl")
);

/// The texture format the display pass writes (`texture_storage_2d<rgba8unorm, write>`).
pub const PRESENT_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

// Each pass's bind group layouts, group g = entry g and binding i of it = entry i: the one
// list the Rust side builds its layouts from and that the reflection test below checks
// against the shader's own `@group(g) @binding(i)` declarations (kind and access). Passes that
// bind scene buffers keep them in group [`SCENE_GROUP`] and the frame target's in
// [`TARGET_GROUP`], so each group is made once by the owner of its buffers.
/// The group of the preprocess and raster passes that binds scene buffers (read-only: one
/// scene serves every target).
pub const SCENE_GROUP: u32 = 0;
/// The group of the preprocess and raster passes that binds the frame target's buffers.
pub const TARGET_GROUP: u32 = 1;
/// Bindings of the preprocess pass (projection, colour, tile rectangles): the scene's
/// positions, covariances and SH; the target's uniforms and per-splat outputs.
pub const PREPROCESS_BINDS: &[&[Bind]] = &[&[R, R, R, R, R, R], &[U, W, W, W, W, W]];
/// Bindings of the binning passes (compact, tile counts, pair emission, tile ranges).
pub const BINNING_BINDS: &[Bind] = &[U, W, R, R, R, W, W, W, W, W, W];
/// Bindings of the indirect-dispatch set-up pass.
pub const DISPATCH_SETUP_BINDS: &[Bind] = &[U, W, W];
/// Bindings of the raster pass: the scene's splatted feature set and labels; the target's
/// uniforms, tile lists, splats and output images.
pub const RASTER_BINDS: &[&[Bind]] = &[&[R, R, R, R, R], &[U, R, R, R, R, R, W, W, W, W]];
/// Bindings of lifting's scatter pass: the target's uniforms, counters (for the overflow
/// flag), tile lists and splats; the lift's per-pixel values and per-Gaussian sums and weights.
pub const SCATTER_BINDS: &[&[Bind]] = &[&[U, R, R, R, R, R], &[R, W, W]];
/// Count and total are read-write so they may live in the same buffer.
pub const SCAN_BINDS: &[Bind] = &[U, W, W, W, W];
/// Bindings of the input packing pass.
pub const PACK_INPUTS_BINDS: &[Bind] = &[U, R, R, R, W, W];
/// Bindings of the 8-bit colour pass.
pub const COLOUR8_BINDS: &[Bind] = &[R, W];
/// Bindings of the radix sort's set-up pass.
pub const SORT_SETUP_BINDS: &[Bind] = &[R, W, W];
/// Bindings of a radix sort pass.
pub const SORT_PASS_BINDS: &[Bind] = &[U, U, R, R, W, W, W];
/// Bindings of the viewer's display pass.
pub const PRESENT_BINDS: &[Bind] = &[U, R, R, R, R, R, U, W, WriteTexture(PRESENT_FORMAT), R];

/// One shader module's complete WGSL and the label its module gets.
#[derive(Clone, Debug)]
pub struct Wgsl {
    /// Module label (also the variant's name in test messages).
    pub label: &'static str,
    /// The complete WGSL text.
    pub source: Cow<'static, str>,
}

impl Wgsl {
    fn fixed(label: &'static str, source: &'static str) -> Self {
        Self { label, source: Cow::Borrowed(source) }
    }

    /// `body` after the splatting passes' shared declarations.
    fn with_common(label: &'static str, body: &str) -> Self {
        Self { label, source: Cow::Owned(format!("{COMMON}\n{body}")) }
    }
}

/// The per-Gaussian preprocess pass: cull, project, colour, tile rectangle.
pub fn preprocess() -> Wgsl {
    Wgsl::with_common("preprocess", PREPROCESS_BODY)
}

/// The binning passes: compact, tile counts, pair emission, tile ranges.
pub fn binning() -> Wgsl {
    Wgsl::with_common("binning", BINNING_BODY)
}

/// Turns GPU-side counts into indirect dispatch sizes.
pub fn dispatch_setup() -> Wgsl {
    Wgsl::with_common("dispatch setup", DISPATCH_SETUP_BODY)
}

/// The exclusive prefix sum (reduce-then-scan).
pub fn scan() -> Wgsl {
    Wgsl::fixed("scan", SCAN)
}

/// The input packing pass; its f16 variant is the override constant `HALF`, not a second text.
pub fn pack_inputs() -> Wgsl {
    Wgsl::fixed("pack inputs", PACK_INPUTS)
}

/// The rendered colour as 8-bit RGBA words, for pictures and the overlay.
pub fn colour8() -> Wgsl {
    Wgsl::fixed("colour8", COLOUR8)
}

/// The radix sort's set-up pass (counts to dispatch sizes).
pub fn sort_setup() -> Wgsl {
    Wgsl::fixed("radix_sort_setup.wgsl", SETUP_WGSL)
}

/// A radix sort pass (histogram, scan and scatter of one digit).
pub fn sort_pass() -> Wgsl {
    Wgsl::fixed("radix_sort.wgsl", SORT_WGSL)
}

/// The viewer's display pass (`app::present`).
pub fn present() -> Wgsl {
    Wgsl::fixed("present", PRESENT)
}

/// Bytes of workgroup memory per staged splat besides its features (3 vec4 + a label id).
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
pub fn raster(feature_dim: u32, labels: bool, workgroup_bytes: u32) -> Wgsl {
    let batch = raster_batch(feature_dim, workgroup_bytes);
    let words = feature_dim / 2;
    let body = RASTER_BODY
        .replace("{{BATCH}}", &batch.to_string())
        .replace("{{FEATURE_WORDS}}", &words.max(1).to_string())
        .replace("{{FEATURE_STAGE}}", &(batch * feature_dim.div_ceil(4)).max(1).to_string())
        .replace("{{FEATURE_VEC4S}}", &feature_dim.div_ceil(4).to_string())
        .replace("{{FEATURE_DIM}}", &feature_dim.to_string())
        .replace("{{FEATURE_SLOTS}}", &feature_dim.div_ceil(4).max(1).to_string())
        .replace("{{FEATURE_ACCUMULATE}}", &feature_accumulate(feature_dim))
        .replace("{{FEATURE_STORE}}", &feature_store(feature_dim))
        .replace("{{LABELS}}", if labels { "true" } else { "false" })
        .replace("{{LABEL_SLOTS}}", if labels { "41" } else { "1" });
    Wgsl::with_common("raster", &body)
}

/// The raster's per-splat feature blend, one statement per vec4 with constant indices (the
/// shader's comment says why it is not a loop); value * alpha * T, the reference's association.
fn feature_accumulate(feature_dim: u32) -> String {
    (0..feature_dim.div_ceil(4))
        .map(|i| format!("                feat[{i}] = feat[{i}] + s_feat[sk + {i}u] * alpha * t;\n"))
        .collect()
}

/// The raster's feature write-out, one statement per channel with constant indices.
fn feature_store(feature_dim: u32) -> String {
    (0..feature_dim).map(|f| format!("    out_features[fp + {f}u] = feat[{}][{}];\n", f / 4, f % 4)).collect()
}

/// Entries of a tile's list the scatter reduces at a time: its workgroup memory holds 1 320
/// bytes per entry (256 weights, 256 packed 8-bit pixel indices, the staged splat, its index
/// and a count), so 12 fit in the 16 KiB every device offers (a test below checks the total).
pub const SCATTER_CHUNK: u32 = 12;

/// Lifting's scatter pass (the raster's transpose) specialised for `k` channels per pixel.
pub fn scatter(k: u32) -> Wgsl {
    let body = SCATTER_BODY
        .replace("{{K}}", &k.to_string())
        .replace("{{CHUNK}}", &SCATTER_CHUNK.to_string())
        .replace("{{SLOTS}}", &(SCATTER_CHUNK * 256).to_string())
        .replace("{{PIXEL_WORDS}}", &(SCATTER_CHUNK * 64).to_string());
    Wgsl::with_common("scatter", &body)
}

/// One compiled variant: a name for messages, its source, its layout, and the override
/// constants a pipeline of it may set (each set is checked; `[]` = none).
pub struct Variant {
    /// Name for messages (the label, plus the variant's parameters).
    pub name: String,
    /// Its source.
    pub wgsl: Wgsl,
    /// Its bind group layouts, group g = entry g, binding i of it = entry i.
    pub groups: &'static [&'static [Bind]],
    /// Each set of override constants a pipeline of it may set; `[[]]` for none.
    pub overrides: Vec<Vec<(&'static str, f64)>>,
}

/// Every source above in every variant a pipeline is made of, for the checks against the
/// Rust side (naga validation and bind group layouts below, struct layouts in
/// tests/wgsl_structs.rs). A shader function added above belongs here too.
pub fn catalogue() -> Vec<Variant> {
    let plain = |wgsl: Wgsl, groups| Variant { name: wgsl.label.to_string(), wgsl, groups, overrides: vec![vec![]] };
    let mut out = vec![
        plain(preprocess(), PREPROCESS_BINDS),
        plain(binning(), &[BINNING_BINDS]),
        plain(dispatch_setup(), &[DISPATCH_SETUP_BINDS]),
        plain(scan(), &[SCAN_BINDS]),
        // The f16 pipeline is only made where the adapter can pack f16 pairs.
        Variant {
            name: "pack inputs".into(),
            wgsl: pack_inputs(),
            groups: &[PACK_INPUTS_BINDS],
            overrides: vec![vec![], vec![("HALF", 1.0)]],
        },
        plain(colour8(), &[COLOUR8_BINDS]),
        plain(sort_setup(), &[SORT_SETUP_BINDS]),
        plain(sort_pass(), &[SORT_PASS_BINDS]),
        plain(present(), &[PRESENT_BINDS]),
    ];
    // Lifting scatters class distributions: 41 (NYU40 and unlabelled) or fewer channels.
    for k in [0, 1, 3, 20, 41] {
        out.push(Variant {
            name: format!("scatter K={k}"),
            wgsl: scatter(k),
            groups: SCATTER_BINDS,
            overrides: vec![vec![]],
        });
    }
    for dim in [0, 4, 16, 32, 64] {
        for labels in [false, true] {
            for wg_bytes in [16384, 32768, 49152] {
                out.push(Variant {
                    name: format!("raster D={dim} labels={labels} wg={wg_bytes}"),
                    wgsl: raster(dim, labels, wg_bytes),
                    groups: RASTER_BINDS,
                    overrides: vec![vec![]],
                });
            }
        }
    }
    out
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

    /// The scatter's workgroup memory, summed from the module with naga's layouter, fits the
    /// 16 KiB that WebGPU guarantees, for every channel count (it does not depend on it).
    #[test]
    fn scatter_fits_the_least_workgroup_memory() {
        for k in [0, 3, 41, 64] {
            let source = scatter(k).source;
            let module = parse("scatter", &source);
            let mut layouter = naga::proc::Layouter::default();
            layouter.update(module.to_ctx()).expect("layout of the scatter's types");
            let bytes: u32 = module
                .global_variables
                .iter()
                .filter(|(_, v)| v.space == naga::AddressSpace::WorkGroup)
                .map(|(_, v)| layouter[v.ty].size)
                .sum();
            assert!(bytes <= 16384, "K {k}: {bytes} bytes of workgroup memory");
            assert!(bytes > 256 * 4 * SCATTER_CHUNK, "K {k}: {bytes} bytes holds the weights");
        }
    }

    fn parse(name: &str, source: &str) -> naga::Module {
        naga::front::wgsl::parse_str(source).unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(source)))
    }

    /// Parses and validates, then resolves override constants the way a pipeline would, so
    /// every (FEATURE_DIM, LABELS) variant we compile is checked too.
    /// `pack_inputs.wgsl` packs f16 pairs (`pack2x16float`), which the f16 pipeline is only
    /// made with where the adapter offers it.
    fn validate(name: &str, source: &str, overrides: &[(&str, f64)]) {
        let module = parse(name, source);
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

    /// `(group, binding, kind)` of every resource the shader declares, from naga's reflection.
    fn declared(name: &str, source: &str) -> Vec<(u32, u32, Bind)> {
        let module = parse(name, source);
        let mut out: Vec<(u32, u32, Bind)> = module
            .global_variables
            .iter()
            .filter_map(|(_, v)| {
                let b = v.binding.as_ref()?;
                let kind = match v.space {
                    naga::AddressSpace::Uniform => Bind::Uniform,
                    naga::AddressSpace::Storage { access } if access.contains(naga::StorageAccess::STORE) => {
                        Bind::ReadWrite
                    }
                    naga::AddressSpace::Storage { .. } => Bind::Read,
                    naga::AddressSpace::Handle => match module.types[v.ty].inner {
                        naga::TypeInner::Image {
                            dim: naga::ImageDimension::D2,
                            arrayed: false,
                            class: naga::ImageClass::Storage { format: naga::StorageFormat::Rgba8Unorm, access },
                        } if access == naga::StorageAccess::STORE => WriteTexture(wgpu::TextureFormat::Rgba8Unorm),
                        ref other => {
                            panic!("{name}: binding {} is {other:?}, which no layout here declares", b.binding)
                        }
                    },
                    other => panic!("{name}: binding {} in {other:?}, which no layout here declares", b.binding),
                };
                Some((b.group, b.binding, kind))
            })
            .collect();
        out.sort_by_key(|(g, i, _)| (*g, *i));
        out
    }

    /// Every pipeline's bind group layouts (group, binding index, uniform or storage, access)
    /// are what its shader declares, for every variant compiled.
    #[test]
    fn bind_group_layouts_match_the_shaders() {
        for v in catalogue() {
            let expected: Vec<(u32, u32, Bind)> = v
                .groups
                .iter()
                .enumerate()
                .flat_map(|(g, binds)| binds.iter().enumerate().map(move |(i, b)| (g as u32, i as u32, *b)))
                .collect();
            assert_eq!(declared(&v.name, &v.wgsl.source), expected, "{}: layout vs shader", v.name);
        }
    }

    /// The scene group is shared by every target and frame drawing the scene, so it may only
    /// be read; writes belong in the target's group.
    #[test]
    fn scene_groups_are_read_only() {
        for (name, groups) in [("preprocess", PREPROCESS_BINDS), ("raster", RASTER_BINDS)] {
            assert_eq!(groups.len(), 2, "{name}: a scene group and a target group");
            let scene = groups[SCENE_GROUP as usize];
            assert!(scene.iter().all(|b| *b == Bind::Read), "{name}: scene group {scene:?}");
            assert!(groups[TARGET_GROUP as usize].contains(&Bind::Uniform), "{name}: the frame's uniforms");
        }
    }

    #[test]
    fn every_shader_variant_validates() {
        for v in catalogue() {
            for overrides in &v.overrides {
                validate(&v.name, &v.wgsl.source, overrides);
            }
        }
    }
}
