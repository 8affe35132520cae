//! General PLY path through ply-rs-bw (ASCII and big-endian bodies, list properties in other
//! elements). Records are collected with a minimal `PropertyAccess` that keeps values in
//! header order: never ply-rs's `DefaultElement`, which allocates a map per vertex.

use std::io::{BufRead, Cursor};

use ply_rs_bw::parser::{Parser, Reader};
use ply_rs_bw::ply::{PropertyAccess, PropertyAccessResult};

use super::ply_header::{Encoding, PlyHeader, PropertyType};
use super::ply_layout::VertexLayout;
use super::{Problem, Scene};

/// One vertex's scalar values, in the order the header declares them (ply-rs calls the
/// setters in that order, which a test checks).
pub(crate) struct RawRecord {
    pub(crate) values: Vec<f64>,
}

impl PropertyAccess for RawRecord {
    fn new() -> Self {
        Self { values: Vec::new() }
    }
    fn set_char(&mut self, _: &str, v: i8) -> PropertyAccessResult {
        self.push(v as f64)
    }
    fn set_uchar(&mut self, _: &str, v: u8) -> PropertyAccessResult {
        self.push(v as f64)
    }
    fn set_short(&mut self, _: &str, v: i16) -> PropertyAccessResult {
        self.push(v as f64)
    }
    fn set_ushort(&mut self, _: &str, v: u16) -> PropertyAccessResult {
        self.push(v as f64)
    }
    fn set_int(&mut self, _: &str, v: i32) -> PropertyAccessResult {
        self.push(v as f64)
    }
    fn set_uint(&mut self, _: &str, v: u32) -> PropertyAccessResult {
        self.push(v as f64)
    }
    fn set_float(&mut self, _: &str, v: f32) -> PropertyAccessResult {
        self.push(v as f64)
    }
    fn set_double(&mut self, _: &str, v: f64) -> PropertyAccessResult {
        self.push(v)
    }
}

impl RawRecord {
    fn push(&mut self, v: f64) -> PropertyAccessResult {
        self.values.push(v);
        PropertyAccessResult::Set
    }
}

/// Parses elements we do not use (faces, chunks...) and drops them.
pub(crate) struct Skip;

impl PropertyAccess for Skip {
    fn new() -> Self {
        Skip
    }
}

/// Decodes the `vertex` element of a whole PLY file held in `bytes`.
pub fn decode(bytes: &[u8], header: &PlyHeader, layout: &VertexLayout) -> Result<Scene, Problem> {
    if header.encoding == Encoding::Ascii {
        check_ascii_records(bytes, header)?;
    }
    let mut reader = Reader::new(Cursor::new(bytes));
    let vertex_parser = Parser::<RawRecord>::new();
    let skip_parser = Parser::<Skip>::new();
    let ply_header =
        vertex_parser.read_header(&mut reader).map_err(|e| Problem::BadHeader { line: 0, message: e.to_string() })?;
    let mut records = None;
    for (name, def) in &ply_header.elements {
        let short = |e: ply_rs_bw::parser::ParseError| -> Problem {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                let declared = header.element(name).map(|d| d.count).unwrap_or(0);
                Problem::CountMismatch { element: name.clone(), declared, found: "fewer (the body ends early)".into() }
            } else {
                Problem::Malformed(e.to_string())
            }
        };
        if name == "vertex" {
            records = Some(vertex_parser.read_payload_for_element(&mut reader, def, &ply_header).map_err(short)?);
        } else {
            skip_parser.read_payload_for_element(&mut reader, def, &ply_header).map_err(short)?;
        }
    }
    check_no_trailing_data(reader.get_mut(), header)?;
    let records = records.ok_or_else(|| Problem::MissingProperty("element vertex".into()))?;

    let n = records.len();
    let mut scene = layout.alloc_scene(n);
    {
        let mut slices = scene.slices_mut(0..n);
        for (i, rec) in records.iter().enumerate() {
            layout.fill_record(&mut slices, i, |p| rec.values[p]);
        }
    }
    for (extra, &p) in scene.extras.iter_mut().zip(&layout.extras) {
        for (v, rec) in extra.values.iter_mut().zip(&records) {
            *v = rec.values[p];
        }
    }
    Ok(scene)
}

/// ASCII bodies hold one record per line. ply-rs takes the values a record needs from the
/// front of its line and ignores the rest, so surplus values (a column the header does not
/// declare, two records run together) would load silently, and too few get a message
/// without a line number. Every record line must hold exactly the values its properties
/// declare (a list: its count, then that many items). Lines that are not text, or a list
/// count that is no number, are left to the parser, which rejects them.
fn check_ascii_records(bytes: &[u8], header: &PlyHeader) -> Result<(), Problem> {
    let mut line_no = bytes[..header.body_offset].iter().filter(|&&b| b == b'\n').count();
    let mut lines = bytes[header.body_offset..].split(|&b| b == b'\n');
    let mut tokens: Vec<&str> = Vec::new();
    for el in &header.elements {
        for record in 0..el.count {
            let Some(line) = lines.next() else {
                return Ok(()); // the body ends early: the parser counts what is missing
            };
            line_no += 1;
            let Ok(text) = std::str::from_utf8(line) else {
                return Ok(());
            };
            tokens.clear();
            tokens.extend(text.split_ascii_whitespace());
            let mut need = 0usize;
            for p in &el.properties {
                need += 1;
                if let PropertyType::List { .. } = p.ty {
                    let Some(items) = tokens.get(need - 1).and_then(|t| t.parse::<usize>().ok()) else {
                        return Ok(());
                    };
                    need = need.saturating_add(items);
                }
            }
            if tokens.len() != need {
                return Err(Problem::Malformed(format!(
                    "line {line_no}: {} values where '{}' record {record} has {need} ({})",
                    tokens.len(),
                    el.name,
                    if tokens.len() > need {
                        "surplus values on the line: a property the header does not declare, or records run together"
                    } else {
                        "values are missing"
                    }
                )));
            }
        }
    }
    Ok(())
}

/// More data after the last declared record means the header count is wrong; ASCII files may
/// end with blank lines.
fn check_no_trailing_data(rest: &mut impl BufRead, header: &PlyHeader) -> Result<(), Problem> {
    let mut tail = Vec::new();
    rest.read_to_end(&mut tail).map_err(|e| Problem::Malformed(e.to_string()))?;
    let extra = match header.encoding {
        Encoding::Ascii => tail.iter().any(|b| !b.is_ascii_whitespace()),
        _ => !tail.is_empty(),
    };
    if extra {
        let last = header.elements.last().map(|e| (e.name.clone(), e.count)).unwrap_or_default();
        return Err(Problem::CountMismatch {
            element: last.0,
            declared: last.1,
            found: format!("more ({} bytes of data after the last declared record)", tail.len()),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::scene::Problem;
    use crate::scene::load::decode_bytes;

    const PROPS: [&str; 14] = [
        "x", "y", "z", "f_dc_0", "f_dc_1", "f_dc_2", "opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1",
        "rot_2", "rot_3",
    ];
    const RECORD: &str = "0.5 -1 2 0.1 0.2 0.3 1 -1 -1 -1 1 0 0 0";

    /// An ASCII PLY with the given vertex lines and, after them, one face per `faces` line.
    fn ascii(vertices: &[&str], faces: &[&str]) -> Vec<u8> {
        let mut s = format!("ply\nformat ascii 1.0\nelement vertex {}\n", vertices.len());
        for p in PROPS {
            s += &format!("property float {p}\n");
        }
        s += &format!("element face {}\nproperty list uchar int vertex_indices\nend_header\n", faces.len());
        for l in vertices.iter().chain(faces) {
            s += l;
            s += "\n";
        }
        s.into_bytes()
    }

    fn problem(bytes: &[u8]) -> (Problem, String) {
        let err = decode_bytes(Path::new("room.ply"), bytes).expect_err("rejected");
        (err.problem().expect("content problem").clone(), err.to_string())
    }

    #[test]
    fn well_formed_ascii_records_load() {
        let (scene, _) =
            decode_bytes(Path::new("room.ply"), &ascii(&[RECORD, RECORD], &["3 0 1 1", "0"])).expect("valid ascii");
        assert_eq!(scene.len(), 2);
        assert_eq!(scene.positions[1], [0.5, -1.0, 2.0]);
    }

    /// Surplus values used to be ignored by the parser, loading the file silently.
    #[test]
    fn surplus_values_on_a_record_line_are_an_error_naming_the_line() {
        let surplus = format!("{RECORD} 7 8");
        // Header: 1 ply + 1 format + 2 element lines + 14 + 1 properties + end_header = 20.
        let (p, msg) = problem(&ascii(&[RECORD, &surplus], &[]));
        assert!(matches!(p, Problem::Malformed(_)), "{msg}");
        assert!(msg.contains("room.ply") && msg.contains("line 22") && msg.contains("16 values"), "{msg}");
        assert!(msg.contains("surplus"), "{msg}");
        // In a list element too: count 3, four items.
        let (_, msg) = problem(&ascii(&[RECORD], &["3 0 0 0", "3 0 0 0 0"]));
        assert!(msg.contains("line 23") && msg.contains("'face' record 1"), "{msg}");
        // Too few values name the line as well.
        let short = RECORD.rsplit_once(' ').expect("spaces").0;
        let (_, msg) = problem(&ascii(&[short], &[]));
        assert!(msg.contains("line 21") && msg.contains("missing"), "{msg}");
    }
}
