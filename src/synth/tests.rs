//! Whole-generator tests: determinism, labels, counts, Gaussian statistics, the global
//! transform, cameras, and writing a trainer folder.

use std::collections::BTreeSet;

use glam::{Mat3, Quat, Vec3};

use super::*;
use crate::classes::id;
use crate::scene::{sh, sigmoid};

fn small(seed: u64, kind: Option<RoomKind>) -> SynthOptions {
    SynthOptions {
        seed,
        kind,
        target_gaussians: 20_000,
        views: 12,
        rotation: GlobalRotation::None,
        translation: Some([0.0; 3]),
        scale: Some(1.0),
        ..Default::default()
    }
}

#[test]
fn same_options_same_room_bit_for_bit() {
    let o = SynthOptions { target_gaussians: 20_000, views: 8, ..Default::default() };
    let a = generate(&o);
    let b = generate(&o);
    assert_eq!(a.scene, b.scene);
    assert_eq!(a.cameras, b.cameras);
    // And on a single thread.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("thread pool");
    let c = pool.install(|| generate(&o));
    assert_eq!(a.scene, c.scene);
    assert_ne!(generate(&SynthOptions { seed: 1, ..o.clone() }).scene, a.scene);
}

#[test]
fn every_kind_has_its_classes_and_twenty_plus_overall() {
    let mut all = BTreeSet::new();
    for (i, kind) in RoomKind::ALL.iter().enumerate() {
        let mut kind_classes = BTreeSet::new();
        for seed in 0..2u64 {
            let r = generate(&small(100 + 7 * i as u64 + seed, Some(*kind)));
            let labels: BTreeSet<u16> = r.scene.labels.as_ref().expect("labelled").iter().copied().collect();
            for want in [id::WALL, id::FLOOR, id::CEILING, id::DOOR] {
                assert!(labels.contains(&want), "{kind} seed {seed} lacks {}", crate::classes::name(want));
            }
            for want in recipes::expected(*kind) {
                assert!(labels.contains(want), "{kind} seed {seed} lacks {}", crate::classes::name(*want));
            }
            kind_classes.extend(labels);
        }
        assert!(kind_classes.len() >= 9, "{kind}: only {} classes", kind_classes.len());
        all.extend(kind_classes);
    }
    all.remove(&0);
    assert!(all.len() >= 20, "only {} distinct classes: {all:?}", all.len());
}

#[test]
fn counts_hit_target_and_values_are_sane() {
    for seed in 0..3 {
        let r = generate(&SynthOptions { seed, target_gaussians: 20_000, views: 6, ..Default::default() });
        let s = &r.scene;
        assert!((s.len() as f32 - 20_000.0).abs() < 200.0, "{} Gaussians", s.len());
        assert_eq!(s.sh_degree, 3);
        let floaters = s.labels.as_ref().expect("labels").iter().filter(|&&l| l == 0).count();
        assert!(floaters > 50 && floaters < 1000, "{floaters} floaters");
        assert!(s.positions.iter().flatten().all(|v| v.is_finite()));
        assert!(s.log_scales.iter().flatten().all(|v| v.is_finite()));
        assert!(s.sh.iter().all(|v| v.is_finite()));
        assert!(s.opacity_logits.iter().all(|v| v.is_finite()));
        assert!(s.rotations.iter().all(|q| q.iter().map(|v| v * v).sum::<f32>() > 0.5));
        // Flat: the smallest scale far below the others for most Gaussians.
        let flat = s.log_scales.iter().filter(|l| l[2] < l[0].min(l[1]) - 1.2).count();
        assert!(flat as f32 > 0.8 * s.len() as f32, "{flat} flat of {}", s.len());
        // Opaque mostly, with a tail of faint ones.
        let opaque = s.opacity_logits.iter().filter(|&&o| sigmoid(o) > 0.7).count() as f32 / s.len() as f32;
        let faint = s.opacity_logits.iter().filter(|&&o| sigmoid(o) < 0.3).count() as f32 / s.len() as f32;
        assert!(opaque > 0.7 && faint > 0.02, "opaque {opaque}, faint {faint}");
        // Colours are plausible: DC colours mostly inside [0, 1], not all one value.
        let dc: Vec<f32> = (0..s.len()).map(|i| sh::rgb_from_dc(s.sh_of(i)[0])).collect();
        assert!(dc.iter().all(|v| (-0.01..=1.01).contains(v)));
        let mean = dc.iter().sum::<f32>() / dc.len() as f32;
        assert!(mean > 0.08 && mean < 0.9, "mean colour {mean}");
    }
}

#[test]
fn global_transform_is_consistent() {
    let base = small(42, Some(RoomKind::Living));
    let axis = [0.3, -1.0, 0.4];
    let deg = 123.0;
    let t = [1.5, -2.0, 7.0];
    let s = 1.7;
    let moved = SynthOptions {
        rotation: GlobalRotation::AxisAngle { axis, deg },
        translation: Some(t),
        scale: Some(s),
        ..base.clone()
    };
    let a = generate(&base);
    let b = generate(&moved);
    let rot = Quat::from_axis_angle(Vec3::from_array(axis).normalize(), deg.to_radians());
    let tv = Vec3::from_array(t);
    assert_eq!(a.scene.len(), b.scene.len());
    assert_eq!(a.scene.labels, b.scene.labels);
    for i in 0..a.scene.len() {
        let pa = Vec3::from_array(a.scene.positions[i]);
        let pb = Vec3::from_array(b.scene.positions[i]);
        assert!((rot * pa * s + tv - pb).length() < 1e-4 * (1.0 + pb.length()), "position {i}");
        for k in 0..3 {
            assert!((a.scene.log_scales[i][k] + s.ln() - b.scene.log_scales[i][k]).abs() < 1e-4);
        }
        let qa = a.scene.rotations[i];
        let qb = b.scene.rotations[i];
        let ra = Mat3::from_quat(Quat::from_xyzw(qa[1], qa[2], qa[3], qa[0]).normalize());
        let rb = Mat3::from_quat(Quat::from_xyzw(qb[1], qb[2], qb[3], qb[0]).normalize());
        let d = Mat3::from_quat(rot) * ra - rb;
        assert!(d.to_cols_array().iter().all(|v| v.abs() < 1e-4), "rotation {i}");
    }
    // The colour seen from a camera is the same: SH along the transformed direction.
    for (ca, cb) in a.cameras.iter().zip(&b.cameras) {
        assert!((rot * ca.centre() * s + tv - cb.centre()).length() < 1e-3);
        let d = Mat3::from_quat(rot) * ca.cam_to_world() - cb.cam_to_world();
        assert!(d.to_cols_array().iter().all(|v| v.abs() < 1e-4));
    }
    let cam_a = &a.cameras[0];
    let cam_b = &b.cameras[0];
    for i in (0..a.scene.len()).step_by(97) {
        let da = (Vec3::from_array(a.scene.positions[i]) - cam_a.centre()).normalize();
        let db = (Vec3::from_array(b.scene.positions[i]) - cam_b.centre()).normalize();
        let ea = sh::eval(3, a.scene.sh_of(i), da.to_array());
        let eb = sh::eval(3, b.scene.sh_of(i), db.to_array());
        for c in 0..3 {
            assert!((ea[c] - eb[c]).abs() < 2e-3, "Gaussian {i}: {ea:?} vs {eb:?}");
        }
    }
    let up = Vec3::from_array(b.up);
    assert!((up - rot * Vec3::Z).length() < 1e-5);
}

#[test]
fn cameras_stay_inside_and_look_into_the_room() {
    for seed in 0..6 {
        let r = generate(&small(seed, None));
        assert_eq!(r.cameras.len(), 12);
        let (lo, hi) = r.scene.bounds().expect("scene not empty");
        let _ = (lo, hi);
        for (i, c) in r.cameras.iter().enumerate() {
            c.validate().expect("valid camera");
            assert_eq!(c.id, i as i64);
            assert_eq!(c.img_name, format!("frame_{i:05}"));
            let fov = 2.0 * (0.5 * c.width as f64 / c.fx).atan().to_degrees();
            assert!((59.9..80.1).contains(&fov), "fov {fov}");
            // Untransformed room: z up, floor plan from the origin.
            let p = c.centre();
            assert!(p.z > 1.0 && p.z < 2.0, "seed {seed} camera {i} height {}", p.z);
            let ahead = p + c.forward() * 1.0;
            let labels = r.scene.labels.as_ref().expect("labels");
            // Inside the walls: the nearest wall Gaussians surround the camera.
            let walls: Vec<Vec3> = r
                .scene
                .positions
                .iter()
                .zip(labels)
                .filter(|(_, l)| **l == id::WALL)
                .map(|(p, _)| Vec3::from_array(*p))
                .collect();
            let (wlo, whi) =
                walls.iter().fold((Vec3::splat(f32::MAX), Vec3::splat(f32::MIN)), |(a, b), p| (a.min(*p), b.max(*p)));
            for q in [p, ahead] {
                assert!(
                    q.x > wlo.x && q.y > wlo.y && q.x < whi.x && q.y < whi.y,
                    "seed {seed} camera {i} at {q} outside {wlo}..{whi}"
                );
            }
        }
    }
}

#[test]
fn written_folder_is_readable() {
    let r = generate(&SynthOptions { target_gaussians: 5_000, views: 4, ..Default::default() });
    let dir = tempfile::tempdir().expect("temp dir");
    let ply = crate::scene::trainer_folder::write_trainer_folder(
        dir.path(),
        &r.scene,
        &r.cameras,
        crate::scene::trainer_folder::DEFAULT_ITERATION,
    )
    .expect("write");
    assert!(ply.is_file());
    let cams = crate::scene::trainer_folder::read_cameras(dir.path()).expect("read cameras");
    assert_eq!(cams.len(), r.cameras.len());
    for (a, b) in cams.iter().zip(&r.cameras) {
        assert_eq!((a.id, &a.img_name, a.width, a.height), (b.id, &b.img_name, b.width, b.height));
        let close = |x: f64, y: f64| (x - y).abs() < 1e-9;
        assert!(a.position.iter().zip(&b.position).all(|(x, y)| close(*x, *y)));
        assert!(a.rotation.iter().flatten().zip(b.rotation.iter().flatten()).all(|(x, y)| close(*x, *y)));
    }
    let loaded = crate::scene::load(dir.path(), &crate::scene::LoadOptions::default()).expect("load");
    assert_eq!(loaded.scene.len(), r.scene.len());
    assert_eq!(loaded.scene.labels, r.scene.labels);
}

/// Renders a few views of every kind to `$SYNTH_PREVIEW` (RGB and labels side by side) and
/// prints timings: `SYNTH_PREVIEW=/tmp/p cargo test --release --lib synth::tests::preview -- --ignored --nocapture`.
#[test]
#[ignore]
fn preview() {
    use crate::render::cpu::{Channels, RenderOptions, render};
    let _ = env_logger::builder().is_test(true).try_init();
    let Some(dir) = std::env::var_os("SYNTH_PREVIEW") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("preview dir");
    let target: usize = std::env::var("SYNTH_GAUSSIANS").ok().and_then(|s| s.parse().ok()).unwrap_or(300_000);
    let seeds: u64 = std::env::var("SYNTH_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let first: u64 = std::env::var("SYNTH_SEED0").ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    let only: Option<RoomKind> = std::env::var("SYNTH_KIND").ok().and_then(|s| s.parse().ok());
    for seed in first..first + seeds {
        for kind in RoomKind::ALL.into_iter().filter(|k| only.is_none_or(|o| o == *k)) {
            let clock = std::time::Instant::now();
            let r = generate(&SynthOptions {
                seed,
                kind: Some(kind),
                target_gaussians: target,
                views: 6,
                width: 320,
                height: 240,
                ..Default::default()
            });
            let secs = clock.elapsed().as_secs_f64();
            println!(
                "{kind} seed {seed}: {} Gaussians, {} classes, {secs:.2} s",
                r.scene.len(),
                r.class_counts().len()
            );
            let labels = r.scene.labels.clone().expect("labels");
            // One image per room: a row per view, RGB on the left and labels on the right.
            let views: Vec<&Camera> = r.cameras.iter().step_by(2).collect();
            let (w, h) = (320usize, 240usize);
            let mut px = vec![0u8; w * 2 * h * views.len() * 3];
            for (k, cam) in views.iter().enumerate() {
                let f = render(
                    &r.scene,
                    cam,
                    &Channels { labels: Some(&labels), ..Default::default() },
                    &RenderOptions::default(),
                )
                .expect("render");
                for y in 0..h {
                    for x in 0..w {
                        let i = y * w + x;
                        let o = ((k * h + y) * 2 * w + x) * 3;
                        for c in 0..3 {
                            px[o + c] = crate::image_io::to_u8(f.rgb[i * 3 + c]);
                        }
                        let col = crate::classes::color(f.labels[i] as u16);
                        px[o + w * 3..o + w * 3 + 3].copy_from_slice(&col);
                    }
                }
            }
            let path = dir.join(format!("{kind}_{seed}.png"));
            crate::image_io::write_png(&path, 2 * w as u32, (h * views.len()) as u32, 3, &px).expect("png");
        }
    }
}

#[test]
fn tiny_and_degenerate_options_work() {
    for (target, degree, views) in [(0usize, 0u8, 0usize), (300, 1, 1), (2_000, 2, 3)] {
        let r = generate(&SynthOptions {
            seed: 5,
            target_gaussians: target,
            sh_degree: degree,
            views,
            ..Default::default()
        });
        assert_eq!(r.scene.len(), target);
        assert_eq!(r.scene.sh_degree, degree);
        assert_eq!(r.cameras.len(), views);
        r.scene.check_consistent().expect("consistent");
    }
}
