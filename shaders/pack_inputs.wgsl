// The fusion network's input tensors straight from a rendered frame, so the CPU neither
// transposes nor normalises them: RGB as the 8-bit image the network was trained on, looked
// up in the card's per-channel normalisation table, and features times the card's scale, both
// as planes [channel][padded_height][padded_width], the padding repeating the last row and
// column. Mirrors fusion::preprocess bit for bit (the same f32 operations; the division by the
// standard deviation is done on the CPU, in the table).

struct PackParams {
    width: u32,
    height: u32,
    padded_width: u32,
    padded_height: u32,
    feature_dim: u32,
    feature_scale: f32,
    pack_rgb: u32,
    pack_features: u32,
}

@group(0) @binding(0) var<uniform> params: PackParams;
@group(0) @binding(1) var<storage, read> rgba: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> features: array<f32>;
// [3][256]: (v / 255 - mean[c]) / std[c] for every 8-bit value v.
@group(0) @binding(3) var<storage, read> rgb_table: array<f32>;
@group(0) @binding(4) var<storage, read_write> packed_rgb: array<f32>;
@group(0) @binding(5) var<storage, read_write> packed_features: array<f32>;

// image_io::to_u8: (clamp(v, 0, 1) * 255 + 0.5) truncated; NaN reads as 0 like Rust's cast.
fn to_u8(v: f32) -> u32 {
    if (v != v) {
        return 0u;
    }
    return min(u32(clamp(v, 0.0, 1.0) * 255.0 + 0.5), 255u);
}

@compute @workgroup_size(16, 16)
fn pack(@builtin(global_invocation_id) id: vec3<u32>) {
    if (id.x >= params.padded_width || id.y >= params.padded_height) {
        return;
    }
    let src_pixel = min(id.y, params.height - 1u) * params.width + min(id.x, params.width - 1u);
    let dst_pixel = id.y * params.padded_width + id.x;
    let plane = params.padded_width * params.padded_height;
    if (params.pack_rgb != 0u) {
        let c = rgba[src_pixel];
        packed_rgb[dst_pixel] = rgb_table[to_u8(c.x)];
        packed_rgb[plane + dst_pixel] = rgb_table[256u + to_u8(c.y)];
        packed_rgb[2u * plane + dst_pixel] = rgb_table[512u + to_u8(c.z)];
    }
    if (params.pack_features != 0u) {
        let first = src_pixel * params.feature_dim;
        for (var k = 0u; k < params.feature_dim; k++) {
            packed_features[k * plane + dst_pixel] = features[first + k] * params.feature_scale;
        }
    }
}
