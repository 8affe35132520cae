//! The NYU40 class set (ids 1–40, 0 = unlabelled) and the ScanNet benchmark palette used to
//! colour it, so that label maps look like every other ScanNet / Replica tool's output.

/// Number of NYU40 ids including 0 (unlabelled): valid ids are `0..NUM_CLASSES`.
pub const NUM_CLASSES: usize = 41;

/// The id meaning "no label"; evaluation ignores it, as ScanNet's ignore class.
pub const UNLABELLED: u16 = 0;

/// Names indexed by NYU40 id (index 0 is "unlabelled").
pub const NYU40_NAMES: [&str; NUM_CLASSES] = [
    "unlabelled",
    "wall",
    "floor",
    "cabinet",
    "bed",
    "chair",
    "sofa",
    "table",
    "door",
    "window",
    "bookshelf",
    "picture",
    "counter",
    "blinds",
    "desk",
    "shelves",
    "curtain",
    "dresser",
    "pillow",
    "mirror",
    "floor mat",
    "clothes",
    "ceiling",
    "books",
    "refrigerator",
    "television",
    "paper",
    "towel",
    "shower curtain",
    "box",
    "whiteboard",
    "person",
    "night stand",
    "toilet",
    "sink",
    "lamp",
    "bathtub",
    "bag",
    "otherstructure",
    "otherfurniture",
    "otherprop",
];

/// ScanNet's `create_color_palette()` (BenchmarkScripts/util.py), indexed by NYU40 id.
pub const SCANNET_PALETTE: [[u8; 3]; NUM_CLASSES] = [
    [0, 0, 0],
    [174, 199, 232],
    [152, 223, 138],
    [31, 119, 180],
    [255, 187, 120],
    [188, 189, 34],
    [140, 86, 75],
    [255, 152, 150],
    [214, 39, 40],
    [197, 176, 213],
    [148, 103, 189],
    [196, 156, 148],
    [23, 190, 207],
    [178, 76, 76],
    [247, 182, 210],
    [66, 188, 102],
    [219, 219, 141],
    [140, 57, 197],
    [202, 185, 52],
    [51, 176, 203],
    [200, 54, 131],
    [92, 193, 61],
    [78, 71, 183],
    [172, 114, 82],
    [255, 127, 14],
    [91, 163, 138],
    [153, 98, 156],
    [140, 153, 101],
    [158, 218, 229],
    [100, 125, 154],
    [178, 127, 135],
    [120, 185, 128],
    [146, 111, 194],
    [44, 160, 44],
    [112, 128, 144],
    [96, 207, 209],
    [227, 119, 194],
    [213, 92, 176],
    [94, 106, 211],
    [82, 84, 163],
    [100, 85, 144],
];

/// Named NYU40 ids, so generator and tests read as words rather than magic numbers.
pub mod id {
    /// NYU40 id 1, "wall".
    pub const WALL: u16 = 1;
    /// NYU40 id 2, "floor".
    pub const FLOOR: u16 = 2;
    /// NYU40 id 3, "cabinet".
    pub const CABINET: u16 = 3;
    /// NYU40 id 4, "bed".
    pub const BED: u16 = 4;
    /// NYU40 id 5, "chair".
    pub const CHAIR: u16 = 5;
    /// NYU40 id 6, "sofa".
    pub const SOFA: u16 = 6;
    /// NYU40 id 7, "table".
    pub const TABLE: u16 = 7;
    /// NYU40 id 8, "door".
    pub const DOOR: u16 = 8;
    /// NYU40 id 9, "window".
    pub const WINDOW: u16 = 9;
    /// NYU40 id 10, "bookshelf".
    pub const BOOKSHELF: u16 = 10;
    /// NYU40 id 11, "picture".
    pub const PICTURE: u16 = 11;
    /// NYU40 id 12, "counter".
    pub const COUNTER: u16 = 12;
    /// NYU40 id 13, "blinds".
    pub const BLINDS: u16 = 13;
    /// NYU40 id 14, "desk".
    pub const DESK: u16 = 14;
    /// NYU40 id 15, "shelves".
    pub const SHELVES: u16 = 15;
    /// NYU40 id 16, "curtain".
    pub const CURTAIN: u16 = 16;
    /// NYU40 id 17, "dresser".
    pub const DRESSER: u16 = 17;
    /// NYU40 id 18, "pillow".
    pub const PILLOW: u16 = 18;
    /// NYU40 id 19, "mirror".
    pub const MIRROR: u16 = 19;
    /// NYU40 id 20, "floor mat".
    pub const FLOOR_MAT: u16 = 20;
    /// NYU40 id 21, "clothes".
    pub const CLOTHES: u16 = 21;
    /// NYU40 id 22, "ceiling".
    pub const CEILING: u16 = 22;
    /// NYU40 id 23, "books".
    pub const BOOKS: u16 = 23;
    /// NYU40 id 24, "refrigerator".
    pub const REFRIGERATOR: u16 = 24;
    /// NYU40 id 25, "television".
    pub const TELEVISION: u16 = 25;
    /// NYU40 id 26, "paper".
    pub const PAPER: u16 = 26;
    /// NYU40 id 27, "towel".
    pub const TOWEL: u16 = 27;
    /// NYU40 id 28, "shower curtain".
    pub const SHOWER_CURTAIN: u16 = 28;
    /// NYU40 id 29, "box".
    pub const BOX: u16 = 29;
    /// NYU40 id 30, "whiteboard".
    pub const WHITEBOARD: u16 = 30;
    /// NYU40 id 31, "person".
    pub const PERSON: u16 = 31;
    /// NYU40 id 32, "night stand".
    pub const NIGHT_STAND: u16 = 32;
    /// NYU40 id 33, "toilet".
    pub const TOILET: u16 = 33;
    /// NYU40 id 34, "sink".
    pub const SINK: u16 = 34;
    /// NYU40 id 35, "lamp".
    pub const LAMP: u16 = 35;
    /// NYU40 id 36, "bathtub".
    pub const BATHTUB: u16 = 36;
    /// NYU40 id 37, "bag".
    pub const BAG: u16 = 37;
    /// NYU40 id 38, "otherstructure".
    pub const OTHER_STRUCTURE: u16 = 38;
    /// NYU40 id 39, "otherfurniture".
    pub const OTHER_FURNITURE: u16 = 39;
    /// NYU40 id 40, "otherprop".
    pub const OTHER_PROP: u16 = 40;
}

/// Name of an NYU40 id, or "invalid" for ids outside the set.
pub fn name(id: u16) -> &'static str {
    NYU40_NAMES.get(id as usize).copied().unwrap_or("invalid")
}

/// The NYU40 id of a class given by name ("chair", "night stand"; case and `_`/`-` for
/// spaces do not matter) or by number (1-40).
pub fn id_of(name: &str) -> Option<u16> {
    let wanted = name.trim().to_ascii_lowercase().replace(['_', '-'], " ");
    if let Ok(id) = wanted.parse::<u16>() {
        return (1..NUM_CLASSES as u16).contains(&id).then_some(id);
    }
    NYU40_NAMES.iter().skip(1).position(|n| *n == wanted).map(|i| i as u16 + 1)
}

/// Palette colour of an NYU40 id; ids outside the set draw black like "unlabelled".
pub fn color(id: u16) -> [u8; 3] {
    SCANNET_PALETTE.get(id as usize).copied().unwrap_or([0, 0, 0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_found_by_name_or_number() {
        assert_eq!(id_of("chair"), Some(5));
        assert_eq!(id_of(" Night_Stand "), Some(32));
        assert_eq!(id_of("7"), Some(7));
        for bad in ["0", "41", "unlabelled", "chairs", ""] {
            assert_eq!(id_of(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn names_and_palette_line_up() {
        assert_eq!(name(id::WALL), "wall");
        assert_eq!(name(id::OTHER_PROP), "otherprop");
        assert_eq!(name(id::NIGHT_STAND), "night stand");
        assert_eq!(color(id::FLOOR), [152, 223, 138]);
        assert_eq!(color(id::SINK), [112, 128, 144]);
        assert_eq!(name(41), "invalid");
    }

    #[test]
    fn palette_colours_are_distinct() {
        for a in 1..NUM_CLASSES {
            for b in (a + 1)..NUM_CLASSES {
                assert_ne!(SCANNET_PALETTE[a], SCANNET_PALETTE[b], "ids {a} and {b}");
            }
        }
    }
}

#[cfg(test)]
mod python_parity {
    /// The training package keeps its own copy of the names (it must run without Rust);
    /// this keeps the two lists identical.
    #[test]
    fn training_package_names_match() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/training/rtgs2_train/nyu40.py");
        let text = std::fs::read_to_string(path).expect("training/rtgs2_train/nyu40.py exists");
        let body = text.split("NAMES = (").nth(1).and_then(|t| t.split(')').next()).expect("a NAMES tuple");
        let names: Vec<&str> = body.split(',').map(|s| s.trim().trim_matches('"')).filter(|s| !s.is_empty()).collect();
        assert_eq!(names, super::NYU40_NAMES.to_vec());
    }
}

/// Label-map value for pixels whose accumulated alpha is under 0.5 (not ground truth).
pub const IGNORE_LABEL: u8 = 255;
