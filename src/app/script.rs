//! `rtgs2 view --script`: synthetic input, frame by frame, fed to the same camera controller
//! the keyboard and mouse drive, so tests and demos navigate deterministically.
//!
//! Syntax: steps separated by commas, each taking the given number of frames:
//!
//! | step | meaning |
//! |---|---|
//! | `KEYS:N` | hold keys for N frames; KEYS are letters of `wasdqe` (W forward, S back, A left, D right, E up, Q down), upper case = with Shift (faster), e.g. `w:20`, `wd:5`, `W:3` |
//! | `mouse:DX:DY:N` | right-drag (free-fly look) by DX, DY pixels per frame for N frames |
//! | `orbit:DX:DY:N` | left-drag (orbit around the target) |
//! | `pan:DX:DY:N` | middle-drag (pan) |
//! | `scroll:L:N` | L wheel lines per frame (fly: speed; orbit: zoom) |
//! | `wait:N` | N frames without input |
//! | `camera:I` | jump to the scene's camera I (one frame) |
//! | `mode:fly` / `mode:orbit` | navigation mode (one frame) |
//! | `keyframe` | add the current view to the recorded camera path (one frame) |
//!
//! Example: `w:20,mouse:40:0:10` holds W for 20 frames, then looks right 40 px per frame for
//! 10 frames.

use glam::Vec2;

use super::input::{ControlInput, NavMode};

/// Something a step does besides input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptAction {
    /// Jump to the scene camera with this index.
    SnapToCamera(usize),
    /// Switch navigation mode.
    Mode(NavMode),
    /// Record the current view as a camera-path keyframe.
    Keyframe,
}

/// One frame of a script.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ScriptFrame {
    /// The navigation input of the frame.
    pub input: ControlInput,
    /// What the frame does besides input, if anything.
    pub action: Option<ScriptAction>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("--script step {index} '{step}': {why}")]
/// A `--script` step that cannot be parsed.
pub struct ScriptError {
    /// 0-based index of the step.
    pub index: usize,
    /// The step as written.
    pub step: String,
    /// What is wrong with it.
    pub why: String,
}

/// Most frames a script may span (a typo like `w:100000000` should not run for a day).
const MAX_FRAMES: usize = 100_000;

/// Parses a script into its frames.
pub fn parse(script: &str) -> Result<Vec<ScriptFrame>, ScriptError> {
    let mut frames = Vec::new();
    for (index, step) in script.split(',').map(str::trim).enumerate() {
        if step.is_empty() {
            continue;
        }
        let fail = |why: String| ScriptError { index, step: step.to_string(), why };
        let (one, count) = parse_step(step).map_err(fail)?;
        if frames.len() + count > MAX_FRAMES {
            return Err(fail(format!("the script would run for more than {MAX_FRAMES} frames")));
        }
        frames.extend(std::iter::repeat_n(one, count));
    }
    Ok(frames)
}

fn number<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, String> {
    s.trim().parse().map_err(|_| format!("{what} '{s}' is not a valid number"))
}

fn finite(s: &str, what: &str) -> Result<f32, String> {
    let v: f32 = number(s, what)?;
    if v.is_finite() { Ok(v) } else { Err(format!("{what} must be finite")) }
}

fn drag(args: &[&str]) -> Result<(Vec2, usize), String> {
    match args {
        [dx, dy, n] => Ok((Vec2::new(finite(dx, "DX")?, finite(dy, "DY")?), number(n, "frame count")?)),
        _ => Err("expected DX:DY:FRAMES".into()),
    }
}

/// One step: the frame it repeats and how many times.
fn parse_step(step: &str) -> Result<(ScriptFrame, usize), String> {
    let parts: Vec<&str> = step.split(':').collect();
    let (head, args) = (parts[0], &parts[1..]);
    let mut frame = ScriptFrame::default();
    let input = &mut frame.input;
    let count = match head {
        "mouse" | "orbit" | "pan" => {
            let (d, n) = drag(args)?;
            *match head {
                "mouse" => &mut input.look,
                "orbit" => &mut input.orbit,
                _ => &mut input.pan,
            } = d;
            n
        }
        "scroll" => match args {
            [lines, n] => {
                input.scroll = finite(lines, "LINES")?;
                number(n, "frame count")?
            }
            _ => return Err("expected scroll:LINES:FRAMES".into()),
        },
        "wait" => match args {
            [n] => number(n, "frame count")?,
            _ => return Err("expected wait:FRAMES".into()),
        },
        "camera" => match args {
            [i] => {
                frame.action = Some(ScriptAction::SnapToCamera(number(i, "camera index")?));
                1
            }
            _ => return Err("expected camera:INDEX".into()),
        },
        "keyframe" => match args {
            [] => {
                frame.action = Some(ScriptAction::Keyframe);
                1
            }
            _ => return Err("expected keyframe (no arguments)".into()),
        },
        "mode" => {
            let mode = match args {
                ["fly"] => NavMode::Fly,
                ["orbit"] => NavMode::Orbit,
                _ => return Err("expected mode:fly or mode:orbit".into()),
            };
            frame.action = Some(ScriptAction::Mode(mode));
            1
        }
        keys => match args {
            [n] => {
                hold_keys(keys, input)?;
                number(n, "frame count")?
            }
            _ => {
                return Err(
                    "unknown step; expected KEYS:FRAMES, mouse:, orbit:, pan:, scroll:, wait:, camera: or mode:".into(),
                );
            }
        },
    };
    Ok((frame, count))
}

fn hold_keys(keys: &str, input: &mut ControlInput) -> Result<(), String> {
    if keys.is_empty() {
        return Err("no keys given".into());
    }
    for k in keys.chars() {
        input.fast |= k.is_ascii_uppercase();
        match k.to_ascii_lowercase() {
            'w' => input.forward += 1.0,
            's' => input.forward -= 1.0,
            'd' => input.right += 1.0,
            'a' => input.right -= 1.0,
            'e' => input.up += 1.0,
            'q' => input.up -= 1.0,
            other => return Err(format!("'{other}' is not a navigation key (w a s d q e)")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let frames = parse("w:20,mouse:40:0:10").expect("valid script");
        assert_eq!(frames.len(), 30);
        assert_eq!(frames[0].input, ControlInput { forward: 1.0, ..Default::default() });
        assert_eq!(frames[19], frames[0]);
        assert_eq!(frames[20].input, ControlInput { look: Vec2::new(40.0, 0.0), ..Default::default() });
        assert_eq!(frames[29], frames[20]);
    }

    #[test]
    fn parses_every_step_kind() {
        let frames =
            parse(" Wd:2, orbit:-3:4.5:1, pan:1:2:1, scroll:-1:1, wait:3, camera:7, mode:orbit ").expect("valid");
        assert_eq!(frames.len(), 2 + 1 + 1 + 1 + 3 + 1 + 1);
        assert_eq!(frames[0].input, ControlInput { forward: 1.0, right: 1.0, fast: true, ..Default::default() });
        assert_eq!(frames[2].input.orbit, Vec2::new(-3.0, 4.5));
        assert_eq!(frames[3].input.pan, Vec2::new(1.0, 2.0));
        assert_eq!(frames[4].input.scroll, -1.0);
        assert!(!frames[5].input.is_active());
        assert_eq!(frames[8].action, Some(ScriptAction::SnapToCamera(7)));
        assert_eq!(frames[9].action, Some(ScriptAction::Mode(NavMode::Orbit)));
        assert_eq!(parse("").expect("empty script"), vec![]);
    }

    #[test]
    fn rejects_bad_steps_with_their_position() {
        for (bad, fragment) in [
            ("w:2,x:3", "not a navigation key"),
            ("mouse:1:2", "DX:DY:FRAMES"),
            ("w:-1", "not a valid number"),
            ("mouse:nan:0:1", "finite"),
            ("mode:walk", "mode:fly"),
            ("jump", "unknown step"),
            ("w:100000000", "more than"),
        ] {
            let e = parse(bad).expect_err(bad);
            assert!(e.to_string().contains(fragment), "{bad}: {e}");
        }
        assert_eq!(parse("w:2,x:3").expect_err("bad key").index, 1);
    }
}
