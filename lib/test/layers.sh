#!/bin/sh
# The two rules that keep lib/core a library a second front end can link without the preload hooks:
# 1. includes point down only: a file of layer L includes headers of L or of the layers listed before L in
#    core/LAYERS, and nothing in lib/core includes lib/preload;
# 2. calls point down the same way (undefined t64_ symbols of a core object are defined in its layer or below);
# 3. one way to call libc: no core object calls a name the library exports (lib/libtnat64.map) directly, which
#    would bind to our own hook; core code calls those functions through the resolved real ones (base/real.h).
# Usage: layers.sh LIBDIR OBJDIR. Prints each violation; exits 1 if there is any.
set -eu
LIBDIR=$1
OBJDIR=$2
bad=0
layers=$(sed -n 's/^\([a-z][a-z0-9]*\) .*/\1/p' "$LIBDIR/core/LAYERS")
rank() {
	i=0
	for l in $layers; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo -1
}
for dir in "$LIBDIR"/core/*/; do
	layer=$(basename "$dir")
	mine=$(rank "$layer")
	if [ "$mine" -lt 0 ]; then
		echo "layers: lib/core/$layer/ is not listed in lib/core/LAYERS"
		bad=1
		continue
	fi
	for f in "$dir"*.c "$dir"*.h; do
		[ -e "$f" ] || continue
		for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
			case $inc in
			*preload*)
				echo "layers: lib/core/$layer/$(basename "$f") includes $inc (the front end)"
				bad=1
				continue ;;
			*/*) ;;
			*)
				echo "layers: lib/core/$layer/$(basename "$f") includes \"$inc\" without its folder"
				bad=1
				continue ;;
			esac
			theirs=$(rank "${inc%%/*}")
			if [ "$theirs" -lt 0 ] || [ "$theirs" -gt "$mine" ]; then
				echo "layers: lib/core/$layer/$(basename "$f") ($layer) includes $inc (${inc%%/*}, a layer above)"
				bad=1
			fi
		done
	done
done
# Calls point down too: an undefined t64_ symbol of a core object must be defined in its layer or one below.
defs=$(for o in "$OBJDIR"/core/*/*.o; do
	l=${o#"$OBJDIR"/core/}
	nm --defined-only "$o" | awk -v l="${l%%/*}" '$2 ~ /[TDBR]/ && $3 ~ /^t64_/ { print $3, l }'
done)
for o in "$OBJDIR"/core/*/*.o; do
	rel=${o#"$OBJDIR"/core/}
	mine=$(rank "${rel%%/*}")
	for sym in $(nm -u "$o" | awk '$2 ~ /^t64_/ { print $2 }'); do
		where=$(echo "$defs" | awk -v s="$sym" '$1 == s { print $2; exit }')
		[ -n "$where" ] || continue
		if [ "$(rank "$where")" -gt "$mine" ]; then
			echo "layers: lib/core/$rel calls $sym, defined in $where (a layer above)"
			bad=1
		fi
	done
done
exported=$(sed -n '/global:/,/local:/p' "$LIBDIR/libtnat64.map" | tr -s ' \t;' '\n' | grep -E '^[_a-z][_a-z0-9]*$' |
	grep -v -x -e global -e local)
for o in "$OBJDIR"/core/*/*.o; do
	for sym in $(nm -u "$o" | awk '{ print $2 }' | sed 's/@.*//'); do
		for e in $exported; do
			if [ "$sym" = "$e" ]; then
				echo "libc: lib/core/${o#"$OBJDIR"/core/} calls $sym directly (our own hook); use T64_REAL($sym)"
				bad=1
			fi
		done
	done
done
exit $bad
