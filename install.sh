#!/bin/sh
# Bootstrap leakgate from this checkout: build the binary (or reuse one built
# from exactly these sources), then hand over to `leakgate install`, which
# puts the hooks in place (`leakgate install --help` says how).
#
#   ./install.sh [REPO]                install into REPO (default: the current repository)
#   ./install.sh --global              guard every repository of this user
#   ./install.sh --uninstall [REPO]    remove leakgate's hooks, restore what was there
#   ./install.sh --uninstall --global  undo --global, restore the previous core.hooksPath
#   ./install.sh --bin PATH ...        use this leakgate binary instead of building one
#
# In a bare (server) repository it installs the pre-receive hook instead.
# Safe to run again; a hook that is not leakgate's is kept and chained.
set -eu

die() { printf 'install.sh: %s\n' "$*" >&2; exit 2; }
say() { printf 'install.sh: %s\n' "$*"; }

src=$(cd "$(dirname "$0")" && pwd)
command=install
bin=
# What goes on to `leakgate install`/`uninstall`, unchanged: --global, REPO.
global=
repo=
while [ $# -gt 0 ]; do
    case $1 in
        --uninstall) command=uninstall ;;
        --global) global=--global ;;
        --bin) [ $# -ge 2 ] || die "--bin needs a path"; bin=$2; shift ;;
        --bin=*) bin=${1#--bin=} ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) [ -z "$repo" ] || die "only one repository at a time"; repo=$1 ;;
    esac
    shift
done

# The binary: an explicit one, an installed one built from exactly these
# sources, or a fresh build. The build id is a hash of the sources (build.rs
# computes the same one), so a pulled update with an unchanged version string
# is still rebuilt. `--version` also names the commit and its date; the id is
# what is compared (it also tells apart builds of one commit with changes).
if [ -n "$bin" ]; then
    case $bin in /*) ;; *) bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" ;; esac
    [ -x "$bin" ] || die "--bin: not an executable file: $bin"
else
    version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$src/Cargo.toml" | head -n 1)
    build_id() {
        command -v sha256sum >/dev/null 2>&1 || return 1
        (cd "$src" && find Cargo.toml Cargo.lock build.rs src rules -type f | LC_ALL=C sort \
            | while IFS= read -r f; do sha256sum "$f"; done | sha256sum | cut -c1-12)
    }
    want="leakgate $version, build $(build_id || echo unknown)"
    cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin/leakgate"
    for candidate in "$cargo_bin" "$(command -v leakgate 2>/dev/null || true)"; do
        [ -n "$candidate" ] && [ -x "$candidate" ] || continue
        have=$("$candidate" --version 2>/dev/null || true)
        case $have in
            "leakgate $version ("*", ${want#*, })") same=yes ;;
            *) same=no ;;
        esac
        if [ "$same" = yes ]; then
            bin=$candidate
            say "using installed $have at $bin"
            break
        fi
        say "not reusing $candidate: it is ${have:-not runnable}, these sources are $want"
    done
    if [ -z "$bin" ]; then
        command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust (https://rustup.rs) or pass --bin PATH"
        say "building $want with cargo install --path . --locked (a minute or two the first time; cargo shows its progress below)"
        cargo install --path "$src" --locked --force
        bin=$cargo_bin
        [ -x "$bin" ] || die "cargo install did not produce $bin"
        say "built $("$bin" --version)"
    fi
fi

# From here on it is leakgate's own command; the hooks will run $bin.
if [ "$command" = install ]; then
    exec "$bin" install --bin "$bin" $global ${repo:+"$repo"}
fi
exec "$bin" uninstall $global ${repo:+"$repo"}
