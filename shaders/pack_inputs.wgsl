// The fusion network's input tensors straight from a rendered frame, so the CPU neither
// transposes nor normalises them: RGB as the 8-bit image the network was trained on, looked
// up in the card's per-channel normalisation table, and features times the card's scale, both
// as planes [channel][padded_height][padded_width], the padding repeating the last row and
// column. Mirrors fusion::preprocess bit for bit (the same f32 operations; the division by the
// standard deviation is done on the CPU, in the table).
//
// Values are stored as f32 words, or with HALF as IEEE f16 pairs (pack2x16float: two
// horizontally adjacent pixels in one word, the first in the low half), which halves what a
// GPU provider's frame moves off the renderer and onto the network's device. HALF needs an
// even padded width, so a word never straddles two rows or planes.

override HALF: bool = false;

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
@group(0) @binding(4) var<storage, read_write> packed_rgb: array<u32>;
@group(0) @binding(5) var<storage, read_write> packed_features: array<u32>;

// image_io::to_u8: (clamp(v, 0, 1) * 255 + 0.5) truncated; NaN reads as 0 like Rust's cast.
fn to_u8(v: f32) -> u32 {
    if (v != v) {
        return 0u;
    }
    return min(u32(clamp(v, 0.0, 1.0) * 255.0 + 0.5), 255u);
}

// The rendered pixel that padded pixel (x, y) repeats.
fn source_pixel(x: u32, y: u32) -> u32 {
    return min(y, params.height - 1u) * params.width + min(x, params.width - 1u);
}

fn rgb_value(pixel: u32, channel: u32) -> f32 {
    return rgb_table[channel * 256u + to_u8(rgba[pixel][channel])];
}

fn feature_value(pixel: u32, channel: u32) -> f32 {
    return features[pixel * params.feature_dim + channel] * params.feature_scale;
}

@compute @workgroup_size(16, 16)
fn pack(@builtin(global_invocation_id) id: vec3<u32>) {
    // One pixel per invocation, or with HALF the pair (x, x + 1).
    let x = select(id.x, 2u * id.x, HALF);
    if (x >= params.padded_width || id.y >= params.padded_height) {
        return;
    }
    let first = source_pixel(x, id.y);
    let second = source_pixel(x + 1u, id.y);
    let dst_pixel = id.y * params.padded_width + x;
    let plane = params.padded_width * params.padded_height;
    if (params.pack_rgb != 0u) {
        for (var c = 0u; c < 3u; c++) {
            let at = c * plane + dst_pixel;
            if (HALF) {
                packed_rgb[at / 2u] = pack2x16float(vec2<f32>(rgb_value(first, c), rgb_value(second, c)));
            } else {
                packed_rgb[at] = bitcast<u32>(rgb_value(first, c));
            }
        }
    }
    if (params.pack_features != 0u) {
        for (var k = 0u; k < params.feature_dim; k++) {
            let at = k * plane + dst_pixel;
            if (HALF) {
                packed_features[at / 2u] =
                    pack2x16float(vec2<f32>(feature_value(first, k), feature_value(second, k)));
            } else {
                packed_features[at] = bitcast<u32>(feature_value(first, k));
            }
        }
    }
}
