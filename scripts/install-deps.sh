#!/usr/bin/env bash
# Installs the Debian 12 packages musicagent builds and runs with. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libpqxx-dev libpq-dev libcurl4-openssl-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libyaml-cpp-dev libcli11-dev zlib1g-dev libssl-dev
  libfaiss-dev libopenblas-dev libboost-dev libpg-query-dev libedit-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql postgresql-contrib
  chromium  # the web page's browser test (tests/e2e)
)
# Node.js and npm for the page's libraries and the browser test: Debian's own unless a node is
# already installed (a NodeSource nodejs package carries npm and conflicts with Debian's npm).
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs npm); fi

sudo_cmd=()
if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "All Debian packages are installed." >&2
else
  echo "Installing: ${missing[*]}" >&2
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts a system cluster on install; musicagent uses its own under var/.
  echo "Installed ${#missing[@]} packages." >&2
fi

# playwright-core 1.64 (the browser test) needs Node.js 20 or newer; Debian 12 ships 18. Then the
# npm registry's `node` package brings an official Node.js 20 build into /usr/local/bin.
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  echo "Node.js $(node --version 2>/dev/null) is older than 20: installing node@20 from npm" >&2
  "${sudo_cmd[@]}" npm install -g --no-audit --no-fund node@20 >/dev/null
  hash -r
  echo "Now $(command -v node): $(node --version)" >&2
fi
