//! General PLY path through ply-rs-bw (ASCII and big-endian bodies, list properties in other
//! elements). Records are collected with a minimal `PropertyAccess` that keeps values in
//! header order: never ply-rs's `DefaultElement`, which allocates a map per vertex.

use std::io::{BufRead, Cursor};

use ply_rs_bw::parser::{Parser, Reader};
use ply_rs_bw::ply::{PropertyAccess, PropertyAccessResult};

use super::ply_header::{Encoding, PlyHeader};
use super::ply_layout::VertexLayout;
use super::{Problem, Scene};

/// One vertex's scalar values, in the order the header declares them (ply-rs calls the
/// setters in that order, which a test checks).
struct RawRecord {
    values: Vec<f64>,
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
struct Skip;

impl PropertyAccess for Skip {
    fn new() -> Self {
        Skip
    }
}

/// Decodes the `vertex` element of a whole PLY file held in `bytes`.
pub fn decode(bytes: &[u8], header: &PlyHeader, layout: &VertexLayout) -> Result<Scene, Problem> {
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
