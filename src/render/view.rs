//! Per-frame camera constants in the form the rasterizer rules use them.

use glam::{Mat3, Vec3};

use crate::scene::Camera;

/// Tile edge in pixels (the reference rasterizer's BLOCK_X = BLOCK_Y = 16).
pub const TILE: u32 = 16;

/// Everything projection needs about one view.
#[derive(Clone, Copy, Debug)]
pub struct View {
    /// World-to-camera rotation and translation: p_cam = rot · p + trans.
    pub rot: Mat3,
    /// World-to-camera translation.
    pub trans: Vec3,
    /// Camera centre in world space.
    pub campos: Vec3,
    /// Horizontal focal length, pixels.
    pub fx: f32,
    /// Vertical focal length, pixels.
    pub fy: f32,
    /// tan of half the horizontal field of view.
    pub tan_fovx: f32,
    /// tan of half the vertical field of view.
    pub tan_fovy: f32,
    /// Image width, pixels.
    pub width: u32,
    /// Image height, pixels.
    pub height: u32,
}

impl View {
    /// The view of `cam`; nothing is checked here, so callers validate the camera first.
    pub fn from_camera(cam: &Camera) -> Self {
        let rot = cam.world_to_cam();
        let campos = cam.centre();
        let (tan_fovx, tan_fovy) = cam.tan_half_fov();
        Self {
            rot,
            trans: -(rot * campos),
            campos,
            fx: cam.fx as f32,
            fy: cam.fy as f32,
            tan_fovx,
            tan_fovy,
            width: cam.width,
            height: cam.height,
        }
    }

    /// Tiles across and down.
    pub fn tile_grid(&self) -> (u32, u32) {
        (self.width.div_ceil(TILE), self.height.div_ceil(TILE))
    }
}
