// Radix sort: what the set-up pass and the sort passes share (prepended to both by
// src/render/gpu/sort.rs).

// Keys per block of the sort passes (radix_sort.wgsl: WG * KPT).
const BLOCK: u32 = 2048u;
// Elements per workgroup of the copy pass (256 invocations x one vec4 each).
const COPY_BLOCK: u32 = 1024u;

// Mirrored by `SortParams` in src/render/gpu/sort.rs: written by the set-up pass, read as a
// uniform by the sort passes.
struct SortParams {
    count: u32,
    key_bits: u32,
    num_blocks: u32,
    blocks_x: u32,
    hist_stride: u32,
    copy_groups: u32,
    copy_x: u32,
    _pad: u32,
}
