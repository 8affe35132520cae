// The rendered colour as 8-bit RGBA words (red in the low byte), for pictures and the
// overlay beside the fusion network: a quarter of the f32 image's bytes to read back, and no
// conversion left for the CPU. One pixel per invocation; the pixel count is the output's
// length, so no parameters are needed.

@group(0) @binding(0) var<storage, read> rgba: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> colour8: array<u32>;

// image_io::to_u8 (as in pack_inputs.wgsl): (clamp(v, 0, 1) * 255 + 0.5) truncated; NaN
// reads as 0 like Rust's cast.
fn to_u8(v: f32) -> u32 {
    if (v != v) {
        return 0u;
    }
    return min(u32(clamp(v, 0.0, 1.0) * 255.0 + 0.5), 255u);
}

@compute @workgroup_size(256)
fn pack_colour8(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    // Rows of workgroups when one row would exceed the dispatch limit.
    let i = id.y * groups.x * 256u + id.x;
    if (i >= arrayLength(&colour8)) {
        return;
    }
    let c = rgba[i];
    colour8[i] = to_u8(c.r) | (to_u8(c.g) << 8u) | (to_u8(c.b) << 16u) | (to_u8(c.a) << 24u);
}
