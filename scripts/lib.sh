# SPDX-License-Identifier: Apache-2.0
# Shared helpers for scripts/*.sh (sourced, not run).
# Installs what the project needs on Debian 12, idempotently.

CCREC_APT_PACKAGES=(
  build-essential cmake pkg-config git ca-certificates curl openssl python3 python3-pip
  libcurl4-openssl-dev libssl-dev rapidjson-dev libfmt-dev libpugixml-dev libcli11-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  help2man libcpp-httplib-dev libsqlite3-dev
  libhiredis-dev redis-server libtomlplusplus-dev python3-yaml
)

ccrec_log() { printf '==> %s\n' "$*" >&2; }

# apt-get install only what is missing (fast no-op on a prepared machine).
ccrec_ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    ccrec_log "installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# The interpreter itself rather than what `python3` names on PATH: a version manager's shim (pyenv's
# is a bash script) costs ~0.3 s per start, and the integration tests start Python hundreds of times.
ccrec_python() { python3 -c 'import sys; print(sys.executable)'; }

# moto (signature-checking S3 server) and boto3, via pip only where they are missing.
ccrec_ensure_moto() {
  local py
  py=$(ccrec_python)
  if ! "$py" -c 'import moto.server, boto3, flask' 2>/dev/null; then
    ccrec_log "installing moto[server] and boto3 with pip"
    "$py" -m pip install --quiet 'moto[server]' boto3 2>/dev/null ||
      "$py" -m pip install --quiet --break-system-packages 'moto[server]' boto3
  fi
}

ccrec_ensure_deps() {
  ccrec_ensure_apt "${CCREC_APT_PACKAGES[@]}"
  ccrec_ensure_moto
}

ccrec_jobs() { nproc 2>/dev/null || echo 2; }
