#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the tests need, then runs the Rust tests
# and the training package's numpy-only tests (its index code is the contract the Rust
# encoder reproduces; PyTorch-side parity is carried by the committed fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo test --locked
# The tree's habits (Cargo.toml [lints], README "Standards"): lint- and doc-clean.
if cargo clippy --version >/dev/null 2>&1; then
  cargo clippy --locked --all-targets -- -D warnings
else
  echo "warning: clippy is not installed (rustup component add clippy): lint check skipped" >&2
fi
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps

venv=target/py-test-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r training/requirements-test.txt
(cd training && "../$venv/bin/python" -m unittest discover -s tests)
