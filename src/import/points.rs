//! Labelled, coloured point sets read from scans: a PLY point cloud or mesh (its vertices, with
//! `red green blue` and an integer `label`), or a pair of `.npy` arrays as ScanNet
//! preprocessors write them (`<scan>_vert.npy`: N × [x y z r g b] float, colour 0–255, and
//! `<scan>_sem_label.npy`: N NYU40 ids). PLY bodies are read by the scene reader's own
//! decoders (`scene::ply_general::vertex_records`), so a scan meets the same checks as a scene:
//! ASCII `nan` is a value (and then an error naming the vertex), a bad token names its line,
//! binary bodies are held to the header's length.

use std::path::{Path, PathBuf};

use super::ImportError;
use crate::classes::NUM_CLASSES;
use crate::scene::ply_header::{self, PropertyType};
use crate::scene::{Problem, ScalarKind, SceneError, ply_general};
use crate::util::npy;

/// The most points one import takes (as the scene readers' cap on Gaussians).
pub const MAX_POINTS: usize = 100_000_000;

/// One scan's points: positions, 8-bit colours and NYU40 labels (0 = unlabelled).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelledPoints {
    /// Positions, the scan's world units.
    pub positions: Vec<[f32; 3]>,
    /// 8-bit RGB per point.
    pub colours: Vec<[u8; 3]>,
    /// NYU40 id per point; 0 = unlabelled.
    pub labels: Vec<u16>,
    /// Labels outside NYU40 (negative or above 40) that were set to 0.
    pub labels_repaired: usize,
    /// Colour values outside their range (after the scale was settled) that were clamped.
    pub colours_clamped: usize,
    /// Repairs and readings to tell the user about (the colour scale, clamped colours).
    pub warnings: Vec<String>,
}

impl LabelledPoints {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }
}

/// Reads `path`: a PLY file, or the `_vert.npy` of a pair (its labels beside it, found by
/// [`label_file_for`]).
pub fn read_points(path: &Path) -> Result<LabelledPoints, ImportError> {
    let meta = std::fs::metadata(path).map_err(|e| ImportError::io(path, e))?;
    if !meta.is_file() {
        return Err(ImportError::invalid(path, "not a regular file"));
    }
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("ply") => read_ply(path),
        Some("npy") => read_npy_pair(path, &label_file_for(path)?),
        _ => Err(ImportError::invalid(path, "expected a .ply point cloud or mesh, or a <scan>_vert.npy array")),
    }
}

/// The label array beside a `<scan>_vert.npy`: `<scan>_sem_label.npy`, else `<scan>_label.npy`.
pub fn label_file_for(vert: &Path) -> Result<PathBuf, ImportError> {
    let name = vert.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let stem = name.strip_suffix("_vert.npy").ok_or_else(|| {
        ImportError::invalid(vert, "a .npy input must be named <scan>_vert.npy, with <scan>_sem_label.npy beside it")
    })?;
    let candidates = [format!("{stem}_sem_label.npy"), format!("{stem}_label.npy")];
    candidates.iter().map(|c| vert.with_file_name(c)).find(|p| p.is_file()).ok_or_else(|| {
        ImportError::invalid(vert, format!("no label array beside it (looked for {})", candidates.join(" and ")))
    })
}

/// A short name for the scan: the file stem without `_vert`.
pub fn scan_name(path: &Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("scan");
    stem.strip_suffix("_vert").unwrap_or(stem).to_string()
}

/// Reads a ScanNet-style pair: `<scan>_vert.npy` (N × 6+: x y z r g b) and its label array
/// (N integers, any width).
pub fn read_npy_pair(vert_path: &Path, label_path: &Path) -> Result<LabelledPoints, ImportError> {
    let vert = npy::read::<f32>(vert_path).map_err(ImportError::Npy)?;
    if vert.shape.len() != 2 || vert.shape[1] < 6 {
        return Err(ImportError::invalid(vert_path, format!("shape {:?}, expected N x 6 (x y z r g b)", vert.shape)));
    }
    let (n, stride) = (vert.shape[0], vert.shape[1]);
    check_count(vert_path, n)?;
    let labels = npy::read_integers(label_path).map_err(ImportError::Npy)?;
    if labels.data.len() != n {
        return Err(ImportError::invalid(
            label_path,
            format!(
                "shape {:?}: {} labels for the {n} points of {}",
                labels.shape,
                labels.data.len(),
                vert_path.display()
            ),
        ));
    }
    if labels.shape.len() != 1 {
        // One label a point, but not as a plain list: [N, 1] or [1, N] is an easy slip, yet
        // any other layout would pair labels with the wrong points, so only 1-D is read.
        return Err(ImportError::invalid(
            label_path,
            format!("shape {:?}, expected one label per point: shape [{n}] (labels.reshape(-1))", labels.shape),
        ));
    }
    let mut points = LabelledPoints::default();
    let mut raw_colours = Vec::with_capacity(n);
    for (i, row) in vert.data.chunks_exact(stride).enumerate() {
        if let Some(k) = row[..6].iter().position(|v| !v.is_finite()) {
            let what = ["x", "y", "z", "r", "g", "b"][k];
            return Err(ImportError::invalid(vert_path, format!("point {i}: {what} is {}", row[k])));
        }
        points.positions.push([row[0], row[1], row[2]]);
        raw_colours.push([row[3], row[4], row[5]]);
    }
    points.colours = colour_bytes(&raw_colours, ColourScale::FloatBytes, &mut points);
    points.labels = repair_labels(&labels.data, &mut points.labels_repaired);
    Ok(points)
}

fn check_count(path: &Path, n: usize) -> Result<(), ImportError> {
    if n == 0 {
        return Err(ImportError::invalid(path, "no points"));
    }
    if n > MAX_POINTS {
        return Err(ImportError::invalid(path, format!("{n} points, more than the {MAX_POINTS} one import takes")));
    }
    Ok(())
}

/// The range a format gives colour values in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ColourScale {
    /// Integer PLY colours: 0–255 by their type.
    Bytes,
    /// Float PLY colours: 0–1 by convention, but some writers store 0–255 in floats.
    Unit,
    /// The `.npy` pair's float colours: 0–255 by ScanNet's convention, but some
    /// preprocessors normalise them to 0–1.
    FloatBytes,
}

/// 8-bit colours from finite values in `declared` scale. Where the values fit the other
/// convention far better, they are read in it and a warning says so, rather than every
/// colour turning white (0–255 read as 0–1) or black (0–1 read as 0–255): float PLY colours
/// above 2 are 0–255 (a 0–1 colour does not overshoot that far), and `.npy` colours that
/// all lie in 0–1 are 0–1 (no 0–255 scan is that dark). What then lies outside the range
/// (scanners' colour overshoots after colour correction; negative values) is clamped and
/// counted in `points`.
fn colour_bytes(raw: &[[f32; 3]], declared: ColourScale, points: &mut LabelledPoints) -> Vec<[u8; 3]> {
    let (lo, hi) = raw.iter().flatten().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let unit = match declared {
        ColourScale::Bytes => false,
        ColourScale::Unit if hi > 2.0 => {
            points.warnings.push(format!("float colours reach {hi}: read as 0-255, not the usual 0-1"));
            false
        }
        ColourScale::Unit => true,
        ColourScale::FloatBytes if lo >= 0.0 && hi > 0.0 && hi <= 1.0 => {
            points.warnings.push("every colour value lies in 0-1: read as 0-1, not 0-255".into());
            true
        }
        ColourScale::FloatBytes => false,
    };
    let scale = if unit { 255.0 } else { 1.0 };
    let mut clamped = 0;
    let colours = raw
        .iter()
        .map(|c| {
            c.map(|v| {
                let b = (v * scale).round();
                if !(0.0..=255.0).contains(&b) {
                    clamped += 1;
                }
                b.clamp(0.0, 255.0) as u8
            })
        })
        .collect();
    if clamped > 0 {
        let range = if unit { "0-1" } else { "0-255" };
        points.warnings.push(format!("clamped {clamped} colour values outside {range}"));
    }
    points.colours_clamped += clamped;
    colours
}

/// NYU40 ids; anything outside 0–40 becomes 0, counted.
fn repair_labels(raw: &[i64], repaired: &mut usize) -> Vec<u16> {
    raw.iter()
        .map(|&l| {
            if (0..NUM_CLASSES as i64).contains(&l) {
                l as u16
            } else {
                *repaired += 1;
                0
            }
        })
        .collect()
}

fn read_ply(path: &Path) -> Result<LabelledPoints, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| ImportError::io(path, e))?;
    let problem = |p: Problem| ImportError::Scene(SceneError::invalid(path, p));
    let header = ply_header::parse(&bytes).map_err(problem)?;
    let def = header.element("vertex").ok_or_else(|| ImportError::invalid(path, "no 'vertex' element"))?;
    // Values of list properties are not in the records: a property's index there is its
    // place among the scalar properties.
    let scalars: Vec<(&str, ScalarKind)> = def
        .properties
        .iter()
        .filter_map(|p| match p.ty {
            PropertyType::Scalar(k) => Some((p.name.as_str(), k)),
            PropertyType::List { .. } => None,
        })
        .collect();
    let index = |name: &str| scalars.iter().position(|(p, _)| *p == name);
    for need in ["x", "y", "z", "label"] {
        if index(need).is_none() {
            let have: Vec<&str> = def.properties.iter().map(|p| p.name.as_str()).collect();
            return Err(ImportError::invalid(
                path,
                format!("vertex property '{need}' is missing (have: {})", have.join(" ")),
            ));
        }
    }
    let colour_names = if ["red", "green", "blue"].iter().all(|c| index(c).is_some()) {
        ["red", "green", "blue"]
    } else if ["r", "g", "b"].iter().all(|c| index(c).is_some()) {
        ["r", "g", "b"]
    } else {
        return Err(ImportError::invalid(path, "no vertex colours (red green blue)"));
    };
    let n = usize::try_from(def.count).unwrap_or(usize::MAX);
    check_count(path, n)?;
    // Before a record is read: a corrupt count must not have us walk (or allocate for) far
    // more records than the file could hold. Even ASCII needs two bytes a value.
    if def.count.saturating_mul(scalars.len() as u64) > (bytes.len() as u64).saturating_mul(2) {
        return Err(ImportError::invalid(
            path,
            format!(
                "the header declares {} vertices of {} values; a file of {} bytes cannot hold them (a corrupt count?)",
                def.count,
                scalars.len(),
                bytes.len()
            ),
        ));
    }
    let records = ply_general::vertex_records(&bytes, &header).map_err(problem)?;
    let [xi, yi, zi, label_i] = ["x", "y", "z", "label"].map(|n| index(n).expect("checked above"));
    let colour_i = colour_names.map(|n| index(n).expect("checked above"));
    let label_is_integer = scalars[label_i].1.is_integer();
    // Float colours are 0–1 by convention, integer ones 0–255.
    let colour_scale = if scalars[colour_i[0]].1.is_integer() { ColourScale::Bytes } else { ColourScale::Unit };
    let mut points = LabelledPoints::default();
    let mut raw_colours = Vec::with_capacity(records.len());
    let mut raw_labels = Vec::with_capacity(records.len());
    for (i, rec) in records.iter().enumerate() {
        let get = |k: usize| rec.values[k];
        let [x, y, z] = [xi, yi, zi].map(get);
        let colour = colour_i.map(get);
        for (what, v) in ["x", "y", "z"].iter().zip([x, y, z]).chain(colour_names.iter().zip(colour)) {
            if !v.is_finite() {
                return Err(ImportError::invalid(path, format!("vertex {i}: {what} is {v}")));
            }
        }
        points.positions.push([x as f32, y as f32, z as f32]);
        raw_colours.push(colour.map(|c| c as f32));
        let label = get(label_i);
        // A float label column that holds fractions (or NaN) is not NYU40 ids: truncating
        // them would invent classes.
        if !label_is_integer && (!label.is_finite() || label.fract() != 0.0) {
            return Err(ImportError::invalid(
                path,
                format!("vertex {i}: label is {label}, not a whole NYU40 id (is 'label' the class column?)"),
            ));
        }
        // Whole and finite here; `as` saturates ids beyond i64, which the repair then zeroes.
        raw_labels.push(label as i64);
    }
    points.colours = colour_bytes(&raw_colours, colour_scale, &mut points);
    points.labels = repair_labels(&raw_labels, &mut points.labels_repaired);
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_pair(dir: &Path, stem: &str, vert: &[f32], labels: &[u32]) -> PathBuf {
        let v = dir.join(format!("{stem}_vert.npy"));
        npy::write(&v, &[vert.len() / 6, 6], vert).expect("write vert");
        npy::write(&dir.join(format!("{stem}_sem_label.npy")), &[labels.len()], labels).expect("write labels");
        v
    }

    #[test]
    fn reads_a_npy_pair_and_repairs_labels_outside_nyu40() {
        let dir = tempfile::tempdir().expect("temp dir");
        let v = write_pair(
            dir.path(),
            "scene9_00",
            &[0.0, 1.0, 2.0, 10.0, 300.0, -4.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0],
            &[5, 41],
        );
        let p = read_points(&v).expect("reads");
        assert_eq!(p.positions, vec![[0.0, 1.0, 2.0], [1.0, 1.0, 1.0]]);
        assert_eq!(p.colours[0], [10, 255, 0]);
        assert_eq!((p.labels.clone(), p.labels_repaired), (vec![5, 0], 1));
        assert_eq!(scan_name(&v), "scene9_00");
    }

    #[test]
    fn npy_problems_name_the_file_and_the_problem() {
        let dir = tempfile::tempdir().expect("temp dir");
        let v = write_pair(dir.path(), "a", &[0.0; 12], &[1, 2, 3]);
        let e = read_points(&v).expect_err("length mismatch").to_string();
        assert!(e.contains("a_sem_label.npy") && e.contains("3 labels for the 2 points"), "{e}");
        let v = write_pair(dir.path(), "b", &[0.0, f32::NAN, 0.0, 1.0, 1.0, 1.0], &[1]);
        let e = read_points(&v).expect_err("NaN").to_string();
        assert!(e.contains("b_vert.npy") && e.contains("point 0: y is NaN"), "{e}");
        let lonely = dir.path().join("c_vert.npy");
        npy::write(&lonely, &[1, 6], &[0.0f32; 6]).expect("write");
        let e = read_points(&lonely).expect_err("no labels").to_string();
        assert!(e.contains("c_sem_label.npy"), "{e}");
        let e = read_points(&dir.path().join("missing_vert.npy")).expect_err("absent").to_string();
        assert!(e.contains("missing_vert.npy"), "{e}");
    }

    #[test]
    fn reads_an_ascii_ply_with_faces_and_float_colours() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("mesh.ply");
        let text = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n\
            property float red\nproperty float green\nproperty float blue\nproperty ushort label\n\
            element face 1\nproperty list uchar int vertex_indices\nend_header\n\
            0 0 0 1 0 0.5 1\n1 0 0 0 1 0 2\n0 1 0 0 0 1 99\n3 0 1 2\n";
        std::fs::write(&path, text).expect("write");
        let p = read_points(&path).expect("reads");
        assert_eq!(p.len(), 3);
        assert_eq!(p.colours[0], [255, 0, 128]);
        assert_eq!((p.labels.clone(), p.labels_repaired), (vec![1, 2, 0], 1));
        // A list property before the scalars: their values are found all the same (the
        // records hold scalars only, so the header's index would be off by one).
        let listed = text.replace("element vertex 3\n", "element vertex 3\nproperty list uchar int near\n").replace(
            "0 0 0 1 0 0.5 1\n1 0 0 0 1 0 2\n0 1 0 0 0 1 99\n",
            "1 2 0 0 0 1 0 0.5 1\n0 1 0 0 0 1 0 2\n2 0 1 0 1 0 0 0 1 99\n",
        );
        std::fs::write(&path, listed).expect("write");
        assert_eq!(read_points(&path).expect("reads"), p);
        let no_label = text.replace("property ushort label\n", "").replace(" 1\n1 0", "\n1 0");
        std::fs::write(&path, no_label).expect("write");
        let e = read_points(&path).expect_err("no label").to_string();
        assert!(e.contains("mesh.ply") && e.contains("'label' is missing"), "{e}");
    }
}
