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
)

sudo_cmd=()
if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "All Debian packages are installed." >&2
  exit 0
fi
echo "Installing: ${missing[*]}" >&2
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts a system cluster on install; musicagent uses its own under var/.
echo "Installed ${#missing[@]} packages." >&2
