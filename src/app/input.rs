//! One frame's navigation input, in device-independent terms. The window's keyboard and mouse
//! and the `--script` player both fill this struct, so scripted runs drive exactly the code
//! path a person does.

use glam::Vec2;

/// How the mouse wheel and the default drag behave.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NavMode {
    /// Scroll changes the flying speed.
    #[default]
    Fly,
    /// Scroll zooms towards the orbit target.
    Orbit,
}

/// Navigation input for one frame. Axes are in [-1, 1] (held keys); drags are in pixels
/// moved during this frame; scroll in wheel lines.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ControlInput {
    /// +1 forward (W), -1 back (S).
    pub forward: f32,
    /// +1 right (D), -1 left (A).
    pub right: f32,
    /// +1 up (E), -1 down (Q), along the scene's up axis.
    pub up: f32,
    /// Shift: move faster.
    pub fast: bool,
    /// Right-drag: turn the camera in place (free-fly look).
    pub look: Vec2,
    /// Left-drag: orbit around the target.
    pub orbit: Vec2,
    /// Middle-drag: move camera and target sideways.
    pub pan: Vec2,
    /// Wheel lines, positive away from the user.
    pub scroll: f32,
}

impl ControlInput {
    /// True when this input would move the camera.
    pub fn is_active(&self) -> bool {
        self.forward != 0.0
            || self.right != 0.0
            || self.up != 0.0
            || self.look != Vec2::ZERO
            || self.orbit != Vec2::ZERO
            || self.pan != Vec2::ZERO
            || self.scroll != 0.0
    }
}
