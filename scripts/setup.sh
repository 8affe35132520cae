#!/usr/bin/env bash
# Installs what rtgs2 needs to build, run and test on a Debian/Ubuntu machine. Idempotent:
# it only installs what is missing, so it is cheap to run before every command.
set -euo pipefail
cd "$(dirname "$0")/.."

have() { command -v "$1" >/dev/null 2>&1; }

if ! have cargo; then
  echo "error: cargo (Rust 1.95 or newer) is required: install it with rustup" >&2
  exit 1
fi

# Debian packages: the Vulkan loader and Mesa's drivers, whose lavapipe is a software Vulkan
# device — the GPU renderer and its tests run on it on machines without a GPU.
missing=()
ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' || missing+=(libvulkan1)
ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 || missing+=(mesa-vulkan-drivers)
# Xvfb: a virtual X display, so the viewer's window tests run on machines without a screen.
have Xvfb || missing+=(xvfb)
# Python 3 with pip and venv: the ONNX Runtime library is fetched from PyPI's onnxruntime
# wheel on first use (pinned, checksummed), and the training package's numpy tests run in a venv.
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; elif have sudo; then sudo="sudo"; else
    echo "error: need root to install ${missing[*]} (apt-get install ${missing[*]})" >&2
    exit 1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Mesa's window-system code warns on every start without a runtime dir; give it one.
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  echo "setup: note: XDG_RUNTIME_DIR is unset; Mesa will print a harmless warning"
fi
echo "setup: $(cargo --version); $(python3 --version); Vulkan loader and Mesa drivers present"
