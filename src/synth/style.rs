//! A room's look, decided once so its pieces match: wall, floor and ceiling finishes, the
//! furniture's wood and fabric, the time of day and the artificial light.

use glam::{Vec2, Vec3};

use super::kind::RoomKind;
use super::material::{self, Material, Pattern, hsv, vary};
use crate::util::rng::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// Daylight outside, which sets the sun and the light through the windows.
pub enum TimeOfDay {
    /// Direct sun through the windows.
    Sunny,
    /// Diffuse daylight, no sun.
    Overcast,
    /// Low, dim daylight.
    Dusk,
    /// Dark outside.
    Night,
}

#[derive(Clone, Debug)]
/// A room's look: every finish, the outdoor view and the lighting, chosen together.
pub struct Style {
    /// Wall paint.
    pub wall: Material,
    /// One wall in another colour, by index.
    pub accent: Option<(usize, Material)>,
    /// Tiles or panelling on the lower part of the walls, up to a height.
    pub wainscot: Option<(Material, f32)>,
    /// Floor finish.
    pub floor: Material,
    /// Ceiling finish.
    pub ceiling: Material,
    /// Baseboards, door casings, window frames.
    pub trim: Material,
    /// Door leaves.
    pub door: Material,
    /// The main furniture finish, so a room's pieces match.
    pub wood: Material,
    /// The main upholstery.
    pub fabric: Material,
    /// Metal fittings.
    pub metal: Material,
    /// Daylight outside.
    pub time: TimeOfDay,
    /// Which outdoor view the windows show.
    pub outdoor: u8,
    /// How far below the room's floor the ground outside is (storey).
    pub storey: f32,
    /// Colour of the artificial light (linear, about unit brightness).
    pub warm: Vec3,
    /// Whether the ceiling light is on.
    pub ceiling_on: bool,
    /// Chance that each lamp is on, 0-1 (higher at dusk and night).
    pub lamp_on: f32,
    /// 0 flush disc, 1 dome, 2 recessed panels, 3 none.
    pub fixture: u8,
}

fn wall_paint(rng: &mut Rng) -> Material {
    let whites = [[0.94, 0.94, 0.92], [0.93, 0.91, 0.86], [0.9, 0.9, 0.9], [0.95, 0.93, 0.88]];
    let base = if rng.chance(0.6) {
        Vec3::from_array(*rng.pick(&whites))
    } else {
        // Pastels and the occasional strong colour.
        let s = if rng.chance(0.8) { rng.range(0.05, 0.25) } else { rng.range(0.3, 0.6) };
        hsv(rng.range(0.0, 6.0), s, rng.range(0.45, 0.92))
    };
    let base = vary(base, 0.03, rng);
    match rng.below(12) {
        0 => {
            let c2 = vary(base * 0.85, 0.05, rng);
            Material::new(
                base,
                Pattern::Stripes {
                    period: rng.range(0.08, 0.4),
                    duty: rng.range(0.2, 0.5),
                    color2: c2,
                    vertical: true,
                },
                0.05,
                rng,
            )
        }
        1 => {
            let brick = vary(Vec3::new(0.6, 0.33, 0.24), 0.1, rng);
            Material::new(brick, Pattern::Brick { size: Vec2::new(0.22, 0.075), mortar: Vec3::splat(0.75) }, 0.05, rng)
        }
        _ => Material::new(
            base,
            Pattern::Mottle { scale: rng.range(1.0, 6.0), amp: rng.range(0.02, 0.07) },
            rng.range(0.02, 0.12),
            rng,
        ),
    }
}

fn tiles(rng: &mut Rng, wall: bool) -> Material {
    let list = [
        [0.92, 0.92, 0.9],
        [0.75, 0.75, 0.74],
        [0.55, 0.56, 0.58],
        [0.8, 0.74, 0.64],
        [0.62, 0.36, 0.25],
        [0.3, 0.3, 0.32],
        [0.55, 0.68, 0.72],
    ];
    let base = vary(Vec3::from_array(*rng.pick(&list)), 0.04, rng);
    let size = if wall {
        if rng.chance(0.5) { Vec2::new(0.1, 0.1) } else { Vec2::new(rng.range(0.15, 0.3), rng.range(0.075, 0.3)) }
    } else {
        Vec2::splat(rng.range(0.2, 0.6))
    };
    let grout = vary(if rng.chance(0.7) { Vec3::splat(0.7) } else { Vec3::splat(0.25) }, 0.05, rng);
    Material::new(
        base,
        Pattern::Tiles { size, grout, gw: 0.002, vary: rng.range(0.02, 0.12) },
        rng.range(0.4, 0.7),
        rng,
    )
}

fn carpet(rng: &mut Rng) -> Material {
    let list = [[0.4, 0.4, 0.42], [0.25, 0.28, 0.35], [0.6, 0.55, 0.48], [0.35, 0.33, 0.3], [0.3, 0.35, 0.3]];
    let base = vary(Vec3::from_array(*rng.pick(&list)), 0.06, rng);
    let pattern = if rng.chance(0.25) {
        Pattern::Tiles { size: Vec2::splat(0.5), grout: base * 0.9, gw: 0.001, vary: 0.15 }
    } else {
        Pattern::Fabric { amp: 0.25 }
    };
    Material::new(base, pattern, 0.0, rng)
}

fn planks(rng: &mut Rng) -> Material {
    let w = material::wood(rng);
    let base = vary(w.base, 0.05, rng);
    Material::new(
        base,
        Pattern::Planks { width: rng.range(0.08, 0.25), length: rng.range(0.6, 2.2) },
        rng.range(0.1, 0.45),
        rng,
    )
}

fn vinyl(rng: &mut Rng) -> Material {
    let list = [[0.7, 0.68, 0.62], [0.55, 0.58, 0.6], [0.8, 0.78, 0.72], [0.45, 0.5, 0.45]];
    let base = vary(Vec3::from_array(*rng.pick(&list)), 0.05, rng);
    Material::new(base, Pattern::Mottle { scale: rng.range(20.0, 60.0), amp: 0.12 }, rng.range(0.3, 0.6), rng)
}

fn concrete(rng: &mut Rng) -> Material {
    let base = vary(Vec3::new(0.6, 0.6, 0.58), 0.08, rng);
    Material::new(base, Pattern::Mottle { scale: rng.range(1.0, 4.0), amp: 0.12 }, rng.range(0.2, 0.5), rng)
}

fn floor(kind: RoomKind, rng: &mut Rng) -> Material {
    let r = rng.f32();
    match kind {
        RoomKind::Bathroom => {
            if r < 0.75 {
                tiles(rng, false)
            } else {
                vinyl(rng)
            }
        }
        RoomKind::Kitchen => {
            if r < 0.45 {
                tiles(rng, false)
            } else if r < 0.55 {
                let base = vary(Vec3::splat(0.9), 0.03, rng);
                Material::new(base, Pattern::Checker { size: rng.range(0.2, 0.4), color2: Vec3::splat(0.12) }, 0.5, rng)
            } else if r < 0.85 {
                planks(rng)
            } else {
                concrete(rng)
            }
        }
        RoomKind::Office | RoomKind::Classroom | RoomKind::Conference => {
            if r < 0.45 {
                carpet(rng)
            } else if r < 0.75 {
                vinyl(rng)
            } else if r < 0.9 {
                planks(rng)
            } else {
                concrete(rng)
            }
        }
        _ => {
            if r < 0.6 {
                planks(rng)
            } else if r < 0.8 {
                carpet(rng)
            } else if r < 0.9 {
                tiles(rng, false)
            } else {
                concrete(rng)
            }
        }
    }
}

impl Style {
    /// A random style for a room of `kind` with `walls` walls.
    pub fn generate(kind: RoomKind, walls: usize, rng: &mut Rng) -> Style {
        let wall = wall_paint(rng);
        let accent = if rng.chance(0.2) { Some((rng.below(walls), wall_paint(rng))) } else { None };
        let wainscot = match kind {
            RoomKind::Bathroom if rng.chance(0.85) => {
                Some((tiles(rng, true), if rng.chance(0.3) { 3.5 } else { rng.range(1.1, 2.1) }))
            }
            RoomKind::Kitchen if rng.chance(0.15) => Some((tiles(rng, true), rng.range(0.9, 1.4))),
            RoomKind::Dining | RoomKind::Study | RoomKind::Living if rng.chance(0.1) => {
                Some((material::painted(rng), rng.range(0.8, 1.1)))
            }
            _ => None,
        };
        let floor = floor(kind, rng);
        let office_like = matches!(kind, RoomKind::Office | RoomKind::Classroom | RoomKind::Conference);
        let white = vary(Vec3::splat(0.93), 0.02, rng);
        let ceiling = if office_like && rng.chance(0.6) {
            Material::new(
                white,
                Pattern::Tiles { size: Vec2::splat(0.6), grout: white * 0.8, gw: 0.008, vary: 0.03 },
                0.02,
                rng,
            )
        } else {
            Material::new(white, Pattern::Mottle { scale: 2.0, amp: 0.03 }, 0.02, rng)
        };
        let trim = if rng.chance(0.65) {
            Material::plain(vary(Vec3::splat(0.93), 0.02, rng), 0.3, rng)
        } else {
            material::furniture(rng)
        };
        let door = if rng.chance(0.5) { trim.clone() } else { material::furniture(rng) };
        let time = match rng.f32() {
            x if x < 0.5 => TimeOfDay::Sunny,
            x if x < 0.72 => TimeOfDay::Overcast,
            x if x < 0.86 => TimeOfDay::Dusk,
            _ => TimeOfDay::Night,
        };
        let outdoor = if time == TimeOfDay::Night { 2 } else { *rng.pick(&[0u8, 0, 1, 3]) };
        let kelvin_warm = rng.f32();
        let warm = if kelvin_warm < 0.55 {
            Vec3::new(1.0, 0.78, 0.55)
        } else if kelvin_warm < 0.85 {
            Vec3::new(1.0, 0.9, 0.78)
        } else {
            Vec3::new(0.92, 0.96, 1.0)
        };
        let on_p = match time {
            TimeOfDay::Night => 1.0,
            TimeOfDay::Dusk => 0.8,
            _ if office_like => 0.85,
            TimeOfDay::Overcast => 0.55,
            TimeOfDay::Sunny => 0.3,
        };
        let ceiling_on = rng.chance(on_p);
        let fixture = if office_like { if rng.chance(0.75) { 2 } else { 0 } } else { *rng.pick(&[0u8, 0, 1, 1, 2, 3]) };
        Style {
            wall,
            accent,
            wainscot,
            floor,
            ceiling,
            trim,
            door,
            wood: material::furniture(rng),
            fabric: if rng.chance(0.85) { material::fabric(rng) } else { material::leather(rng) },
            metal: material::metal(rng),
            time,
            outdoor,
            storey: *rng.pick(&[0.3f32, 0.5, 3.3, 6.5, 12.0]),
            warm,
            ceiling_on,
            lamp_on: if matches!(time, TimeOfDay::Night | TimeOfDay::Dusk) { 0.85 } else { 0.35 },
            fixture,
        }
    }

    /// Radiance of the sky seen through the windows (linear units of the light model).
    pub fn sky(&self) -> f32 {
        match self.time {
            TimeOfDay::Sunny => 3.0,
            TimeOfDay::Overcast => 1.8,
            TimeOfDay::Dusk => 0.45,
            TimeOfDay::Night => 0.03,
        }
    }

    /// Tint of daylight.
    pub fn sky_tint(&self) -> Vec3 {
        match self.time {
            TimeOfDay::Sunny => Vec3::new(0.9, 0.95, 1.05),
            TimeOfDay::Overcast => Vec3::new(0.92, 0.95, 1.0),
            TimeOfDay::Dusk => Vec3::new(1.1, 0.8, 0.65),
            TimeOfDay::Night => Vec3::new(0.5, 0.6, 1.0),
        }
    }
}
