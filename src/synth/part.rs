//! Parts (a primitive with a pose, label and material) and objects (a labelled group of
//! parts built in their own frame). Object frame: origin at the floor under the object's
//! centre, z up, the front facing −y (so the back, +y, goes against a wall).

use glam::{Mat3, Quat, Vec2, Vec3};

use super::material::Material;
use super::shape::Shape;

/// A primitive placed in its object's (later the room's) frame.
#[derive(Clone, Debug)]
pub struct Part {
    /// The primitive, in its own local frame.
    pub shape: Shape,
    /// Where its local origin sits in the object's frame, metres.
    pub pos: Vec3,
    /// Rotation of its local frame.
    pub rot: Quat,
    /// NYU40 id its Gaussians carry.
    pub label: u16,
    /// How its surface looks.
    pub mat: Material,
    /// Hides surfaces that touch it (only closed shapes).
    pub solid: bool,
    /// Lies beyond the walls on purpose (window, door leaf, outdoors), so the "outside the
    /// room means hidden" rule must not drop its samples.
    pub outside: bool,
    /// Blocks light (glass and the outdoors do not).
    pub shadow: bool,
    /// Relative Gaussian density: detailed surfaces get more, smaller Gaussians.
    pub detail: f32,
}

impl Part {
    /// A part at `pos`/`rot`; `solid` unless it is an open shape, `shadow` when mostly opaque, no extra detail.
    pub fn new(shape: Shape, pos: Vec3, rot: Quat, label: u16, mat: Material) -> Self {
        let solid = !matches!(shape, Shape::Quad { .. } | Shape::Panel { .. })
            && !matches!(shape, Shape::Ellipsoid { inward: true, .. })
            && !matches!(shape, Shape::Cylinder { inner: true, .. });
        let shadow = mat.opacity > 0.5;
        Self { shape, pos, rot, label, mat, solid, outside: false, shadow, detail: 1.0 }
    }

    /// A point of the object's frame in the part's local frame.
    pub fn to_local(&self, p: Vec3) -> Vec3 {
        self.rot.inverse() * (p - self.pos)
    }

    /// Axis-aligned bounds in the frame the part is placed in.
    pub fn bounds(&self) -> (Vec3, Vec3) {
        let (lo, hi) = self.shape.local_bounds();
        let mut a = Vec3::splat(f32::INFINITY);
        let mut b = Vec3::splat(f32::NEG_INFINITY);
        for i in 0..8 {
            let c = Vec3::new(
                if i & 1 == 0 { lo.x } else { hi.x },
                if i & 2 == 0 { lo.y } else { hi.y },
                if i & 4 == 0 { lo.z } else { hi.z },
            );
            let w = self.pos + self.rot * c;
            a = a.min(w);
            b = b.max(w);
        }
        (a, b)
    }
}

/// Where a light is and how strong; `colour` is linear radiant intensity per channel.
#[derive(Clone, Debug)]
pub struct Light {
    /// Position in the object's (later the room's) frame, metres.
    pub pos: Vec3,
    /// Linear radiant intensity per channel.
    pub colour: Vec3,
    /// Bulb, window or sun.
    pub kind: LightKind,
}

#[derive(Clone, Debug)]
/// The kind of light.
pub enum LightKind {
    /// A bulb of this radius (soft shadows).
    Point {
        /// Bulb radius, metres.
        radius: f32,
    },
    /// A window: rectangle centred at `pos` with half-edge vectors, shining along `normal`.
    Area {
        /// Half-edge vector along the rectangle's first side.
        u: Vec3,
        /// Half-edge vector along its second side.
        v: Vec3,
        /// Unit direction it shines along (into the room).
        normal: Vec3,
    },
    /// Sunlight travelling along `dir`, entering through windows.
    Sun {
        /// Unit direction the light travels.
        dir: Vec3,
    },
}

/// A flat top where small things can stand: centre of the surface, half extents along the
/// object's local x and y, the free height above it, and its yaw in the room.
#[derive(Clone, Copy, Debug)]
pub struct Support {
    /// Centre of the surface in the object's frame, metres.
    pub centre: Vec3,
    /// Half extents along the object's local x and y, metres.
    pub half: Vec2,
    /// Free height above it, metres.
    pub clear: f32,
    /// Its yaw in the room, radians (0 until the object is placed).
    pub yaw: f32,
}

/// A labelled group of parts: furniture, props, the room's shell pieces.
#[derive(Clone, Debug, Default)]
pub struct Object {
    /// What the object is, for manifests and debugging (e.g. "bed").
    pub name: &'static str,
    /// Its primitives.
    pub parts: Vec<Part>,
    /// Surfaces small items can be put on.
    pub supports: Vec<Support>,
    /// Lights it emits (lamps, windows).
    pub lights: Vec<Light>,
}

/// A rotation whose local x is `x` and local z is `z` (they must be orthogonal).
pub fn frame(x: Vec3, z: Vec3) -> Quat {
    let x = x.normalize();
    let z = (z - x * z.dot(x)).normalize();
    Quat::from_mat3(&Mat3::from_cols(x, z.cross(x), z)).normalize()
}

impl Object {
    /// An empty object called `name`.
    pub fn new(name: &'static str) -> Self {
        Self { name, ..Default::default() }
    }

    /// Adds `part`; returns it for further adjustment.
    pub fn push(&mut self, part: Part) -> &mut Part {
        self.parts.push(part);
        self.parts.last_mut().expect("just pushed")
    }

    /// An axis-aligned box between two corners.
    pub fn cuboid(&mut self, lo: Vec3, hi: Vec3, label: u16, mat: &Material) -> &mut Part {
        let half = ((hi - lo) * 0.5).abs().max(Vec3::splat(1e-4));
        self.push(Part::new(Shape::Cuboid { half, skip: 0 }, (lo + hi) * 0.5, Quat::IDENTITY, label, mat.clone()))
    }

    /// A box with its own rotation, centred at `centre`.
    pub fn cuboid_at(&mut self, centre: Vec3, half: Vec3, rot: Quat, label: u16, mat: &Material) -> &mut Part {
        self.push(Part::new(Shape::Cuboid { half, skip: 0 }, centre, rot, label, mat.clone()))
    }

    /// A vertical (possibly tapered) cylinder standing on `base`.
    pub fn cyl(&mut self, base: Vec3, r0: f32, r1: f32, h: f32, label: u16, mat: &Material) -> &mut Part {
        let shape = Shape::Cylinder { r0, r1, h, aspect: 1.0, bottom: true, top: true, hole: 0.0, inner: false };
        self.push(Part::new(shape, base, Quat::IDENTITY, label, mat.clone()))
    }

    /// A round rod from `a` to `b`.
    pub fn rod(&mut self, a: Vec3, b: Vec3, r: f32, label: u16, mat: &Material) -> &mut Part {
        let d = b - a;
        let rot = Quat::from_rotation_arc(Vec3::Z, d.normalize_or(Vec3::Z));
        let shape = Shape::Cylinder {
            r0: r,
            r1: r,
            h: d.length().max(1e-3),
            aspect: 1.0,
            bottom: true,
            top: true,
            hole: 0.0,
            inner: false,
        };
        self.push(Part::new(shape, a, rot, label, mat.clone()))
    }

    /// A rounded box centred at `centre`.
    pub fn blob(&mut self, centre: Vec3, half: Vec3, p: f32, label: u16, mat: &Material) -> &mut Part {
        self.push(Part::new(Shape::Blob { half, p }, centre, Quat::IDENTITY, label, mat.clone()))
    }

    /// An ellipsoid with `radii` centred at `centre`.
    pub fn ellipsoid(&mut self, centre: Vec3, radii: Vec3, label: u16, mat: &Material) -> &mut Part {
        let shape = Shape::Ellipsoid { radii, zlo: -1.0, zhi: 1.0, inward: false };
        self.push(Part::new(shape, centre, Quat::IDENTITY, label, mat.clone()))
    }

    /// A flat rectangle centred at `centre`, its local x along `x`, facing `normal`.
    // Builders read best with the placement spelled out in one call.
    #[allow(clippy::too_many_arguments)]
    pub fn quad(
        &mut self,
        centre: Vec3,
        x: Vec3,
        normal: Vec3,
        half: Vec2,
        two_sided: bool,
        label: u16,
        mat: &Material,
    ) -> &mut Part {
        let shape = Shape::Quad { half, two_sided, amp: 0.0, fold: 0.0 };
        self.push(Part::new(shape, centre, frame(x, normal), label, mat.clone()))
    }

    /// Declares a surface at `centre` of half extents `half` with `clear` metres free above it.
    pub fn support(&mut self, centre: Vec3, half: Vec2, clear: f32) {
        self.supports.push(Support { centre, half, clear, yaw: 0.0 });
    }

    /// Bounds of all parts in the object's frame.
    pub fn bounds(&self) -> (Vec3, Vec3) {
        self.parts.iter().fold((Vec3::splat(f32::INFINITY), Vec3::splat(f32::NEG_INFINITY)), |(a, b), p| {
            let (lo, hi) = p.bounds();
            (a.min(lo), b.max(hi))
        })
    }

    /// Moves and turns the whole object: rotation by `yaw` about z, then translation.
    pub fn transformed(mut self, pos: Vec3, yaw: f32) -> Self {
        let q = Quat::from_rotation_z(yaw);
        for p in &mut self.parts {
            p.pos = pos + q * p.pos;
            p.rot = (q * p.rot).normalize();
        }
        for s in &mut self.supports {
            s.centre = pos + q * s.centre;
            s.yaw += yaw;
        }
        for l in &mut self.lights {
            l.pos = pos + q * l.pos;
            match &mut l.kind {
                LightKind::Point { .. } => {}
                LightKind::Area { u, v, normal } => {
                    *u = q * *u;
                    *v = q * *v;
                    *normal = q * *normal;
                }
                LightKind::Sun { dir } => *dir = q * *dir,
            }
        }
        self
    }

    /// Sets a flag on every part (used for whole objects that sit in a wall opening).
    pub fn mark_outside(mut self) -> Self {
        for p in &mut self.parts {
            p.outside = true;
        }
        self
    }

    /// The object with every part's Gaussian density multiplied by `detail`.
    pub fn with_detail(mut self, detail: f32) -> Self {
        for p in &mut self.parts {
            p.detail *= detail;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::rng::Rng;

    #[test]
    fn frame_maps_axes() {
        let q = frame(Vec3::Y, Vec3::X);
        assert!((q * Vec3::X - Vec3::Y).length() < 1e-5);
        assert!((q * Vec3::Z - Vec3::X).length() < 1e-5);
    }

    #[test]
    fn transform_moves_bounds() {
        let mut rng = Rng::new(1);
        let m = super::super::material::painted(&mut rng);
        let mut o = Object::new("box");
        o.cuboid(Vec3::new(-0.5, -0.25, 0.0), Vec3::new(0.5, 0.25, 1.0), 3, &m);
        let o = o.transformed(Vec3::new(2.0, 3.0, 0.0), std::f32::consts::FRAC_PI_2);
        let (lo, hi) = o.bounds();
        assert!((lo - Vec3::new(1.75, 2.5, 0.0)).length() < 1e-4, "{lo}");
        assert!((hi - Vec3::new(2.25, 3.5, 1.0)).length() < 1e-4, "{hi}");
    }
}
