//! Spherical-harmonics constants and evaluation, identical to the reference rasterizer's
//! `computeColorFromSH` (degree 0–3, real SH, colour = SH + 0.5 clamped at 0 by the caller).

/// (degree + 1)², the coefficient count per colour channel.
pub const fn coeff_count(degree: u8) -> usize {
    (degree as usize + 1) * (degree as usize + 1)
}

/// The SH degree whose `f_rest` count is `rest` (3 × (coeffs − 1)), if any.
pub fn degree_from_rest_count(rest: usize) -> Option<u8> {
    (0u8..=3).find(|&d| 3 * (coeff_count(d) - 1) == rest)
}

/// Degree-0 SH constant, 1 / (2√π): colour = C0 · f_dc + 0.5.
pub const C0: f32 = 0.282_094_8;
/// Degree-1 SH constant (√3 / (2√π)).
pub const C1: f32 = 0.488_602_5;
/// Degree-2 SH constants, one per basis function.
pub const C2: [f32; 5] = [1.092_548_5, -1.092_548_5, 0.315_391_57, -1.092_548_5, 0.546_274_24];
/// Degree-3 SH constants, one per basis function.
pub const C3: [f32; 7] =
    [-0.590_043_6, 2.890_611_4, -0.457_045_8, 0.373_176_33, -0.457_045_8, 1.445_305_7, -0.590_043_6];

/// Evaluates SH of `degree` with coefficients `sh[coeff][rgb]` in unit direction `dir`
/// (from the camera centre to the Gaussian), returning the raw value before +0.5.
pub fn eval(degree: u8, sh: &[f32], dir: [f32; 3]) -> [f32; 3] {
    let c = |k: usize| [sh[k * 3], sh[k * 3 + 1], sh[k * 3 + 2]];
    let mut out = c(0).map(|v| C0 * v);
    let mut add = |k: usize, w: f32| {
        let v = c(k);
        for ch in 0..3 {
            out[ch] += w * v[ch];
        }
    };
    if degree > 0 {
        let [x, y, z] = dir;
        add(1, -C1 * y);
        add(2, C1 * z);
        add(3, -C1 * x);
        if degree > 1 {
            let (xx, yy, zz) = (x * x, y * y, z * z);
            let (xy, yz, xz) = (x * y, y * z, x * z);
            add(4, C2[0] * xy);
            add(5, C2[1] * yz);
            add(6, C2[2] * (2.0 * zz - xx - yy));
            add(7, C2[3] * xz);
            add(8, C2[4] * (xx - yy));
            if degree > 2 {
                add(9, C3[0] * y * (3.0 * xx - yy));
                add(10, C3[1] * xy * z);
                add(11, C3[2] * y * (4.0 * zz - xx - yy));
                add(12, C3[3] * z * (2.0 * zz - 3.0 * xx - 3.0 * yy));
                add(13, C3[4] * x * (4.0 * zz - xx - yy));
                add(14, C3[5] * z * (xx - yy));
                add(15, C3[6] * x * (xx - 3.0 * yy));
            }
        }
    }
    out
}

/// DC coefficient that makes a Gaussian show `rgb` (in [0, 1]) from every direction.
pub fn dc_from_rgb(rgb: f32) -> f32 {
    (rgb - 0.5) / C0
}

/// Colour in [0, 1] shown by a DC coefficient alone.
pub fn rgb_from_dc(dc: f32) -> f32 {
    dc * C0 + 0.5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degree_from_rest_count_matches_reference_layouts() {
        assert_eq!(degree_from_rest_count(0), Some(0));
        assert_eq!(degree_from_rest_count(9), Some(1));
        assert_eq!(degree_from_rest_count(24), Some(2));
        assert_eq!(degree_from_rest_count(45), Some(3));
        assert_eq!(degree_from_rest_count(44), None);
    }

    #[test]
    fn dc_round_trips_colour() {
        for v in [0.0, 0.25, 0.5, 1.0] {
            assert!((rgb_from_dc(dc_from_rgb(v)) - v).abs() < 1e-6);
        }
    }

    #[test]
    fn degree_one_is_linear_in_direction() {
        // Coefficient 3 multiplies -C1·x: looking along +x and -x gives opposite offsets.
        let mut sh = vec![0.0f32; 4 * 3];
        sh[3 * 3] = 1.0;
        let a = eval(1, &sh, [1.0, 0.0, 0.0]);
        let b = eval(1, &sh, [-1.0, 0.0, 0.0]);
        assert!((a[0] + C1).abs() < 1e-6 && (b[0] - C1).abs() < 1e-6);
    }
}
