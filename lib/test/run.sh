#!/bin/sh
# Runs every C test of lib/ (as root: network namespaces). Called by
# `make -C lib test` with LIB, SMALLTAB, TBIN, TESTDATA, SANITIZE, VALGRIND,
# CC set. Prints one line per test and finally "N passed, M failed".
#
# The tests are the rows of lib/test/cases/PROGRAM.cases, one table per test
# program, each row
#   name | setup | environment | case and arguments | checks
# - setup: `host` (no namespace), or words naming functions of setups.sh run
#   in order inside a fresh network and mount namespace;
# - environment: VAR=VALUE words on top of LD_PRELOAD=the library,
#   TNAT64_CONF_FILE=/nonexistent/tnat64.conf, TNAT64_DISCOVERY=0; the word
#   LEAKS turns leak checks on under SANITIZE=1 or VALGRIND=1;
# - case and arguments: given to build/test/PROGRAM, or a command of its own
#   when the first word is an absolute path, a file in $T or `node`;
# - checks (optional): `label: check args` items separated by `;`, each
#   one of the check functions below, on the case's output and files;
# - a name starting with [guard] runs only when guard_GUARD succeeds;
# - a row holding {prefix}, {ipv4}, {ipv6} runs once per RFC 6052 vector of
#   testdata/rfc6052.tsv that the `net` namespace routes.
# Words are shell words: $T (scratch directory), $F (fixtures/), $D, $P and
# the other variables set below expand; quotes group.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
PASS=0
FAIL=0
# Only what a row sets reaches the library.
for v in $(env | sed -n 's/^\(TNAT64_[A-Za-z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
export T HERE TBIN LIB

PRE="$LIB"
WRAP=""
LEAK_ENV=""
LEAK_WRAP=""
if [ "${SANITIZE:-}" = 1 ]; then
	ASAN_LIBS="$($CC -print-file-name=libasan.so) $($CC -print-file-name=libubsan.so)"
	PRE="$ASAN_LIBS $LIB"
	export ASAN_OPTIONS=detect_leaks=0
	LEAK_ENV=ASAN_OPTIONS=detect_leaks=1
fi
if [ "${VALGRIND:-}" = 1 ]; then
	WRAP="valgrind -q --error-exitcode=99"
	LEAK_WRAP="--leak-check=full --errors-for-leak-kinds=definite,indirect"
fi

# Names the tables use.
F=$HERE/fixtures
D=198.51.100.7
P=TNAT64_PREFIX=64:ff9b:1::/96
NP=TNAT64_PREFIX=64:ff9b::/96
BIN=$HERE/../../dist/src/cli/bin.js
CTOR_PRE="${ASAN_LIBS:-} $TBIN/ctor.so $LIB"
SMALL_PRE="${ASAN_LIBS:-} $SMALLTAB"
SECURE_ENV="LD_PRELOAD= TNAT64_PREFIX=64:ff9b:1::/96 TNAT64_DEBUG=2 TNAT64_DEBUG_FILE=$T/dbg/secure.log"
N=1000
[ "${VALGRIND:-}" = 1 ] && N=100

# record NAME STATUS: adds the "N passed, M failed" of $T/out to the totals;
# a non-zero exit without a failed check counts as one failure.
record() {
	counts=$(tail -n 1 "$T/out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
	p=${counts% *}
	f=${counts#* }
	[ -n "$counts" ] || { p=0; f=0; }
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	PASS=$((PASS + p))
	FAIL=$((FAIL + f))
	if [ "$f" -eq 0 ]; then
		echo "ok   $1 ($p)"
	else
		echo "FAIL $1 ($p passed, $f failed, exit $2)"
		sed 's/^/     /' "$T/err"
	fi
}

# check NAME CONDITION-COMMAND...: one assertion made by the runner itself.
check() {
	what=$1
	shift
	if "$@"; then
		PASS=$((PASS + 1))
		echo "ok   $what"
	else
		FAIL=$((FAIL + 1))
		echo "FAIL $what"
	fi
}

# The checks of the tables' last column.
stderr_count() { test "$(grep -c -- "$1" "$T/err")" -eq "$2"; }
stderr_lines() { test "$(wc -l <"$T/err")" -eq "$1"; }
stdout_lines() { test "$(wc -l <"$T/out")" -eq "$1"; }
nonempty() { test -s "$1"; }
absent() { test ! -e "$1"; }
# discovered PREFIX: `tnat64 discover --json` on stdout found PREFIX alone.
discovered() {
	python3 -c 'import json, sys; sys.exit([p["prefix"] for p in json.load(open(sys.argv[1]))["prefixes"]] != [sys.argv[2]])' \
		"$T/out" "$1"
}

# The guards of [guard] rows: 0 runs the row, else the reason it is skipped.
guard_dist() { [ -e "$BIN" ] || echo "dist/ not built"; }
guard_setcap() { [ -x "$T/cap" ] || echo "no setcap, or no xattrs on $T"; }
guard_fd_limit() {
	(ulimit -n 140000) 2>/dev/null ||
		echo "the fd limit cannot be raised past $(ulimit -Hn) here: no CAP_SYS_RESOURCE"
}

# trim TEXT: TEXT without the spaces around it.
trim() {
	printf '%s' "$1" | sed 's/^ *//; s/ *$//'
}

# run_case PROGRAM NAME SETUP ENVIRONMENT COMMAND CHECKS: one row. Its stdin
# is /dev/null, never the table being read.
run_case() {
	prog=$1 name=$2 setup=$3 vars=$4 cmd=$5 checks=$6
	case $name in
	"["*"] "*)
		guard=${name%%]*}
		guard=${guard#[}
		name=${name#*] }
		why=$("guard_$guard")
		if [ -n "$why" ]; then
			echo "skip $name ($why)"
			return
		fi
		;;
	esac
	case $vars in
	*LEAKS*)
		vars=$(printf '%s' "$vars" | sed "s/\bLEAKS\b/$LEAK_ENV/")
		wrap="$WRAP $LEAK_WRAP"
		;;
	*) wrap=$WRAP ;;
	esac
	case $cmd in
	/* | \$T/* | node\ *) run=$cmd ;;
	*) run="$wrap $TBIN/$prog $cmd" ;;
	esac
	eval "set -- env LD_PRELOAD=\"\$PRE\" TNAT64_CONF_FILE=/nonexistent/tnat64.conf TNAT64_DISCOVERY=0 $vars $run"
	if [ "$setup" = host ]; then
		timeout "$LIMIT" "$@" </dev/null >"$T/out" 2>"$T/err"
	else
		# shellcheck disable=SC2016
		timeout "$LIMIT" unshare -mn sh -c '. "$1/setups.sh" && VIA= && for s in $2; do "setup_$s" || exit 3; done && shift 2 && exec $VIA "$@"' \
			sh "$HERE" "$setup" "$@" </dev/null >"$T/out" 2>"$T/err"
	fi
	status=$?
	if [ $status -eq 77 ]; then
		echo "skip $name (not possible here: $(head -n 1 "$T/err"))"
		return
	fi
	record "$name" $status
	[ -n "$checks" ] || return 0
	rest=$checks
	while [ -n "$rest" ]; do
		item=${rest%%;*}
		[ "$item" = "$rest" ] && rest= || rest=${rest#*;}
		item=$(trim "$item")
		label=${item%%:*}
		eval "check \"\$name: \$label\" ${item#*: }"
	done
}

# vectors: the RFC 6052 vectors the `net` namespace routes (2001:db8::/32 and
# 64:ff9b:1::/96), IPv4 unicast only.
vectors() {
	awk -F '\t' '!/^#/ && NF == 3 && $2 != "0.0.0.0" && $2 != "255.255.255.255" &&
		($3 ~ /^2001:db8:/ || $1 == "64:ff9b:1::/96") { print $1, $2, $3 }' "$TESTDATA/rfc6052.tsv"
}

# run_table PROGRAM: every row of cases/PROGRAM.cases.
run_table() {
	while IFS='|' read -r r_name r_setup r_vars r_cmd r_checks; do
		case $r_name in '#'* | '') continue ;; esac
		r_name=$(trim "$r_name")
		r_setup=$(trim "$r_setup")
		r_vars=$(trim "$r_vars")
		r_cmd=$(trim "$r_cmd")
		r_checks=$(trim "${r_checks:-}")
		eval "r_name=\"$r_name\""
		case "$r_name$r_vars$r_cmd" in
		*"{prefix}"*)
			vectors >"$T/vectors"
			while read -r pfx v4 v6; do
				sub="s|{prefix}|$pfx|g; s|{ipv4}|$v4|g; s|{ipv6}|$v6|g"
				run_case "$1" "$(echo "$r_name" | sed "$sub")" "$r_setup" "$(echo "$r_vars" | sed "$sub")" \
					"$(echo "$r_cmd" | sed "$sub")" "$r_checks"
			done <"$T/vectors"
			;;
		*) run_case "$1" "$r_name" "$r_setup" "$r_vars" "$r_cmd" "$r_checks" ;;
		esac
	done <"$HERE/cases/$1.cases"
}

# Files the rows name that depend on this run (times, $T, the kernel).
fixtures() {
	mkfifo "$T/fifo" "$T/pref64.fifo"
	ln -s "$T/target" "$T/link.log"
	now=$(date +%s)
	printf '# test\n2001:db8:122::/48 %s eth0 fe80::1\n' $((now + 600)) >"$T/pref64"
	printf '2001:db8:65::/96 %s eth0 fe80::1\n2001:db8:122::/48 %s - -\n' $((now - 1)) $((now + 600)) >"$T/pref64.second"
	printf '2001:db8:122::/48 %s eth0 fe80::1\n' $((now - 1)) >"$T/pref64.old"
	printf '2001:db8:122::/48 %s eth0\n' $((now + 600)) >"$T/pref64.bad"
	{ cat "$T/pref64"; head -c 4096 /dev/zero | tr '\0' '#'; } >"$T/pref64.big"
	ln -s "$T/pref64" "$T/pref64.link"
	mkdir "$T/pref64.dir" "$T/live"
	echo "2001:db8:64::/96 $((now + 3600)) lo fe80::1" >"$T/pref64-64"
	# Programs that run with AT_SECURE for nobody: setuid, a file capability.
	mkdir -p "$T/dbg" "$T/capdir"
	chmod 755 "$T"
	chmod 1777 "$T/dbg"
	chmod 711 "$T/capdir"
	cp "$TBIN/hooks" "$T/plain"
	cp "$TBIN/hooks" "$T/suid" && chmod 4755 "$T/suid"
	command -v setcap >/dev/null && cp "$TBIN/hooks" "$T/cap" &&
		setcap cap_net_raw+ep "$T/cap" 2>/dev/null || rm -f "$T/cap"
	cp "$TBIN/standin" "$T/capdir/standin" && chmod 755 "$T/capdir/standin" &&
		setcap cap_net_bind_service+ep "$T/capdir/standin" 2>/dev/null
}

# The bound on any one case: nothing may hang.
LIMIT=120
[ "${VALGRIND:-}" = 1 ] && LIMIT=900
fixtures
for table in ${TABLES:-vectors hooks signals resolve udp mapped lifecycle standin options names robust fdstate pref64 secure}; do
	# The setuid copies cannot carry the sanitizers' or valgrind's preloads.
	[ $table = secure ] && [ -n "${SANITIZE:-}${VALGRIND:-}" ] && continue
	run_table $table
done

# Fuzzing smoke run (npm run fuzz runs 10 million): the configuration parser,
# the DNS answer and PREF64 readers, 20 000 inputs each, from the seeds.
if [ -z "${SANITIZE:-}${VALGRIND:-}" ]; then
	if command -v clang >/dev/null; then
		fuzz_smoke() {
			# The differential target needs the built TypeScript parser.
			targets="config dns pref64"
			[ -e "$HERE/../../dist/src/core/config.js" ] && targets="$targets diff"
			# shellcheck disable=SC2086
			RUNS=20000 FUZZ_OUT="$T/fuzz" sh "$HERE/../../fuzz/run.sh" $targets >"$T/out" 2>"$T/err" ||
				{ tail -n 30 "$T/err"; return 1; }
		}
		check "fuzz smoke, config and dns (20000 runs each)" fuzz_smoke
	else
		echo "skip fuzz smoke (no clang)"
	fi
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
