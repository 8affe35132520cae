//! Shared helpers for integration tests: random scenes and a flexible PLY encoder that can
//! write any property order, encoding and scalar type (to exercise every reader path).
#![allow(dead_code)]

use rtgs2::scene::{ExtraProperty, ScalarKind, Scene, sh};
use rtgs2::util::rng::Rng;

/// A seed from the clock, printed so a failure can be replayed.
pub fn fresh_seed(what: &str) -> u64 {
    let seed = std::env::var("RTGS2_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock after 1970").as_nanos() as u64
    });
    eprintln!("{what}: seed {seed} (set RTGS2_TEST_SEED to replay)");
    seed
}

/// Random Gaussians with labels and a few extra properties of different types.
pub fn random_scene(rng: &mut Rng, n: usize, degree: u8, with_extras: bool) -> Scene {
    let mut s = Scene::with_capacity(n, degree);
    for _ in 0..n {
        s.positions.push([rng.normal() * 3.0, rng.normal() * 3.0, rng.normal() * 3.0]);
        s.log_scales.push([rng.range(-6.0, 0.0), rng.range(-6.0, 0.0), rng.range(-6.0, 0.0)]);
        s.rotations.push([rng.normal(), rng.normal(), rng.normal(), rng.normal()]);
        s.opacity_logits.push(rng.normal() * 3.0);
        for _ in 0..sh::coeff_count(degree) * 3 {
            s.sh.push(rng.normal());
        }
    }
    s.labels = Some((0..n).map(|_| rng.below(41) as u16).collect());
    if with_extras {
        for name in ["nx", "ny", "nz"] {
            s.extras.push(ExtraProperty {
                name: name.into(),
                kind: ScalarKind::F32,
                values: (0..n).map(|_| rng.normal() as f64).collect(),
            });
        }
        s.extras.push(ExtraProperty {
            name: "segment_id".into(),
            kind: ScalarKind::I32,
            values: (0..n).map(|_| rng.below(100_000) as f64 - 50_000.0).collect(),
        });
        s.extras.push(ExtraProperty {
            name: "f_pc_0".into(),
            kind: ScalarKind::F64,
            values: (0..n).map(|_| rng.f64() * 1e6).collect(),
        });
    }
    s
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Enc {
    Ascii,
    Le,
    Be,
}

/// One column of a PLY file being encoded: name, type, per-vertex value.
pub struct Column {
    pub name: String,
    pub kind: ScalarKind,
    pub values: Vec<f64>,
}

/// All columns of a scene, named as the reference trainer names them; geometry as `geom`.
pub fn columns_of(s: &Scene, geom: ScalarKind, label: ScalarKind) -> Vec<Column> {
    let n = s.len();
    let coeffs = s.sh_coeffs();
    let mut cols = Vec::new();
    let mut push = |name: String, kind: ScalarKind, f: &dyn Fn(usize) -> f64| {
        cols.push(Column { name, kind, values: (0..n).map(f).collect() });
    };
    for (k, axis) in ["x", "y", "z"].iter().enumerate() {
        push(axis.to_string(), geom, &|i| s.positions[i][k] as f64);
    }
    for c in 0..3 {
        push(format!("f_dc_{c}"), geom, &|i| s.sh_of(i)[c] as f64);
    }
    for c in 0..3 {
        for k in 1..coeffs {
            push(format!("f_rest_{}", c * (coeffs - 1) + k - 1), geom, &|i| s.sh_of(i)[k * 3 + c] as f64);
        }
    }
    push("opacity".into(), geom, &|i| s.opacity_logits[i] as f64);
    for c in 0..3 {
        push(format!("scale_{c}"), geom, &|i| s.log_scales[i][c] as f64);
    }
    for c in 0..4 {
        push(format!("rot_{c}"), geom, &|i| s.rotations[i][c] as f64);
    }
    for e in &s.extras {
        let v = e.values.clone();
        push(e.name.clone(), e.kind, &|i| v[i]);
    }
    if let Some(l) = &s.labels {
        push("label".into(), label, &|i| l[i] as f64);
    }
    cols
}

/// Encodes columns (in the given order) as a PLY file.
pub fn encode_ply(cols: &[Column], enc: Enc) -> Vec<u8> {
    let n = cols.first().map_or(0, |c| c.values.len());
    let mut out = Vec::new();
    let fmt = match enc {
        Enc::Ascii => "ascii",
        Enc::Le => "binary_little_endian",
        Enc::Be => "binary_big_endian",
    };
    out.extend_from_slice(format!("ply\nformat {fmt} 1.0\nelement vertex {n}\n").as_bytes());
    for c in cols {
        out.extend_from_slice(format!("property {} {}\n", c.kind.ply_name(), c.name).as_bytes());
    }
    out.extend_from_slice(b"end_header\n");
    for i in 0..n {
        for (j, c) in cols.iter().enumerate() {
            let v = c.values[i];
            match enc {
                Enc::Ascii => {
                    if j > 0 {
                        out.push(b' ');
                    }
                    // Rust's shortest round-trip formatting keeps floats exact.
                    let text = match c.kind {
                        ScalarKind::F32 => format!("{}", v as f32),
                        ScalarKind::F64 => format!("{v}"),
                        _ => format!("{}", v as i64),
                    };
                    out.extend_from_slice(text.as_bytes());
                }
                Enc::Le | Enc::Be => {
                    let mut b = scalar_le(c.kind, v);
                    if enc == Enc::Be {
                        b.reverse();
                    }
                    out.extend_from_slice(&b);
                }
            }
        }
        if enc == Enc::Ascii {
            out.push(b'\n');
        }
    }
    out
}

fn scalar_le(kind: ScalarKind, v: f64) -> Vec<u8> {
    match kind {
        ScalarKind::I8 => (v as i8).to_le_bytes().to_vec(),
        ScalarKind::U8 => (v as u8).to_le_bytes().to_vec(),
        ScalarKind::I16 => (v as i16).to_le_bytes().to_vec(),
        ScalarKind::U16 => (v as u16).to_le_bytes().to_vec(),
        ScalarKind::I32 => (v as i32).to_le_bytes().to_vec(),
        ScalarKind::U32 => (v as u32).to_le_bytes().to_vec(),
        ScalarKind::F32 => (v as f32).to_le_bytes().to_vec(),
        ScalarKind::F64 => v.to_le_bytes().to_vec(),
    }
}

/// The shared folder of real splat files, or `None` (with a message) when it is absent.
pub fn real_splats_dir() -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real-splats");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: {} is absent (it holds real splat files made by other people)", dir.display());
        None
    }
}

/// A copy of a shipped model (`shipped`, an `.onnx` with its `.json` card beside it) in `dir`
/// under the same file name, with the card edited by `edit`: the robustness tests' way to
/// present a model whose card is wrong without touching `models/`.
pub fn model_copy(
    shipped: &std::path::Path,
    dir: &std::path::Path,
    edit: impl FnOnce(&mut serde_json::Value),
) -> std::path::PathBuf {
    let model = dir.join(shipped.file_name().expect("a model file name"));
    std::fs::copy(shipped, &model).expect("copy model");
    let text = std::fs::read_to_string(shipped.with_extension("json")).expect("card");
    let mut card: serde_json::Value = serde_json::from_str(&text).expect("card is JSON");
    edit(&mut card);
    std::fs::write(model.with_extension("json"), card.to_string()).expect("write card");
    model
}

/// Runs the `rtgs2` binary: (exit status success, stdout, stderr).
pub fn run_rtgs2(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rtgs2")).args(args).output().expect("binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A path as the `&str` a command line takes.
pub fn path_arg(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8 path")
}
