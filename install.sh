#!/bin/sh
# Install leakgate into a git repository: build (or reuse) the binary, then put
# the pre-commit and pre-push hooks into the repository's hooks directory.
#
#   ./install.sh [REPO]              install (REPO defaults to the current repo)
#   ./install.sh --uninstall [REPO]  remove leakgate's hooks, restore what was there
#   ./install.sh --bin PATH [REPO]   use this leakgate binary instead of building one
#
# In a bare (server) repository it installs the pre-receive hook instead, which
# checks every push where `--no-verify` cannot skip it.
#
# Safe to run again. A hook that is not leakgate's is never overwritten: it is
# kept beside ours as <hook>.leakgate-chained and run after ours passes, and
# --uninstall puts it back. core.hooksPath and worktrees are honoured.
set -eu

MARKER='leakgate-managed-hook'
HOOKS='pre-commit pre-push'

die() { printf 'install.sh: %s\n' "$*" >&2; exit 2; }
say() { printf 'install.sh: %s\n' "$*"; }

src=$(cd "$(dirname "$0")" && pwd)
mode=install
bin=
repo=
while [ $# -gt 0 ]; do
    case $1 in
        --uninstall) mode=uninstall ;;
        --bin) [ $# -ge 2 ] || die "--bin needs a path"; bin=$2; shift ;;
        --bin=*) bin=${1#--bin=} ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) [ -z "$repo" ] || die "only one repository at a time"; repo=$1 ;;
    esac
    shift
done
[ -n "$repo" ] || repo=.

[ -d "$repo" ] || die "no such directory: $repo"
if [ "$(cd "$repo" && git rev-parse --is-bare-repository 2>/dev/null)" = true ]; then
    top=$(cd "$repo" && cd "$(git rev-parse --git-dir)" && pwd)
    HOOKS='pre-receive'
else
    top=$(cd "$repo" && git rev-parse --show-toplevel 2>/dev/null) \
        || die "not a git repository: $repo"
fi
cd "$top"
hooks=$(git rev-parse --git-path hooks)
case $hooks in
    /*) ;;
    *) hooks="$top/$hooks" ;;
esac

# A hook is leakgate's only if its second line is the marker exactly as
# written below: a foreign hook that merely mentions leakgate or the marker
# (a husky hook calling leakgate, a comment) is someone else's, and is kept.
is_ours() { # <path> <hook name>
    [ -f "$1" ] && [ "$(sed -n 2p "$1" 2>/dev/null)" = "# $MARKER ($2)" ]
}

if [ "$mode" = uninstall ]; then
    for h in $HOOKS; do
        target="$hooks/$h"
        saved="$target.leakgate-chained"
        if is_ours "$target" "$h"; then
            rm -f "$target"
            if [ -e "$saved" ] || [ -L "$saved" ]; then
                mv "$saved" "$target"
                say "$h: removed leakgate's hook, restored the one that was there before"
            else
                say "$h: removed leakgate's hook"
            fi
        elif [ -e "$target" ]; then
            say "$h: left alone (not leakgate's hook)"
        fi
    done
    exit 0
fi

# The binary: an explicit one, an installed one built from exactly these
# sources, or a fresh build. The build id is a hash of the sources (build.rs
# computes the same one), so a pulled update with an unchanged version string
# is still rebuilt. `--version` also names the commit and its date; the id is
# what is compared (it also tells apart builds of one commit with changes).
version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$src/Cargo.toml" | head -n 1)
build_id() {
    command -v sha256sum >/dev/null 2>&1 || return 1
    (cd "$src" && find Cargo.toml Cargo.lock build.rs src rules -type f | LC_ALL=C sort \
        | while IFS= read -r f; do sha256sum "$f"; done | sha256sum | cut -c1-12)
}
want="leakgate $version, build $(build_id || echo unknown)"
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin/leakgate"
if [ -n "$bin" ]; then
    case $bin in /*) ;; *) bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" ;; esac
    [ -x "$bin" ] || die "--bin: not an executable file: $bin"
else
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

template="$src/hooks/hook.sh.in"
[ -f "$template" ] || die "the hook template is missing: $template"
mkdir -p "$hooks"
# Every hook is written from the one template: its name, and the binary's
# path quoted for sh, are filled in, so the installed file stands alone
# (a server's pre-receive needs nothing beside it).
quoted_bin="'$(printf '%s' "$bin" | sed "s/'/'\\\\''/g")'"
for h in $HOOKS; do
    target="$hooks/$h"
    saved="$target.leakgate-chained"
    if { [ -e "$target" ] || [ -L "$target" ]; } && ! is_ours "$target" "$h"; then
        if [ -e "$saved" ] || [ -L "$saved" ]; then
            die "$h: both $target and $saved exist and neither is leakgate's hook; move one away and run again"
        fi
        mv "$target" "$saved"
        say "$h: kept your existing hook; it now runs after leakgate's ($saved)"
    fi
    tmp="$target.leakgate-tmp.$$"
    LEAKGATE_LINE="installed_bin=$quoted_bin" LEAKGATE_HOOK="$h" awk '
        $0 == "installed_bin=" { print ENVIRON["LEAKGATE_LINE"]; next }
        { gsub(/@HOOK@/, ENVIRON["LEAKGATE_HOOK"]); print }
    ' "$template" > "$tmp"
    is_ours "$tmp" "$h" || { rm -f "$tmp"; die "$h: the template $template lacks the marker line"; }
    chmod 755 "$tmp"
    mv "$tmp" "$target"
    say "$h: installed ($target)"
done
if [ "$HOOKS" = pre-receive ]; then
    say "done: pushes to $top are now checked for API keys"
else
    say "done: commits and pushes in $top are now checked for API keys"
fi
