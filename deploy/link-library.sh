#!/bin/sh
# Make /usr/local/lib/tnat64/libtnat64.so (or $1) a link to the library the installed `tnat64` uses, so that
# systemd drop-ins, container ENV lines and /etc/ld.so.preload name one path that survives upgrades of tnat64.
# Run as root after installing or upgrading tnat64 (docs/DEPLOY.md).
set -eu
link=${1:-/usr/local/lib/tnat64/libtnat64.so}
command -v tnat64 >/dev/null 2>&1 || { echo "link-library: tnat64 is not on PATH" >&2; exit 1; }
# `tnat64 env` prints the LD_PRELOAD assignment it would make; with LD_PRELOAD empty that is the library alone.
lib=$(env -u LD_PRELOAD sh -c 'eval "$(tnat64 env)" && printf %s "$LD_PRELOAD"')
case $lib in
/*libtnat64.so) ;;
*) echo "link-library: tnat64 env gave no library path (got: $lib)" >&2; exit 1 ;;
esac
[ -f "$lib" ] || { echo "link-library: $lib is missing" >&2; exit 1; }
mkdir -p "${link%/*}"
# A new link renamed over the old one: a program starting meanwhile sees the old library or the new, never none.
ln -sfn "$lib" "$link.new"
mv -f "$link.new" "$link"
echo "$link -> $lib"
