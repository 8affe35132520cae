//! Our own PLY header parser: it gives the exact byte offset of the body (which the fast
//! path needs) and precise, line-numbered errors. The body is read elsewhere.

use super::{Problem, ScalarKind};

/// Body encodings PLY defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// `format ascii 1.0`: whitespace-separated text records.
    Ascii,
    /// `format binary_little_endian 1.0`.
    BinaryLittleEndian,
    /// `format binary_big_endian 1.0`.
    BinaryBigEndian,
}

impl Encoding {
    /// The header's spelling, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ascii => "ascii",
            Self::BinaryLittleEndian => "binary_little_endian",
            Self::BinaryBigEndian => "binary_big_endian",
        }
    }
}

/// A property's type: a scalar, or a list with a count type and an item type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropertyType {
    /// A single value of this kind.
    Scalar(ScalarKind),
    /// A list: a count, then that many items.
    List {
        /// Type of the leading count.
        count: ScalarKind,
        /// Type of each item.
        item: ScalarKind,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// One `property` line of an element.
pub struct PropertyDef {
    /// The property's name (e.g. `x`, `f_dc_0`, `opacity`).
    pub name: String,
    /// Its type.
    pub ty: PropertyType,
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// One `element` of the header with its properties, in body order.
pub struct ElementDef {
    /// The element's name (`vertex` holds the Gaussians).
    pub name: String,
    /// Number of records the body holds for it.
    pub count: u64,
    /// Its properties in the order each record stores them.
    pub properties: Vec<PropertyDef>,
}

impl ElementDef {
    /// Bytes per record in a binary body, when every property is a scalar.
    pub fn binary_stride(&self) -> Option<usize> {
        self.properties
            .iter()
            .map(|p| match p.ty {
                PropertyType::Scalar(k) => Some(k.size()),
                PropertyType::List { .. } => None,
            })
            .sum()
    }

    /// Position of the property `name` within a record, if the element has it.
    pub fn property_index(&self, name: &str) -> Option<usize> {
        self.properties.iter().position(|p| p.name == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// A parsed PLY header.
pub struct PlyHeader {
    /// How the body is encoded.
    pub encoding: Encoding,
    /// Elements in body order.
    pub elements: Vec<ElementDef>,
    /// Text of each `comment` / `obj_info` line, after the keyword.
    pub comments: Vec<String>,
    /// Offset of the first body byte (just after `end_header\n`).
    pub body_offset: usize,
}

impl PlyHeader {
    /// The element called `name`, if the header declares one.
    pub fn element(&self, name: &str) -> Option<&ElementDef> {
        self.elements.iter().find(|e| e.name == name)
    }
}

/// Headers longer than this are rejected: real ones are a few KB, and a missing
/// `end_header` must not make us scan a multi-GB body as text.
const MAX_HEADER_BYTES: usize = 1 << 20;

/// Parses the header at the start of `bytes` (which may hold just a prefix of the file, as
/// long as it includes `end_header`).
pub fn parse(bytes: &[u8]) -> Result<PlyHeader, Problem> {
    if !bytes.starts_with(b"ply\n") && !bytes.starts_with(b"ply\r\n") {
        return Err(Problem::UnknownFormat("the file does not start with 'ply'".into()));
    }
    let limit = bytes.len().min(MAX_HEADER_BYTES);
    let end = find_end_header(&bytes[..limit]).ok_or_else(|| Problem::BadHeader {
        line: 0,
        message: if bytes.len() > MAX_HEADER_BYTES {
            "no 'end_header' in the first 1 MiB".into()
        } else {
            "no 'end_header' line: the header is truncated".into()
        },
    })?;
    let text = std::str::from_utf8(&bytes[..end])
        .map_err(|_| Problem::BadHeader { line: 0, message: "the header is not valid text".into() })?;

    let mut encoding = None;
    let mut elements: Vec<ElementDef> = Vec::new();
    let mut comments = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line_no = idx + 1;
        let bad = |message: String| Problem::BadHeader { line: line_no, message };
        let line = raw.trim_end_matches('\r');
        let mut words = line.split_whitespace();
        match words.next() {
            None => {}
            Some("ply") if idx == 0 => {}
            Some("comment") | Some("obj_info") => {
                comments.push(line.split_once(' ').map(|x| x.1).unwrap_or("").to_string())
            }
            Some("format") => {
                let fmt = words.next().unwrap_or("");
                encoding = Some(match fmt {
                    "ascii" => Encoding::Ascii,
                    "binary_little_endian" => Encoding::BinaryLittleEndian,
                    "binary_big_endian" => Encoding::BinaryBigEndian,
                    other => return Err(bad(format!("unknown format '{other}'"))),
                });
                match words.next() {
                    Some("1.0") | Some("1") => {}
                    Some(v) => return Err(bad(format!("unsupported PLY version '{v}' (only 1.0 exists)"))),
                    None => return Err(bad("the format line has no version (expected 1.0)".into())),
                }
            }
            Some("element") => {
                let name = words.next().ok_or_else(|| bad("element without a name".into()))?;
                let count = words
                    .next()
                    .and_then(|c| c.parse::<u64>().ok())
                    .ok_or_else(|| bad(format!("element '{name}' has no valid count")))?;
                elements.push(ElementDef { name: name.to_string(), count, properties: Vec::new() });
            }
            Some("property") => {
                let element = elements.last_mut().ok_or_else(|| bad("property before any element".into()))?;
                let first = words.next().ok_or_else(|| bad("property without a type".into()))?;
                let scalar = |w: Option<&str>| -> Result<ScalarKind, Problem> {
                    let w = w.unwrap_or("");
                    ScalarKind::from_ply_name(w).ok_or_else(|| bad(format!("unknown type '{w}'")))
                };
                let ty = if first == "list" {
                    let count = scalar(words.next())?;
                    if !count.is_integer() {
                        return Err(bad("a list count type must be an integer".into()));
                    }
                    PropertyType::List { count, item: scalar(words.next())? }
                } else {
                    PropertyType::Scalar(scalar(Some(first))?)
                };
                let name = words.next().ok_or_else(|| bad("property without a name".into()))?;
                if element.properties.iter().any(|p| p.name == name) {
                    return Err(bad(format!("property '{name}' appears twice in element '{}'", element.name)));
                }
                element.properties.push(PropertyDef { name: name.to_string(), ty });
            }
            Some("end_header") => {}
            Some(other) => return Err(bad(format!("unknown header keyword '{other}'"))),
        }
    }
    let encoding = encoding.ok_or(Problem::BadHeader { line: 0, message: "no 'format' line".into() })?;
    Ok(PlyHeader { encoding, elements, comments, body_offset: end })
}

/// Offset just past the `end_header` line terminator, if present.
fn find_end_header(bytes: &[u8]) -> Option<usize> {
    let needle = b"end_header";
    let mut start = 0;
    while let Some(pos) = bytes[start..].windows(needle.len()).position(|w| w == needle) {
        let at = start + pos;
        let line_start = at == 0 || bytes[at - 1] == b'\n';
        let rest = &bytes[at + needle.len()..];
        if line_start {
            if rest.starts_with(b"\r\n") {
                return Some(at + needle.len() + 2);
            }
            if rest.starts_with(b"\n") {
                return Some(at + needle.len() + 1);
            }
        }
        start = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_elements_properties_and_body_offset() {
        let text = b"ply\nformat binary_little_endian 1.0\ncomment hi\nelement vertex 2\nproperty float x\nproperty uchar label\nelement face 0\nproperty list uchar int vertex_indices\nend_header\nBODY";
        let h = parse(text).expect("valid header");
        assert_eq!(h.encoding, Encoding::BinaryLittleEndian);
        assert_eq!(h.elements.len(), 2);
        assert_eq!(h.elements[0].count, 2);
        assert_eq!(h.elements[0].binary_stride(), Some(5));
        assert_eq!(h.elements[1].binary_stride(), None);
        assert_eq!(&text[h.body_offset..], b"BODY");
        assert_eq!(h.comments, vec!["hi".to_string()]);
    }

    #[test]
    fn rejects_missing_end_header_and_bad_lines_with_line_numbers() {
        assert!(matches!(parse(b"ply\nformat ascii 1.0\n"), Err(Problem::BadHeader { .. })));
        let err = parse(b"ply\nformat ascii 1.0\nelement vertex x\nend_header\n").expect_err("a non-numeric count");
        assert!(matches!(err, Problem::BadHeader { line: 3, .. }), "{err}");
        let err = parse(b"ply\nformat ascii 1.0\nelement vertex 1\nproperty float16 x\nend_header\n")
            .expect_err("an unknown scalar type");
        assert!(matches!(err, Problem::BadHeader { line: 4, .. }), "{err}");
        assert!(matches!(parse(b"PK\x03\x04"), Err(Problem::UnknownFormat(_))));
    }

    /// Messages are for people: no Rust `Some("2.0")` in them.
    #[test]
    fn version_errors_quote_the_version_without_debug_text() {
        let err = parse(b"ply\nformat ascii 2.0\nelement vertex 1\nend_header\n")
            .expect_err("format version 2.0")
            .to_string();
        assert!(err.contains("line 2") && err.contains("'2.0'") && !err.contains("Some"), "{err}");
        let err =
            parse(b"ply\nformat ascii\nelement vertex 1\nend_header\n").expect_err("no format version").to_string();
        assert!(err.contains("no version") && !err.contains("None"), "{err}");
    }
}
