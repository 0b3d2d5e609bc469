#!/bin/sh
# Writes the small generated ELF seeds of the `elf` and `scan` fuzz targets
# (no copies of real files): a static executable and a shared object with
# dynamic symbols, both as small as the linker makes them.
#
#   sh fuzz/seeds/gen_elf.sh fuzz/corpus
set -eu
out=${1:-corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/a.c" <<'C'
extern int printf(const char *, ...);
int counter = 1;
int seed_main(void) { return counter + 1; }
int call(void) { return printf("%d", counter); }
void _start(void) { for (;;) { } }
C
small="-Os -nostdlib -fno-asynchronous-unwind-tables -Wl,--build-id=none
  -Wl,-z,max-page-size=16 -Wl,-z,noseparate-code -Wl,--hash-style=sysv"
mkdir -p "$out/elf" "$out/scan"
# shellcheck disable=SC2086
gcc $small -static -o "$tmp/static" "$tmp/a.c" -Wl,--unresolved-symbols=ignore-all
# shellcheck disable=SC2086
gcc $small -shared -fPIC -o "$tmp/shared.so" "$tmp/a.c"
# shellcheck disable=SC2086
gcc $small -m32 -static -o "$tmp/static32" "$tmp/a.c" \
  -Wl,--unresolved-symbols=ignore-all 2>/dev/null || true
cp "$tmp/static" "$out/elf/static64"
cp "$tmp/shared.so" "$out/elf/shared64.so"
[ -f "$tmp/static32" ] && cp "$tmp/static32" "$out/elf/static32"
cp "$tmp/shared.so" "$out/scan/shared64.so"
