//! The one list of WGSL structs that Rust mirrors with `#[repr(C)]` bytemuck types, and the
//! test that holds each pair to the same layout in every shader that declares the struct
//! (`FrameUniforms` comes with common.wgsl into four passes, `SortParams` into both sort
//! shaders): every member's name and byte offset, in order, and the struct's size, with WGSL's
//! offsets from naga's layouter. A field added, removed, renamed or moved on one side only
//! fails here (a Rust field missing from the list fails to compile), and so does a struct a
//! shader binds that has no entry.

use std::mem::{offset_of, size_of};

use rtgs2::app::present::PresentParams;
use rtgs2::render::gpu::layout::{FrameUniforms, PackParams, ScanParams};
use rtgs2::render::gpu::shaders;
use rtgs2::render::gpu::sort::{PassInfo, SortInput, SortParams};

/// A Rust type's layout next to the WGSL struct it mirrors.
struct Mirror {
    rust: &'static str,
    wgsl: &'static str,
    /// (field name, byte offset) in declaration order.
    fields: Vec<(&'static str, usize)>,
    size: usize,
}

/// `mirror!(Type as "WgslName", [field, ...])`: the fields are named once, and a
/// struct pattern without `..` makes the compiler check the list names every Rust field.
macro_rules! mirror {
    ($ty:ident as $wgsl:literal, [$($field:ident),+ $(,)?]) => {{
        #[allow(dead_code)]
        fn every_field_listed(v: $ty) {
            let $ty { $($field: _),+ } = v;
        }
        Mirror {
            rust: stringify!($ty),
            wgsl: $wgsl,
            fields: vec![$((stringify!($field), offset_of!($ty, $field))),+],
            size: size_of::<$ty>(),
        }
    }};
}

/// Every mirrored struct.
fn mirrors() -> Vec<Mirror> {
    vec![
        mirror!(FrameUniforms as "FrameUniforms", [
            view0, view1, view2, campos, fx, fy, tan_fovx, tan_fovy, width, height, tiles_x, tiles_y,
            num_gaussians, sh_degree, sh_stride, split_len, background, pair_capacity, feature_dim,
            feature_stride, flags,
        ]),
        mirror!(ScanParams as "ScanParams", [count_index, count_divisor, write_total, total_index]),
        mirror!(PackParams as "PackParams", [
            width, height, padded_width, padded_height, feature_dim, feature_scale, pack_rgb, pack_features,
        ]),
        mirror!(SortInput as "SortInput", [count, key_bits, max_len, max_groups_x]),
        mirror!(SortParams as "SortParams", [
            count, key_bits, num_blocks, blocks_x, hist_stride, copy_groups, copy_x, _pad,
        ]),
        mirror!(PassInfo as "PassInfo", [shift, _pad0, _pad1, _pad2]),
        mirror!(PresentParams as "PresentParams", [
            width, height, mode, feature_dim, opacity, label_source, pred_width, pred_height,
        ]),
    ]
}

fn parse(wgsl: &shaders::Wgsl) -> naga::Module {
    naga::front::wgsl::parse_str(&wgsl.source)
        .unwrap_or_else(|e| panic!("{}: {}", wgsl.label, e.emit_to_string(&wgsl.source)))
}

/// (member name, offset) of WGSL struct `name` in `module`, and its size.
fn wgsl_layout(module: &naga::Module, name: &str) -> Option<(Vec<(String, usize)>, usize)> {
    let mut layouter = naga::proc::Layouter::default();
    layouter.update(module.to_ctx()).expect("layout");
    let (_, ty) = module.types.iter().find(|(_, t)| t.name.as_deref() == Some(name))?;
    let naga::TypeInner::Struct { members, span } = &ty.inner else { panic!("{name} is not a struct") };
    let fields = members.iter().map(|m| (m.name.clone().unwrap_or_default(), m.offset as usize)).collect();
    Some((fields, *span as usize))
}

#[test]
fn every_mirrored_struct_matches_its_wgsl() {
    let sources: Vec<(String, naga::Module)> =
        shaders::catalogue().into_iter().map(|v| (v.name, parse(&v.wgsl))).collect();
    for m in mirrors() {
        let rust_fields: Vec<(String, usize)> = m.fields.iter().map(|(n, o)| (n.to_string(), *o)).collect();
        let mut declared_in = 0;
        for (name, module) in &sources {
            let Some((wgsl_fields, wgsl_size)) = wgsl_layout(module, m.wgsl) else { continue };
            declared_in += 1;
            assert_eq!(rust_fields, wgsl_fields, "{} vs {} in {name}: (field, offset)", m.rust, m.wgsl);
            assert_eq!(m.size, wgsl_size, "{} vs {} in {name}: size", m.rust, m.wgsl);
        }
        assert!(declared_in > 0, "no shader declares {}, which {} mirrors", m.wgsl, m.rust);
    }
}

/// Every struct a shader binds as a uniform or storage buffer (or an array of) has a mirror
/// listed, so a new one cannot go unchecked.
#[test]
fn every_bound_struct_is_mirrored() {
    let listed: Vec<&str> = mirrors().iter().map(|m| m.wgsl).collect();
    for v in shaders::catalogue() {
        let module = parse(&v.wgsl);
        for (_, var) in module.global_variables.iter() {
            if !matches!(var.space, naga::AddressSpace::Uniform | naga::AddressSpace::Storage { .. }) {
                continue;
            }
            let mut ty = &module.types[var.ty];
            if let naga::TypeInner::Array { base, .. } = ty.inner {
                ty = &module.types[base];
            }
            if let (naga::TypeInner::Struct { .. }, Some(name)) = (&ty.inner, ty.name.as_deref()) {
                assert!(
                    listed.contains(&name),
                    "{}: struct {name} is bound but has no Rust mirror in tests/wgsl_structs.rs",
                    v.name
                );
            }
        }
    }
}
