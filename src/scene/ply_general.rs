//! General PLY path through ply-rs-bw (ASCII and big-endian bodies, list properties in other
//! elements). Records are collected with a minimal `PropertyAccess` that keeps values in
//! header order: never ply-rs's `DefaultElement`, which allocates a map per vertex.

use std::io::{Cursor, Read};

use ply_rs_bw::parser::{Parser, Reader};
use ply_rs_bw::ply::{PropertyAccess, PropertyAccessResult};

use super::ply_header::{Encoding, PlyHeader, PropertyType};
use super::ply_layout::VertexLayout;
use super::{Problem, ScalarKind, Scene};

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
    let records = match header.encoding {
        Encoding::Ascii => read_ascii(bytes, header)?,
        _ => read_with_ply_rs(bytes, header)?,
    };
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

/// The scalar values of every `vertex` record, in header order (list properties, which no
/// vertex reader uses, are left out), for readers that take their own properties from a PLY
/// (`rtgs2 import`). Every encoding is read as [`decode`] reads it: ASCII by our tokenizer
/// (`nan`/`inf` are values, a bad token names its line, property and token), binary bodies
/// of scalar elements checked against the header's counts to the byte first (truncated, or
/// data past the last record), and only binary bodies with list elements through ply-rs.
pub(crate) fn vertex_records(bytes: &[u8], header: &PlyHeader) -> Result<Vec<RawRecord>, Problem> {
    let vertex = header.element("vertex").ok_or_else(|| Problem::MissingProperty("element vertex".into()))?;
    if header.encoding == Encoding::Ascii {
        return read_ascii(bytes, header);
    }
    let Some(ranges) = super::ply_fast::element_ranges(header) else {
        return read_with_ply_rs(bytes, header);
    };
    super::ply_fast::check_body_length(header, &ranges, bytes.len() as u64, vertex)?;
    let vi = header.elements.iter().position(|e| e.name == "vertex").expect("vertex element found above");
    let (start, len) = ranges[vi];
    let body = &bytes[start as usize..(start + len) as usize];
    let kinds: Vec<ScalarKind> = vertex
        .properties
        .iter()
        .filter_map(|p| match p.ty {
            PropertyType::Scalar(k) => Some(k),
            PropertyType::List { .. } => None,
        })
        .collect();
    let stride: usize = kinds.iter().map(|k| k.size()).sum();
    if stride == 0 {
        // A vertex element without properties: nothing to read, however many records.
        return Ok((0..vertex.count).map(|_| RawRecord { values: Vec::new() }).collect());
    }
    let big_endian = header.encoding == Encoding::BinaryBigEndian;
    let records = body
        .chunks_exact(stride)
        .map(|rec| {
            let mut at = 0;
            let values = kinds
                .iter()
                .map(|&k| {
                    let field = &rec[at..at + k.size()];
                    at += k.size();
                    if big_endian {
                        let mut le = [0u8; 8];
                        le[..field.len()].copy_from_slice(field);
                        le[..field.len()].reverse();
                        super::ply_fast::read_le(&le, 0, k)
                    } else {
                        super::ply_fast::read_le(field, 0, k)
                    }
                })
                .collect();
            RawRecord { values }
        })
        .collect();
    Ok(records)
}

/// Binary bodies (big-endian, or with list properties) through ply-rs.
fn read_with_ply_rs(bytes: &[u8], header: &PlyHeader) -> Result<Vec<RawRecord>, Problem> {
    let mut reader = Reader::new(Cursor::new(bytes));
    let vertex_parser = Parser::<RawRecord>::new();
    let skip_parser = Parser::<Skip>::new();
    let ply_header =
        vertex_parser.read_header(&mut reader).map_err(|e| Problem::BadHeader { line: 0, message: e.to_string() })?;
    let mut records = None;
    for (name, def) in &ply_header.elements {
        let short = |e: ply_rs_bw::parser::ParseError| -> Problem {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                body_ends_early(header, name)
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
    let mut tail = Vec::new();
    reader.get_mut().read_to_end(&mut tail).map_err(|e| Problem::Malformed(e.to_string()))?;
    check_no_trailing_data(&tail, header)?;
    records.ok_or_else(|| Problem::MissingProperty("element vertex".into()))
}

fn body_ends_early(header: &PlyHeader, element: &str) -> Problem {
    let declared = header.element(element).map(|d| d.count).unwrap_or(0);
    Problem::CountMismatch { element: element.to_string(), declared, found: "fewer (the body ends early)".into() }
}

/// ASCII bodies are read here, not by ply-rs, whose grammar takes only digits: `nan` or `inf`
/// in a float property (numpy's `savetxt` writes them) failed the whole file with "Couldn't
/// read element line", where the same value in a binary file is one Gaussian dropped with a
/// counted warning. Float tokens parse as Rust reads them (`nan`, `inf`, `-inf`, `Infinity`,
/// any case), so both encodings meet the same repair and `--strict`.
///
/// One record per line, holding exactly the values its properties declare (a list: its count,
/// then that many items): ply-rs took what a record needed from the front of its line and
/// ignored the rest, so surplus values (an undeclared column, two records run together)
/// loaded silently. Every error names the line; a bad value also its property and token.
fn read_ascii(bytes: &[u8], header: &PlyHeader) -> Result<Vec<RawRecord>, Problem> {
    let mut line_no = bytes[..header.body_offset].iter().filter(|&&b| b == b'\n').count();
    let mut rest = &bytes[header.body_offset..];
    let mut vertices = Vec::new();
    let mut tokens: Vec<&str> = Vec::new();
    for el in &header.elements {
        let is_vertex = el.name == "vertex";
        for record in 0..el.count {
            if rest.is_empty() {
                return Err(body_ends_early(header, &el.name));
            }
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let line = &rest[..end];
            rest = rest.get(end + 1..).unwrap_or_default();
            line_no += 1;
            let text = std::str::from_utf8(line).map_err(|_| {
                Problem::Malformed(format!("line {line_no}: '{}' record {record} is not text", el.name))
            })?;
            tokens.clear();
            tokens.extend(text.split_ascii_whitespace());
            let mut values = Vec::with_capacity(if is_vertex { el.properties.len() } else { 0 });
            let mut cursor = AsciiLine { tokens: tokens.iter(), need: 0, line_no, element: &el.name, record };
            for p in &el.properties {
                match p.ty {
                    PropertyType::Scalar(kind) => {
                        if let Some(v) = cursor.take(kind, || format!("property '{}'", p.name))?
                            && is_vertex
                        {
                            values.push(v);
                        }
                    }
                    PropertyType::List { count, item } => {
                        let Some(n) = cursor.take(count, || format!("the length of list '{}'", p.name))? else {
                            continue;
                        };
                        if n < 0.0 {
                            return Err(Problem::Malformed(format!(
                                "line {line_no}: list '{}' of '{}' record {record} has a negative length ({n})",
                                p.name, el.name
                            )));
                        }
                        let n = n as usize;
                        // Items past the line's end are only counted: a huge count must not loop.
                        let present = n.min(cursor.tokens.len());
                        for k in 0..present {
                            cursor.take(item, || format!("item {k} of list '{}'", p.name))?;
                        }
                        cursor.need = cursor.need.saturating_add(n - present);
                    }
                }
            }
            let need = cursor.need;
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
            if is_vertex {
                vertices.push(RawRecord { values });
            }
        }
    }
    check_no_trailing_data(rest, header)?;
    Ok(vertices)
}

/// The tokens of one ASCII record line, taken property by property.
struct AsciiLine<'a> {
    tokens: std::slice::Iter<'a, &'a str>,
    /// Values the record's properties have asked for so far.
    need: usize,
    line_no: usize,
    element: &'a str,
    record: u64,
}

impl AsciiLine<'_> {
    /// The next value as `kind`; `None` past the line's end (counted, and reported by the
    /// caller with the line's value count). `what` names the value for an error.
    fn take(&mut self, kind: ScalarKind, what: impl FnOnce() -> String) -> Result<Option<f64>, Problem> {
        self.need += 1;
        let Some(token) = self.tokens.next() else { return Ok(None) };
        match parse_scalar(token, kind) {
            Some(v) => Ok(Some(v)),
            None => Err(Problem::Malformed(format!(
                "line {}: {} of '{}' record {} is '{token}', not a valid {}",
                self.line_no,
                what(),
                self.element,
                self.record,
                kind.ply_name()
            ))),
        }
    }
}

/// One ASCII token as `kind` (integers must be integers in range, as ply-rs read them).
fn parse_scalar(token: &str, kind: ScalarKind) -> Option<f64> {
    match kind {
        ScalarKind::I8 => token.parse::<i8>().ok().map(f64::from),
        ScalarKind::U8 => token.parse::<u8>().ok().map(f64::from),
        ScalarKind::I16 => token.parse::<i16>().ok().map(f64::from),
        ScalarKind::U16 => token.parse::<u16>().ok().map(f64::from),
        ScalarKind::I32 => token.parse::<i32>().ok().map(f64::from),
        ScalarKind::U32 => token.parse::<u32>().ok().map(f64::from),
        ScalarKind::F32 => token.parse::<f32>().ok().map(f64::from),
        ScalarKind::F64 => token.parse::<f64>().ok(),
    }
}

/// More data after the last declared record means the header count is wrong; ASCII files may
/// end with blank lines.
fn check_no_trailing_data(tail: &[u8], header: &PlyHeader) -> Result<(), Problem> {
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

    /// Issue 29 item 13: ply-rs's grammar refused `nan` ("Couldn't read element line"); the
    /// loader's repair sees these values as it sees binary ones.
    #[test]
    fn non_finite_float_tokens_read_as_their_values() {
        let rec = |x: &str, y: &str, z: &str| format!("{x} {y} {z} 0.1 0.2 0.3 1 -1 -1 -1 1 0 0 0");
        let lines = [rec("nan", "-inf", "inf"), rec("NaN", "+Infinity", "-nan")];
        let (scene, _) =
            decode_bytes(Path::new("room.ply"), &ascii(&[&lines[0], &lines[1]], &[])).expect("non-finite values read");
        let [a, b] = [scene.positions[0], scene.positions[1]];
        assert!(a[0].is_nan() && a[1] == f32::NEG_INFINITY && a[2] == f32::INFINITY);
        assert!(b[0].is_nan() && b[1] == f32::INFINITY && b[2].is_nan());
    }

    #[test]
    fn a_token_that_is_no_number_names_line_property_and_token() {
        let (p, msg) = problem(&ascii(&[RECORD, &RECORD.replacen("-1", "-l", 1)], &[]));
        assert!(matches!(p, Problem::Malformed(_)), "{msg}");
        assert!(msg.contains("line 22: property 'y' of 'vertex' record 1 is '-l', not a valid float"), "{msg}");
        let (_, msg) = problem(&ascii(&[RECORD], &["3 0 1 x"]));
        assert!(
            msg.contains("line 22: item 2 of list 'vertex_indices' of 'face' record 0 is 'x', not a valid int"),
            "{msg}"
        );
        let (_, msg) = problem(&ascii(&[RECORD], &["-3 0 1 2"]));
        assert!(
            msg.contains("the length of list 'vertex_indices'") && msg.contains("'-3', not a valid uchar"),
            "{msg}"
        );
    }

    /// `rtgs2 import` reads its own properties through [`super::vertex_records`]: every
    /// encoding gives the same values, in header order, lists left out.
    #[test]
    fn vertex_records_agree_across_encodings() {
        let head = |fmt: &str| {
            format!(
                "ply\nformat {fmt} 1.0\nelement vertex 2\nproperty uchar a\nproperty short b\nproperty float c\n\
                 property double d\nend_header\n"
            )
        };
        let rows: [(u8, i16, f32, f64); 2] = [(7, -300, 0.25, -1e300), (255, 2, f32::NAN, 3.5)];
        let ascii = head("ascii") + "7 -300 0.25 -1e300\n255 2 nan 3.5\n";
        let mut le = head("binary_little_endian").into_bytes();
        let mut be = head("binary_big_endian").into_bytes();
        for (a, b, c, d) in rows {
            le.push(a);
            be.push(a);
            le.extend(b.to_le_bytes().iter().chain(&c.to_le_bytes()).chain(&d.to_le_bytes()));
            be.extend(b.to_be_bytes().iter().chain(&c.to_be_bytes()).chain(&d.to_be_bytes()));
        }
        for bytes in [ascii.into_bytes(), le, be] {
            let header = crate::scene::ply_header::parse(&bytes).expect("header");
            let records = super::vertex_records(&bytes, &header).expect("records");
            assert_eq!(records.len(), 2);
            assert_eq!(records[0].values, vec![7.0, -300.0, 0.25, -1e300]);
            let r = &records[1].values;
            assert!(r[0] == 255.0 && r[1] == 2.0 && r[2].is_nan() && r[3] == 3.5, "{r:?}");
        }
        // Binary bodies are held to the header's length, both ways.
        let mut le = head("binary_little_endian").into_bytes();
        le.extend([0u8; 15 * 2 + 1]);
        let header = crate::scene::ply_header::parse(&le).expect("header");
        let err = super::vertex_records(&le, &header).err().expect("data past the last record");
        assert!(matches!(err, Problem::CountMismatch { declared: 2, .. }), "{err}");
        le.truncate(le.len() - 2);
        let err = super::vertex_records(&le, &header).err().expect("truncated");
        assert!(matches!(err, Problem::Truncated { expected: 30, found: 29 }), "{err}");
    }

    #[test]
    fn an_ascii_body_that_ends_early_or_runs_on_is_a_count_mismatch() {
        let mut bytes = ascii(&[RECORD, RECORD], &[]);
        bytes.truncate(bytes.len() - RECORD.len() - 1);
        assert!(matches!(problem(&bytes).0, Problem::CountMismatch { declared: 2, .. }));
        let mut bytes = ascii(&[RECORD], &[]);
        bytes.extend_from_slice(b"\n\n7 7\n");
        assert!(matches!(problem(&bytes).0, Problem::CountMismatch { .. }));
        let mut bytes = ascii(&[RECORD], &[]);
        bytes.extend_from_slice(b"\r\n \n");
        assert!(decode_bytes(Path::new("room.ply"), &bytes).is_ok(), "trailing blank lines are fine");
    }
}
