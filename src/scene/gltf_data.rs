//! The parts of a glTF 2.0 asset a Gaussian-splat reader needs: the JSON (scenes, nodes,
//! meshes, accessors, buffer views, buffers) as typed structs, buffers from a `.glb`'s binary
//! chunk (container parsed by the `gltf` crate), `data:` URIs or files beside the `.gltf`, and
//! accessors read to f32 with every bound checked.
//!
//! The `gltf` crate's own JSON layer is not used for the document: it maps attribute names it
//! does not know (every `KHR_gaussian_splatting:*` one) to one "invalid" key, losing them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde::Deserialize;

/// An error about the document, without the file name (the caller adds it).
pub type Msg = String;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
/// The glTF JSON document, the fields a splat reader uses (glTF names in camelCase).
pub struct Document {
    #[serde(default)]
    /// Extensions the asset uses somewhere; empty when none.
    pub extensions_used: Vec<String>,
    #[serde(default)]
    /// Extensions a reader must support to load the asset; empty when none.
    pub extensions_required: Vec<String>,
    /// Index into `scenes` of the scene to show; `None` leaves the choice to the reader.
    pub scene: Option<usize>,
    #[serde(default)]
    /// The asset's scenes, each a list of root nodes.
    pub scenes: Vec<SceneDef>,
    #[serde(default)]
    /// Every node of the asset; nodes refer to each other by index.
    pub nodes: Vec<Node>,
    #[serde(default)]
    /// Every mesh; nodes refer to them by index.
    pub meshes: Vec<Mesh>,
    #[serde(default)]
    /// Typed views of buffer data; primitives refer to them by index.
    pub accessors: Vec<Accessor>,
    #[serde(default)]
    /// Byte ranges of buffers; accessors refer to them by index.
    pub buffer_views: Vec<BufferView>,
    #[serde(default)]
    /// Buffers, in the order `Asset::buffers` holds their bytes.
    pub buffers: Vec<Buffer>,
}

#[derive(Debug, Default, Deserialize)]
/// One glTF scene.
pub struct SceneDef {
    #[serde(default)]
    /// Indices of its root nodes in [`Document::nodes`].
    pub nodes: Vec<usize>,
}

#[derive(Debug, Default, Deserialize)]
/// A node of the scene graph: an optional mesh, children and a local transform.
pub struct Node {
    /// Index of the node's mesh; `None` for a pure transform node.
    pub mesh: Option<usize>,
    #[serde(default)]
    /// Indices of child nodes, whose transforms compose with this one.
    pub children: Vec<usize>,
    /// Local transform as a column-major 4x4 matrix; when present, the TRS fields are ignored.
    pub matrix: Option<[f32; 16]>,
    /// Local translation; `None` means zero.
    pub translation: Option<[f32; 3]>,
    /// Local rotation as a quaternion `[x, y, z, w]`; `None` means identity.
    pub rotation: Option<[f32; 4]>,
    /// Local per-axis scale; `None` means one.
    pub scale: Option<[f32; 3]>,
}

impl Node {
    /// The node's local transform (its matrix, or translation · rotation · scale).
    pub fn local(&self) -> glam::Mat4 {
        if let Some(m) = self.matrix {
            return glam::Mat4::from_cols_array(&m);
        }
        let t = self.translation.map_or(glam::Vec3::ZERO, glam::Vec3::from_array);
        let r = self.rotation.map_or(glam::Quat::IDENTITY, |q| glam::Quat::from_array(q).normalize());
        let s = self.scale.map_or(glam::Vec3::ONE, glam::Vec3::from_array);
        glam::Mat4::from_scale_rotation_translation(s, r, t)
    }
}

#[derive(Debug, Default, Deserialize)]
/// A mesh: a list of primitives.
pub struct Mesh {
    #[serde(default)]
    /// The mesh's primitives (for splats, one per Gaussian set).
    pub primitives: Vec<Primitive>,
}

#[derive(Debug, Default, Deserialize)]
/// One primitive of a mesh: attribute accessors, draw mode, extensions.
pub struct Primitive {
    #[serde(default)]
    /// Attribute name (`POSITION`, `KHR_gaussian_splatting:SCALE`, ...) to accessor index.
    pub attributes: HashMap<String, usize>,
    /// Draw mode (0 = points, 4 = triangles, ...); `None` means triangles, glTF's default.
    pub mode: Option<u32>,
    #[serde(default)]
    /// Extension objects by name (e.g. `KHR_gaussian_splatting`), kept as raw JSON.
    pub extensions: HashMap<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
/// A typed view of a buffer view's bytes: `count` elements of `kind` with `component_type`s.
pub struct Accessor {
    /// The buffer view the data lies in; `None` means all zeros.
    pub buffer_view: Option<usize>,
    #[serde(default)]
    /// Offset of the first element within the buffer view, bytes.
    pub byte_offset: u64,
    /// Component type, glTF numbering ([`I8`], [`U8`], [`I16`], [`U16`], [`U32`], [`F32`]).
    pub component_type: u32,
    /// Number of elements.
    pub count: u64,
    #[serde(rename = "type")]
    /// Element type: `SCALAR`, `VEC2`, `VEC3`, `VEC4` (matrices are not read).
    pub kind: String,
    #[serde(default)]
    /// Whether integer components map to [0, 1] / [-1, 1] rather than their raw value.
    pub normalized: bool,
    /// Sparse substitution data, if any; only its presence is checked (it is refused).
    pub sparse: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
/// A byte range of a buffer.
pub struct BufferView {
    /// Index of the buffer in [`Document::buffers`].
    pub buffer: usize,
    #[serde(default)]
    /// Offset of the range within the buffer, bytes.
    pub byte_offset: u64,
    /// Length of the range, bytes.
    pub byte_length: u64,
    /// Bytes between the starts of consecutive elements; `None` means tightly packed.
    pub byte_stride: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
/// A buffer: the `.glb` binary chunk, a `data:` URI or a file beside the `.gltf`.
pub struct Buffer {
    /// Where the bytes are; `None` means the `.glb`'s binary chunk.
    pub uri: Option<String>,
    /// Declared length in bytes; the data must hold at least this many.
    pub byte_length: u64,
}

/// Component types (glTF numbering). Signed byte.
pub const I8: u32 = 5120;
/// Unsigned byte component type.
pub const U8: u32 = 5121;
/// Signed 16-bit component type.
pub const I16: u32 = 5122;
/// Unsigned 16-bit component type.
pub const U16: u32 = 5123;
/// Unsigned 32-bit component type.
pub const U32: u32 = 5125;
/// 32-bit float component type.
pub const F32: u32 = 5126;

fn component_size(t: u32) -> Option<u64> {
    Some(match t {
        I8 | U8 => 1,
        I16 | U16 => 2,
        U32 | F32 => 4,
        _ => return None,
    })
}

fn type_width(kind: &str) -> Option<usize> {
    Some(match kind {
        "SCALAR" => 1,
        "VEC2" => 2,
        "VEC3" => 3,
        "VEC4" => 4,
        _ => return None,
    })
}

/// A parsed asset: the document and its buffers' bytes.
pub struct Asset {
    /// The JSON document.
    pub doc: Document,
    /// Each buffer's bytes, indexed as [`Document::buffers`]; at least `byte_length` long.
    pub buffers: Vec<Vec<u8>>,
}

/// Largest external buffer we read: far beyond any splat scene's.
const MAX_BUFFER: u64 = 8 << 30;

impl Asset {
    /// A `.glb` (binary container) or `.gltf` (JSON) file's bytes; `path` locates external
    /// buffers.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Self, Msg> {
        let (json, bin): (Vec<u8>, Option<Vec<u8>>) = if bytes.starts_with(b"glTF") {
            let glb =
                gltf::binary::Glb::from_slice(bytes).map_err(|e| format!("not a readable .glb container ({e})"))?;
            (glb.json.into_owned(), glb.bin.map(|b| b.into_owned()))
        } else {
            (bytes.to_vec(), None)
        };
        let doc: Document = serde_json::from_slice(&json).map_err(|e| format!("the glTF JSON is not valid ({e})"))?;
        let mut bin = bin;
        let mut buffers = Vec::with_capacity(doc.buffers.len());
        for (i, b) in doc.buffers.iter().enumerate() {
            let data = match &b.uri {
                None => bin.take().ok_or_else(|| format!("buffer {i} has no uri and there is no binary chunk"))?,
                Some(uri) if uri.starts_with("data:") => {
                    let (_, payload) =
                        uri.split_once(";base64,").ok_or_else(|| format!("buffer {i}: a data URI without base64"))?;
                    base64::engine::general_purpose::STANDARD
                        .decode(payload)
                        .map_err(|e| format!("buffer {i}: its base64 data is damaged ({e})"))?
                }
                Some(uri) => read_external(path, uri, b.byte_length).map_err(|e| format!("buffer {i}: {e}"))?,
            };
            if (data.len() as u64) < b.byte_length {
                return Err(format!("buffer {i} holds {} bytes; its byteLength says {}", data.len(), b.byte_length));
            }
            buffers.push(data);
        }
        Ok(Self { doc, buffers })
    }

    /// The bytes of buffer view `v`.
    pub fn view(&self, v: usize) -> Result<&[u8], Msg> {
        let view = self.doc.buffer_views.get(v).ok_or_else(|| format!("buffer view {v} does not exist"))?;
        let buf = self
            .buffers
            .get(view.buffer)
            .ok_or_else(|| format!("buffer view {v} names buffer {}, which does not exist", view.buffer))?;
        let end = view.byte_offset.checked_add(view.byte_length).filter(|&e| e <= buf.len() as u64);
        let end = end.ok_or_else(|| {
            format!(
                "buffer view {v} ({} bytes at {}) runs past its buffer ({} bytes)",
                view.byte_length,
                view.byte_offset,
                buf.len()
            )
        })?;
        Ok(&buf[view.byte_offset as usize..end as usize])
    }

    /// Accessor `a` as f32s, `width` per element (it must be of that type); normalized integer
    /// types are mapped to [0, 1] or [-1, 1] as glTF defines. Also returns the component
    /// type.
    pub fn read(&self, a: usize, width: usize, what: &str) -> Result<(Vec<f32>, u32), Msg> {
        let acc = self.doc.accessors.get(a).ok_or_else(|| format!("{what}: accessor {a} does not exist"))?;
        if type_width(&acc.kind) != Some(width) {
            return Err(format!(
                "{what}: accessor {a} is {}, expected {}",
                acc.kind,
                ["SCALAR", "VEC2", "VEC3", "VEC4"][width - 1]
            ));
        }
        if acc.sparse.is_some() {
            return Err(format!("{what}: accessor {a} is sparse, which rtgs2 does not read"));
        }
        let size = component_size(acc.component_type).ok_or_else(|| {
            format!("{what}: accessor {a} has component type {}, which glTF does not define", acc.component_type)
        })?;
        let count = acc.count as usize;
        let Some(v) = acc.buffer_view else {
            // glTF: an accessor without a buffer view reads as zeros.
            return Ok((vec![0.0; count * width], acc.component_type));
        };
        let bytes = self.view(v).map_err(|e| format!("{what}: {e}"))?;
        let element = size * width as u64;
        let stride = self.doc.buffer_views[v].byte_stride.unwrap_or(element);
        if stride < element {
            return Err(format!(
                "{what}: buffer view {v} has a stride of {stride} bytes, less than an element ({element})"
            ));
        }
        let needed = if count == 0 { 0 } else { acc.byte_offset + stride * (acc.count - 1) + element };
        if needed > bytes.len() as u64 {
            return Err(format!(
                "{what}: accessor {a} ({count} elements) needs {needed} bytes of buffer view {v}, which has {}",
                bytes.len()
            ));
        }
        if acc.component_type == F32 && stride == element {
            // The common case, tightly packed floats: one pass over the bytes.
            let start = acc.byte_offset as usize;
            let out = bytes[start..start + count * width * 4]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            return Ok((out, acc.component_type));
        }
        let mut out = Vec::with_capacity(count * width);
        for i in 0..count {
            let start = (acc.byte_offset + stride * i as u64) as usize;
            for c in 0..width {
                let at = start + c * size as usize;
                let b = &bytes[at..at + size as usize];
                out.push(component(acc.component_type, acc.normalized, b));
            }
        }
        Ok((out, acc.component_type))
    }
}

fn component(t: u32, normalized: bool, b: &[u8]) -> f32 {
    let raw = match t {
        I8 => f32::from(b[0] as i8),
        U8 => f32::from(b[0]),
        I16 => f32::from(i16::from_le_bytes([b[0], b[1]])),
        U16 => f32::from(u16::from_le_bytes([b[0], b[1]])),
        U32 => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32,
        _ => return f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
    };
    if !normalized {
        return raw;
    }
    match t {
        I8 => (raw / 127.0).max(-1.0),
        U8 => raw / 255.0,
        I16 => (raw / 32767.0).max(-1.0),
        U16 => raw / 65535.0,
        _ => raw / u32::MAX as f32,
    }
}

/// A buffer file named by a relative URI beside the `.gltf` (percent-escapes decoded; no
/// absolute paths or other schemes).
fn read_external(gltf: &Path, uri: &str, len: u64) -> Result<Vec<u8>, Msg> {
    let decoded = percent_decode(uri);
    let rel = PathBuf::from(&decoded);
    if decoded.contains("://") || rel.is_absolute() {
        return Err(format!("its uri {uri:?} is not a file beside the glTF"));
    }
    let file = gltf.parent().unwrap_or(Path::new(".")).join(rel);
    let meta = std::fs::metadata(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    if !meta.is_file() || meta.len() > MAX_BUFFER {
        return Err(format!("{} is not a regular file of a sensible size", file.display()));
    }
    if meta.len() < len {
        return Err(format!("{} holds {} bytes; byteLength says {len}", file.display(), meta.len()));
    }
    std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(v) = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
