//! The kinds of room the generator furnishes.

use std::fmt;
use std::str::FromStr;

/// A room's purpose; it decides which furniture is placed and how the shell is styled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoomKind {
    /// A bedroom (bed and pillows at least).
    Bedroom,
    /// An office (desks and chairs at least).
    Office,
    /// A living room (a sofa at least).
    Living,
    /// A kitchen (counters and cabinets at least).
    Kitchen,
    /// A bathroom (toilet and sink at least).
    Bathroom,
    /// A classroom (desks, chairs and a whiteboard at least).
    Classroom,
    /// A dining room (table and chairs at least).
    Dining,
    /// A conference room (table and chairs at least).
    Conference,
    /// A study (bookshelves and books at least).
    Study,
}

impl RoomKind {
    /// Every kind, in the order seeds pick from.
    pub const ALL: [RoomKind; 9] = [
        Self::Bedroom,
        Self::Office,
        Self::Living,
        Self::Kitchen,
        Self::Bathroom,
        Self::Classroom,
        Self::Dining,
        Self::Conference,
        Self::Study,
    ];

    /// Lower-case name used on the command line and in folder names.
    pub fn name(self) -> &'static str {
        match self {
            Self::Bedroom => "bedroom",
            Self::Office => "office",
            Self::Living => "living",
            Self::Kitchen => "kitchen",
            Self::Bathroom => "bathroom",
            Self::Classroom => "classroom",
            Self::Dining => "dining",
            Self::Conference => "conference",
            Self::Study => "study",
        }
    }

    /// Floor size range (short side, long side) in metres: bathrooms are small, classrooms big.
    pub fn size_range(self) -> ((f32, f32), (f32, f32)) {
        match self {
            Self::Bathroom => ((2.5, 3.8), (2.5, 5.0)),
            Self::Kitchen => ((2.8, 5.0), (3.2, 7.0)),
            Self::Bedroom | Self::Study => ((3.0, 5.5), (3.5, 7.0)),
            Self::Office | Self::Dining => ((3.2, 6.5), (3.8, 8.0)),
            Self::Living => ((3.8, 7.0), (4.5, 9.0)),
            Self::Conference => ((4.0, 7.0), (5.0, 9.0)),
            Self::Classroom => ((5.5, 9.0), (6.5, 9.0)),
        }
    }
}

impl fmt::Display for RoomKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RoomKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let want = s.trim().to_ascii_lowercase();
        let alias = match want.as_str() {
            "living_room" | "livingroom" | "lounge" => "living",
            "dining_room" | "diningroom" => "dining",
            "meeting" | "conference_room" => "conference",
            "library" => "study",
            other => other,
        };
        Self::ALL.iter().copied().find(|k| k.name() == alias).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|k| k.name()).collect();
            format!("unknown room kind {s:?}; expected one of {}", names.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in RoomKind::ALL {
            assert_eq!(k.to_string().parse::<RoomKind>(), Ok(k));
        }
        assert_eq!("Living_Room".parse::<RoomKind>(), Ok(RoomKind::Living));
        assert!("garage".parse::<RoomKind>().is_err());
    }
}
