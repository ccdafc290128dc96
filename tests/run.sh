#!/usr/bin/env bash
# xlate's single test command (the README points here; .ci/run calls it).
#
#   1. tests/setup.sh  - install packages (QEMU, RISC-V cross toolchain, ...)
#                        and build the RISC-V assembly suite
#   2. cargo build --release
#   3. cargo test --release --workspace
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "setup: packages and test ELFs"
bash tests/setup.sh

step "build: cargo build --release"
cargo build --release

step "test: cargo test --release --workspace"
cargo test --release --workspace
