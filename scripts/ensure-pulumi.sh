#!/usr/bin/env bash
# Makes the Pulumi CLI available and prints the directory that holds it.
#
# Uses a `pulumi` already on PATH when its version is compatible; otherwise builds the pinned CLI from its
# Go modules into a cache outside the checkout and reuses it on later runs. Progress goes to stderr; the
# last line on stdout is the bin directory to put first on PATH.
set -euo pipefail

PULUMI_VERSION="${TCR_PULUMI_VERSION:-3.274.1}"
MIN_MAJOR_MINOR="3.200"
CACHE_ROOT="${TCR_PROVIDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tcr-provider}"
PREFIX="$CACHE_ROOT/pulumi-v$PULUMI_VERSION"
BIN="$PREFIX/bin"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

say() { printf '%s\n' "ensure-pulumi: $*" >&2; }

version_ok() {
  # $1 is a version such as v3.274.1; compatible means major 3 and minor >= the minimum.
  local v="${1#v}" min_minor="${MIN_MAJOR_MINOR#3.}"
  local major="${v%%.*}" rest="${v#*.}"
  local minor="${rest%%.*}"
  [[ "$major" == "3" && "$minor" =~ ^[0-9]+$ && "$minor" -ge "$min_minor" ]]
}

complete_install() {
  # A usable CLI directory has the CLI, the dynamic provider launcher and the Python language host.
  local dir="$1"
  [[ -x "$dir/pulumi" && -x "$dir/pulumi-resource-pulumi-python" && -x "$dir/pulumi-language-python" \
     && -x "$dir/pulumi-language-python-exec" ]]
}

if [[ -z "${TCR_PULUMI_FORCE_BUILD:-}" ]] && command -v pulumi >/dev/null 2>&1; then
  found="$(command -v pulumi)"
  v="$(pulumi version 2>/dev/null || true)"
  if version_ok "$v" && complete_install "$(dirname "$found")"; then
    say "using $found ($v)"
    dirname "$found"
    exit 0
  fi
  say "ignoring $found (version '${v:-unknown}'; need 3.x >= $MIN_MAJOR_MINOR with the Python plugins beside it)"
fi

if complete_install "$BIN" && [[ "$("$BIN/pulumi" version 2>/dev/null)" == "v$PULUMI_VERSION" ]]; then
  # The language host is this project's own file: refresh the cached copy whenever it changes.
  cmp -s "$HERE/pulumi-language-python" "$BIN/pulumi-language-python" \
    || install -m 0755 "$HERE/pulumi-language-python" "$BIN/pulumi-language-python"
  say "using cached CLI $BIN (v$PULUMI_VERSION)"
  echo "$BIN"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
ensure-pulumi: no compatible Pulumi CLI on PATH and no Go toolchain to build one.
  Install the Pulumi CLI (https://www.pulumi.com/docs/install/), or install Go >= 1.26 and run this again
  to build Pulumi v$PULUMI_VERSION into $PREFIX.
MSG
  exit 1
fi

say "building Pulumi CLI v$PULUMI_VERSION into $PREFIX (first run only; several minutes on 2 cores)"
work="$PREFIX/build"
mkdir -p "$work" "$BIN"
cp "$HERE/pulumi-cli/go.mod" "$work/go.mod"
[[ -f "$HERE/pulumi-cli/go.sum" ]] && cp "$HERE/pulumi-cli/go.sum" "$work/go.sum"
cd "$work"
export GOFLAGS="${GOFLAGS:-} -mod=mod"
say "resolving modules"
go mod download -x 2>&1 | grep -E '^# get .*\.zip$' | sed -e 's/^# get /ensure-pulumi:   fetch /' >&2 || true
say "compiling pulumi (this is the slow part)"
go build -v -trimpath \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
  -o "$BIN/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi 2>&1 \
  | awk '{ n++; if (n % 100 == 0) { printf "ensure-pulumi:   %d packages compiled\n", n > "/dev/stderr" } }'
[[ -x "$BIN/pulumi.tmp" ]] || { say "go build did not produce the CLI"; exit 1; }
mv "$BIN/pulumi.tmp" "$BIN/pulumi"

sdk_dir="$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$BIN/pulumi-resource-pulumi-python"
install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$BIN/pulumi-language-python-exec"
install -m 0755 "$HERE/pulumi-language-python" "$BIN/pulumi-language-python"
say "built $("$BIN/pulumi" version) in $BIN"
echo "$BIN"
