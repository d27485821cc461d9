#!/bin/sh
# Runs every C test of lib/ (as root: network namespaces). Called by
# `make -C lib test` with LIB, TBIN, TESTDATA, SANITIZE, VALGRIND, CC set.
# Prints one line per test program and finally "N passed, M failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
PASS=0
FAIL=0

PRE="$LIB"
WRAP=""
if [ "${SANITIZE:-}" = 1 ]; then
	PRE="$($CC -print-file-name=libasan.so) $($CC -print-file-name=libubsan.so) $LIB"
	export ASAN_OPTIONS=detect_leaks=0
fi
if [ "${VALGRIND:-}" = 1 ]; then
	WRAP="valgrind -q --error-exitcode=99"
fi

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
	name=$1
	shift
	if "$@"; then
		PASS=$((PASS + 1))
		echo "ok   $name"
	else
		FAIL=$((FAIL + 1))
		echo "FAIL $name"
	fi
}

NET="ip link set lo up && ip -6 route add local 64:ff9b:1::/96 dev lo && ip -6 route add local 2001:db8::/32 dev lo"

# hook NAME SETUP [VAR=VALUE...] -- CASE ARGS...: runs the hooks program
# under the library in a fresh network namespace prepared by SETUP.
hook() {
	name=$1
	setup=$2
	shift 2
	vars=""
	while [ "$1" != "--" ]; do
		vars="$vars $1"
		shift
	done
	shift
	# shellcheck disable=SC2086
	unshare -n sh -c "$setup"' && exec "$@"' sh env LD_PRELOAD="$PRE" \
		TNAT64_CONF_FILE=/nonexistent/tnat64.conf TNAT64_DISCOVERY=0 $vars \
		$WRAP "$TBIN/${PROG:-hooks}" "$@" >"$T/out" 2>"$T/err"
	record "$name" $?
}

# 1. Vectors shared with the TypeScript half.
$WRAP "$TBIN/vectors" "$TESTDATA" >"$T/out" 2>"$T/err"
record vectors $?

P=TNAT64_PREFIX=64:ff9b:1::/96
D=198.51.100.7

# 2. Hook paths.
hook flags "$NET" $P -- flags
hook names "$NET" $P -- names $D
hook errors "$NET" $P -- errors
hook nonblock "$NET" $P -- nonblock $D
hook server "$NET" $P -- server
hook threads "$NET" $P -- threads $D
hook fork "$NET" $P -- fork $D
hook "fast open" "$NET" $P -- fastopen $D 64:ff9b:1::c633:6407
hook "bound sockets" "$NET" $P -- bound $D

# 3. All six prefix lengths (RFC 6052 §2.4 table: 192.0.2.33 in each) and
#    the /96 used above.
SIX="2001:db8::/32 2001:db8:c000:221::
2001:db8:100::/40 2001:db8:1c0:2:21::
2001:db8:122::/48 2001:db8:122:c000:2:2100::
2001:db8:122:300::/56 2001:db8:122:3c0:0:221::
2001:db8:122:344::/64 2001:db8:122:344:c0:2:2100:0
2001:db8:122:344::/96 2001:db8:122:344::c000:221"
while read -r pfx want; do
	hook "nat64 $pfx" "$NET" TNAT64_PREFIX="$pfx" -- nat64 192.0.2.33 "$want"
done <<LENGTHS
$SIX
64:ff9b:1::/96 64:ff9b:1::c000:221
LENGTHS
hook "nat64 twice, loopback stays IPv4" "$NET" $P -- nat64 $D 64:ff9b:1::c633:6407 $D 64:ff9b:1::c633:6407 127.0.0.1 ::ffff:127.0.0.1

# 4. Fallback: IPv4 address, no IPv6 route for the prefix.
hook "fallback to IPv4" "ip link set lo up && ip addr add 192.0.2.1/24 dev lo" \
	TNAT64_PREFIX=2001:db8:122::/48 -- nat64 192.0.2.1 ::ffff:192.0.2.1 192.0.2.1 ::ffff:192.0.2.1

hook "remembered method, both fallbacks" "ip link set lo up && ip addr add 192.0.2.1/24 dev lo" \
	TNAT64_PREFIX=2001:db8:122::/48 -- memo 192.0.2.1 2001:db8:122:c000:2:100::

# 5. No prefix, no IPv4 route: fast ENETUNREACH, one message for 10 connects.
hook "no prefix" "ip link set lo up" -- unreachable 203.0.113.2 10
check "no prefix: one message" test "$(grep -c 'no NAT64 prefix' "$T/err")" -eq 1

hook "invalid TNAT64_PREFIX ignored" "ip link set lo up" TNAT64_PREFIX=64:ff9b::/33 -- unreachable 203.0.113.2 3
check "invalid TNAT64_PREFIX: reported once" test "$(grep -c '^tnat64: TNAT64_PREFIX=' "$T/err")" -eq 1

# 6. A constructor of another library uses the hooks before anything else.
PRE_SAVED=$PRE
PRE="${PRE% *} $TBIN/ctor.so $LIB"
[ "$PRE_SAVED" = "$LIB" ] && PRE="$TBIN/ctor.so $LIB"
hook "constructor" "$NET" $P -- ctor
PRE=$PRE_SAVED

# 7. Configuration file named by TNAT64_CONF_FILE: path prefix and default.
cat >"$T/my.conf" <<CONF
# test configuration
nat64_prefix = 64:ff9b:1::/96
local = 10.0.0.0/255.0.0.0
path {
	subnet = 198.51.100.0:1-65535/24
	nat64_prefix = 2001:db8:122::/48
}
CONF
hook "config file" "$NET" TNAT64_CONF_FILE="$T/my.conf" -- nat64 \
	$D 2001:db8:122:c633:64:700:: 203.0.113.9 64:ff9b:1::cb00:7109

# 8. An invalid file is ignored as a whole, reported once.
cat >"$T/bad.conf" <<CONF
path {
	subnet = 198.51.100.0/24
	nat64_prefix = 2001:db8:122::/48
}
nat64_prefix = 64:ff9b::/33
CONF
hook "invalid config" "$NET" TNAT64_CONF_FILE="$T/bad.conf" $P -- nat64 \
	$D 64:ff9b:1::c633:6407 $D 64:ff9b:1::c633:6407
check "invalid config: one message" test "$(wc -l <"$T/err")" -eq 1

# 9. Debug file: written, nothing on stdout but the result line; a symlink
#    is not followed.
hook "debug file" "$NET" $P TNAT64_DEBUG=2 TNAT64_DEBUG_FILE="$T/debug.log" -- nat64 $D 64:ff9b:1::c633:6407
check "debug file written" test -s "$T/debug.log"
check "debug: stdout clean" test "$(wc -l <"$T/out")" -eq 1
ln -s "$T/target" "$T/link.log"
hook "debug symlink" "$NET" $P TNAT64_DEBUG=1 TNAT64_DEBUG_FILE="$T/link.log" -- nat64 $D 64:ff9b:1::c633:6407
check "debug symlink not followed" test ! -e "$T/target"

# 9b. A FIFO as the configuration or the debug file: opening one waits for
#     its other end, so the library must not open it that way. The
#     configuration is ignored (reported once), the log goes to stderr.
mkfifo "$T/fifo"
WRAP_SAVED=$WRAP
WRAP="timeout 20 $WRAP"
hook "config FIFO: no hang, ignored" "$NET" TNAT64_CONF_FILE="$T/fifo" $P -- nat64 $D 64:ff9b:1::c633:6407
check "config FIFO: one message" test "$(wc -l <"$T/err")" -eq 1
hook "debug FIFO: no hang" "$NET" $P TNAT64_DEBUG=1 TNAT64_DEBUG_FILE="$T/fifo" -- nat64 $D 64:ff9b:1::c633:6407
check "debug FIFO: the log goes to stderr" test -s "$T/err"
WRAP=$WRAP_SAVED

# 10. RFC 7050 discovery through the nameservers of resolv.conf (a private
#     /etc/resolv.conf in a private mount namespace, a recorded DNS64 answer).
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$T/resolv.conf"
DNS="$NET && mount --bind $T/resolv.conf /etc/resolv.conf && { python3 $HERE/dns.py $T/ready 300 2001:db8:122:344:c0:0:aa00:0 2001:db8:122:344:c0:0:ab00:0 & } && for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do [ -e $T/ready ] && break; sleep 0.1; done"
unshare_n=$(command -v unshare)
unshare() { "$unshare_n" -m "$@"; }
hook "discovery" "$DNS" TNAT64_DISCOVERY=1 -- nat64 $D 2001:db8:122:344:c6:3364:700:0
rm -f "$T/ready"
hook "discovery disabled" "$DNS" TNAT64_DISCOVERY=0 -- unreachable 203.0.113.2 2
# A UDP answer longer than 512 bytes without TC (20 AAAA records that embed no
# well-known address come first): the library reads the whole datagram and
# finds the prefix `tnat64 discover` finds.
rm -f "$T/ready"
BIG="$(echo "$DNS" | sed 's|dns.py |dns.py --pad=20 |')"
hook "discovery: a 600-byte UDP answer (no TC)" "$BIG" TNAT64_DISCOVERY=1 -- nat64 $D 2001:db8:122:344:c6:3364:700:0
if [ -e "$HERE/../../dist/src/cli/bin.js" ]; then
	rm -f "$T/ready"
	"$unshare_n" -mn sh -c "$BIG"' && exec node "$0" discover --json' "$HERE/../../dist/src/cli/bin.js" \
		>"$T/discover.json" 2>"$T/err"
	check "discovery: tnat64 discover finds the same prefix in the 600-byte answer" \
		python3 -c 'import json, sys; sys.exit([p["prefix"] for p in json.load(open(sys.argv[1]))["prefixes"]] != [sys.argv[2]])' \
		"$T/discover.json" 2001:db8:122:344::/64
else
	echo "skip tnat64 discover on the 600-byte answer (dist/ not built)"
fi
unset -f unshare

# 10a. Signals and non-local exits (lib/test/signals.c): a connect abandoned by
#      siglongjmp from a SIGALRM handler while discovery waits for a DNS64 that
#      answers after 1.5 s; hooks in a signal handler while the interrupted
#      code is inside the library; the bound on waiting for another thread's
#      discovery (three nameservers that never answer: 12 s).
PROG=signals
rm -f "$T/ready"
SLOW="$(echo "$DNS" | sed 's|dns.py |dns.py --delay=1.5 |')"
unshare() { "$unshare_n" -m "$@"; }
hook "siglongjmp out of discovery: the same thread connects again" "$SLOW" TNAT64_DISCOVERY=1 -- \
	longjmp $D 2001:db8:122:344:c6:3364:700:0 self
rm -f "$T/ready"
hook "siglongjmp out of discovery: another thread does not wait it out" "$SLOW" TNAT64_DISCOVERY=1 -- \
	longjmp $D 2001:db8:122:344:c6:3364:700:0 other
printf 'nameserver 127.0.0.1\nnameserver 127.0.0.2\nnameserver 127.0.0.3\n' >"$T/resolv3.conf"
rm -f "$T/ready"
MUTE="$NET && mount --bind $T/resolv3.conf /etc/resolv.conf && { timeout 30 python3 -c 'import socket, time
socks = []
for a in (\"127.0.0.1\", \"127.0.0.2\", \"127.0.0.3\"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((a, 53)); socks.append(s)
open(\"$T/ready\", \"w\").close(); time.sleep(30)' & } && for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do [ -e $T/ready ] && break; sleep 0.1; done"
hook "another thread's discovery is waited for at most 6 s per connect" "$MUTE" TNAT64_DISCOVERY=1 -- \
	waitbound 203.0.113.2
unset -f unshare
hook "hooks in a signal handler translate while the library is busy" "$NET" $P TNAT64_DEBUG=1 \
	TNAT64_DEBUG_FILE=/dev/null -- handler $D
PROG=hooks

# 10b. Lookups of our own through the NAT64 to IPv4-only nameservers
#      (lib/test/resolve.c, linked with the core objects): 192.0.2.53 answers
#      at its NAT64 address 2001:db8:64::c000:235, 192.0.2.99 (::c000:263)
#      stays silent; resolve.c rewrites the private /etc/resolv.conf.
$WRAP "$TBIN/resolve" unit >"$T/out" 2>"$T/err"
record "lookups: DNS messages read and checked" $?
# resolve6 NAME SETUP [VAR=VALUE...] -- ARGS...: runs the resolve program in
# fresh network and mount namespaces prepared by SETUP.
resolve6() {
	name=$1
	setup=$2
	shift 2
	vars=""
	while [ "$1" != "--" ]; do
		vars="$vars $1"
		shift
	done
	shift
	: >"$T/resolv.conf"
	rm -f "$T/ready"
	# shellcheck disable=SC2086
	unshare -mn sh -c "$setup"' && exec "$@"' sh env -u TNAT64_PREFIX \
		TNAT64_CONF_FILE=/nonexistent/tnat64.conf TNAT64_DISCOVERY=0 $vars \
		$WRAP "$TBIN/resolve" "$@" >"$T/out" 2>"$T/err"
	record "$name" $?
}
RNET="ip link set lo up && mount --bind $T/resolv.conf /etc/resolv.conf"
RSERVE="$RNET && ip -6 addr add 2001:db8:64::c000:235/128 dev lo && ip -6 addr add 2001:db8:64::c000:263/128 dev lo && { python3 $HERE/resolver.py $T/ready $T/dnslog 2001:db8:64::c000:235 2001:db8:64::c000:263 & } && for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do [ -e $T/ready ] && break; sleep 0.1; done"
resolve6 "lookups through NAT64: answers, search list, timeouts" "$RSERVE" \
	TNAT64_PREFIX=2001:db8:64::/96 -- lookups "$T/dnslog"
echo "2001:db8:64::/96 $(($(date +%s) + 3600)) lo fe80::1" >"$T/pref64"
resolve6 "lookups through NAT64: the PREF64 cache's prefix" "$RSERVE" \
	TNAT64_DISCOVERY=1 TNAT64_PREF64_FILE="$T/pref64" -- quick
printf 'nat64_prefix = 2001:db8:64::/96\n' >"$T/resolve.conf"
resolve6 "lookups through NAT64: the file's prefix" "$RSERVE" \
	TNAT64_CONF_FILE="$T/resolve.conf" -- quick
resolve6 "lookups not needed: no prefix" "$RNET" -- needed0
resolve6 "lookups not needed: an IPv4 route" "$RNET && ip addr add 192.0.2.1/24 dev lo" \
	TNAT64_PREFIX=2001:db8:64::/96 -- needed0

# 11. A setuid program (AT_SECURE) ignores every TNAT64_* variable and reads
#     /etc/tnat64.conf. LD_PRELOAD does not reach setuid programs, so a
#     private /etc (overlay, private mount namespace) gets ld.so.preload.
#     The same for a program with file capabilities (setcap), and the debug
#     variables too: no debug file, nothing on stderr. A plain copy run the
#     same way shows the variables would have been used.
# secure NAME FILE WANT: runs FILE (already setuid or setcap) as nobody with
# TNAT64_* set, expecting the NAT64 address WANT.
secure() {
	rm -f "$T/dbg/secure.log"
	unshare -mn sh -c "$NET"' &&
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/up,workdir=$1/work" /etc || exit 77
		echo "$2" >/etc/ld.so.preload
		echo "nat64_prefix = 2001:db8:122::/48" >/etc/tnat64.conf
		exec setpriv --reuid=65534 --regid=65534 --clear-groups env \
			TNAT64_PREFIX=64:ff9b:1::/96 TNAT64_CONF_FILE=/nonexistent \
			TNAT64_DEBUG=2 TNAT64_DEBUG_FILE="$1/dbg/secure.log" \
			"$3" nat64 198.51.100.7 "$4"' \
		sh "$T" "$LIB" "$2" "$3" >"$T/out" 2>"$T/err"
	status=$?
	if [ $status -eq 77 ]; then
		echo "skip $1 (no overlayfs here)"
		return
	fi
	record "$1" $status
}
if [ -z "${SANITIZE:-}${VALGRIND:-}" ]; then
	mkdir -p "$T/up" "$T/work" "$T/dbg"
	chmod 755 "$T"
	chmod 1777 "$T/dbg"
	cp "$TBIN/hooks" "$T/plain"
	secure "control: a plain program uses the variables" "$T/plain" 64:ff9b:1::c633:6407
	check "control: debug file written" test -s "$T/dbg/secure.log"
	cp "$TBIN/hooks" "$T/suid" && chmod 4755 "$T/suid"
	secure "AT_SECURE (setuid) ignores the environment" "$T/suid" 2001:db8:122:c633:64:700::
	check "setuid: no debug file" test ! -e "$T/dbg/secure.log"
	check "setuid: no debug output on stderr" test "$(grep -c '^tnat64: ' "$T/err")" -eq 0
	if command -v setcap >/dev/null && cp "$TBIN/hooks" "$T/cap" && setcap cap_net_raw+ep "$T/cap" 2>/dev/null; then
		secure "AT_SECURE (file capability) ignores the environment" "$T/cap" 2001:db8:122:c633:64:700::
		check "file capability: no debug file" test ! -e "$T/dbg/secure.log"
		check "file capability: no debug output on stderr" test "$(grep -c '^tnat64: ' "$T/err")" -eq 0
	else
		echo "skip file capability (no setcap, or no xattrs on $T)"
	fi
fi

# 12. UDP (lib/test/udp.c): the same namespaces, datagrams both ways.
PROG=udp
hook "udp sendto/recvfrom nat64 and loopback" "$NET" $P -- sendrecv \
	$D 64:ff9b:1::c633:6407 127.0.0.1 ::ffff:127.0.0.1
while read -r pfx want; do
	hook "udp $pfx" "$NET" TNAT64_PREFIX="$pfx" -- sendrecv 192.0.2.33 "$want"
done <<LENGTHS
$SIX
LENGTHS
hook "udp cmsg nat64" "$NET" $P -- cmsg $D 192.0.0.2
hook "udp cmsg loopback" "$NET" $P -- cmsg 127.0.0.1 127.0.0.1
hook "udp cmsg nat64 /40" "$NET" TNAT64_PREFIX=2001:db8:100::/40 -- cmsg $D 192.0.0.2
hook "udp sendmmsg/recvmmsg" "$NET" $P -- mmsg $D 64:ff9b:1::c633:6407 127.0.0.1 ::ffff:127.0.0.1
hook "udp sendmmsg/recvmmsg /64" "$NET" TNAT64_PREFIX=2001:db8:122:344::/64 -- mmsg \
	$D 2001:db8:122:344:c6:3364:700:0 127.0.0.1 ::ffff:127.0.0.1
hook "udp connected, re-connect, AF_UNSPEC, ECONNREFUSED" "$NET" $P -- connected $D 64:ff9b:1::c633:6407
# The lo route answers from ::1 itself: the offender is this host.
hook "udp IP_RECVERR nat64" "$NET" $P -- recverr $D 127.0.0.1
hook "udp IP_RECVERR loopback" "$NET" $P -- recverr 127.0.0.1
hook "udp IP_TTL/IP_TOS apply through NAT64" "$NET" $P -- sendopts $D
hook "udp TX timestamps from the error queue" "$NET" $P -- tstamp 127.0.0.1 $D
hook "udp bind 0.0.0.0:P" "$NET" $P -- bind $D 64:ff9b:1::c633:6407
hook "udp fallback to IPv4" "ip link set lo up && ip addr add 192.0.2.1/24 dev lo" \
	TNAT64_PREFIX=2001:db8:122::/48 -- sendrecv 192.0.2.1 ::ffff:192.0.2.1 192.0.2.1 ::ffff:192.0.2.1
V4NET="$NET && ip link add d0 type veth peer name d1 && ip link set d1 up && ip addr add 192.0.2.1/24 brd 192.0.2.255 dev d0 && ip link set d0 up && ip route add 224.0.0.0/4 dev d0"
hook "udp broadcast, IPv4 host" "$V4NET" $P -- bcast 192.0.2.255 255.255.255.255
hook "udp broadcast, IPv6-only host" "$NET" $P -- bcast 255.255.255.255 +192.0.2.255 +198.51.100.255
hook "udp multicast, IPv4 host" "$V4NET" $P -- mcast 239.1.2.3 192.0.2.1
hook "udp multicast, IPv6-only host" "$NET" $P -- mcast 239.1.2.3 -
hook "udp no prefix" "ip link set lo up" -- unreachable 203.0.113.2 10
check "udp no prefix: one message" test "$(grep -c 'no NAT64 prefix' "$T/err")" -eq 1
PROG=hooks

# 12b. IPv4-mapped destinations on the program's own AF_INET6 sockets
#      (lib/test/mapped.c): ::ffff:a.b.c.d goes where a.b.c.d would.
PROG=mapped
hook "mapped: TCP to ::ffff:x through NAT64, loopback stays IPv4" "$NET" $P -- tcp \
	$D 64:ff9b:1::c633:6407 127.0.0.1 ::ffff:127.0.0.1 $D 64:ff9b:1::c633:6407
hook "mapped: TCP to ::ffff:x, /40 prefix" "$NET" TNAT64_PREFIX=2001:db8:100::/40 -- tcp 192.0.2.33 2001:db8:1c0:2:21::
hook "mapped: IPV6_V6ONLY, bound to IPv6, short address: the kernel's answer" "$NET" $P -- kernel $D
hook "mapped: UDP sendto/sendmsg/sendmmsg, recvfrom/recvmsg/recvmmsg, connected" "$NET" $P -- udp \
	$D 64:ff9b:1::c633:6407
hook "mapped: fallback to IPv4, memory shared with AF_INET sockets" \
	"ip link set lo up && ip addr add 192.0.2.1/24 dev lo" \
	TNAT64_PREFIX=2001:db8:122::/48 -- memo 192.0.2.1 2001:db8:122:c000:2:100::
hook "mapped: no prefix" "ip link set lo up" -- noprefix 203.0.113.2 5
check "mapped: no prefix: one message" test "$(grep -c 'no NAT64 prefix' "$T/err")" -eq 1
hook "mapped: a stand-in reaches its IPv6 peer" "$NET" $P -- standin
PROG=hooks

# 13. Socket lifecycle (lib/test/lifecycle.c). DEAD: the prefix leads to a
#     neighbour that never answers, so a NAT64 connect fails with
#     EHOSTUNREACH some 0.2 s after EINPROGRESS; IPv4 works (192.0.2.1).
PROG=lifecycle
DEAD="ip link set lo up && ip addr add 192.0.2.1/24 dev lo && ip link add d0 type veth peer name d1 && ip link set d1 up && ip link set d0 up && sysctl -qw net.ipv6.neigh.d0.mcast_solicit=1 net.ipv6.neigh.d0.retrans_time_ms=200 && ip -6 addr add 2001:db8:1::1/64 dev d0 nodad && ip -6 route add 64:ff9b:1::/96 via 2001:db8:1::99 dev d0"
hook "async fallback seen through poll" "$DEAD" $P -- async 192.0.2.1 198.51.100.7
hook "async fallback seen through epoll" "$DEAD" $P -- epoll 192.0.2.1
PROG=mapped
hook "mapped: async fallback, non-blocking ::ffff:x connect" "$DEAD" $P -- async 192.0.2.1
PROG=lifecycle
hook "async fallback after connect() again (EALREADY)" "$DEAD" $P -- again 192.0.2.1
hook "async fallback, refused over IPv4" "$DEAD" $P -- refused 192.0.2.1
hook "blocking connect, late unreachable" "$DEAD" $P -- blocking 192.0.2.1
hook "both ways unreachable: the NAT64 attempt's EHOSTUNREACH" "$DEAD" $P -- unreach 198.51.100.7
hook "bind 0.0.0.0:P, dual-stack server peers" "$NET && sysctl -qw net.ipv6.ip_nonlocal_bind=1" $P -- bind $D 64:ff9b:1::c633:6407
hook "inherited across execve" "$NET" $P -- exec $D
PROG=hooks

# 13b. Stand-in pool and IPv4 options (lib/test/standin.c).
# pool NAME [VAR=VALUE...] -- CASE ARGS...: the pool itself, no namespace.
pool() {
	name=$1
	shift
	vars=""
	while [ "$1" != "--" ]; do
		vars="$vars $1"
		shift
	done
	shift
	# shellcheck disable=SC2086
	env TNAT64_CONF_FILE=/nonexistent/tnat64.conf TNAT64_DISCOVERY=0 $vars \
		$WRAP "$TBIN/standin" "$@" >"$T/out" 2>"$T/err"
	record "$name" $?
}
printf 'standin_pool = 198.18.0.0/24\n' >"$T/pool.conf"
pool "stand-in pool: stable, reversible, shared by fork, full" -- unit
pool "stand-in pool: names, first name wins" -- names
pool "stand-in pool: shared across exec; closed, reused, forged fd: fresh" -- exec
pool "stand-in pool: TNAT64_STANDIN_POOL=10.64.0.4/30, full after 2" \
	TNAT64_STANDIN_POOL=10.64.0.4/30 -- range 10.64.0.4 10.64.0.5 10.64.0.6
pool "stand-in pool: standin_pool = 198.18.0.0/24 in the file" \
	TNAT64_CONF_FILE="$T/pool.conf" -- range 198.18.0.0 198.18.0.1 198.18.0.254
pool "stand-in pool: TNAT64_STANDIN_POOL wins over the file" TNAT64_CONF_FILE="$T/pool.conf" \
	TNAT64_STANDIN_POOL=10.64.0.4/30 -- range 10.64.0.4 10.64.0.5 10.64.0.6
pool "stand-in pool: an invalid TNAT64_STANDIN_POOL is ignored" TNAT64_CONF_FILE="$T/pool.conf" \
	TNAT64_STANDIN_POOL=10.64.0.5/30 -- range 198.18.0.0 198.18.0.1 198.18.0.254
# A copy with a file capability runs with AT_SECURE for an unprivileged user.
mkdir "$T/capdir" && chmod 711 "$T" "$T/capdir" && cp "$TBIN/standin" "$T/capdir/standin" &&
	chmod 755 "$T/capdir/standin" && setcap cap_net_bind_service+ep "$T/capdir/standin" &&
	pool "stand-in pool: an AT_SECURE program trusts no inherited table" -- secure "$T/capdir/standin" ||
	check "stand-in pool: AT_SECURE case set up (setcap)" false
PROG=standin
hook "stand-ins: replies and TCP reach IPv6 peers" "$NET" $P -- reply
hook "stand-ins: pre-forked child and parent agree" "$NET" $P -- fork
hook "stand-ins: a program run through sh reaches the parent's" "$NET" $P -- exec-peer
hook "stand-ins: peers get the configured range" "$NET" $P TNAT64_STANDIN_POOL=10.64.0.0/24 -- reply 10.64.0.0 24
hook "stand-ins: pre-forked, configured range" "$NET" $P TNAT64_STANDIN_POOL=10.64.0.0/24 -- fork 10.64.0.0 24
hook "stand-ins: peers once the range is full" "$NET" $P TNAT64_STANDIN_POOL=10.64.0.4/30 -- peers-full 10.64.0.4 10.64.0.5
hook "IPv4 options: read back, IPv6 twins on" "$NET" $P -- opts
hook "sendmsg IPv4 cmsgs through NAT64" "$NET" $P -- cmsg $D 64:ff9b:1::c633:6407
hook "sendmsg IPv4 cmsgs over loopback" "$NET" $P -- cmsg 127.0.0.1 ::ffff:127.0.0.1
hook "own name through NAT64: 192.0.0.2" "$NET" $P -- name $D 192.0.0.2
printf 'ipv4_identity = 100.64.0.7\n' >"$T/identity.conf"
hook "own name through NAT64: ipv4_identity" "$NET" $P TNAT64_CONF_FILE="$T/identity.conf" -- name $D 100.64.0.7
PROG=hooks

# 13c. Name lookups (lib/test/names.c): a private /etc/hosts, nsswitch.conf
#      ("hosts: files") and resolv.conf in a private mount namespace, so
#      names exist without DNS. No IPv4 address but loopback, one IPv6
#      address: glibc's AI_ADDRCONFIG drops A answers there. LeakSanitizer
#      on under SANITIZE=1 (the results the library rewrites are freed by
#      the program's freeaddrinfo).
cat >"$T/names.hosts" <<HOSTS
127.0.0.1 localhost
198.51.100.10 v4only.test
198.51.100.11 dual.test
2001:db8:6::11 dual.test
2001:db8:6::6 v6only.test
2001:db8:6::7 v6only.test
64:ff9b::c000:205 synth.test
::ffff:192.0.2.77 mapped.test
2001:db8:6::51 local6.test
2001:db8:6::31 peer.test
2001:db8:6::41 thread.test
2001:db8:6::21 full1.test
2001:db8:6::22 full2.test
2001:db8:6::23 full3.test
2001:db8:6::24 mixed.test
2001:db8:6::22 mixed.test
HOSTS
printf 'hosts: files\n' >"$T/names.nss"
printf 'nameserver ::1\n' >"$T/names.resolv"
NAMES="$NET && ip -6 addr add 3fff::1/64 dev lo && mount --bind $T/names.hosts /etc/hosts && mount --bind $T/names.nss /etc/nsswitch.conf && mount --bind $T/names.resolv /etc/resolv.conf"
LEAKS=
[ "${SANITIZE:-}" = 1 ] && LEAKS=ASAN_OPTIONS=detect_leaks=1
PROG=names
unshare() { "$unshare_n" -m "$@"; }
NP=TNAT64_PREFIX=64:ff9b::/96
hook "names: AI_ADDRCONFIG keeps IPv4 answers, AAAA untouched" "$NAMES" $NP $LEAKS -- addrconfig
hook "names: IPv6-only names get stand-ins, named back" "$NAMES" $NP $LEAKS -- standin
hook "names: a peer's stand-in is named by its IPv6 reverse" "$NAMES" $NP $LEAKS -- peer
hook "names: threads agree on stand-ins" "$NAMES" $NP $LEAKS -- threads
hook "names: a stand-in reaches its IPv6 address, TCP and UDP" "$NAMES" $NP $LEAKS -- connect
hook "names: pool full -> EAI_FAIL, live mappings kept" "$NAMES" $NP $LEAKS \
	TNAT64_STANDIN_POOL=198.19.0.0/30 -- full
# The own resolver: an IPv4-only nameserver, reachable only through NAT64.
printf 'hosts: files dns\n' >"$T/names.nss-dns"
printf 'nameserver 198.51.100.53\noptions timeout:1 attempts:1\n' >"$T/names.resolv-v4"
rm -f "$T/ready"
OWN="$NET && mount --bind $T/names.hosts /etc/hosts && mount --bind $T/names.nss-dns /etc/nsswitch.conf && mount --bind $T/names.resolv-v4 /etc/resolv.conf && { python3 $HERE/names_dns.py $T/ready 64:ff9b:1::c633:6435 & } && for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do [ -e $T/ready ] && break; sleep 0.1; done"
hook "names: IPv4-only nameserver through NAT64 (own resolver)" "$OWN" $P $LEAKS -- own
unset -f unshare
PROG=hooks

# 14. Robustness (lib/test/robust.c): fork while another thread is inside a
#     hook (a NAT64 connect to a dead neighbour; a discovery query nobody
#     answers), vfork/posix_spawn children, SCM_RIGHTS, raw syscall connect,
#     no AF_INET6, 32 threads x 1000 connects.
PROG=robust
hook "fork while a thread is in a NAT64 connect" "$DEAD" $P -- forkhook 192.0.2.1
printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:1\n' >"$T/resolv.conf"
rm -f "$T/ready"
# The server never answers; it marks $T/asked once the first query came, so
# the fork happens while the thread waits for the answer (when discovery
# still used glibc's res_ninit, a fork at that moment could leave the child
# stuck on glibc's resolver lock).
rm -f "$T/asked"
SILENT="ip link set lo up && ip addr add 192.0.2.1/24 dev lo && mount --bind $T/resolv.conf /etc/resolv.conf && { timeout 15 python3 -c 'import socket, time; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((\"127.0.0.1\", 53)); open(\"$T/ready\", \"w\").close(); s.recvfrom(512); open(\"$T/asked\", \"w\").close(); time.sleep(15)' & } && for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do [ -e $T/ready ] && break; sleep 0.1; done"
unshare() { "$unshare_n" -m "$@"; }
hook "fork while a thread is in discovery" "$SILENT" TNAT64_DISCOVERY=1 -- forkhook 192.0.2.1 "$T/asked"
unset -f unshare
hook "vfork + execve and posix_spawn children" "$NET" $P -- spawn $D
hook "SCM_RIGHTS-passed sockets" "$NET" $P -- scm $D
hook "F_DUPFD, fcntl64, close_range(CLOEXEC), dup'd UDP" "$NET && sysctl -qw net.ipv6.ip_nonlocal_bind=1" $P -- dupfd $D 64:ff9b:1::c633:6407
hook "syscall(SYS_connect) bypasses the library" "$NET" $P -- rawconnect $D
hook "io_uring's IORING_OP_CONNECT bypasses the library" "$NET" $P -- iouring $D
hook "async fallback seen through the fortified poll (__poll_chk)" "$DEAD" $P -- pollchk 192.0.2.1
# fd numbers closed past the hooks, the debug file's number taken over, fds
# above the fixed table (lib/test/fdstate.c).
PROG=fdstate
hook "closefrom forgets the sockets it closes" "$NET" $P -- closefrom
hook "fclose of an fdopen'ed socket forgets it" "$NET" $P -- fclose
hook "an fd received with SCM_RIGHTS starts with no state" "$NET" $P -- received
for how in closefrom raw; do
	rm -f "$T/debug.log" "$T/own"
	hook "debug file closed by $how: the program's file on its number stays the program's" "$NET" $P TNAT64_DEBUG=2 \
		TNAT64_DEBUG_FILE="$T/debug.log" -- debugfd "$T/debug.log" "$T/own" $how
done
# The chunks above the fixed table, in the test build whose table holds 1024
# fds; with the real table too where the fd limit can be raised past 131072.
PRE_SAVED=$PRE
PRE=$(printf '%s' "$PRE" | sed "s|$LIB|$SMALLTAB|")
hook "fds above a 1024-fd table: dup2, F_DUPFD, socket, accept" "$NET" $P -- highfd $D 1024
PRE=$PRE_SAVED
if (ulimit -n 140000) 2>/dev/null; then
	hook "fds at and above 65536: dup2, F_DUPFD, socket, accept" "$NET" $P -- highfd $D 65536
else
	echo "skip fds at and above 65536 (the fd limit cannot be raised past $(ulimit -Hn) here: no CAP_SYS_RESOURCE)"
fi
PROG=robust
# No AF_INET6: a seccomp sandbox (the prefix is routed, but no socket can
# use it), and a namespace where IPv6 is disabled; and the sandbox without
# tnat64, the reference the library must equal.
NOV6="ip link set lo up && sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.lo.disable_ipv6=1"
WRAP_SAVED=$WRAP
WRAP="$TBIN/noinet6 $WRAP"
hook "no AF_INET6 (seccomp): plain IPv4" "$NET" $P -- noinet6 $D sandbox
PRE_SAVED=$PRE
PRE=""
hook "no AF_INET6 (seccomp), without tnat64" "$NET" $P -- noinet6 $D sandbox
PRE=$PRE_SAVED
WRAP=$WRAP_SAVED
hook "IPv6 disabled: plain IPv4" "$NOV6" $P -- noinet6 $D
# Leaks checked too: LeakSanitizer under SANITIZE=1, valgrind's leak check
# (fewer connects) under VALGRIND=1.
N=1000
LEAKS=
WRAP_SAVED=$WRAP
[ "${SANITIZE:-}" = 1 ] && LEAKS=ASAN_OPTIONS=detect_leaks=1
if [ "${VALGRIND:-}" = 1 ]; then
	N=100
	WRAP="$WRAP --leak-check=full --errors-for-leak-kinds=definite,indirect"
fi
hook "stress: 32 threads x $N connects, NAT64 and loopback" "$NET" $P $LEAKS -- stress $D 32 $N
WRAP=$WRAP_SAVED
PROG=hooks

# 14b. The PREF64 cache (lib/test/pref64.c): the vectors shared with the
#      TypeScript half, files the reader refuses, expiry and re-reading,
#      and connects through the cached prefix, which TNAT64_PREFIX and the
#      file's nat64_prefix override and an expired entry does not give.
$WRAP "$TBIN/pref64" vectors "$TESTDATA" >"$T/out" 2>"$T/err"
record "pref64 cache vectors" $?
# pref64_file NAME PATH WANT [VAR=VALUE]: the reader, alone, on one file.
pref64_file() {
	env TNAT64_DISCOVERY=1 ${4:-} $WRAP "$TBIN/pref64" file "$2" "$3" >"$T/out" 2>"$T/err"
	record "$1" $?
}
now=$(date +%s)
printf '# test\n2001:db8:122::/48 %s eth0 fe80::1\n' $((now + 600)) >"$T/pref64"
printf '2001:db8:65::/96 %s eth0 fe80::1\n2001:db8:122::/48 %s - -\n' $((now - 1)) $((now + 600)) >"$T/pref64.second"
printf '2001:db8:122::/48 %s eth0 fe80::1\n' $((now - 1)) >"$T/pref64.old"
printf '2001:db8:122::/48 %s eth0\n' $((now + 600)) >"$T/pref64.bad"
{ cat "$T/pref64"; head -c 4096 /dev/zero | tr '\0' '#'; } >"$T/pref64.big"
ln -s "$T/pref64" "$T/pref64.link"
mkdir "$T/pref64.dir"
mkfifo "$T/pref64.fifo"
pref64_file "pref64: a valid cache" "$T/pref64" 2001:db8:122::/48
pref64_file "pref64: the first entry expired, the second used" "$T/pref64.second" 2001:db8:122::/48
pref64_file "pref64: expired" "$T/pref64.old" none
pref64_file "pref64: malformed" "$T/pref64.bad" none
pref64_file "pref64: larger than 4096 bytes" "$T/pref64.big" none
pref64_file "pref64: absent" "$T/nonexistent" none
pref64_file "pref64: a symlink is not followed" "$T/pref64.link" none
pref64_file "pref64: a directory" "$T/pref64.dir" none
pref64_file "pref64: a FIFO, without hanging" "$T/pref64.fifo" none
pref64_file "pref64: TNAT64_DISCOVERY=0" "$T/pref64" none TNAT64_DISCOVERY=0
mkdir "$T/live"
$WRAP "$TBIN/pref64" live "$T/live" >"$T/out" 2>"$T/err"
record "pref64: expiry and re-reading" $?
hook "PREF64 cache: NAT64 through its prefix" "$NET" TNAT64_DISCOVERY=1 \
	TNAT64_PREF64_FILE="$T/pref64" -- nat64 $D 2001:db8:122:c633:64:700::
hook "PREF64 cache: TNAT64_PREFIX wins" "$NET" TNAT64_DISCOVERY=1 \
	TNAT64_PREF64_FILE="$T/pref64" $P -- nat64 $D 64:ff9b:1::c633:6407
printf 'nat64_prefix = 64:ff9b:1::/96\n' >"$T/pref64.conf"
hook "PREF64 cache: the file's nat64_prefix wins" "$NET" TNAT64_DISCOVERY=1 \
	TNAT64_PREF64_FILE="$T/pref64" TNAT64_CONF_FILE="$T/pref64.conf" -- nat64 $D 64:ff9b:1::c633:6407
# Expired: no prefix (discovery asks a nameserver that is not there).
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$T/pref64.resolv"
unshare() { "$unshare_n" -m "$@"; }
hook "PREF64 cache expired: no prefix" "$NET && mount --bind $T/pref64.resolv /etc/resolv.conf" \
	TNAT64_DISCOVERY=1 TNAT64_PREF64_FILE="$T/pref64.old" -- unreachable 203.0.113.2 3
unset -f unshare

# 15. Fuzzing smoke run (npm run fuzz runs 10 million): the configuration
#     parser and the DNS answer reader, 20 000 inputs each, from the seeds.
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
