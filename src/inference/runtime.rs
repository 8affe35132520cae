//! Finding (or fetching) the ONNX Runtime shared library, once per process.
//!
//! Order: `ORT_DYLIB_PATH` when set (e.g. the `onnxruntime-gpu` wheel's library for CUDA and
//! TensorRT); else `libonnxruntime.so.<ORT_VERSION>` in the first of [`runtime_search_dirs`]
//! that has it; else it is fetched into [`runtime_dir`]: `pip download` of the pinned CPU
//! wheel (pip checks the wheel against the pinned hashes), the library extracted from it, its
//! own SHA-256 checked, then renamed into place atomically.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use super::error::InferenceError;

/// The ONNX Runtime release this build loads (and fetches when none is installed).
pub const ORT_VERSION: &str = "1.31.1";

/// SHA-256 of the `onnxruntime==1.31.1` manylinux_2_28 wheels on PyPI (x86_64 and aarch64,
/// CPython 3.11–3.14); pip refuses anything else.
const WHEEL_SHA256: &[&str] = &[
    "5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f",
    "1f3dea47f2f0e5117c2404cea7d21fd253ae7836a3bf167a501cdfbb2600d536",
    "74a6a52994616c4d18b33db1e13c226333a70a6ba07480a5cab9c2a50dff1430",
    "c20d7f15d84427db070b163f78c2c7146cc93edd6113fa7327671259a24184fe",
    "da05378364c44d4407e463982d2bf8d5e4cfea873283757e48beeb41df97b7f3",
    "0b9a492176886992e0e875f06bc0367e333f5fff11711a2d642e18b02f3009cc",
    "dcaedc50333876f3829ab966b242147f0e548229e29c36fe44622ecf748c25ee",
    "c878686b75cade1ed59131aa018ab004b1e64368b0d54041912450b9642cf04f",
];

/// SHA-256 of `onnxruntime/capi/libonnxruntime.so.1.31.1` inside those wheels (the same file
/// for every CPython version of one architecture).
const LIBRARY_SHA256: &[(&str, &str)] = &[
    ("x86_64", "fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3"),
    ("aarch64", "8aa3b76b28c778a2b1dd660d34161adb1d508c9ccd04ff9dc80e26eca5df8467"),
];

const FIX: &str = "install Python 3 with pip (the CPU runtime is then fetched from PyPI automatically), \
     or download ONNX Runtime and set ORT_DYLIB_PATH to its libonnxruntime shared library";

static ENVIRONMENT: OnceLock<Result<ort::environment::Environment, String>> = OnceLock::new();
static LIBRARY: OnceLock<Result<PathBuf, String>> = OnceLock::new();

/// The process-wide ORT environment, loading the library on first use.
pub fn environment() -> Result<ort::environment::Environment, InferenceError> {
    ENVIRONMENT
        .get_or_init(|| {
            let lib = library_path().map_err(|e| e.to_string())?;
            let builder = ort::init_from(&lib).map_err(|e| format!("{}: cannot load it: {e}", lib.display()))?;
            builder.with_name("rtgs2").with_telemetry(false).build().map_err(|e| e.to_string())
        })
        .clone()
        .map_err(InferenceError::Runtime)
}

/// The library this process uses (fetching it on first use).
pub fn library_path() -> Result<PathBuf, InferenceError> {
    LIBRARY.get_or_init(|| locate_or_fetch().map_err(|e| e.to_string())).clone().map_err(InferenceError::Runtime)
}

fn locate_or_fetch() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("ORT_DYLIB_PATH").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("ORT_DYLIB_PATH={} is not a file; point it at libonnxruntime or unset it", path.display()))
        };
    }
    let expected = expected_library_sha256()
        .ok_or_else(|| format!("no pinned ONNX Runtime build for this platform: set ORT_DYLIB_PATH ({FIX})"))?;
    let name = format!("libonnxruntime.so.{ORT_VERSION}");
    let searched = runtime_search_dirs();
    if let Some(lib) = searched.iter().map(|d| d.join(&name)).find(|p| p.is_file()) {
        return Ok(lib);
    }
    let dir = runtime_dir();
    let lib = dir.join(&name);
    log::info!("fetching ONNX Runtime {ORT_VERSION} (CPU) from PyPI into {}", dir.display());
    eprintln!("rtgs2: first use of ONNX Runtime: fetching onnxruntime {ORT_VERSION} from PyPI into {}", dir.display());
    fetch_into(&dir, &lib, expected)
        .map_err(|e| format!("{e} (looked for {name} in {})", crate::util::list_places(&searched)))?;
    Ok(lib)
}

fn expected_library_sha256() -> Option<&'static str> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    LIBRARY_SHA256.iter().find(|(arch, _)| *arch == std::env::consts::ARCH).map(|(_, h)| *h)
}

/// Where the library is looked for: `RTGS2_ORT_DIR`; beside the executable and in
/// `../lib/rtgs2` (a binary installed or copied with its runtime); the user cache, where an
/// installed binary fetches it; the source tree's `.ort/` (where `cargo run` fetches it).
pub fn runtime_search_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = env_runtime_dir().into_iter().collect();
    if let Some(exe) = crate::util::exe_dir() {
        let lib = exe.parent().map(|prefix| prefix.join("lib/rtgs2"));
        dirs.push(exe);
        dirs.extend(lib);
    }
    dirs.push(crate::util::cache_dir().join("onnxruntime"));
    dirs.extend(crate::util::source_tree().map(|d| d.join(".ort")));
    dirs
}

/// Where a missing library is fetched to: `RTGS2_ORT_DIR`, else `.ort/` in the source tree
/// for a binary that runs from inside it (gitignored), else the user cache folder: a binary
/// copied or installed elsewhere must not write into its build tree.
pub fn runtime_dir() -> PathBuf {
    if let Some(dir) = env_runtime_dir() {
        return dir;
    }
    let exe = std::env::current_exe().and_then(std::fs::canonicalize);
    if let (Some(tree), Ok(exe)) = (crate::util::source_tree(), exe)
        && std::fs::canonicalize(&tree).is_ok_and(|t| exe.starts_with(t))
    {
        return tree.join(".ort");
    }
    crate::util::cache_dir().join("onnxruntime")
}

fn env_runtime_dir() -> Option<PathBuf> {
    std::env::var_os("RTGS2_ORT_DIR").filter(|p| !p.is_empty()).map(PathBuf::from)
}

fn fetch_into(dir: &Path, lib: &Path, expected: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let work = tempfile_dir(dir)?;
    let result = (|| {
        let req = work.join("requirements.txt");
        let hashes: String = WHEEL_SHA256.iter().map(|h| format!(" --hash=sha256:{h}")).collect();
        std::fs::write(&req, format!("onnxruntime=={ORT_VERSION}{hashes}\n")).map_err(|e| e.to_string())?;
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        let status = Command::new(&python)
            .args(["-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "--require-hashes", "-r"])
            .arg(&req)
            .arg("-d")
            .arg(&work)
            .status()
            .map_err(|e| format!("cannot run {python} -m pip: {e} ({FIX})"))?;
        if !status.success() {
            return Err(format!("`{python} -m pip download onnxruntime=={ORT_VERSION}` failed ({status}); {FIX}"));
        }
        let wheel = std::fs::read_dir(&work)
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "whl"))
            .ok_or("pip reported success but left no wheel")?;
        let member = format!("onnxruntime/capi/libonnxruntime.so.{ORT_VERSION}");
        let extracted = work.join("libonnxruntime.so");
        let script =
            "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nopen(sys.argv[3], 'wb').write(z.read(sys.argv[2]))";
        let status = Command::new(&python)
            .args(["-c", script])
            .arg(&wheel)
            .arg(&member)
            .arg(&extracted)
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("could not extract {member} from {}", wheel.display()));
        }
        let bytes = std::fs::read(&extracted).map_err(|e| e.to_string())?;
        let got = hex(&Sha256::digest(&bytes));
        if got != expected {
            return Err(format!("{member}: SHA-256 {got} does not match the pinned {expected}; refusing to load it"));
        }
        // Rename last: a concurrent process either sees no library or the complete one.
        std::fs::rename(&extracted, lib).map_err(|e| format!("{}: {e}", lib.display()))
    })();
    let _ = std::fs::remove_dir_all(&work);
    result
}

/// A fresh folder for one fetch: the process id keeps concurrent processes apart; within a
/// process the fetch runs once (behind `LIBRARY`).
fn tempfile_dir(parent: &Path) -> Result<PathBuf, String> {
    let dir = parent.join(format!(".fetch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// Lower-case hex digits of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
