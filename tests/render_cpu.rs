//! Analytic checks of the CPU reference renderer against the rules in DESIGN.md, and a
//! brute-force (untiled) renderer on random scenes.
// The brute-force loop mirrors the renderer's channel loops on purpose.
#![allow(clippy::needless_range_loop)]

use glam::Vec3;
use rtgs2::render::project::project;
use rtgs2::render::view::{TILE, View};
use rtgs2::render::{Channels, Features, IGNORE_LABEL, RenderOptions, render};
use rtgs2::scene::{Camera, Scene, logit, sh};
use rtgs2::util::rng::Rng;

/// A camera at the origin looking down +z with world +y as image up, odd size so the
/// optical axis hits pixel (31, 31) exactly.
fn axis_camera() -> Camera {
    Camera::look_at(Vec3::ZERO, Vec3::Z, Vec3::Y, 60.0, 63, 63)
}

struct G {
    pos: [f32; 3],
    sigma: f32,
    opacity: f32,
    rgb: [f32; 3],
    label: u16,
}

fn scene_of(gs: &[G]) -> Scene {
    let mut s = Scene::with_capacity(gs.len(), 0);
    for g in gs {
        s.positions.push(g.pos);
        s.log_scales.push([g.sigma.ln(); 3]);
        s.rotations.push([1.0, 0.0, 0.0, 0.0]);
        // Opacity 1 would be an infinite logit; 40 gives sigmoid == 1.0 in f32.
        s.opacity_logits.push(if g.opacity >= 1.0 { 40.0 } else { logit(g.opacity) });
        s.sh.extend(g.rgb.map(sh::dc_from_rgb));
    }
    s.labels = Some(gs.iter().map(|g| g.label).collect());
    s
}

fn rgb_at(f: &rtgs2::render::Frame, x: usize, y: usize) -> [f32; 3] {
    let i = (y * f.width as usize + x) * 3;
    [f.rgb[i], f.rgb[i + 1], f.rgb[i + 2]]
}

fn near(a: f32, b: f32, tol: f32) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn one_gaussian_at_a_pixel_centre_gives_its_opacity_times_colour() {
    let o = 0.7f32;
    let scene = scene_of(&[G { pos: [0.0, 0.0, 4.0], sigma: 0.05, opacity: o, rgb: [0.8, 0.4, 0.2], label: 7 }]);
    let cam = axis_camera();
    let f = render(&scene, &cam, &Channels { depth: true, ..Default::default() }, &RenderOptions::default())
        .expect("renders");
    let c = rgb_at(&f, 31, 31);
    // The colour goes through SH (DC) and back: allow float rounding only.
    for (got, want) in c.iter().zip([0.8, 0.4, 0.2]) {
        assert!(near(*got, o * want, 1e-5), "{got} vs {}", o * want);
    }
    assert!(near(f.alpha[31 * 63 + 31], o, 1e-6));
    assert!(near(f.depth[31 * 63 + 31], 4.0, 1e-5));
    // One pixel to the right: α = o·exp(−½ dx²/σ²) with σ² = (fx·σ/z)² + 0.3 on the axis.
    let fx = cam.fx as f32;
    let var = (fx * 0.05 / 4.0).powi(2) + 0.3;
    let want = o * (-0.5 / var).exp();
    assert!(near(f.alpha[31 * 63 + 32], want, 1e-5), "{} vs {want}", f.alpha[31 * 63 + 32]);
    // Symmetric about the centre.
    assert!(near(f.alpha[31 * 63 + 30], f.alpha[31 * 63 + 32], 1e-6));
    assert!(near(f.alpha[30 * 63 + 31], f.alpha[32 * 63 + 31], 1e-6));
}

#[test]
fn nearer_gaussian_is_blended_first_whatever_the_array_order() {
    let (o1, o2) = (0.6f32, 0.5f32);
    let far = G { pos: [0.0, 0.0, 6.0], sigma: 0.2, opacity: o2, rgb: [0.0, 1.0, 0.0], label: 2 };
    let near_g = G { pos: [0.0, 0.0, 3.0], sigma: 0.1, opacity: o1, rgb: [1.0, 0.0, 0.0], label: 1 };
    let scene = scene_of(&[far, near_g]);
    let f = render(&scene, &axis_camera(), &Channels::default(), &RenderOptions::default()).expect("renders");
    let c = rgb_at(&f, 31, 31);
    assert!(near(c[0], o1, 1e-5), "red {}", c[0]);
    assert!(near(c[1], o2 * (1.0 - o1), 1e-5), "green {}", c[1]);
    assert!(near(f.alpha[31 * 63 + 31], 1.0 - (1.0 - o1) * (1.0 - o2), 1e-5));
}

#[test]
fn background_fills_what_the_splats_leave() {
    let scene = scene_of(&[G { pos: [0.0, 0.0, 4.0], sigma: 0.05, opacity: 0.5, rgb: [0.0, 0.0, 0.0], label: 0 }]);
    let opts = RenderOptions { background: [1.0, 0.5, 0.25], ..Default::default() };
    let f = render(&scene, &axis_camera(), &Channels::default(), &opts).expect("renders");
    let c = rgb_at(&f, 31, 31);
    assert!(near(c[0], 0.5, 1e-5) && near(c[1], 0.25, 1e-5) && near(c[2], 0.125, 1e-5), "{c:?}");
    assert_eq!(rgb_at(&f, 0, 0), [1.0, 0.5, 0.25]);
}

#[test]
fn alpha_is_clamped_at_0_99_and_blending_stops_below_t_1e_4_without_blending() {
    // Three fully opaque splats: the first is clamped to α = 0.99 (T → 0.01); the second
    // would take T to 1e-4·(1 − ε) < 1e-4, so the pixel stops before blending it.
    let gs = [
        G { pos: [0.0, 0.0, 2.0], sigma: 0.1, opacity: 1.0, rgb: [1.0, 0.0, 0.0], label: 1 },
        G { pos: [0.0, 0.0, 3.0], sigma: 0.1, opacity: 1.0, rgb: [0.0, 1.0, 0.0], label: 2 },
        G { pos: [0.0, 0.0, 4.0], sigma: 0.1, opacity: 1.0, rgb: [0.0, 0.0, 1.0], label: 3 },
    ];
    let scene = scene_of(&gs);
    let f = render(&scene, &axis_camera(), &Channels::default(), &RenderOptions::default()).expect("renders");
    let c = rgb_at(&f, 31, 31);
    assert!(near(c[0], 0.99, 1e-5), "red {}", c[0]);
    assert_eq!(c[1], 0.0, "green must not be blended after the stop");
    assert_eq!(c[2], 0.0);
    assert!(near(f.alpha[31 * 63 + 31], 0.99, 1e-6));
}

#[test]
fn contributions_under_1_over_255_are_skipped() {
    let faint = scene_of(&[G { pos: [0.0, 0.0, 4.0], sigma: 0.05, opacity: 0.0035, rgb: [1.0; 3], label: 1 }]);
    let f = render(&faint, &axis_camera(), &Channels::default(), &RenderOptions::default()).expect("renders");
    assert!(f.alpha.iter().all(|&a| a == 0.0), "α = 0.0035 < 1/255 must not contribute anywhere");
    let visible = scene_of(&[G { pos: [0.0, 0.0, 4.0], sigma: 0.05, opacity: 0.0045, rgb: [1.0; 3], label: 1 }]);
    let f = render(&visible, &axis_camera(), &Channels::default(), &RenderOptions::default()).expect("renders");
    assert!(near(f.alpha[31 * 63 + 31], 0.0045, 1e-7));
}

#[test]
fn sh_degree_one_colour_depends_on_viewing_direction() {
    // Degree-1 coefficient 3 multiplies −C1·x of the unit direction camera → Gaussian.
    let mut s = Scene::with_capacity(1, 1);
    s.positions.push([0.0, 0.0, 0.0]);
    s.log_scales.push([0.05f32.ln(); 3]);
    s.rotations.push([1.0, 0.0, 0.0, 0.0]);
    s.opacity_logits.push(40.0);
    let mut coeffs = vec![0.0f32; 4 * 3];
    coeffs[0] = sh::dc_from_rgb(0.5); // red DC
    coeffs[3 * 3] = 0.4; // red, −C1·x
    s.sh = coeffs;
    for eye in [Vec3::new(-3.0, 0.0, 0.0), Vec3::new(3.0, 0.0, 0.0), Vec3::new(-2.0, 0.0, 2.0)] {
        let cam = Camera::look_at(eye, Vec3::ZERO, Vec3::Y, 60.0, 63, 63);
        let f = render(&s, &cam, &Channels::default(), &RenderOptions::default()).expect("renders");
        let dir = (Vec3::ZERO - eye).normalize();
        let want = 0.99 * (0.5 - sh::C1 * dir.x * 0.4);
        let got = rgb_at(&f, 31, 31)[0];
        assert!(near(got, want, 1e-5), "from {eye}: {got} vs {want}");
    }
}

#[test]
fn features_depth_and_labels_use_the_same_weights_as_colour() {
    let gs = [
        G { pos: [0.0, 0.0, 3.0], sigma: 0.3, opacity: 0.45, rgb: [0.9, 0.1, 0.3], label: 5 },
        G { pos: [0.02, 0.0, 5.0], sigma: 0.5, opacity: 0.8, rgb: [0.2, 0.7, 0.6], label: 9 },
    ];
    let scene = scene_of(&gs);
    // Feature vectors: the colours themselves plus a constant 1, so blended features must equal
    // the blended colour and the alpha.
    let feats: Vec<f32> = gs.iter().flat_map(|g| [g.rgb[0], g.rgb[1], g.rgb[2], 1.0]).collect();
    let labels = [5u16, 9];
    let ch = Channels { depth: true, features: Some(Features { dim: 4, values: &feats }), labels: Some(&labels) };
    let f = render(&scene, &axis_camera(), &ch, &RenderOptions::default()).expect("renders");
    for p in 0..f.pixels() {
        for k in 0..3 {
            assert!(near(f.features[p * 4 + k], f.rgb[p * 3 + k], 1e-5), "pixel {p} ch {k}");
        }
        assert!(near(f.features[p * 4 + 3], f.alpha[p], 1e-5));
    }
    let centre = 31 * 63 + 31;
    // The near splat sits exactly on the pixel (weight 0.45); the far one is slightly off
    // centre, so take its weight from the accumulated alpha.
    let w1 = 0.45f32;
    let w2 = f.alpha[centre] - w1;
    assert!(w2 > 0.4 && w2 < 0.8 * 0.55 + 1e-6, "far weight {w2}");
    assert!(near(f.depth[centre], (3.0 * w1 + 5.0 * w2) / (w1 + w2), 1e-4), "depth {}", f.depth[centre]);
    // The far splat carries more weight at the centre (0.44 vs 0.45 is close: compute).
    let want = if w2 > w1 { 9 } else { 5 };
    assert_eq!(f.labels[centre], want);
    // Pixels with accumulated alpha under 0.5 are ignored.
    for p in 0..f.pixels() {
        if f.alpha[p] < 0.5 {
            assert_eq!(f.labels[p], IGNORE_LABEL, "pixel {p} alpha {}", f.alpha[p]);
        } else {
            assert!(f.labels[p] == 5 || f.labels[p] == 9);
        }
    }
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let scene = scene_of(&[G { pos: [0.0, 0.0, 4.0], sigma: 0.05, opacity: 0.5, rgb: [1.0; 3], label: 1 }]);
    let mut cam = axis_camera();
    cam.fx = 0.0;
    assert!(render(&scene, &cam, &Channels::default(), &RenderOptions::default()).is_err());
    let short = [1.0f32; 3];
    let ch = Channels { features: Some(Features { dim: 4, values: &short }), ..Default::default() };
    assert!(render(&scene, &axis_camera(), &ch, &RenderOptions::default()).is_err());
}

/// Lifting scatters per-pixel vectors back along the blending weights, so it is the adjoint of
/// blending per-Gaussian features: Σ_p ⟨render(F)_p, P_p⟩ = Σ_g ⟨F_g, lift(P)_g⟩ for any F
/// and P, and the weights one pixel hands out sum to its alpha. Random scene, random values.
#[test]
fn lifting_is_the_adjoint_of_blending_and_hands_out_each_pixels_alpha() {
    use rtgs2::render::lift::{WeightedSums, scatter_by_weight};
    let mut rng = Rng::new(0x11f7);
    let scene = random_scene(&mut rng, 600, 0);
    let mut cam = axis_camera();
    cam = cam.resized(40, 30);
    let (n, k, px) = (scene.len(), 3usize, (cam.width * cam.height) as usize);
    let feats: Vec<f32> = (0..n * k).map(|_| rng.normal()).collect();
    let pixels: Vec<f32> = (0..px * k).map(|_| rng.normal()).collect();
    let ch = Channels { depth: false, features: Some(Features { dim: k, values: &feats }), labels: None };
    let frame = render(&scene, &cam, &ch, &RenderOptions::default()).expect("render");
    let mut acc = WeightedSums::new(n, k);
    scatter_by_weight(&scene, &cam, &pixels, &mut acc).expect("lift");
    let lhs: f64 = frame.features.iter().zip(&pixels).map(|(a, b)| *a as f64 * *b as f64).sum();
    let rhs: f64 = feats.iter().zip(&acc.sums).map(|(a, b)| *a as f64 * *b as f64).sum();
    assert!((lhs - rhs).abs() <= 1e-3 * lhs.abs().max(1.0), "adjoint: {lhs} vs {rhs}");
    assert!(acc.weights.iter().filter(|&&w| w > 0.0).count() > 50, "many Gaussians are seen");
    let alpha_sum: f64 = frame.alpha.iter().map(|&a| a as f64).sum();
    let weight_sum: f64 = acc.weights.iter().map(|&w| w as f64).sum();
    assert!((alpha_sum - weight_sum).abs() <= 1e-3 * alpha_sum, "alpha {alpha_sum} vs weights {weight_sum}");
    // A second view adds on top; sizes that do not match are errors.
    let before = acc.weights.iter().sum::<f32>();
    scatter_by_weight(&scene, &cam, &pixels, &mut acc).expect("again");
    assert!((acc.weights.iter().sum::<f32>() - 2.0 * before).abs() <= 1e-3 * before);
    assert!(scatter_by_weight(&scene, &cam, &pixels[1..], &mut acc).is_err());
    assert!(scatter_by_weight(&scene, &cam, &pixels, &mut WeightedSums::new(n - 1, k)).is_err());
}

/// A random scene of `n` Gaussians in front of the axis camera, with every SH degree term.
fn random_scene(rng: &mut Rng, n: usize, degree: u8) -> Scene {
    let mut s = Scene::with_capacity(n, degree);
    for _ in 0..n {
        s.positions.push([rng.range(-3.0, 3.0), rng.range(-3.0, 3.0), rng.range(0.1, 9.0)]);
        s.log_scales.push([rng.range(-4.0, -1.0), rng.range(-4.0, -1.0), rng.range(-5.0, -1.5)]);
        s.rotations.push([rng.normal(), rng.normal(), rng.normal(), rng.normal()]);
        s.opacity_logits.push(rng.range(-4.0, 5.0));
        for _ in 0..sh::coeff_count(degree) * 3 {
            s.sh.push(rng.normal() * 0.5);
        }
    }
    s
}

/// Untiled brute force: every pixel walks all visible splats in global depth order, keeping
/// those whose tile rectangle covers the pixel's tile (that rectangle decides membership in
/// the reference too).
fn brute_force_rgb(scene: &Scene, cam: &Camera) -> Vec<f32> {
    let view = View::from_camera(cam);
    let mut splats: Vec<(usize, rtgs2::render::project::Splat)> =
        (0..scene.len()).filter_map(|i| project(scene, i, &view, 1.0).map(|s| (i, s))).collect();
    splats.sort_by(|a, b| a.1.depth.total_cmp(&b.1.depth).then(a.0.cmp(&b.0)));
    let mut out = vec![0.0f32; (cam.width * cam.height * 3) as usize];
    for y in 0..cam.height {
        for x in 0..cam.width {
            let (tx, ty) = (x / TILE, y / TILE);
            let mut t = 1.0f32;
            let mut c = [0.0f32; 3];
            for (_, s) in &splats {
                if tx < s.tile_min.0 || tx >= s.tile_max.0 || ty < s.tile_min.1 || ty >= s.tile_max.1 {
                    continue;
                }
                let (dx, dy) = (s.mean[0] - x as f32, s.mean[1] - y as f32);
                let power = -0.5 * (s.conic[0] * dx * dx + s.conic[2] * dy * dy) - s.conic[1] * dx * dy;
                if power > 0.0 {
                    continue;
                }
                let a = (s.opacity * power.exp()).min(0.99);
                if a < 1.0 / 255.0 {
                    continue;
                }
                let tt = t * (1.0 - a);
                if tt < 1e-4 {
                    break;
                }
                for k in 0..3 {
                    c[k] += s.rgb[k] * a * t;
                }
                t = tt;
            }
            let i = ((y * cam.width + x) * 3) as usize;
            out[i..i + 3].copy_from_slice(&c);
        }
    }
    out
}

#[test]
fn tiled_renderer_equals_untiled_brute_force_on_random_scenes() {
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos() as u64;
    eprintln!("random scene seed {seed}");
    let mut rng = Rng::new(seed);
    for degree in 0..=3u8 {
        let scene = random_scene(&mut rng, 300, degree);
        // Odd sizes exercise partial tiles at the right and bottom edges.
        let eye = Vec3::new(rng.range(-1.0, 1.0), rng.range(-1.0, 1.0), rng.range(-2.0, 0.0));
        let cam = Camera::look_at(eye, Vec3::new(0.0, 0.0, 5.0), Vec3::Y, rng.range(40.0, 90.0), 77, 53);
        let f = render(&scene, &cam, &Channels::default(), &RenderOptions::default()).expect("renders");
        let brute = brute_force_rgb(&scene, &cam);
        let mismatches: Vec<(usize, f32, f32)> =
            f.rgb.iter().zip(&brute).enumerate().filter(|(_, (a, b))| a != b).map(|(i, (a, b))| (i, *a, *b)).collect();
        assert!(
            mismatches.is_empty(),
            "seed {seed}, degree {degree}: {} mismatches, first {:?}",
            mismatches.len(),
            &mismatches[..mismatches.len().min(5)]
        );
        assert!(f.alpha.iter().any(|&a| a > 0.5), "random scene should cover pixels (seed {seed})");
    }
}

/// The renderer wraps the camera's typed error: its message once, not again as its source
/// under anyhow's `{:#}`.
#[test]
fn an_invalid_camera_is_refused_with_its_own_message_once() {
    let mut cam = axis_camera();
    cam.fx = f64::NAN;
    let e = render(&Scene::default(), &cam, &Channels::default(), &RenderOptions::default()).expect_err("refused");
    assert!(matches!(e, rtgs2::render::RenderError::Camera(rtgs2::scene::CameraError::NonFinite { .. })), "{e}");
    let shown = format!("{:#}", anyhow::Error::new(e));
    assert_eq!(shown, format!("camera {} has non-finite values", cam.id));
}
