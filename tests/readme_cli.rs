//! README.md against the binary: its two commands exist and CI runs the second, and every
//! command and option in its command-line block exists in `rtgs2 … --help`, and every
//! command the binary has is in the block. A renamed flag or a new command fails here.

mod common;

use std::collections::BTreeSet;

use common::run_rtgs2;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md is readable")
}

/// The text between the first fence of `lang` after `heading` and its closing fence.
fn fenced_after<'a>(text: &'a str, heading: &str, lang: &str, nth: usize) -> &'a str {
    let start = text.find(heading).unwrap_or_else(|| panic!("README has no {heading:?}"));
    let mut rest = &text[start..];
    let open = format!("```{lang}\n");
    for _ in 0..nth {
        let i = rest.find(&open).expect("fence") + open.len();
        rest = &rest[i..];
    }
    let i = rest.find(&open).unwrap_or_else(|| panic!("no ```{lang} block after {heading:?}")) + open.len();
    let body = &rest[i..];
    &body[..body.find("```").expect("closing fence")]
}

/// Subcommand names listed under "Commands:" in a help text.
fn subcommands(help: &str) -> BTreeSet<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

fn help(args: &[&str]) -> String {
    let mut all: Vec<&str> = args.to_vec();
    all.push("--help");
    let (ok, out, err) = run_rtgs2(&all);
    assert!(ok, "rtgs2 {} --help failed: {err}", args.join(" "));
    out
}

#[test]
fn the_two_commands_exist_and_ci_runs_the_test_command() {
    let text = readme();
    let main_job = fenced_after(&text, "## Two commands", "sh", 0).trim();
    let tests = fenced_after(&text, "## Two commands", "sh", 1).trim();
    assert_eq!(main_job, "scripts/setup.sh && cargo run --release");
    assert_eq!(tests, "scripts/test.sh");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for script in ["scripts/setup.sh", "scripts/test.sh"] {
        assert!(root.join(script).is_file(), "{script} is missing");
    }
    let ci = std::fs::read_to_string(root.join(".ci/run")).expect(".ci/run is readable");
    assert!(ci.lines().any(|l| l.trim() == tests), ".ci/run must run exactly {tests:?}");
}

#[test]
fn the_command_line_block_matches_the_binary() {
    let text = readme();
    let block = fenced_after(&text, "## Command line", "text", 0);
    // Join continuation lines (indented) to the command they continue.
    let mut entries: Vec<String> = Vec::new();
    for line in block.lines() {
        if line.starts_with("rtgs2") {
            entries.push(line.to_string());
        } else if let Some(last) = entries.last_mut() {
            last.push(' ');
            last.push_str(line.trim());
        }
    }
    let top = subcommands(&help(&[]));
    let bench = subcommands(&help(&["bench"]));
    let mut seen = BTreeSet::new();
    for entry in &entries {
        let words: Vec<&str> = entry.split_whitespace().collect();
        let Some(cmd) = words.get(1).filter(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '-')) else {
            continue; // `rtgs2` alone, the viewer
        };
        let mut path = vec![*cmd];
        if *cmd == "bench" {
            let sub = words.get(2).expect("a bench subcommand");
            assert!(bench.contains(*sub), "README lists `rtgs2 bench {sub}`, which does not exist");
            path.push(sub);
        } else {
            assert!(top.contains(*cmd), "README lists `rtgs2 {cmd}`, which does not exist");
        }
        seen.insert(path.join(" "));
        let usage = help(&path);
        for flag in entry.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).filter(|w| w.starts_with("--")) {
            let documented = usage.contains(&format!("{flag} "))
                || usage.contains(&format!("{flag}\n"))
                || usage.contains(&format!("{flag}="))
                || usage.contains(&format!("{flag},"));
            assert!(documented, "README gives `rtgs2 {}` the option {flag}, which its --help lacks", path.join(" "));
        }
    }
    for cmd in &top {
        let listed = if cmd == "bench" {
            bench.iter().all(|b| seen.contains(&format!("bench {b}")))
        } else {
            seen.contains(cmd)
        };
        assert!(listed, "`rtgs2 {cmd}` (or one of its subcommands) is missing from README's command-line block");
    }
}
