#!/bin/sh
# npm run fuzz: builds the libFuzzer targets (clang, ASan + UBSan) around the
# configuration parser, the DNS answer readers (RFC 7050 discovery, lookups)
# and the PREF64 cache parser, then runs each for
# RUNS executions (default 10 million) from the committed seed corpus in
# fuzz/corpus/<target>/. New inputs go to $FUZZ_OUT/corpus/<target>/, a crash
# or a sanitizer report to $FUZZ_OUT/<target>-crash-* (FUZZ_OUT defaults to
# build/fuzz); any finding exits non-zero.
# The target diff is no libFuzzer one: fuzz/diff.mjs feeds the same mutated
# configuration files to the C and the TypeScript parser and fails when their
# canonical dumps differ (RUNS inputs, default 200000; needs npm run build).
# Usage: fuzz/run.sh [TARGET...]   (targets: config dns pref64 diff; default all)
#        RUNS=20000 fuzz/run.sh    (a smoke run)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
OUT=${FUZZ_OUT:-$ROOT/build/fuzz}
DIFF_RUNS=${RUNS:-200000}
RUNS=${RUNS:-10000000}
CLANG=${CLANG:-clang}
FLAGS="-I$ROOT/lib/core -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# The real-function table (base/real.c) and the log it reports through come with every target.
BASE="$ROOT/lib/core/base/real.c $ROOT/lib/core/base/log.c"
command -v "$CLANG" >/dev/null || { echo "fuzz: $CLANG not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
[ $# -gt 0 ] || set -- config dns pref64 diff
mkdir -p "$OUT"
for t in "$@"; do
	case $t in
	diff)
		make -s -C "$ROOT/lib" "$ROOT/build/test/vectors"
		echo "fuzz: diff, $DIFF_RUNS inputs"
		RUNS=$DIFF_RUNS FUZZ_OUT=$OUT node "$HERE/diff.mjs"
		continue ;;
	config) src="$ROOT/lib/core/config/config.c $ROOT/lib/core/addr/addr.c" ;;
	dns) src="$ROOT/lib/core/dns/wire.c $ROOT/lib/core/addr/addr.c" ;;
	pref64) src="$ROOT/lib/core/prefix/pref64file.c $ROOT/lib/core/config/config.c $ROOT/lib/core/addr/addr.c" ;;
	*) echo "fuzz: unknown target $t (config, dns, pref64, diff)" >&2; exit 2 ;;
	esac
	# shellcheck disable=SC2086
	$CLANG $FLAGS -o "$OUT/$t" "$HERE/$t.c" $src $BASE -ldl
	mkdir -p "$OUT/corpus/$t"
	echo "fuzz: $t, $RUNS runs"
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$OUT/$t" -runs="$RUNS" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
		-print_final_stats=1 -artifact_prefix="$OUT/$t-" \
		"$OUT/corpus/$t" "$HERE/corpus/$t"
done
