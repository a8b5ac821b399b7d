#!/bin/sh
# Debian/Ubuntu packages Guichet needs beyond Python: the libraries Qt's xcb
# (X11) and offscreen platforms load, a font with Latin and Arabic, libusb for
# USB receipt printers, and the CUPS headers and compiler that pycups is built
# with: `make install` installs the dev extra, which includes pycups. A counter
# installed with a plain `pip install` needs neither (CUPS queues then print
# through the `lp` command of cups-client).
#   sh packaging/system-deps.sh --check     exit 1 if any is missing
#   sh packaging/system-deps.sh --install   install the missing ones (root)
set -eu
PACKAGES="libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
fonts-dejavu-core libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
libxcb-xinerama0 libxcb-xkb1 libxcb-randr0 libxcb-shape0 libxcb-xfixes0
libusb-1.0-0 libcups2 libcups2-dev gcc"

missing=""
if command -v dpkg >/dev/null 2>&1; then
  for package in $PACKAGES; do
    dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
  done
fi

case "${1:---check}" in
  --check)
    [ -z "$missing" ] && exit 0
    echo "Missing system packages:$missing" >&2
    exit 1 ;;
  --install)
    [ -z "$missing" ] && exit 0
    if [ "$(id -u)" -ne 0 ]; then
      echo "Guichet needs these system packages:$missing" >&2
      echo "Install them with: sudo sh packaging/system-deps.sh --install" >&2
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086 # one word per package
    apt-get install -y -qq $missing >/dev/null ;;
  *)
    echo "usage: $0 --check|--install" >&2
    exit 2 ;;
esac
