#!/usr/bin/env bash
# Installs what rtgs2 needs to build, run and test on a Debian/Ubuntu machine. Idempotent:
# it only installs what is missing, so it is cheap to run before every command.
set -euo pipefail
cd "$(dirname "$0")/.."

need_cmd() { command -v "$1" >/dev/null 2>&1; }

if ! need_cmd cargo; then
  echo "error: cargo (Rust 1.95 or newer) is required: install it with rustup" >&2
  exit 1
fi

# System packages: none beyond the Rust toolchain so far. (The GPU renderer will add Mesa's
# software Vulkan driver; the viewer tests Xvfb.)
echo "setup: toolchain $(cargo --version) ok"
