//! Procedurally furnished, labelled indoor rooms as Gaussian scenes: training and test data
//! for the point encoder and the segmentation network.
//!
//! A seed decides everything, through independent random streams (so an optional feature
//! never shifts the others): the floor plan with its doors and windows ([`room`]), the look
//! ([`style`], materials in [`material`] and [`texture`]), the shell ([`shell`]), the
//! furniture and props per room kind ([`recipes`], [`furniture`] built from [`shape`]s and
//! [`part`]s, placed by [`layout`]), surface sampling with hidden faces dropped
//! ([`surface`], [`occlusion`]), baked lighting ([`lighting`]), Gaussians with trained-3DGS
//! statistics ([`gaussians`]), a handheld camera loop ([`cameras`]) and finally a global
//! similarity transform ([`transform`]) so no consumer can assume an up axis or a scale.
//! The room is built with z up in metres, floor at z = 0.
//!
//! `cargo test --release --lib synth::tests::preview -- --ignored` with `SYNTH_PREVIEW=dir`
//! renders a few views of each kind (colour beside labels) for a look at the output.

pub mod cameras;
pub mod furniture;
pub mod gaussians;
pub mod kind;
pub mod layout;
pub mod lighting;
pub mod material;
pub mod noise;
pub mod occlusion;
pub mod part;
pub mod recipes;
pub mod room;
pub mod shape;
pub mod shell;
pub mod style;
pub mod surface;
pub mod texture;
pub mod transform;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use glam::Vec3;
use serde::{Deserialize, Serialize};

pub use kind::RoomKind;
pub use transform::GlobalRotation;

use crate::scene::{Camera, Scene};
use crate::util::rng::Rng;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SynthOptions {
    /// Seed every random choice derives from; the same options and seed give the same room.
    pub seed: u64,
    /// The room kind; `None` picks one from the seed.
    pub kind: Option<RoomKind>,
    /// Total Gaussians, floaters included (met exactly unless surfaces run out of room).
    pub target_gaussians: usize,
    /// SH degree of the colours, 0 to 3.
    pub sh_degree: u8,
    /// How the room frame is turned into the world.
    pub rotation: GlobalRotation,
    /// World offset; `None` draws one from the seed.
    pub translation: Option<[f32; 3]>,
    /// Uniform world scale; `None` draws one in [0.5, 2] from the seed.
    pub scale: Option<f32>,
    /// Number of cameras along the capture loop.
    pub views: usize,
    /// Camera image width, pixels.
    pub width: u32,
    /// Camera image height, pixels.
    pub height: u32,
}

impl Default for SynthOptions {
    fn default() -> Self {
        Self {
            seed: 0,
            kind: None,
            target_gaussians: 300_000,
            sh_degree: 3,
            rotation: GlobalRotation::Random,
            translation: None,
            scale: None,
            views: 60,
            width: 640,
            height: 480,
        }
    }
}

/// A generated room.
#[derive(Clone, Debug)]
pub struct SynthRoom {
    /// The Gaussians, with NYU40 labels (0 for floaters).
    pub scene: Scene,
    /// The capture cameras, in loop order.
    pub cameras: Vec<Camera>,
    /// The room's purpose.
    pub kind: RoomKind,
    /// The seed it was generated from.
    pub seed: u64,
    /// The room's up direction in world coordinates.
    pub up: [f32; 3],
    /// Row-major similarity from the room frame (z up, metres, floor at 0) to the world.
    pub world_from_room: [[f32; 4]; 4],
}

impl SynthRoom {
    /// Gaussians per class name.
    pub fn class_counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for &l in self.scene.labels.iter().flatten() {
            *counts.entry(crate::classes::name(l)).or_insert(0) += 1;
        }
        counts
    }
}

/// Random streams, one per concern, so adding to one never changes another.
mod stream {
    pub const KIND: u64 = 1;
    pub const ROOM: u64 = 2;
    pub const STYLE: u64 = 3;
    pub const SHELL: u64 = 4;
    pub const FURNISH: u64 = 5;
    pub const CAMERAS: u64 = 6;
    pub const PROBES: u64 = 7;
    pub const SAMPLES: u64 = 8;
    pub const VOXELS: u64 = 9;
    pub const EXPOSURE: u64 = 10;
    pub const LIGHT: u64 = 11;
    pub const GAUSSIANS: u64 = 12;
    pub const FLOATERS: u64 = 13;
    pub const TRANSFORM: u64 = 14;
    pub const DENSITY: u64 = 15;
}

/// Generates one room. Same options, same room, bit for bit, on any number of threads.
pub fn generate(opts: &SynthOptions) -> SynthRoom {
    let clock = std::time::Instant::now();
    let lap =
        |what: &str| log::debug!("synth seed {}: {what} done at {:.2} s", opts.seed, clock.elapsed().as_secs_f64());
    let seed_rng = Rng::new(opts.seed);
    let kind = opts.kind.unwrap_or_else(|| *seed_rng.fork(stream::KIND).pick(&RoomKind::ALL));
    // Every other stream also depends on the kind, so one seed asked for as different kinds
    // gives unrelated rooms rather than the same walls and colours refurnished.
    let kind_index = RoomKind::ALL.iter().position(|k| *k == kind).expect("kind is in ALL") as u64;
    let root = seed_rng.fork(0x4B49_4E44_0000 + kind_index);
    let room = room::Room::generate(kind, &mut root.fork(stream::ROOM));
    let style = style::Style::generate(kind, room.walls.len(), &mut root.fork(stream::STYLE));
    let shell = shell::build(&room, &style, &mut root.fork(stream::SHELL));
    let mut layout = layout::Layout::new(&room);
    recipes::furnish(kind, &mut layout, &style, &mut root.fork(stream::FURNISH));
    let mut cameras =
        cameras::trajectory(&layout, opts.views, opts.width, opts.height, &mut root.fork(stream::CAMERAS));

    lap("layout and cameras");
    // Flatten every object into one list of parts, remembering which object owns each.
    let mut parts = Vec::new();
    let mut owner = Vec::new();
    let mut lights = shell.lights;
    for (oi, obj) in shell.objects.iter().chain(layout.objects.iter()).enumerate() {
        parts.extend(obj.parts.iter().cloned());
        owner.extend(std::iter::repeat_n(oi as u32, obj.parts.len()));
        lights.extend(obj.lights.iter().cloned());
    }
    let occ = occlusion::Occluders::new(&room, &parts);
    let mut frng = root.fork(stream::FLOATERS);
    let floaters = (opts.target_gaussians as f32 * frng.range(0.005, 0.02)) as usize;
    let budget = opts.target_gaussians - floaters;
    let visible = surface::visible_areas(&parts, &occ, &root.fork(stream::PROBES));
    lap("visible areas");
    let density = root.fork(stream::DENSITY);
    let counts = surface::allocate(&parts, &owner, &visible, budget, (budget / 4000).max(12), &density);
    let surfels = surface::sample(&parts, &occ, &visible, &counts, &root.fork(stream::SAMPLES));

    lap("surface samples");
    let vox = lighting::Voxels::build(&room, &parts, &root.fork(stream::VOXELS));
    lap("voxels");
    let exposure = lighting::Exposure::random(style.time, &mut root.fork(stream::EXPOSURE));
    let shaded = lighting::shade(&surfels, &parts, &lights, &vox, style.warm, &exposure, &mut root.fork(stream::LIGHT));

    lap("lighting");
    let sh_degree = opts.sh_degree.min(3);
    let mut scene = Scene::with_capacity(opts.target_gaussians, sh_degree);
    scene.labels = Some(Vec::with_capacity(opts.target_gaussians));
    gaussians::build(&mut scene, &surfels, &shaded, &parts, &mut root.fork(stream::GAUSSIANS));
    let rest = opts.target_gaussians.saturating_sub(scene.len());
    gaussians::floaters(&mut scene, rest, &room, &surfels, &shaded, &mut frng);

    let sim =
        transform::Similarity::new(opts.rotation, opts.translation, opts.scale, &mut root.fork(stream::TRANSFORM));
    sim.apply_scene(&mut scene);
    for c in &mut cameras {
        sim.apply_camera(c);
    }
    lap("gaussians and transform");
    scene.check_consistent().expect("the generator fills every array for every Gaussian");
    SynthRoom {
        scene,
        cameras,
        kind,
        seed: opts.seed,
        up: (sim.rot * Vec3::Z).to_array(),
        world_from_room: sim.matrix(),
    }
}
