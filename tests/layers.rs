//! The crate's modules import one way (docs/design.md, "Layering rules"): a module may use
//! modules of a lower rank, never its own rank's others or a higher one. Non-test code only;
//! comments and doc links do not count. A new upward import fails here with its file and line.

use std::path::Path;

/// Rank of each top-level module; lower ranks never import higher ones.
const RANKS: &[(&str, u32)] = &[
    ("util", 0),
    ("classes", 1),
    ("image_io", 1),
    ("scene", 2),
    ("inference", 2),
    ("render", 3),
    ("import", 3),
    ("synth", 4),
    ("encoder", 4),
    ("fusion", 5),
    ("eval", 5),
    ("overlay", 5),
    ("dataset", 5),
    ("pipeline", 6),
    ("app", 7),
    ("cli", 8),
];

fn rank(module: &str) -> u32 {
    RANKS
        .iter()
        .find(|(m, _)| *m == module)
        .map(|(_, r)| *r)
        .unwrap_or_else(|| panic!("module `{module}` has no rank: add it to RANKS here and to docs/design.md"))
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `crate::NAME` references in the file's code before its first `#[cfg(test)]`.
fn crate_refs(text: &str) -> Vec<(usize, String)> {
    let mut refs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("#[cfg(test)]") {
            break;
        }
        if code.starts_with("//") {
            continue;
        }
        let code = code.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let name: String = rest[at + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            refs.push((i + 1, name));
            rest = &rest[at + 7..];
        }
    }
    refs
}

#[test]
fn modules_import_only_lower_ranks() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a path").as_os_str().to_string_lossy().into_owned();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let own = rank(&module);
        let text = std::fs::read_to_string(file).expect("source is readable");
        for (line, target) in crate_refs(&text) {
            if target != module && rank(&target) >= own {
                violations.push(format!(
                    "src/{}:{line}: `{module}` (rank {own}) uses `{target}` (rank {})",
                    rel.display(),
                    rank(&target)
                ));
            }
        }
    }
    assert!(violations.is_empty(), "imports against the layering:\n{}", violations.join("\n"));
}

#[test]
fn the_check_sees_an_upward_import() {
    // The scanner itself: a use in code counts, a doc link or a test module does not.
    let text = "//! see [`crate::cli`]\nuse crate::render::Frame;\n#[cfg(test)]\nmod tests { use crate::cli; }\n";
    assert_eq!(crate_refs(text), vec![(2, "render".to_string())]);
}
