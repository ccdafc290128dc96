#!/usr/bin/env bash
# Rebuilds xlate's own firmware blobs from source with Debian's
# gcc-riscv64-unknown-elf. The built blobs are committed so that building
# xlate needs no cross compiler.
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-riscv64-unknown-elf-gcc}
OBJCOPY=${OBJCOPY:-riscv64-unknown-elf-objcopy}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$CC -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -static \
    -Wl,-Ttext=0x80000000 -Wl,--build-id=none -Wl,--no-relax -o "$tmp/hello.elf" demo/hello.S
$OBJCOPY -O binary "$tmp/hello.elf" demo/hello.bin
echo "built firmware/demo/hello.bin ($(stat -c %s demo/hello.bin) bytes)"
for stub in riscv-virt spike; do
    $CC -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -static -Wl,-Ttext=0x1000 \
        -Wl,--build-id=none -Wl,--no-relax -o "$tmp/$stub.elf" reset/$stub.S
    $OBJCOPY -O binary "$tmp/$stub.elf" reset/$stub.bin
    echo "built firmware/reset/$stub.bin ($(stat -c %s reset/$stub.bin) bytes)"
done
