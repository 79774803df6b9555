# Installers shared by ./test, ./vfs and bench/: each checks first and installs only what is missing.
# Sourced, not run.

S3RVER_VERSION=3.7.1
TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools"

apt_install() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "installing $* (apt-get)" >&2
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

ensure_fuse3() {
  if ! command -v fusermount3 >/dev/null 2>&1 || ! ldconfig -p | grep -q 'libfuse3\.so\.3'; then
    apt_install fuse3 libfuse3-3
  fi
}

# The FUSE binding's layout test compiles a C probe against libfuse3's headers.
ensure_fuse3_dev() {
  if [ ! -f /usr/include/fuse3/fuse_lowlevel.h ] || ! command -v gcc >/dev/null 2>&1; then
    apt_install libfuse3-dev gcc
  fi
}

ensure_s3rver() {
  if [ ! -f "$TOOLS_DIR/node_modules/s3rver/package.json" ]; then
    echo "installing s3rver@$S3RVER_VERSION (npm, into .tools/)" >&2
    mkdir -p "$TOOLS_DIR"
    npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --silent "s3rver@$S3RVER_VERSION" >/dev/null
  fi
}
