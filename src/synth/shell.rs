//! The room's fixed surfaces: floor, ceiling and walls (with real holes), the reveals of the
//! openings, windows with glass and a view outside, doors (some open onto a hallway),
//! baseboards, pillars and ceiling lights; plus daylight through the windows.

use std::f32::consts::FRAC_PI_2;

use glam::{Quat, Vec2, Vec3};

use super::material::{self, Material, Pattern};
use super::part::{Light, LightKind, Object, Part, frame};
use super::room::{Opening, OpeningKind, Room};
use super::shape::Shape;
use super::style::{Style, TimeOfDay};
use crate::classes::id;
use crate::util::rng::Rng;

/// Everything the shell contributes.
pub struct Shell {
    /// Walls, floor, ceiling, openings, trim and fixtures.
    pub objects: Vec<Object>,
    /// Ceiling lights and window light.
    pub lights: Vec<Light>,
}

fn panel(half: Vec2, holes: Vec<[f32; 4]>, pos: Vec3, rot: Quat, label: u16, mat: &Material) -> Part {
    Part::new(Shape::Panel { half, holes }, pos, rot, label, mat.clone())
}

/// A band of wall `w` between heights `za` and `zb`, with the openings cut out.
fn wall_band(room: &Room, w: usize, za: f32, zb: f32, mat: &Material) -> Part {
    let wall = room.walls[w];
    let zmid = 0.5 * (za + zb);
    let half = Vec2::new(0.5 * wall.len, 0.5 * (zb - za));
    // Local x runs from b to a so that (x, up, inward) is right-handed.
    let holes = room
        .openings_on(w)
        .filter(|o| o.z1 > za && o.z0 < zb)
        .map(|o| [half.x - o.u1, o.z0.max(za) - zmid, half.x - o.u0, o.z1.min(zb) - zmid])
        .collect();
    let pos = ((wall.a + wall.b) * 0.5).extend(zmid);
    let mut p = panel(half, holes, pos, frame(-wall.dir3(), wall.inward3()), id::WALL, mat);
    p.detail = 0.55;
    p
}

/// Builds the room's shell in `style`: walls with their openings, floor, ceiling, trim and lights.
pub fn build(room: &Room, style: &Style, rng: &mut Rng) -> Shell {
    let mut objects = Vec::new();
    let mut lights = Vec::new();
    let (w, d, h) = (room.size.x, room.size.y, room.height);
    let centre = Vec3::new(w * 0.5, d * 0.5, 0.0);

    // Floor and ceiling as one panel each over the bounding box, the L's notch and the
    // pillars cut out. Floor uv equals room (x, y), so patterns are continuous.
    let mut cut: Vec<(Vec2, Vec2)> = room.notch.iter().map(|n| (n.lo, n.hi)).collect();
    cut.extend(room.pillars.iter().map(|p| (p.rect.lo, p.rect.hi)));
    let floor_holes =
        cut.iter().map(|(lo, hi)| [lo.x - w * 0.5, lo.y - d * 0.5, hi.x - w * 0.5, hi.y - d * 0.5]).collect();
    let ceil_holes =
        cut.iter().map(|(lo, hi)| [lo.x - w * 0.5, d * 0.5 - hi.y, hi.x - w * 0.5, d * 0.5 - lo.y]).collect();
    let mut floor = Object::new("floor");
    floor.push(panel(Vec2::new(w, d) * 0.5, floor_holes, centre, Quat::IDENTITY, id::FLOOR, &style.floor)).detail = 0.8;
    objects.push(floor);
    let mut ceiling = Object::new("ceiling");
    let ceil_rot = frame(Vec3::X, -Vec3::Z);
    ceiling
        .push(panel(Vec2::new(w, d) * 0.5, ceil_holes, centre + Vec3::Z * h, ceil_rot, id::CEILING, &style.ceiling))
        .detail = 0.4;
    objects.push(ceiling);

    for wi in 0..room.walls.len() {
        let mut obj = Object::new("wall");
        let mat = match &style.accent {
            Some((a, m)) if *a == wi => m,
            _ => &style.wall,
        };
        match &style.wainscot {
            Some((tiles, top)) if *top < h - 0.05 => {
                obj.push(wall_band(room, wi, 0.0, *top, tiles)).detail = 0.9;
                obj.push(wall_band(room, wi, *top, h, mat));
            }
            Some((tiles, _)) => obj.push(wall_band(room, wi, 0.0, h, tiles)).detail = 0.9,
            None => {
                obj.push(wall_band(room, wi, 0.0, h, mat));
            }
        }
        objects.push(obj);
    }

    for o in &room.openings {
        objects.push(reveals(room, o, style));
        match o.kind {
            OpeningKind::Window => {
                let (win, backdrop) = window(room, o, style, &mut rng.fork(objects.len() as u64));
                objects.push(win);
                objects.push(backdrop);
                let wall = room.walls[o.wall];
                let c = wall.at(0.5 * (o.u0 + o.u1), 0.5 * (o.z0 + o.z1));
                lights.push(Light {
                    pos: c,
                    colour: style.sky_tint() * style.sky(),
                    kind: LightKind::Area {
                        u: wall.dir3() * 0.5 * o.width(),
                        v: Vec3::Z * 0.5 * (o.z1 - o.z0),
                        normal: wall.inward3(),
                    },
                });
            }
            OpeningKind::Door { open, hinge_u0 } => {
                objects.push(door(room, o, open, hinge_u0, style, &mut rng.fork(objects.len() as u64)));
            }
        }
    }

    if style.time == TimeOfDay::Sunny {
        let windows: Vec<&Opening> = room.openings.iter().filter(|o| !o.is_door()).collect();
        if !windows.is_empty() && rng.chance(0.8) {
            // The sun comes in through one wall's windows, from above at an angle.
            let o = windows[rng.below(windows.len())];
            let wall = room.walls[o.wall];
            let elev = rng.range(0.3, 0.9);
            let az = rng.range(-0.9, 0.9);
            let horiz = wall.inward3() * az.cos() + wall.dir3() * az.sin();
            let dir = (horiz * elev.cos() - Vec3::Z * elev.sin()).normalize();
            lights.push(Light {
                pos: Vec3::ZERO,
                colour: Vec3::new(1.0, 0.95, 0.85) * rng.range(4.0, 7.0),
                kind: LightKind::Sun { dir },
            });
        }
    }

    objects.extend(baseboards(room, style, rng));
    for p in &room.pillars {
        let mut o = Object::new("pillar");
        let label = if p.partition { id::WALL } else { id::OTHER_STRUCTURE };
        o.cuboid(p.rect.lo.extend(0.0), p.rect.hi.extend(h), label, &style.wall).detail = 0.6;
        objects.push(o);
    }
    let (fixtures, fixture_lights) = ceiling_lights(room, style, rng);
    objects.extend(fixtures);
    lights.extend(fixture_lights);
    Shell { objects, lights }
}

/// The faces of the wall's thickness around an opening.
fn reveals(room: &Room, o: &Opening, style: &Style) -> Object {
    let wall = room.walls[o.wall];
    let t = room.thickness;
    let out = -wall.inward3();
    let mut obj = Object::new("reveal");
    let mid_u = 0.5 * (o.u0 + o.u1);
    let hz = 0.5 * (o.z1 - o.z0);
    let zc = 0.5 * (o.z0 + o.z1);
    let top = obj.quad(
        wall.at(mid_u, o.z1) + out * t * 0.5,
        wall.dir3(),
        -Vec3::Z,
        Vec2::new(0.5 * o.width(), 0.5 * t),
        false,
        id::WALL,
        &style.wall,
    );
    top.outside = true;
    if !o.is_door() {
        let b = obj.quad(
            wall.at(mid_u, o.z0) + out * t * 0.5,
            wall.dir3(),
            Vec3::Z,
            Vec2::new(0.5 * o.width(), 0.5 * t),
            false,
            id::WALL,
            &style.wall,
        );
        b.outside = true;
    }
    for (u, n) in [(o.u0, wall.dir3()), (o.u1, -wall.dir3())] {
        let s =
            obj.quad(wall.at(u, zc) + out * t * 0.5, Vec3::Z, n, Vec2::new(hz, 0.5 * t), false, id::WALL, &style.wall);
        s.outside = true;
    }
    obj
}

/// A window unit set into the opening, and the view outside it.
fn window(room: &Room, o: &Opening, style: &Style, rng: &mut Rng) -> (Object, Object) {
    let wall = room.walls[o.wall];
    let t = room.thickness;
    let (w, h) = (o.width(), o.z1 - o.z0);
    // Built with x along the wall, +y into the wall, z up from the sill, like furniture.
    let mut win = Object::new("window");
    let frame_mat = if rng.chance(0.6) { style.trim.clone() } else { material::metal(rng) };
    let fw = rng.range(0.04, 0.08);
    let fd = rng.range(0.05, 0.08);
    let y0 = t * rng.range(0.25, 0.6);
    let y1 = y0 + fd;
    let (hw, lab) = (0.5 * w, id::WINDOW);
    win.cuboid(Vec3::new(-hw, y0, 0.0), Vec3::new(-hw + fw, y1, h), lab, &frame_mat);
    win.cuboid(Vec3::new(hw - fw, y0, 0.0), Vec3::new(hw, y1, h), lab, &frame_mat);
    win.cuboid(Vec3::new(-hw + fw, y0, 0.0), Vec3::new(hw - fw, y1, fw), lab, &frame_mat);
    win.cuboid(Vec3::new(-hw + fw, y0, h - fw), Vec3::new(hw - fw, y1, h), lab, &frame_mat);
    let panes = if w > 1.1 { 2 + (w > 2.0 && rng.chance(0.5)) as usize } else { 1 };
    for k in 1..panes {
        let x = -hw + w * k as f32 / panes as f32;
        win.cuboid(Vec3::new(x - 0.5 * fw, y0, fw), Vec3::new(x + 0.5 * fw, y1, h - fw), lab, &frame_mat);
    }
    if h > 1.4 && rng.chance(0.35) {
        let z = h * rng.range(0.6, 0.8);
        win.cuboid(Vec3::new(-hw + fw, y0, z - 0.5 * fw), Vec3::new(hw - fw, y1, z + 0.5 * fw), lab, &frame_mat);
    }
    let glass = material::glass(rng);
    let g = win.quad(
        Vec3::new(0.0, 0.5 * (y0 + y1), 0.5 * h),
        Vec3::X,
        -Vec3::Y,
        Vec2::new(hw - fw, 0.5 * h - fw),
        false,
        lab,
        &glass,
    );
    g.detail = 0.5;
    if o.z0 > 0.2 && rng.chance(0.75) {
        let sd = rng.range(0.02, 0.07);
        let sill_mat = if rng.chance(0.6) { frame_mat.clone() } else { material::wood(rng) };
        win.cuboid(Vec3::new(-hw - 0.05, -sd, -0.03), Vec3::new(hw + 0.05, y0, 0.0), lab, &sill_mat);
    }
    let yaw = wall.yaw_facing_in();
    let origin = wall.at(0.5 * (o.u0 + o.u1), o.z0);
    let win = win.mark_outside().transformed(origin, yaw);

    // The outside: a self-lit picture some metres out, wide enough to fill oblique views.
    // Not too far or too big either: it is part of the scene's extent.
    let dist = t + rng.range(1.5, 4.5);
    let half = Vec2::new((hw + dist * 2.0).min(9.0), (0.5 * h + dist * 1.3).min(6.0));
    let bottom = o.z0 + 0.5 * h - half.y;
    let horizon = -style.storey - bottom;
    let mat = Material::new(Vec3::ONE, Pattern::Outdoor { style: style.outdoor, horizon }, 0.0, rng)
        .emissive(style.sky() * rng.range(0.9, 1.4));
    let mut back = Object::new("outdoors");
    let p = back.quad(Vec3::new(0.0, dist, 0.5 * h), Vec3::X, -Vec3::Y, half, false, id::WINDOW, &mat);
    p.shadow = false;
    // Only the part seen through the window matters, and it is seen from afar: budget it
    // like a few times the window's own area.
    p.detail = (3.0 * w * h / (4.0 * half.x * half.y)).min(0.3);
    (win, back.mark_outside().transformed(origin, yaw))
}

/// Door leaf with handles, casing, and a short hallway behind it when it stands open.
fn door(room: &Room, o: &Opening, open: f32, hinge_u0: bool, style: &Style, rng: &mut Rng) -> Object {
    let wall = room.walls[o.wall];
    let t = room.thickness;
    let (w, h) = (o.width(), o.z1 - o.z0);
    let hw = 0.5 * w;
    let mut obj = Object::new("door");
    let casing = rng.range(0.05, 0.09);
    let cd = rng.range(0.012, 0.025);
    let lab = id::DOOR;
    obj.cuboid(Vec3::new(-hw - casing, -cd, 0.0), Vec3::new(-hw, 0.0, h + casing), lab, &style.trim);
    obj.cuboid(Vec3::new(hw, -cd, 0.0), Vec3::new(hw + casing, 0.0, h + casing), lab, &style.trim);
    obj.cuboid(Vec3::new(-hw, -cd, h), Vec3::new(hw, 0.0, h + casing), lab, &style.trim);

    // The leaf, built around its hinge and swung into the room. Object x runs along −dir,
    // so the hinge at u0 sits at +x.
    let lt = 0.04;
    let lw = w - 0.012;
    let lh = h - 0.01;
    let sign = if hinge_u0 { 1.0 } else { -1.0 };
    let hinge = Vec3::new(sign * hw, 0.012, 0.0);
    let rot = Quat::from_rotation_z(sign * open);
    let panels = if rng.chance(0.6) {
        Pattern::Panels { size: Vec2::new(lw, lh), margin: rng.range(0.08, 0.14) }
    } else {
        Pattern::Mottle { scale: 5.0, amp: 0.03 }
    };
    let mut leaf_mat = style.door.clone();
    if !matches!(leaf_mat.pattern, Pattern::Wood { .. }) {
        leaf_mat.pattern = panels;
    }
    let leaf_centre = hinge + rot * Vec3::new(-sign * 0.5 * lw, 0.5 * lt, 0.5 * lh);
    obj.cuboid_at(leaf_centre, Vec3::new(0.5 * lw, 0.5 * lt, 0.5 * lh), rot, lab, &leaf_mat).outside = true;
    let metal = material::metal(rng);
    for side in [-1.0f32, 1.0] {
        let face = hinge + rot * Vec3::new(-sign * (lw - 0.07), 0.5 * lt + side * 0.5 * lt, 1.0);
        let tip = face + rot * Vec3::new(0.0, side * 0.055, 0.0);
        obj.rod(face, tip, 0.009, lab, &metal).outside = true;
        obj.rod(tip, tip + rot * Vec3::new(sign * 0.12, 0.0, 0.0), 0.008, lab, &metal).outside = true;
    }
    if open > 0.0 {
        // A dim hallway so the doorway shows something real.
        let hw2 = hw + rng.range(0.3, 1.0);
        let depth = rng.range(1.2, 3.0);
        let hh = room.height;
        let y0 = t;
        let y1 = t + depth;
        let paint = material::Material::plain(material::vary(style.wall.base, 0.1, rng), 0.05, rng);
        let mut add = |centre: Vec3, x: Vec3, n: Vec3, half: Vec2, label: u16, mat: &Material| {
            let p = obj.quad(centre, x, n, half, false, label, mat);
            p.outside = true;
            p.detail = 0.5;
        };
        add(
            Vec3::new(0.0, 0.5 * (y0 + y1), 0.0),
            Vec3::X,
            Vec3::Z,
            Vec2::new(hw2, 0.5 * depth),
            id::FLOOR,
            &style.floor,
        );
        add(Vec3::new(0.0, 0.5 * t, 0.0), Vec3::X, Vec3::Z, Vec2::new(hw, 0.5 * t), id::FLOOR, &style.floor);
        add(
            Vec3::new(0.0, 0.5 * (y0 + y1), hh),
            Vec3::X,
            -Vec3::Z,
            Vec2::new(hw2, 0.5 * depth),
            id::CEILING,
            &style.ceiling,
        );
        add(Vec3::new(0.0, y1, 0.5 * hh), Vec3::X, -Vec3::Y, Vec2::new(hw2, 0.5 * hh), id::WALL, &paint);
        add(
            Vec3::new(-hw2, 0.5 * (y0 + y1), 0.5 * hh),
            Vec3::Y,
            Vec3::X,
            Vec2::new(0.5 * depth, 0.5 * hh),
            id::WALL,
            &paint,
        );
        add(
            Vec3::new(hw2, 0.5 * (y0 + y1), 0.5 * hh),
            Vec3::Y,
            -Vec3::X,
            Vec2::new(0.5 * depth, 0.5 * hh),
            id::WALL,
            &paint,
        );
    }
    // A light switch beside the door, on the latch side.
    let sx = -sign * (hw + casing + 0.12);
    let plastic = material::Material::plain(Vec3::splat(0.92), 0.3, rng);
    obj.cuboid(Vec3::new(sx - 0.04, -0.012, 1.05), Vec3::new(sx + 0.04, 0.0, 1.13), id::OTHER_PROP, &plastic);
    obj.transformed(wall.at(0.5 * (o.u0 + o.u1), 0.0), wall.yaw_facing_in())
}

/// Skirting along every wall, broken at doors.
fn baseboards(room: &Room, style: &Style, rng: &mut Rng) -> Vec<Object> {
    if !rng.chance(0.75) {
        return Vec::new();
    }
    let hb = rng.range(0.05, 0.12);
    let bd = rng.range(0.01, 0.02);
    let mut out = Vec::new();
    for (wi, wall) in room.walls.iter().enumerate() {
        let mut cuts: Vec<(f32, f32)> =
            room.openings_on(wi).filter(|o| o.is_door()).map(|o| (o.u0 - 0.07, o.u1 + 0.07)).collect();
        cuts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut spans = Vec::new();
        let mut u = 0.0;
        for (a, b) in cuts {
            if a > u {
                spans.push((u, a));
            }
            u = u.max(b);
        }
        spans.push((u, wall.len));
        let mut obj = Object::new("baseboard");
        for (a, b) in spans {
            if b - a < 0.05 {
                continue;
            }
            let centre = wall.at(0.5 * (a + b), 0.5 * hb) + wall.inward3() * 0.5 * bd;
            let rot = Quat::from_rotation_z(wall.dir.y.atan2(wall.dir.x));
            obj.cuboid_at(centre, Vec3::new(0.5 * (b - a), 0.5 * bd, 0.5 * hb), rot, id::WALL, &style.trim).detail =
                0.7;
        }
        out.push(obj);
    }
    out
}

/// Ceiling fixtures on a grid, and their light.
fn ceiling_lights(room: &Room, style: &Style, rng: &mut Rng) -> (Vec<Object>, Vec<Light>) {
    let mut objs = Vec::new();
    let mut lights = Vec::new();
    if style.fixture == 3 && style.time != TimeOfDay::Night {
        return (objs, lights);
    }
    let h = room.height;
    let spacing = if style.fixture == 2 { rng.range(1.8, 2.6) } else { rng.range(2.4, 3.5) };
    let nx = ((room.size.x / spacing).round() as usize).max(1);
    let ny = ((room.size.y / spacing).round() as usize).max(1);
    let power = rng.range(1.2, 2.2) * spacing * spacing / 6.0;
    let emission = if style.ceiling_on { rng.range(4.0, 8.0) } else { 0.0 };
    let shell_mat =
        material::Material::plain(material::vary(Vec3::splat(0.93), 0.02, rng), 0.4, rng).emissive(emission);
    let r = rng.range(0.12, 0.25);
    let long_panel = rng.chance(0.4);
    for i in 0..nx {
        for j in 0..ny {
            let p = Vec2::new((i as f32 + 0.5) * room.size.x / nx as f32, (j as f32 + 0.5) * room.size.y / ny as f32);
            if !room.contains2(p) || room.pillars.iter().any(|q| q.rect.contains(p)) || room.wall_distance(p) < 0.4 {
                continue;
            }
            let mut o = Object::new("ceiling light");
            match style.fixture {
                1 => {
                    let s = Shape::Ellipsoid { radii: Vec3::new(r, r, 0.1), zlo: -1.0, zhi: 0.0, inward: false };
                    o.push(Part::new(s, p.extend(h), Quat::IDENTITY, id::LAMP, shell_mat.clone()));
                }
                2 => {
                    let half = if long_panel { Vec3::new(0.6, 0.15, 0.01) } else { Vec3::new(0.3, 0.3, 0.01) };
                    let rot = if long_panel && room.size.x < room.size.y {
                        Quat::from_rotation_z(FRAC_PI_2)
                    } else {
                        Quat::IDENTITY
                    };
                    o.cuboid_at(p.extend(h - 0.01), half, rot, id::LAMP, &shell_mat);
                }
                _ => {
                    o.cyl(p.extend(h - 0.06), r, r * 0.95, 0.06, id::LAMP, &shell_mat);
                }
            }
            objs.push(o);
            if style.ceiling_on {
                lights.push(Light {
                    pos: p.extend(h - 0.2),
                    colour: style.warm * power,
                    kind: LightKind::Point { radius: 0.15 },
                });
            }
        }
    }
    (objs, lights)
}
