#!/usr/bin/env bash
# The C API's checks, as CI runs them (and `.ci/run` calls this):
#
#   1. builds the ffi crate (libsigscan.a, libsigscan.so);
#   2. regenerates include/sigscan.h with the pinned cbindgen and fails if
#      it differs from the committed one (`--update-header` rewrites it);
#   3. compiles the C tests (tests/*.c) and runs each under AddressSanitizer
#      (against the static library) and under valgrind (against the shared
#      library): any error or leak fails;
#   4. installs into a scratch prefix with `make install`, then builds and
#      runs the C++ example (examples/scan.cpp) from the installed layout
#      through pkg-config.
#
# Installs what it needs when missing: cbindgen (cargo), gcc, g++, valgrind,
# pkg-config, make (apt-get, as root). The library is found in
# $CARGO_TARGET_DIR when set, else in <workspace>/target.
set -euo pipefail

CBINDGEN_VERSION=0.29.4

FFI="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(dirname "$FFI")"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET" in /*) ;; *) TARGET="$ROOT/$TARGET" ;; esac
LIB="$TARGET/debug"
OUT="$TARGET/ffi-tests"
mkdir -p "$OUT"

update_header=0
if [ "${1:-}" = "--update-header" ]; then update_header=1; fi

step() { printf '== %s\n' "$*"; }

# --- tools --------------------------------------------------------------
missing=()
command -v gcc >/dev/null || missing+=(gcc)
command -v g++ >/dev/null || missing+=(g++)
command -v valgrind >/dev/null || missing+=(valgrind)
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v make >/dev/null || missing+=(make)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "run.sh: need ${missing[*]} (apt-get needs root)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
    >/dev/null
fi

CBINDGEN="${CARGO_HOME:-$HOME/.cargo}/bin/cbindgen"
if ! "$CBINDGEN" --version 2>/dev/null |
  grep -qx "cbindgen $CBINDGEN_VERSION"; then
  step "installing cbindgen $CBINDGEN_VERSION"
  cargo install cbindgen --version "=$CBINDGEN_VERSION" --locked --quiet
fi

# --- build ----------------------------------------------------------------
step "cargo build -p sigscan-ffi"
cargo build -p sigscan-ffi --quiet
for f in libsigscan.a libsigscan.so; do
  [ -f "$LIB/$f" ] || { echo "run.sh: $LIB/$f not built" >&2; exit 1; }
done

# --- header ---------------------------------------------------------------
step "header (cbindgen $CBINDGEN_VERSION)"
fresh="$OUT/sigscan.h"
(cd "$FFI" && "$CBINDGEN" --quiet --config cbindgen.toml --crate sigscan-ffi \
  --output "$fresh")
if [ "$update_header" = 1 ]; then
  cp "$fresh" "$FFI/include/sigscan.h"
  echo "include/sigscan.h updated"
elif ! diff -u "$FFI/include/sigscan.h" "$fresh"; then
  echo "run.sh: ffi/include/sigscan.h is stale:" \
    "run ffi/tests/run.sh --update-header and commit it" >&2
  exit 1
fi

# Every exported symbol is declared in the header, and the reverse.
exported="$(nm -D --defined-only "$LIB/libsigscan.so" |
  awk '$2 == "T" && $3 ~ /^sigscan_/ { print $3 }' | sort)"
declared="$(grep -oE '^[a-z].*\bsigscan_[a-z_]+\(' "$FFI/include/sigscan.h" |
  grep -oE 'sigscan_[a-z_]+\($' | tr -d '(' | sort -u)"
if [ "$exported" != "$declared" ]; then
  echo "run.sh: exports and header declarations differ:" >&2
  diff <(echo "$exported") <(echo "$declared") >&2 || true
  exit 1
fi
echo "$(echo "$exported" | wc -l) functions exported and declared"

# --- C tests --------------------------------------------------------------
CFLAGS=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1
  -I"$FFI/include" -I"$FFI/tests")
# What a Rust staticlib needs from the system (see ffi/README.md).
STATIC_LIBS=(-lpthread -ldl -lm -lrt -lgcc_s -lc)

# LeakSanitizer: see ffi/tests/lsan.supp for why it is needed.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$FFI/tests/lsan.supp:print_suppressions=0"

failed=0
for src in "$FFI"/tests/*.c; do
  name="$(basename "$src" .c)"

  step "$name under AddressSanitizer (static library)"
  gcc "${CFLAGS[@]}" -fsanitize=address -fno-omit-frame-pointer \
    "$src" "$LIB/libsigscan.a" "${STATIC_LIBS[@]}" -o "$OUT/$name-asan"
  if ! "$OUT/$name-asan"; then
    echo "FAILED: $name under AddressSanitizer" >&2
    failed=1
  fi

  step "$name under valgrind (shared library)"
  gcc "${CFLAGS[@]}" "$src" -L"$LIB" -Wl,-rpath,"$LIB" -lsigscan -lpthread \
    -o "$OUT/$name-shared"
  if ! valgrind -q --error-exitcode=1 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect,possible \
    --suppressions="$FFI/tests/valgrind.supp" \
    "$OUT/$name-shared"; then
    echo "FAILED: $name under valgrind" >&2
    failed=1
  fi
done

# --- install layout, pkg-config and the C++ example ------------------------
step "make install (scratch prefix) and the C++ example via pkg-config"
prefix="$OUT/prefix"
rm -rf "$prefix"
make -s -C "$FFI" install PREFIX="$prefix" PROFILE=dev CARGO="cargo -q" \
  CARGO_TARGET_DIR="$TARGET" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046
g++ -std=c++17 -Wall -Wextra -Werror "$FFI/examples/scan.cpp" \
  $(pkg-config --cflags --libs sigscan) -Wl,-rpath,"$prefix/lib" \
  -o "$OUT/scan-example"
# shellcheck disable=SC2046
g++ -std=c++17 -Wall -Wextra -Werror "$FFI/examples/scan.cpp" \
  $(pkg-config --cflags sigscan) "$prefix/lib/libsigscan.a" \
  $(pkg-config --libs-only-l --static sigscan | sed 's/-lsigscan//') \
  -o "$OUT/scan-example-static"
printf 'rule hello { strings: $h = "hello" condition: $h }\n' \
  >"$OUT/example.yar"
printf 'say hello\n' >"$OUT/example.txt"
for exe in scan-example scan-example-static; do
  got="$("$OUT/$exe" "$OUT/example.yar" "$OUT/example.txt")"
  want="$(printf 'hello %s\n  0x4:$h' "$OUT/example.txt")"
  if [ "$got" != "$want" ]; then
    printf 'FAILED: %s printed:\n%s\nwanted:\n%s\n' "$exe" "$got" "$want" >&2
    failed=1
  fi
done

if [ "$failed" != 0 ]; then
  echo "ffi tests FAILED" >&2
  exit 1
fi
echo "ffi tests passed"
