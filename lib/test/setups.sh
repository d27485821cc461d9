# The namespaces the C tests run in, one function per word of a case table's
# setup column (lib/test/cases/*.cases). Sourced by run.sh's runner inside a
# fresh network and mount namespace, before it execs the test program; T is
# the run's scratch directory, HERE this folder. A function may set VIA, a
# command the program is then started through.
# shellcheck shell=sh

# wait_ready FILE: a server started in the background is listening.
wait_ready() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "$1" ]
}

# resolv FILE: FILE becomes this namespace's /etc/resolv.conf.
resolv() {
	mount --bind "$1" /etc/resolv.conf
}

setup_lo() {
	ip link set lo up
}

# An IPv6-only host: the test prefixes and the documentation space are local.
setup_net() {
	setup_lo &&
		ip -6 route add local 64:ff9b:1::/96 dev lo &&
		ip -6 route add local 2001:db8::/32 dev lo
}

# An IPv4 address too: 192.0.2.1 on lo.
setup_v4() {
	setup_lo && ip addr add 192.0.2.1/24 dev lo
}

# An IPv4 host with a broadcast and multicast capable link (d0, 192.0.2.1).
setup_v4link() {
	setup_net &&
		ip link add d0 type veth peer name d1 && ip link set d1 up &&
		ip addr add 192.0.2.1/24 brd 192.0.2.255 dev d0 && ip link set d0 up &&
		ip route add 224.0.0.0/4 dev d0
}

# The prefix leads to a neighbour that never answers: a NAT64 connect fails
# with EHOSTUNREACH some 0.2 s after EINPROGRESS; IPv4 (192.0.2.1) works.
setup_dead() {
	setup_v4 &&
		ip link add d0 type veth peer name d1 && ip link set d1 up && ip link set d0 up &&
		sysctl -qw net.ipv6.neigh.d0.mcast_solicit=1 net.ipv6.neigh.d0.retrans_time_ms=200 &&
		ip -6 addr add 2001:db8:1::1/64 dev d0 nodad &&
		ip -6 route add 64:ff9b:1::/96 via 2001:db8:1::99 dev d0
}

setup_nonlocal() {
	sysctl -qw net.ipv6.ip_nonlocal_bind=1
}

setup_nov6() {
	setup_lo &&
		sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
			net.ipv6.conf.lo.disable_ipv6=1
}

# No AF_INET6 socket can be made (a seccomp filter, lib/test/noinet6.c).
setup_noinet6() {
	VIA="$TBIN/noinet6"
}

# A recorded DNS64 on 127.0.0.1 (lib/test/dns.py); the options go to it.
dns64() {
	rm -f "$T/ready"
	setup_net && resolv "$HERE/fixtures/local-ns.resolv" || return 1
	python3 "$HERE/dns.py" "$@" "$T/ready" 300 2001:db8:122:344:c0:0:aa00:0 2001:db8:122:344:c0:0:ab00:0 &
	wait_ready "$T/ready"
}
setup_dns64() { dns64; }
# An answer of 600 bytes, over UDP, without TC.
setup_dns64_big() { dns64 --pad=20; }
# The answer comes after 1.5 s.
setup_dns64_slow() { dns64 --delay=1.5; }

# silent FILE ADDRESS...: nameservers that never answer.
silent() {
	rm -f "$T/ready" "$T/asked"
	resolv "$1" || return 1
	shift
	timeout 30 python3 "$HERE/silent_dns.py" "$T/ready" "$T/asked" "$@" &
	wait_ready "$T/ready"
}
# Three of them, the most glibc's resolv.conf holds.
setup_mute3() {
	setup_net && silent "$HERE/fixtures/three-ns.resolv" 127.0.0.1 127.0.0.2 127.0.0.3
}
# One, on an IPv4 host; $T/asked appears once the first query came.
setup_silent() {
	setup_v4 && silent "$HERE/fixtures/local-ns-2s.resolv" 127.0.0.1
}

# A nameserver that is not there.
setup_nodns() {
	setup_net && resolv "$HERE/fixtures/local-ns.resolv"
}

# The resolve program's own lookups: it rewrites this resolv.conf itself.
setup_rnet() {
	: >"$T/rnet.resolv"
	setup_lo && resolv "$T/rnet.resolv"
}
setup_rnet_v4() {
	setup_rnet && ip addr add 192.0.2.1/24 dev lo
}
# 192.0.2.53 answers at its NAT64 address 2001:db8:64::c000:235,
# 192.0.2.99 (::c000:263) stays silent (lib/test/resolver.py).
setup_rserve() {
	rm -f "$T/ready"
	setup_rnet &&
		ip -6 addr add 2001:db8:64::c000:235/128 dev lo &&
		ip -6 addr add 2001:db8:64::c000:263/128 dev lo || return 1
	python3 "$HERE/resolver.py" "$T/ready" "$T/dnslog" 2001:db8:64::c000:235 2001:db8:64::c000:263 &
	wait_ready "$T/ready"
}

# Names without DNS: a private /etc/hosts, "hosts: files"; no IPv4 address
# but loopback and one global IPv6 address, so glibc's AI_ADDRCONFIG drops
# A answers.
setup_names() {
	setup_net &&
		ip -6 addr add 3fff::1/64 dev lo &&
		mount --bind "$HERE/fixtures/names.hosts" /etc/hosts &&
		mount --bind "$HERE/fixtures/hosts-files.nsswitch" /etc/nsswitch.conf &&
		resolv "$HERE/fixtures/names.resolv"
}
# The own resolver: an IPv4-only nameserver, reachable only through NAT64.
setup_own_dns() {
	rm -f "$T/ready"
	setup_net &&
		mount --bind "$HERE/fixtures/names.hosts" /etc/hosts &&
		mount --bind "$HERE/fixtures/hosts-dns.nsswitch" /etc/nsswitch.conf &&
		resolv "$HERE/fixtures/v4-nameserver.resolv" || return 1
	python3 "$HERE/names_dns.py" "$T/ready" 64:ff9b:1::c633:6435 &
	wait_ready "$T/ready"
}

# A setuid or setcap program: LD_PRELOAD does not reach it, so a private
# /etc (an overlay) loads the library from ld.so.preload and holds the
# system configuration; the program runs as nobody. 77: no overlayfs here.
setup_etc_overlay() {
	rm -rf "$T/up" "$T/work" "$T/dbg/secure.log"
	mkdir -p "$T/up" "$T/work" &&
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/up,workdir=$T/work" /etc || exit 77
	echo "$LIB" >/etc/ld.so.preload &&
		echo "nat64_prefix = 2001:db8:122::/48" >/etc/tnat64.conf &&
		VIA="setpriv --reuid=65534 --regid=65534 --clear-groups"
}
