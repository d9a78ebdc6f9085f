#!/usr/bin/env bash
# Installs the system packages crmgate builds and tests with, when they are missing (Debian, as root).
set -euo pipefail
packages=(libcurl4-openssl-dev libxml2-dev libsqlite3-dev zlib1g-dev libdeflate-dev libpq-dev postgresql chromium chromium-driver time curl python3-venv
  libreoffice-calc-nogui)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  apt-get -o DPkg::Lock::Timeout=300 update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}"
fi
