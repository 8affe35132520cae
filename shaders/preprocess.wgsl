// Per Gaussian: cull, EWA projection with the 0.3 px dilation, 3-sigma radius, tile
// rectangle, SH colour. Exactly the CPU reference (src/render/project.rs) in f32.

// Group 0 is the scene's (made once per scene), group 1 the frame target's (made once per
// target): neither holds the other's buffers, so no group is made per frame.
@group(0) @binding(0) var<storage, read> pos_opacity: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> cov3d: array<f32>;
@group(0) @binding(2) var<storage, read> sh0: array<u32>;
@group(0) @binding(3) var<storage, read> sh1: array<u32>;
@group(0) @binding(4) var<storage, read> sh2: array<u32>;
@group(0) @binding(5) var<storage, read> sh3: array<u32>;

@group(1) @binding(0) var<uniform> frame: FrameUniforms;
@group(1) @binding(1) var<storage, read_write> splat_a: array<vec4<f32>>;
@group(1) @binding(2) var<storage, read_write> splat_b: array<vec4<f32>>;
@group(1) @binding(3) var<storage, read_write> splat_rgb: array<vec4<f32>>;
@group(1) @binding(4) var<storage, read_write> splat_rect: array<vec2<u32>>;
@group(1) @binding(5) var<storage, read_write> visible: array<u32>;

const NEAR_PLANE: f32 = 0.2;
const SH_C0: f32 = 0.28209479177387814;
const SH_C1: f32 = 0.4886025119029199;

// One u32 of Gaussian i's packed SH, from whichever split buffer holds it.
fn sh_word(i: u32, w: u32) -> u32 {
    let part = i / frame.split_len;
    let j = (i - part * frame.split_len) * frame.sh_stride + w;
    switch part {
        case 0u: { return sh0[j]; }
        case 1u: { return sh1[j]; }
        case 2u: { return sh2[j]; }
        default: { return sh3[j]; }
    }
}

// SH coefficient k (0..15) of channel c as f32.
fn sh_coeff(i: u32, k: u32, c: u32) -> f32 {
    let h = k * 3u + c;
    let pair = unpack_f16x2(sh_word(i, h / 2u));
    return select(pair.x, pair.y, (h & 1u) == 1u);
}

fn sh_rgb(i: u32, k: u32) -> vec3<f32> {
    return vec3<f32>(sh_coeff(i, k, 0u), sh_coeff(i, k, 1u), sh_coeff(i, k, 2u));
}

// Same operation order as src/scene/sh.rs::eval.
fn eval_sh(i: u32, degree: u32, dir: vec3<f32>) -> vec3<f32> {
    var out = SH_C0 * sh_rgb(i, 0u);
    if (degree > 0u) {
        let x = dir.x;
        let y = dir.y;
        let z = dir.z;
        out = out + (-SH_C1 * y) * sh_rgb(i, 1u);
        out = out + (SH_C1 * z) * sh_rgb(i, 2u);
        out = out + (-SH_C1 * x) * sh_rgb(i, 3u);
        if (degree > 1u) {
            let xx = x * x;
            let yy = y * y;
            let zz = z * z;
            let xy = x * y;
            let yz = y * z;
            let xz = x * z;
            out = out + (1.0925484305920792 * xy) * sh_rgb(i, 4u);
            out = out + (-1.0925484305920792 * yz) * sh_rgb(i, 5u);
            out = out + (0.31539156525252005 * (2.0 * zz - xx - yy)) * sh_rgb(i, 6u);
            out = out + (-1.0925484305920792 * xz) * sh_rgb(i, 7u);
            out = out + (0.5462742152960396 * (xx - yy)) * sh_rgb(i, 8u);
            if (degree > 2u) {
                out = out + (-0.5900435899266435 * y * (3.0 * xx - yy)) * sh_rgb(i, 9u);
                out = out + (2.890611442640554 * xy * z) * sh_rgb(i, 10u);
                out = out + (-0.4570457994644658 * y * (4.0 * zz - xx - yy)) * sh_rgb(i, 11u);
                out = out + (0.3731763325901154 * z * (2.0 * zz - 3.0 * xx - 3.0 * yy)) * sh_rgb(i, 12u);
                out = out + (-0.4570457994644658 * x * (4.0 * zz - xx - yy)) * sh_rgb(i, 13u);
                out = out + (1.445305721320277 * z * (xx - yy)) * sh_rgb(i, 14u);
                out = out + (-0.5900435899266435 * x * (xx - 3.0 * yy)) * sh_rgb(i, 15u);
            }
        }
    }
    return out;
}

fn is_finite3(v: vec3<f32>) -> bool {
    // NaN fails every comparison; infinities exceed the largest finite f32.
    let m = 3.4e38;
    return all(abs(v) <= vec3<f32>(m));
}

fn cull(i: u32) {
    splat_rect[i] = vec2<u32>(0u, 0u);
    visible[i] = 0u;
}

@compute @workgroup_size(256)
fn preprocess(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
    let i = linear_index(wg, nwg, lid);
    if (i >= frame.num_gaussians) {
        return;
    }
    let po = pos_opacity[i];
    let p = po.xyz;
    let t = vec3<f32>(dot(frame.view0.xyz, p) + frame.view0.w,
                      dot(frame.view1.xyz, p) + frame.view1.w,
                      dot(frame.view2.xyz, p) + frame.view2.w);
    if (!(t.z > NEAR_PLANE) || !is_finite3(t)) {
        cull(i);
        return;
    }
    // World covariance (upper triangle: xx xy xz yy yz zz) into camera space: R S R^T.
    let c = i * 6u;
    let s = mat3x3<f32>(vec3<f32>(cov3d[c], cov3d[c + 1u], cov3d[c + 2u]),
                        vec3<f32>(cov3d[c + 1u], cov3d[c + 3u], cov3d[c + 4u]),
                        vec3<f32>(cov3d[c + 2u], cov3d[c + 4u], cov3d[c + 5u]));
    // Rows of the view rotation as a matrix whose columns are those rows: W^T.
    let wt = mat3x3<f32>(frame.view0.xyz, frame.view1.xyz, frame.view2.xyz);
    let w = transpose(wt);
    let cov_cam = w * s * wt;
    let limx = 1.3 * frame.tan_fovx;
    let limy = 1.3 * frame.tan_fovy;
    let tx = clamp(t.x / t.z, -limx, limx) * t.z;
    let ty = clamp(t.y / t.z, -limy, limy) * t.z;
    let tz = t.z;
    let j0 = vec3<f32>(frame.fx / tz, 0.0, -(frame.fx * tx) / (tz * tz));
    let j1 = vec3<f32>(0.0, frame.fy / tz, -(frame.fy * ty) / (tz * tz));
    let a = dot(j0, cov_cam * j0) + 0.3;
    let b = dot(j0, cov_cam * j1);
    let cc = dot(j1, cov_cam * j1) + 0.3;
    let det = a * cc - b * b;
    if (det == 0.0 || !is_finite3(vec3<f32>(a, b, cc))) {
        cull(i);
        return;
    }
    let det_inv = 1.0 / det;
    let conic = vec3<f32>(cc * det_inv, -b * det_inv, a * det_inv);
    let mid = 0.5 * (a + cc);
    let disc = sqrt(max(0.1, mid * mid - det));
    let lambda = max(mid + disc, mid - disc);
    let radius = ceil(3.0 * sqrt(lambda));
    let mean = vec2<f32>(frame.fx * t.x / t.z + 0.5 * f32(frame.width) - 0.5,
                         frame.fy * t.y / t.z + 0.5 * f32(frame.height) - 0.5);
    if (!is_finite3(vec3<f32>(radius, mean))) {
        cull(i);
        return;
    }
    // The reference getRect, with C's truncation toward zero.
    let tiles = vec2<i32>(i32(frame.tiles_x), i32(frame.tiles_y));
    let tf = f32(TILE);
    let lo = clamp(vec2<i32>((mean - radius) / tf), vec2<i32>(0), tiles);
    let hi = clamp(vec2<i32>((mean + radius + tf - 1.0) / tf), vec2<i32>(0), tiles);
    if ((hi.x - lo.x) * (hi.y - lo.y) == 0) {
        cull(i);
        return;
    }
    let dir = normalize(p - frame.campos.xyz);
    let raw = eval_sh(i, frame.sh_degree, dir);
    // A NaN opacity or colour would blend garbage (GPU min/max may swallow the NaN): cull.
    if (!is_finite3(raw) || !(po.w >= 0.0 && po.w <= 1.0)) {
        cull(i);
        return;
    }
    let rgb = max(raw + 0.5, vec3<f32>(0.0));
    splat_a[i] = vec4<f32>(mean, conic.x, conic.y);
    splat_b[i] = vec4<f32>(conic.z, po.w, t.z, radius);
    splat_rgb[i] = vec4<f32>(rgb, 1.0);
    splat_rect[i] = vec2<u32>(u32(lo.x) | (u32(lo.y) << 16u), u32(hi.x) | (u32(hi.y) << 16u));
    visible[i] = 1u;
}
