#!/usr/bin/env bash
# xlate's single test command (the README points here; .ci/run calls it).
#
#   1. tests/setup.sh  - install packages (QEMU, RISC-V cross toolchain, ...)
#                        and build the RISC-V assembly suite
#   2. cargo build --release --features slirp
#   3. cargo test --release --workspace --features xlate/slirp
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "setup: packages and test ELFs"
bash tests/setup.sh

# `slirp`: user networking through the system libslirp (setup.sh installs it).
step "build: cargo build --release --features slirp"
cargo build --release --features slirp

step "test: cargo test --release --workspace --features xlate/slirp"
cargo test --release --workspace --features xlate/slirp
