//! The viewer's camera: free-fly and orbit navigation around an up axis taken from the
//! scene's cameras (scenes come in any orientation), with frame-rate independent smoothing.
//! Pure math, no window, so it is unit-tested and driven identically by the keyboard and by
//! `--script`.
//!
//! The pose is a target point, a distance and yaw/pitch about the up axis; the eye sits
//! `distance` behind the target. Input moves a goal pose; the shown pose follows it
//! exponentially and snaps onto it once the difference is invisible, so motion stops exactly
//! when input stops.

use glam::{Vec2, Vec3};

use super::input::{ControlInput, NavMode};
use crate::scene::Camera;

pub use crate::scene::camera_path::SceneExtent;

#[derive(Clone, Copy, Debug, PartialEq)]
struct Pose {
    target: Vec3,
    distance: f32,
    yaw: f32,
    pitch: f32,
}

/// Radians per pixel of mouse drag.
const TURN_PER_PIXEL: f32 = 0.004;
/// Pitch stays short of straight up/down, where yaw is undefined.
const MAX_PITCH: f32 = 89.0 * std::f32::consts::PI / 180.0;
/// Shift multiplies the flying speed by this.
const FAST: f32 = 4.0;
/// Each wheel line scales speed (fly) or distance (orbit) by this.
const WHEEL_STEP: f32 = 1.15;

/// The viewer's camera: fly or orbit navigation about the scene's up, snapping to scene
/// cameras, with smoothed motion between the goal and the shown pose.
pub struct CameraController {
    up: Vec3,
    /// Horizontal direction of yaw 0, and of yaw +90° (which is "right" of yaw 0).
    heading0: Vec3,
    heading90: Vec3,
    goal: Pose,
    shown: Pose,
    home: Pose,
    /// The scene camera last snapped to, shown exactly (roll and all) while the pose stays
    /// where the snap put it; any movement drops it.
    snapped: Option<Camera>,
    home_camera: Option<Camera>,
    radius: f32,
    /// Fly or orbit.
    pub mode: NavMode,
    /// Flying speed, world units per second.
    pub speed: f32,
    /// Horizontal field of view, degrees.
    pub fov_x_deg: f32,
    /// Smoothing time constant in seconds (0: none).
    pub smoothing_s: f32,
}

/// Horizontal field of view of a scene camera, in degrees.
pub fn fov_x_deg(cam: &Camera) -> f32 {
    (2.0 * (0.5 * cam.width as f64 / cam.fx).atan()).to_degrees() as f32
}

impl CameraController {
    /// A controller whose "up" is `up` (unit length), starting from `start` (a scene camera)
    /// or, without one, looking at the scene from outside.
    pub fn new(up: Vec3, extent: SceneExtent, start: Option<&Camera>) -> Self {
        let up = up.try_normalize().unwrap_or(Vec3::NEG_Y);
        let facing = start.map_or(up.any_orthonormal_vector(), |c| c.forward());
        let heading0 = (facing - up * facing.dot(up)).try_normalize().unwrap_or_else(|| up.any_orthonormal_vector());
        let heading90 = heading0.cross(up);
        let radius = extent.radius;
        let mut c = Self {
            up,
            heading0,
            heading90,
            goal: Pose { target: extent.centre, distance: 2.0 * radius, yaw: 0.0, pitch: -0.3 },
            shown: Pose { target: extent.centre, distance: 2.0 * radius, yaw: 0.0, pitch: -0.3 },
            home: Pose { target: extent.centre, distance: 2.0 * radius, yaw: 0.0, pitch: -0.3 },
            snapped: None,
            home_camera: None,
            radius,
            mode: NavMode::Fly,
            speed: 0.5 * radius,
            fov_x_deg: 60.0,
            smoothing_s: 0.08,
        };
        if let Some(cam) = start {
            c.home = c.pose_of(cam, extent.centre);
            c.fov_x_deg = fov_x_deg(cam);
            c.home_camera = Some(cam.clone());
        }
        c.goal = c.home;
        c.shown = c.home;
        c.snapped = c.home_camera.clone();
        c
    }

    /// The scene's up direction (unit vector).
    pub fn up(&self) -> Vec3 {
        self.up
    }

    fn forward_of(&self, yaw: f32, pitch: f32) -> Vec3 {
        let horizontal = self.heading0 * yaw.cos() + self.heading90 * yaw.sin();
        horizontal * pitch.cos() + self.up * pitch.sin()
    }

    fn eye_of(&self, p: &Pose) -> Vec3 {
        p.target - self.forward_of(p.yaw, p.pitch) * p.distance
    }

    /// The pose that reproduces `cam`'s position and viewing direction; the orbit target is
    /// where its view ray passes closest to `centre` (not behind the camera).
    fn pose_of(&self, cam: &Camera, centre: Vec3) -> Pose {
        let f = cam.forward().normalize();
        let pitch = f.dot(self.up).clamp(-1.0, 1.0).asin().clamp(-MAX_PITCH, MAX_PITCH);
        let mut yaw = f.dot(self.heading90).atan2(f.dot(self.heading0));
        // Take the turn closest to the current yaw so an animated snap never spins around.
        let tau = std::f32::consts::TAU;
        yaw += ((self.goal.yaw - yaw) / tau).round() * tau;
        let eye = cam.centre();
        let distance = (centre - eye).dot(f).max(0.2 * self.radius);
        let mut pose = Pose { target: Vec3::ZERO, distance, yaw, pitch };
        pose.target = eye + self.forward_of(yaw, pitch) * distance;
        pose
    }

    /// Moves the goal to a scene camera; `animate: false` jumps there at once.
    pub fn snap_to(&mut self, cam: &Camera, animate: bool) {
        let centre = self.goal.target;
        self.goal = self.pose_of(cam, centre);
        self.fov_x_deg = fov_x_deg(cam);
        self.snapped = Some(cam.clone());
        if !animate {
            self.shown = self.goal;
        }
    }

    /// Back to the starting view.
    pub fn reset(&mut self) {
        self.goal = self.home;
        self.snapped = self.home_camera.clone();
    }

    /// True when the shown pose has reached the goal (nothing left to animate).
    pub fn is_settled(&self) -> bool {
        self.shown == self.goal
    }

    /// Camera centre of the shown pose.
    pub fn eye(&self) -> Vec3 {
        self.eye_of(&self.shown)
    }

    /// Orbit target of the shown pose.
    pub fn target(&self) -> Vec3 {
        self.shown.target
    }

    /// Viewing direction of the shown pose (unit vector).
    pub fn forward(&self) -> Vec3 {
        self.forward_of(self.shown.yaw, self.shown.pitch)
    }

    /// Applies one frame's input to the goal, then advances the shown pose by `dt` seconds.
    pub fn update(&mut self, input: &ControlInput, dt: f32) {
        self.apply(input, dt);
        self.smooth(dt);
    }

    fn apply(&mut self, input: &ControlInput, dt: f32) {
        if input.is_active() {
            self.snapped = None;
        }
        let g = self.goal;
        if input.scroll != 0.0 {
            let factor = WHEEL_STEP.powf(input.scroll);
            match self.mode {
                NavMode::Fly => self.speed = (self.speed * factor).clamp(1e-4 * self.radius, 100.0 * self.radius),
                NavMode::Orbit => {
                    self.goal.distance = (g.distance / factor).clamp(1e-3 * self.radius, 100.0 * self.radius)
                }
            }
        }
        if input.look != Vec2::ZERO {
            // Turn about the eye: the target swings around it.
            let eye = self.eye_of(&self.goal);
            self.turn(input.look);
            self.goal.target = eye + self.forward_of(self.goal.yaw, self.goal.pitch) * self.goal.distance;
        }
        if input.orbit != Vec2::ZERO {
            // Turn about the target: the eye swings around it at the same distance.
            self.turn(input.orbit);
        }
        let fwd = self.forward_of(self.goal.yaw, self.goal.pitch);
        let right = fwd.cross(self.up).try_normalize().unwrap_or(self.heading90);
        let image_up = right.cross(fwd);
        if input.pan != Vec2::ZERO {
            // The scene follows the mouse: about one pixel's worth of the view at the target.
            let per_pixel = self.goal.distance * 2.0 * (0.5 * self.fov_x_deg.to_radians()).tan() / 1000.0;
            self.goal.target += (-right * input.pan.x + image_up * input.pan.y) * per_pixel;
        }
        let speed = self.speed * if input.fast { FAST } else { 1.0 };
        let step = (fwd * input.forward + right * input.right + self.up * input.up) * speed * dt;
        self.goal.target += step;
    }

    fn turn(&mut self, drag: Vec2) {
        self.goal.yaw += drag.x * TURN_PER_PIXEL;
        self.goal.pitch = (self.goal.pitch - drag.y * TURN_PER_PIXEL).clamp(-MAX_PITCH, MAX_PITCH);
    }

    /// Exponential approach to the goal: the remaining difference shrinks by e^(−dt/τ), the
    /// same after one frame of 2·dt as after two of dt, so motion does not depend on frame rate.
    /// Fly mode interpolates the eye (so turning in place stays in place); orbit mode the
    /// target and distance (so orbiting keeps the distance).
    fn smooth(&mut self, dt: f32) {
        let keep = if self.smoothing_s > 0.0 { (-dt.max(0.0) / self.smoothing_s).exp() } else { 0.0 };
        let t = 1.0 - keep;
        let (s, g) = (self.shown, self.goal);
        let yaw = s.yaw + (g.yaw - s.yaw) * t;
        let pitch = s.pitch + (g.pitch - s.pitch) * t;
        let distance = s.distance + (g.distance - s.distance) * t;
        let target = match self.mode {
            NavMode::Orbit => s.target.lerp(g.target, t),
            NavMode::Fly => {
                let eye = self.eye_of(&s).lerp(self.eye_of(&g), t);
                eye + self.forward_of(yaw, pitch) * distance
            }
        };
        self.shown = Pose { target, distance, yaw, pitch };
        // Snap once the rest is far below a pixel, so input that stops leaves no tail.
        let tiny = 1e-5 * self.radius;
        let close = (self.eye_of(&self.shown) - self.eye_of(&g)).length() < tiny
            && (self.shown.target - g.target).length() < tiny
            && (self.shown.yaw - g.yaw).abs() < 1e-5
            && (self.shown.pitch - g.pitch).abs() < 1e-5;
        if close {
            self.shown = g;
        }
    }

    /// The renderer's camera for a `width`×`height` view: the snapped scene camera itself
    /// when the view rests on it (its horizontal field of view and pixel aspect kept), else
    /// the pose with square pixels and no roll.
    pub fn camera(&self, width: u32, height: u32) -> Camera {
        let fov_kept = |c: &Camera| (fov_x_deg(c) - self.fov_x_deg).abs() < 1e-3;
        if let Some(cam) = self.snapped.as_ref().filter(|c| self.is_settled() && fov_kept(c)) {
            let scale = width as f64 / cam.width as f64;
            return Camera { width, height, fx: cam.fx * scale, fy: cam.fy * scale, ..cam.clone() };
        }
        let eye = self.eye();
        Camera::look_at(eye, eye + self.forward(), self.up, self.fov_x_deg, width, height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn controller(up: Vec3) -> CameraController {
        CameraController::new(up, SceneExtent { centre: Vec3::new(1.0, 2.0, 3.0), radius: 2.0 }, None)
    }

    /// Runs frames with no input until the controller settles; returns how many it took.
    fn settle(c: &mut CameraController, dt: f32) -> usize {
        for k in 0..10_000 {
            if c.is_settled() {
                return k;
            }
            c.update(&ControlInput::default(), dt);
        }
        panic!("smoothing never converged");
    }

    #[test]
    fn free_fly_moves_along_the_view_direction() {
        let mut c = controller(Vec3::Z);
        c.update(&ControlInput { look: Vec2::new(30.0, 20.0), ..Default::default() }, 0.0);
        settle(&mut c, 1.0 / 60.0);
        let (eye0, fwd) = (c.eye(), c.forward());
        let w = ControlInput { forward: 1.0, ..Default::default() };
        for _ in 0..30 {
            c.update(&w, 1.0 / 60.0);
        }
        settle(&mut c, 1.0 / 60.0);
        let moved = c.eye() - eye0;
        assert!((moved.length() - 0.5 * c.speed).abs() < 1e-3, "moved {moved:?} speed {}", c.speed);
        assert!(moved.normalize().dot(fwd) > 0.9999, "moved along {moved:?}, forward {fwd:?}");
        assert!((c.forward() - fwd).length() < 1e-6, "moving does not turn");
    }

    #[test]
    fn orbit_keeps_the_distance_to_the_target() {
        let mut c = controller(Vec3::Y);
        c.mode = NavMode::Orbit;
        let target = c.target();
        let d0 = (c.eye() - target).length();
        for k in 0..50 {
            c.update(
                &ControlInput { orbit: Vec2::new(17.0, if k < 20 { 9.0 } else { -13.0 }), ..Default::default() },
                0.02,
            );
            assert!(((c.eye() - c.target()).length() - d0).abs() < 1e-4);
            assert!((c.target() - target).length() < 1e-5, "orbiting does not move the target");
        }
        settle(&mut c, 0.02);
        assert!(((c.eye() - target).length() - d0).abs() < 1e-4);
        // Zoom changes the distance, not the target.
        c.update(&ControlInput { scroll: 2.0, ..Default::default() }, 0.02);
        settle(&mut c, 0.02);
        assert!((c.eye() - target).length() < d0 / 1.3);
        assert!((c.target() - target).length() < 1e-5);
    }

    #[test]
    fn smoothing_converges_exactly_and_independently_of_frame_rate() {
        let mut a = controller(Vec3::Z);
        let mut b = controller(Vec3::Z);
        let look = ControlInput { look: Vec2::new(100.0, 0.0), ..Default::default() };
        a.update(&look, 0.0);
        b.update(&look, 0.0);
        // 10 frames at 100 Hz against 5 frames at 50 Hz: the same place.
        for _ in 0..10 {
            a.update(&ControlInput::default(), 0.01);
        }
        for _ in 0..5 {
            b.update(&ControlInput::default(), 0.02);
        }
        assert!((a.forward() - b.forward()).length() < 1e-5, "{:?} vs {:?}", a.forward(), b.forward());
        assert!(!a.is_settled(), "0.1 s is not enough to arrive");
        let frames = settle(&mut a, 1.0 / 60.0);
        assert!(frames < 120, "settles within two seconds, took {frames} frames");
        let before = a.eye();
        a.update(&ControlInput::default(), 1.0 / 60.0);
        assert_eq!(a.eye(), before, "no motion once settled");
    }

    #[test]
    fn up_axis_is_respected() {
        let up = Vec3::new(0.0, 0.6, 0.8);
        let mut c = controller(up);
        c.update(&ControlInput { look: Vec2::new(80.0, -40.0), ..Default::default() }, 0.0);
        settle(&mut c, 0.05);
        let cam = c.camera(320, 240);
        let r = cam.cam_to_world();
        // No roll: the image's x axis is horizontal and the image's up leans towards `up`.
        assert!(r.x_axis.dot(up).abs() < 1e-5);
        assert!((-r.y_axis).dot(up) > 0.0);
        // E rises along the up axis.
        let eye = c.eye();
        c.update(&ControlInput { up: 1.0, ..Default::default() }, 0.5);
        settle(&mut c, 0.05);
        let rise = c.eye() - eye;
        assert!(rise.normalize().dot(up) > 0.9999, "{rise:?}");
    }

    #[test]
    fn snapping_to_a_scene_camera_reproduces_its_view() {
        let up = Vec3::Z;
        let cam = Camera::look_at(Vec3::new(4.0, -3.0, 1.5), Vec3::new(1.0, 2.0, 1.0), up, 70.0, 640, 480);
        let mut c = controller(up);
        c.snap_to(&cam, false);
        assert!((c.eye() - cam.centre()).length() < 1e-4);
        assert!((c.forward() - cam.forward()).length() < 1e-5);
        let view = c.camera(640, 480);
        assert!((view.fx - cam.fx).abs() < 1e-2, "field of view follows the camera");
        // A camera with roll is shown exactly while the view rests on it.
        let rolled = Camera {
            rotation: crate::scene::camera::rotation_rows(cam.cam_to_world() * glam::Mat3::from_rotation_z(0.2)),
            ..cam.clone()
        };
        c.snap_to(&rolled, false);
        assert_eq!(c.camera(320, 240).rotation, rolled.rotation);
        assert_eq!(c.camera(320, 240).fx, rolled.fx / 2.0);
        c.update(&ControlInput { forward: 1.0, ..Default::default() }, 0.1);
        assert_ne!(c.camera(320, 240).rotation, rolled.rotation, "moving leaves the snapped camera");
        c.reset();
        settle(&mut c, 1.0 / 30.0);
        assert!((c.eye() - cam.centre()).length() > 0.1);
    }

    #[test]
    fn extent_ignores_far_floaters() {
        let mut pts: Vec<[f32; 3]> =
            (0..1000).map(|i| [(i % 10) as f32, (i / 10 % 10) as f32, (i / 100) as f32]).collect();
        pts.push([1e6, 0.0, 0.0]);
        let e = SceneExtent::of_points(&pts);
        assert!(e.radius < 10.0, "{e:?}");
    }
}
