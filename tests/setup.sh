#!/usr/bin/env bash
# Installs everything xlate's tests need on a fresh Debian 12 (bookworm)
# machine, then builds the RISC-V assembly conformance suite.
#
# Idempotent: when every package is already installed it does no apt work.
# Runs without stdin (CI) and under `set -euo pipefail`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Packages taken from bookworm-backports (bookworm's QEMU 7.2 cannot be
# installed next to the backported qemu-utils the machine image ships).
BACKPORTS_PKGS=(qemu-system-misc qemu-user)
# Packages from the plain bookworm suites.
PKGS=(gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf e2fsprogs gdb-multiarch make libslirp-dev libglib2.0-dev pkg-config gcc-riscv64-linux-gnu g++-riscv64-linux-gnu)
# Commands the tests call, used to detect what is really present.
NEEDED_CMDS=(qemu-system-riscv64 qemu-riscv64 riscv64-unknown-elf-gcc
             riscv64-unknown-elf-objcopy mke2fs gdb-multiarch make
             riscv64-linux-gnu-gcc riscv64-linux-gnu-g++)

APT_OPTS=(-y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef
          -o Dpkg::Options::=--force-confold)

log() { echo "setup: $*" >&2; }

is_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

# The apt source files apt itself reads.
apt_source_files() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && echo "$f"
    done
    return 0
}

have_backports_source() {
    local f
    while read -r f; do
        case "$f" in
            *.sources)
                # deb822: a Suites: line naming bookworm-backports
                grep -Eiq '^[[:space:]]*Suites:.*[[:space:]]bookworm-backports([[:space:]]|$)' "$f" && return 0 ;;
            *)
                grep -Eq '^[[:space:]]*deb[[:space:]].*[[:space:]]bookworm-backports[[:space:]]' "$f" && return 0 ;;
        esac
    done < <(apt_source_files)
    return 1
}

# Prints "URI|COMPONENTS|SIGNED_BY" of the existing Debian entry for bookworm.
find_debian_source() {
    local f
    while read -r f; do
        case "$f" in
            *.sources)
                # Split into stanzas, pick one whose Suites include "bookworm".
                awk '
                    function flush() {
                        if (uris != "" && suites ~ /(^|[ \t])bookworm([ \t]|$)/ && (enabled == "" || enabled ~ /^[Yy]/) && types ~ /(^|[ \t])deb([ \t]|$)/) {
                            split(uris, u, /[ \t]+/)
                            print u[1] "|" comps "|" signed
                            found = 1; exit
                        }
                        uris = suites = comps = signed = enabled = types = ""
                    }
                    /^[ \t]*#/ { next }
                    /^[ \t]*$/ { flush(); next }
                    {
                        line = $0
                        key = tolower(line); sub(/:.*/, "", key); gsub(/[ \t]/, "", key)
                        val = line; sub(/^[^:]*:[ \t]*/, "", val); sub(/[ \t]+$/, "", val)
                        if (key == "uris") uris = val
                        else if (key == "suites") suites = val
                        else if (key == "components") comps = val
                        else if (key == "signed-by") signed = val
                        else if (key == "enabled") enabled = val
                        else if (key == "types") types = val
                    }
                    END { if (!found) flush() }
                ' "$f" | head -n1 ;;
            *)
                # classic: deb [opts] URI SUITE COMPONENTS...
                awk '
                    /^[ \t]*deb[ \t]/ {
                        opts = ""; i = 2
                        if ($2 ~ /^\[/) {
                            opts = $2
                            while ($i !~ /\]$/ && i < NF) { i++; opts = opts " " $i }
                            i++
                        }
                        uri = $i; suite = $(i + 1)
                        if (suite != "bookworm") next
                        comps = ""
                        for (j = i + 2; j <= NF; j++) comps = comps (comps == "" ? "" : " ") $j
                        signed = ""
                        if (match(opts, /signed-by=[^] \t]+/)) signed = substr(opts, RSTART + 10, RLENGTH - 10)
                        print uri "|" comps "|" signed
                        exit
                    }
                ' "$f" | head -n1 ;;
        esac
    done < <(apt_source_files) | head -n1
}

add_backports_source() {
    local entry uri comps signed file
    entry="$(find_debian_source || true)"
    uri="${entry%%|*}"
    comps="$(echo "$entry" | cut -d'|' -f2)"
    signed="$(echo "$entry" | cut -d'|' -f3)"
    [ -n "$uri" ] || uri="http://deb.debian.org/debian"
    [ -n "$comps" ] || comps="main"
    file=/etc/apt/sources.list.d/xlate-bookworm-backports.sources
    log "adding bookworm-backports ($uri, $comps) to $file"
    {
        echo "Types: deb"
        echo "URIs: $uri"
        echo "Suites: bookworm-backports"
        echo "Components: $comps"
        if [ -n "$signed" ]; then echo "Signed-By: $signed"; fi
    } | $SUDO tee "$file" >/dev/null
}

install_packages() {
    local missing_bp=() missing=() p c all_cmds=1
    for c in "${NEEDED_CMDS[@]}"; do
        command -v "$c" >/dev/null 2>&1 || all_cmds=0
    done
    for p in "${BACKPORTS_PKGS[@]}"; do is_installed "$p" || missing_bp+=("$p"); done
    for p in "${PKGS[@]}"; do is_installed "$p" || missing+=("$p"); done
    if [ "$all_cmds" -eq 1 ] && [ "${#missing_bp[@]}" -eq 0 ] && [ "${#missing[@]}" -eq 0 ]; then
        log "all packages present"
        return 0
    fi
    if ! have_backports_source; then
        add_backports_source
    fi
    log "apt-get update"
    $SUDO apt-get -q -o DPkg::Lock::Timeout=600 update
    if [ "${#missing_bp[@]}" -gt 0 ]; then
        log "installing from bookworm-backports: ${missing_bp[*]}"
        $SUDO apt-get install "${APT_OPTS[@]}" --no-install-recommends -t bookworm-backports "${missing_bp[@]}" </dev/null
    fi
    if [ "${#missing[@]}" -gt 0 ]; then
        log "installing: ${missing[*]}"
        $SUDO apt-get install "${APT_OPTS[@]}" --no-install-recommends "${missing[@]}" </dev/null
    fi
    for c in "${NEEDED_CMDS[@]}"; do
        if ! command -v "$c" >/dev/null 2>&1; then
            log "error: '$c' still missing after install"
            exit 1
        fi
    done
}

build_riscv_suite() {
    log "building tests/riscv (assembly conformance suite)"
    make -s -C "$ROOT/tests/riscv" -j2 --no-print-directory
}

build_user_programs() {
    log "building tests/user (Linux user-mode test programs)"
    make -s -C "$ROOT/tests/user" -j2 --no-print-directory
}

# Real guest firmware from Debian packages, unpacked (never installed, never
# committed) into .cache/guests/<package>/.
fetch_guest_packages() {
    local cache="$ROOT/.cache/guests" pkg
    mkdir -p "$cache/debs"
    for pkg in u-boot-qemu opensbi; do
        if [ -d "$cache/$pkg/usr" ]; then
            continue
        fi
        log "fetching $pkg"
        rm -f "$cache/debs/${pkg}"_*.deb
        (cd "$cache/debs" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
        local deb
        deb=$(ls "$cache/debs/${pkg}"_*.deb 2>/dev/null | head -n1)
        if [ -z "$deb" ]; then
            log "error: could not download $pkg"
            exit 1
        fi
        rm -rf "$cache/$pkg.tmp"
        dpkg -x "$deb" "$cache/$pkg.tmp"
        mv "$cache/$pkg.tmp" "$cache/$pkg"
    done
}

install_packages
fetch_guest_packages
build_riscv_suite
build_user_programs
log "done"
