#!/usr/bin/env bash
# Builds the Pulumi CLI from the Go module proxy (tools/pulumi/go.mod pins the release that
# matches the @pulumi/pulumi npm dependency) and installs it, with our dynamic-provider launcher,
# into .tools/bin. A build is cached under $PULUMI_TOOLS_CACHE (default
# ~/.cache/pulumi-crdb-failback) keyed by version and go.sum, so fresh clones reuse it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(node -p "require('$root/node_modules/@pulumi/pulumi/package.json').version" 2>/dev/null ||
  node -p "require('$root/package.json').dependencies['@pulumi/pulumi']")
gomod_version=$(grep -Eo 'github.com/pulumi/pulumi/pkg/v3 v[0-9.]+' "$root/tools/pulumi/go.mod" | head -1 | cut -d' ' -f2)
if [ "v$version" != "$gomod_version" ]; then
  echo "tools/pulumi/go.mod pins pkg/v3 $gomod_version but @pulumi/pulumi is $version: keep them equal" >&2
  exit 1
fi
key=$(cat "$root/tools/pulumi/go.mod" "$root/tools/pulumi/go.sum" | sha256sum | cut -c1-16)
cache=${PULUMI_TOOLS_CACHE:-$HOME/.cache/pulumi-crdb-failback}/pulumi-v$version-$key
bin=$root/.tools/bin
mkdir -p "$bin"

if [ ! -x "$cache/pulumi" ] || [ "$("$cache/pulumi" version 2>/dev/null)" != "v$version" ]; then
  echo "building pulumi v$version from the Go module proxy into $cache (first time only; ~15-25 min on 2 cores)"
  mkdir -p "$cache"
  (cd "$root/tools/pulumi" && go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
    -o "$cache/pulumi.partial" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  mv "$cache/pulumi.partial" "$cache/pulumi"
fi
# The engine looks for bundled plugins next to the CLI binary (symlinks resolved), so the CLI is
# hard-linked (or copied) rather than symlinked, and the launcher sits beside it.
rm -f "$bin/pulumi"
ln "$cache/pulumi" "$bin/pulumi" 2>/dev/null || cp "$cache/pulumi" "$bin/pulumi"
install -m 0755 "$root/tools/pulumi/pulumi-resource-pulumi-nodejs" "$bin/pulumi-resource-pulumi-nodejs"
# Node.js language host (tools/language-host): runs project folders and policy packs.
install -m 0755 "$root/tools/language-host/pulumi-language-nodejs" "$bin/pulumi-language-nodejs"
echo "pulumi $("$bin/pulumi" version) ready in $bin"
