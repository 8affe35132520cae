// Shared declarations of the splatting passes (prepended to each pass's source). Every struct
// here is mirrored by a #[repr(C)] Rust type in src/render/gpu/layout.rs with a layout test.

const TILE: u32 = 16u;

struct FrameUniforms {
    // World-to-camera rotation rows; w holds the translation component.
    view0: vec4<f32>,
    view1: vec4<f32>,
    view2: vec4<f32>,
    // Camera centre in world space (w unused).
    campos: vec4<f32>,
    fx: f32,
    fy: f32,
    tan_fovx: f32,
    tan_fovy: f32,
    width: u32,
    height: u32,
    tiles_x: u32,
    tiles_y: u32,
    num_gaussians: u32,
    sh_degree: u32,
    // u32 words of packed f16 SH per Gaussian.
    sh_stride: u32,
    // Gaussians per SH / feature buffer split.
    split_len: u32,
    background: vec4<f32>,
    pair_capacity: u32,
    feature_dim: u32,
    feature_stride: u32,
    flags: u32,
}

// Counters written on the GPU: index 0 visible splats, 1 (Gaussian, tile) pairs needed,
// 2 pairs kept (min with capacity), 3 overflow flag.
const COUNT_VISIBLE: u32 = 0u;
const COUNT_PAIRS: u32 = 1u;
const COUNT_PAIRS_KEPT: u32 = 2u;
const COUNT_OVERFLOW: u32 = 3u;

// Linear invocation index for 1-D work dispatched as a 2-D grid of 256-wide workgroups
// (more than 65535 workgroups do not fit in one dimension).
fn linear_index(wg: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    return (wg.y * nwg.x + wg.x) * 256u + lid;
}

// f16 bits (low 16 bits of `h`) to f32, exactly. Written out because unpack2x16float needs
// SHADER_F16 on Mesa's Vulkan drivers, which lavapipe may lack.
fn f16_to_f32(h: u32) -> f32 {
    let sign = (h & 0x8000u) << 16u;
    let e = (h >> 10u) & 0x1fu;
    let m = h & 0x3ffu;
    if (e == 0u) {
        // Zero or subnormal: m * 2^-24.
        let v = f32(m) * 5.960464477539063e-8;
        return select(v, -v, sign != 0u);
    }
    if (e == 31u) {
        return bitcast<f32>(sign | 0x7f800000u | (m << 13u));
    }
    return bitcast<f32>(sign | ((e + 112u) << 23u) | (m << 13u));
}

// The two f16 halves of a u32 (low half first, as bytemuck lays out [f16; 2]).
fn unpack_f16x2(w: u32) -> vec2<f32> {
    return vec2<f32>(f16_to_f32(w & 0xffffu), f16_to_f32(w >> 16u));
}

// A splat's opacity at a pixel by the reference's rules: min(0.99, o e^power), or 0 where the
// splat does not count there (power > 0, or under 1/255). mean_conic is (mean.xy, conic a, b),
// conic_z_opacity starts (conic c, opacity). The raster and lifting's scatter both call it, so
// the weights the scatter hands out are the ones the raster blended with.
fn splat_alpha(mean_conic: vec4<f32>, conic_z_opacity: vec4<f32>, pix: vec2<f32>) -> f32 {
    let dx = mean_conic.x - pix.x;
    let dy = mean_conic.y - pix.y;
    let power = -0.5 * (mean_conic.z * dx * dx + conic_z_opacity.x * dy * dy) - mean_conic.w * dx * dy;
    if (power > 0.0) {
        return 0.0;
    }
    let alpha = min(0.99, conic_z_opacity.y * exp(power));
    if (alpha < 1.0 / 255.0) {
        return 0.0;
    }
    return alpha;
}
