//! Primitive surfaces in their own local frame: area, uniform surface samples (with normal,
//! tangent and texture coordinates in metres) and, for solids, an inside test.

use std::f32::consts::{PI, TAU};

use glam::{Vec2, Vec3};

use crate::util::rng::Rng;

/// Half the gap between the two faces of a two-sided sheet (curtains, lamp shades).
const SHEET: f32 = 0.003;

/// One point on a primitive's surface, in the primitive's local frame.
#[derive(Clone, Copy, Debug)]
pub struct LocalSample {
    /// The point, in the primitive's local frame.
    pub p: Vec3,
    /// Outward unit normal (the side that is seen).
    pub n: Vec3,
    /// A unit tangent, perpendicular to `n`.
    pub t: Vec3,
    /// Texture coordinates in metres along the surface.
    pub uv: Vec2,
    /// Index of the face (cuboid faces 0..6: +x −x +y −y +z −z; caps for cylinders).
    pub face: u8,
    /// Half of the smallest extent of the surface here: Gaussians wider than this would
    /// smear past the edges of thin parts.
    pub feature: f32,
}

/// A primitive surface. Local conventions are given per variant.
#[derive(Clone, Debug)]
pub enum Shape {
    /// Box centred on the origin. Bit `i` of `skip` drops face `i` (+x −x +y −y +z −z).
    Cuboid {
        /// Half extents, metres.
        half: Vec3,
        /// Faces left out, one bit each.
        skip: u8,
    },
    /// Frustum along local +z from 0 to `h`: radius `r0` at the bottom, `r1` at the top,
    /// cross-section an ellipse with y radius = x radius · `aspect`. Caps are optional and
    /// may be annuli (`hole` = inner radius as a fraction). `inner` also shows the inside
    /// wall (lamp shades, pots).
    Cylinder {
        /// Radius at the bottom (x), metres.
        r0: f32,
        /// Radius at the top (x), metres.
        r1: f32,
        /// Height, metres.
        h: f32,
        /// y radius over x radius (1 = round).
        aspect: f32,
        /// Close the bottom with a cap.
        bottom: bool,
        /// Close the top with a cap.
        top: bool,
        /// Inner radius of the caps as a fraction of the outer (0 = full discs).
        hole: f32,
        /// Also show the inside wall.
        inner: bool,
    },
    /// Ellipsoid centred on the origin, cut to `zlo..zhi` (fractions of the z radius, −1..1).
    /// `inward` flips the normals (basins, bowls seen from inside).
    Ellipsoid {
        /// Radii along x, y, z, metres.
        radii: Vec3,
        /// Lowest z kept, as a fraction of the z radius.
        zlo: f32,
        /// Highest z kept, as a fraction of the z radius.
        zhi: f32,
        /// Normals point inwards.
        inward: bool,
    },
    /// Rounded box |x/a|^p + |y/b|^p + |z/c|^p = 1 (cushions, mattresses, pillows).
    Blob {
        /// Half extents a, b, c, metres.
        half: Vec3,
        /// Exponent: 2 is an ellipsoid, larger is boxier.
        p: f32,
    },
    /// Rectangle in the local xy plane facing +z (and −z when `two_sided`), optionally
    /// folded along x like a curtain: z = amp · sin(2π x / fold).
    Quad {
        /// Half extents in x and y, metres.
        half: Vec2,
        /// Visible from −z too.
        two_sided: bool,
        /// Fold amplitude, metres (0 = flat).
        amp: f32,
        /// Fold period along x, metres.
        fold: f32,
    },
    /// Rectangle facing +z with rectangular holes `[x0, y0, x1, y1]` (walls with openings).
    Panel {
        /// Half extents in x and y, metres.
        half: Vec2,
        /// Holes as local `[x0, y0, x1, y1]` rectangles, metres.
        holes: Vec<[f32; 4]>,
    },
}

fn cuboid_face_areas(half: Vec3, skip: u8) -> [f32; 6] {
    let a = [
        4.0 * half.y * half.z,
        4.0 * half.y * half.z,
        4.0 * half.x * half.z,
        4.0 * half.x * half.z,
        4.0 * half.x * half.y,
        4.0 * half.x * half.y,
    ];
    std::array::from_fn(|i| if skip & (1 << i) != 0 { 0.0 } else { a[i] })
}

/// Area of an ellipse-based frustum's side, with Ramanujan's perimeter.
fn ellipse_perimeter(a: f32, b: f32) -> f32 {
    let h = ((a - b) / (a + b).max(1e-9)).powi(2);
    PI * (a + b) * (1.0 + 3.0 * h / (10.0 + (4.0 - 3.0 * h).max(0.0).sqrt()))
}

fn pick_weighted(rng: &mut Rng, weights: &[f32]) -> usize {
    let total: f32 = weights.iter().sum();
    let mut x = rng.f32() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
}

fn any_tangent(n: Vec3) -> Vec3 {
    n.any_orthonormal_vector()
}

/// Sample on a box's faces with area-uniform density, in the box frame.
fn sample_cuboid(half: Vec3, skip: u8, rng: &mut Rng) -> LocalSample {
    let areas = cuboid_face_areas(half, skip);
    let face = pick_weighted(rng, &areas);
    let (a, b) = (rng.range(-1.0, 1.0), rng.range(-1.0, 1.0));
    let axis = face / 2;
    let sign = if face.is_multiple_of(2) { 1.0 } else { -1.0 };
    // The two in-face axes, in a fixed order so textures line up across faces.
    let (ua, va) = match axis {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    };
    let mut p = Vec3::ZERO;
    p[axis] = sign * half[axis];
    p[ua] = a * half[ua];
    p[va] = b * half[va];
    let mut n = Vec3::ZERO;
    n[axis] = sign;
    let mut t = Vec3::ZERO;
    t[ua] = 1.0;
    LocalSample {
        p,
        n,
        t,
        uv: Vec2::new(p[ua] + half[ua], p[va] + half[va]),
        face: face as u8,
        feature: half[ua].min(half[va]),
    }
}

impl Shape {
    /// Surface area (approximate for ellipsoids, blobs and folds).
    pub fn area(&self) -> f32 {
        match self {
            Shape::Cuboid { half, skip } => cuboid_face_areas(*half, *skip).iter().sum(),
            Shape::Cylinder { r0, r1, h, aspect, bottom, top, hole, inner } => {
                let slant = (h * h + (r1 - r0).powi(2)).sqrt();
                let side = 0.5 * (ellipse_perimeter(*r0, r0 * aspect) + ellipse_perimeter(*r1, r1 * aspect)) * slant;
                let ring = 1.0 - hole * hole;
                let caps =
                    PI * aspect * ring * (if *bottom { r0 * r0 } else { 0.0 } + if *top { r1 * r1 } else { 0.0 });
                side * if *inner { 2.0 } else { 1.0 } + caps
            }
            Shape::Ellipsoid { radii, zlo, zhi, .. } => {
                // Knud Thomsen's approximation, times the slab fraction (exact for spheres).
                let p = 1.6075f32;
                let (a, b, c) = (radii.x.powf(p), radii.y.powf(p), radii.z.powf(p));
                let full = 4.0 * PI * ((a * b + a * c + b * c) / 3.0).powf(1.0 / p);
                full * (zhi - zlo).max(0.0) / 2.0
            }
            Shape::Blob { half, p } => {
                let k = 1.0 - 0.476 * (2.0 / p.max(2.0)).powf(1.1);
                cuboid_face_areas(*half, 0).iter().sum::<f32>() * k
            }
            Shape::Quad { half, two_sided, amp, fold } => {
                let slope = if *fold > 0.0 { amp * TAU / fold } else { 0.0 };
                4.0 * half.x * half.y * (1.0 + 0.5 * slope * slope).sqrt().min(1.6) * if *two_sided { 2.0 } else { 1.0 }
            }
            Shape::Panel { half, holes } => {
                let holes: f32 = holes.iter().map(|h| (h[2] - h[0]).max(0.0) * (h[3] - h[1]).max(0.0)).sum();
                (4.0 * half.x * half.y - holes).max(0.0)
            }
        }
    }

    /// An area-uniform random point on the surface.
    pub fn sample(&self, rng: &mut Rng) -> LocalSample {
        match self {
            Shape::Cuboid { half, skip } => sample_cuboid(*half, *skip, rng),
            Shape::Cylinder { r0, r1, h, aspect, bottom, top, hole, inner } => {
                let slant = (h * h + (r1 - r0).powi(2)).sqrt();
                let side = 0.5 * (r0 + r1) * TAU * slant;
                let ring = 1.0 - hole * hole;
                let cap0 = if *bottom { PI * r0 * r0 * ring } else { 0.0 };
                let cap1 = if *top { PI * r1 * r1 * ring } else { 0.0 };
                let side_w = side * if *inner { 2.0 } else { 1.0 };
                let which = pick_weighted(rng, &[side_w, cap0, cap1]);
                let phi = rng.f32() * TAU;
                let (s, c) = phi.sin_cos();
                if which == 0 {
                    // Radius grows linearly with height, so height is drawn with density ∝ r.
                    let u = rng.f32();
                    let t = if (r1 - r0).abs() < 1e-5 {
                        u
                    } else {
                        ((r0 * r0 + u * (r1 * r1 - r0 * r0)).max(0.0).sqrt() - r0) / (r1 - r0)
                    };
                    let r = r0 + (r1 - r0) * t;
                    let p = Vec3::new(r * c, r * s * aspect, t * h);
                    let mut n = Vec3::new(c * aspect, s, (r0 - r1) / h.max(1e-6) * aspect).normalize_or(Vec3::X);
                    if *inner && rng.chance(0.5) {
                        n = -n;
                    }
                    let lift = if *inner { SHEET } else { 0.0 };
                    LocalSample {
                        p: p + n * lift,
                        n,
                        // d(position)/dφ, which stays perpendicular to the elliptic normal.
                        t: Vec3::new(-s, c * aspect, 0.0).normalize_or(Vec3::X),
                        uv: Vec2::new(phi * 0.5 * (r0 + r1), t * slant),
                        face: 0,
                        feature: (0.5 * (r0 + r1) * aspect.min(1.0)).min(0.5 * h),
                    }
                } else {
                    let (r_cap, z, nz) = if which == 1 { (*r0, 0.0, -1.0) } else { (*r1, *h, 1.0) };
                    let rr = r_cap * (hole * hole + rng.f32() * ring).sqrt();
                    let p = Vec3::new(rr * c, rr * s * aspect, z);
                    LocalSample {
                        p,
                        n: Vec3::new(0.0, 0.0, nz),
                        t: Vec3::X,
                        uv: Vec2::new(p.x, p.y),
                        face: which as u8,
                        feature: if *hole > 0.0 { 0.5 * r_cap * (1.0 - hole) } else { r_cap * aspect.min(1.0) },
                    }
                }
            }
            Shape::Ellipsoid { radii, zlo, zhi, inward } => {
                let max_w = (radii.y * radii.z).max(radii.x * radii.z).max(radii.x * radii.y);
                let mut u = Vec3::Z;
                // Uniform on the sphere (z is uniform there), then thinned by the ellipsoid's
                // area stretch so the final density is uniform too.
                for _ in 0..32 {
                    let z = rng.range(*zlo, *zhi);
                    let phi = rng.f32() * TAU;
                    let r = (1.0 - z * z).max(0.0).sqrt();
                    u = Vec3::new(r * phi.cos(), r * phi.sin(), z);
                    let w =
                        Vec3::new(radii.y * radii.z * u.x, radii.x * radii.z * u.y, radii.x * radii.y * u.z).length();
                    if rng.f32() * max_w <= w {
                        break;
                    }
                }
                let p = u * *radii;
                let mut n = (p / (*radii * *radii)).normalize_or(Vec3::Z);
                if *inward {
                    n = -n;
                }
                let t = Vec3::new(-u.y, u.x, 0.0).try_normalize().unwrap_or_else(|| any_tangent(n));
                let t = (t - n * t.dot(n)).normalize_or(any_tangent(n));
                LocalSample {
                    p,
                    n,
                    t,
                    uv: Vec2::new(u.y.atan2(u.x) * radii.x.max(radii.y), p.z),
                    face: 0,
                    feature: radii.min_element(),
                }
            }
            Shape::Blob { half, p } => {
                let s = sample_cuboid(*half, 0, rng);
                let q = s.p / *half;
                let norm = (q.x.abs().powf(*p) + q.y.abs().powf(*p) + q.z.abs().powf(*p)).powf(1.0 / p);
                let pos = s.p / norm.max(1e-6);
                let g = (pos / *half).abs().powf(p - 1.0) * (pos / *half).signum() / *half;
                let n = g.normalize_or(s.n);
                let t = (s.t - n * s.t.dot(n)).normalize_or(any_tangent(n));
                LocalSample { p: pos, n, t, uv: s.uv, face: s.face, feature: half.min_element() }
            }
            Shape::Quad { half, two_sided, amp, fold } => {
                let x = rng.range(-half.x, half.x);
                let y = rng.range(-half.y, half.y);
                let (z, slope) = if *fold > 0.0 {
                    let k = TAU / fold;
                    (amp * (k * x).sin(), amp * k * (k * x).cos())
                } else {
                    (0.0, 0.0)
                };
                let mut n = Vec3::new(-slope, 0.0, 1.0).normalize();
                let t = Vec3::new(1.0, 0.0, slope).normalize();
                if *two_sided && rng.chance(0.5) {
                    n = -n;
                }
                // The two faces of a sheet sit a few millimetres apart, so each side's
                // Gaussians are always in front when seen from that side.
                let lift = if *two_sided { SHEET } else { 0.0 };
                LocalSample {
                    p: Vec3::new(x, y, z) + n * lift,
                    n,
                    t,
                    uv: Vec2::new(x + half.x, y + half.y),
                    face: 0,
                    feature: half.min_element(),
                }
            }
            Shape::Panel { half, holes } => {
                let mut p = Vec2::ZERO;
                for _ in 0..64 {
                    p = Vec2::new(rng.range(-half.x, half.x), rng.range(-half.y, half.y));
                    if !holes.iter().any(|h| p.x > h[0] && p.x < h[2] && p.y > h[1] && p.y < h[3]) {
                        break;
                    }
                }
                LocalSample {
                    p: p.extend(0.0),
                    n: Vec3::Z,
                    t: Vec3::X,
                    uv: p + *half,
                    face: 0,
                    feature: half.min_element(),
                }
            }
        }
    }

    /// Whether a local point is strictly inside the solid this shape bounds.
    pub fn inside(&self, p: Vec3) -> bool {
        match self {
            Shape::Cuboid { half, .. } => p.abs().cmplt(*half).all(),
            Shape::Cylinder { r0, r1, h, aspect, .. } => {
                if p.z <= 0.0 || p.z >= *h {
                    return false;
                }
                let r = r0 + (r1 - r0) * p.z / h;
                p.x * p.x + (p.y / aspect).powi(2) < r * r
            }
            Shape::Ellipsoid { radii, zlo, zhi, inward } => {
                !*inward && {
                    let q = p / *radii;
                    q.length_squared() < 1.0 && q.z > *zlo && q.z < *zhi
                }
            }
            Shape::Blob { half, p: e } => {
                let q = (p / *half).abs();
                q.x.powf(*e) + q.y.powf(*e) + q.z.powf(*e) < 1.0
            }
            Shape::Quad { .. } | Shape::Panel { .. } => false,
        }
    }

    /// Local axis-aligned bounds.
    pub fn local_bounds(&self) -> (Vec3, Vec3) {
        match self {
            Shape::Cuboid { half, .. } | Shape::Blob { half, .. } => (-*half, *half),
            Shape::Cylinder { r0, r1, h, aspect, inner, .. } => {
                let e = if *inner { SHEET } else { 0.0 };
                let r = r0.max(*r1) + e;
                (Vec3::new(-r, -r * aspect, -e), Vec3::new(r, r * aspect, h + e))
            }
            Shape::Ellipsoid { radii, zlo, zhi, .. } => {
                (Vec3::new(-radii.x, -radii.y, zlo * radii.z), Vec3::new(radii.x, radii.y, zhi * radii.z))
            }
            Shape::Quad { half, amp, two_sided, .. } => {
                let lift = if *two_sided { SHEET } else { 0.0 };
                let e = amp + lift;
                (Vec3::new(-half.x - lift, -half.y, -e), Vec3::new(half.x + lift, half.y, e))
            }
            Shape::Panel { half, .. } => (half.extend(0.0) * Vec3::new(-1.0, -1.0, 0.0), half.extend(0.0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes() -> Vec<Shape> {
        vec![
            Shape::Cuboid { half: Vec3::new(0.3, 0.2, 0.1), skip: 0b100000 },
            Shape::Cylinder { r0: 0.2, r1: 0.1, h: 0.5, aspect: 0.8, bottom: true, top: true, hole: 0.3, inner: true },
            Shape::Ellipsoid { radii: Vec3::new(0.3, 0.2, 0.1), zlo: -1.0, zhi: 0.2, inward: false },
            Shape::Blob { half: Vec3::new(0.4, 0.3, 0.1), p: 4.0 },
            Shape::Quad { half: Vec2::new(0.5, 1.0), two_sided: true, amp: 0.03, fold: 0.2 },
            Shape::Panel { half: Vec2::new(2.0, 1.5), holes: vec![[-0.5, -0.5, 0.5, 0.5]] },
        ]
    }

    #[test]
    fn samples_lie_in_bounds_with_unit_normals_and_tangents() {
        let mut rng = Rng::new(5);
        for s in shapes() {
            assert!(s.area() > 0.0);
            let (lo, hi) = s.local_bounds();
            for _ in 0..2000 {
                let x = s.sample(&mut rng);
                assert!(x.p.cmpge(lo - 1e-4).all() && x.p.cmple(hi + 1e-4).all(), "{s:?} {x:?}");
                assert!((x.n.length() - 1.0).abs() < 1e-3 && (x.t.length() - 1.0).abs() < 1e-3);
                assert!(x.n.dot(x.t).abs() < 1e-3, "{s:?}");
                assert!(x.feature > 0.0);
                // Just outside a solid along the normal is never inside it (inner walls of
                // open cylinders face into the solid on purpose).
                if !matches!(s, Shape::Cylinder { inner: true, .. }) {
                    assert!(!s.inside(x.p + x.n * 1e-3), "{s:?} {x:?}");
                }
            }
        }
    }

    #[test]
    fn cuboid_area_and_inside() {
        let s = Shape::Cuboid { half: Vec3::ONE, skip: 0 };
        assert!((s.area() - 24.0).abs() < 1e-5);
        assert!(s.inside(Vec3::splat(0.5)) && !s.inside(Vec3::new(1.5, 0.0, 0.0)));
        let c = Shape::Ellipsoid { radii: Vec3::ONE, zlo: -1.0, zhi: 1.0, inward: false };
        assert!((c.area() - 4.0 * PI).abs() < 1e-3);
    }
}
