#!/usr/bin/env bash
# Installs what the build and tests need beyond cargo, idempotently: a C
# toolchain and WASI headers for compiling QuickJS to wasm32-wasip1, the rust
# target, redis-server for the tests that compare Redis clients with Node,
# PostgreSQL 15 for the store's second backend, Python's venv for
# Schemathesis, and Chromium (with a font) for the dashboard's browser test.
set -euo pipefail

need_apt=()
command -v clang-19 >/dev/null 2>&1 || need_apt+=(clang-19)
command -v llvm-ar-19 >/dev/null 2>&1 || need_apt+=(llvm-19)
[ -f /usr/lib/llvm-19/lib/libclang.so ] || [ -f /usr/lib/llvm-19/lib/libclang.so.1 ] || need_apt+=(libclang-19-dev)
[ -d /usr/include/wasm32-wasi ] || need_apt+=(wasi-libc)
# The SDK comparison tests talk to a real Redis (ioredis, net).
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
# The PostgreSQL backend's tests start a throwaway cluster with pg_virtualenv.
{ [ -x /usr/lib/postgresql/15/bin/postgres ] && command -v pg_virtualenv >/dev/null 2>&1; } ||
  need_apt+=(postgresql-15)
# The API conformance test installs Schemathesis into a virtualenv.
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)
# The dashboard's browser test drives Debian's Chromium (playwright-core,
# from npm, is installed by scripts/test; it downloads no browser).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
[ -d /usr/share/fonts/truetype/dejavu ] || need_apt+=(fonts-dejavu-core)
# Node.js runs the prelude's comparison tests and the browser test.
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1; then
  echo "setup: adding rust target wasm32-wasip1" >&2
  rustup target add wasm32-wasip1
fi

# CI checks formatting and lints; the components are small.
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    rustup component add "$component"
  fi
done
