#!/usr/bin/env bash
# Extract the JSON schemas of Apache APISIX's plugins and resources.
#
#   tools/apisix-schemas/generate.sh APISIX_GIT_DIR REF OUT_DIR
#
# APISIX_GIT_DIR: a git directory of apache/apisix (bare or not); REF: a tag or
# commit (3.18.0); OUT_DIR: where to write (schemas/apisix/3.18.0). The files the
# tool writes in OUT_DIR are replaced; see README.md.
set -euo pipefail

if [ "$#" -ne 3 ]; then
    echo "usage: $0 APISIX_GIT_DIR REF OUT_DIR" >&2
    exit 2
fi

git_dir=$1
ref=$2
out_dir=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

command -v luajit >/dev/null || { echo "$0: luajit not found" >&2; exit 1; }
luajit -e 'require("cjson")' 2>/dev/null || { echo "$0: lua-cjson for LuaJIT not found" >&2; exit 1; }

commit=$(git --git-dir="$git_dir" rev-parse --verify --quiet "$ref^{commit}") \
    || { echo "$0: $ref is not a commit of $git_dir" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/apisix-schemas.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/src"
git --git-dir="$git_dir" archive "$commit" -- apisix conf | tar -x -C "$tmp/src"

mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
rm -rf "$out_dir/plugins" "$out_dir/stream-plugins" "$out_dir/manifest.json" "$out_dir/resources.json"
mkdir "$out_dir/plugins" "$out_dir/stream-plugins"

luajit "$here/dump.lua" run "$tmp/src" "$out_dir" "$commit"
