/* Peers that are not IPv4: what an IPv4 program is shown (docs/DESIGN.md, "Peers"). */
#include <netinet/in.h>
#include <stdatomic.h>
#include <string.h>

#include "addr/addr.h"
#include "plan/decide.h"
#include "prefix/discover.h"
#include "prefix/pref64.h"
#include "pool/pool.h"
#include "config/settings.h"
#include "prefix/known.h"
#include "calls/sockname.h"

/*
 * t64_peer_embedded returns 1 with *ip (host order) when peer sin6 is
 * inside a known NAT64 prefix and its embedded IPv4 is believable: with
 * strict (a stranger that reached an accepted socket) only a global one;
 * otherwise one the decision would itself reach through NAT64 with that
 * prefix (a reply to what the program sent). Else 0. errno preserved.
 */
int t64_peer_embedded(const struct sockaddr_in6 *sin6, int strict, uint32_t *ip)
{
	const struct t64_prefix *p;
	struct t64_decision d;

	if ((p = t64_known_prefix(sin6->sin6_addr.s6_addr, ip)) == NULL)
		return 0;
	if (strict)
		return t64_ipv4_global(*ip);
	t64_decide(t64_state()->cfg, p, *ip, ntohs(sin6->sin6_port), &d);
	return d.method == T64_NAT64;
}

/*
 * peer4_decide is t64_peer4 without the memo: the decision for one peer.
 * errno preserved. Never inlined: it is the memo's miss, and inside
 * t64_peer4 it would make every hit pay for its registers.
 */
static T64_APART uint32_t peer4_decide(const struct sockaddr_in6 *sin6,
				       int strict)
{
	uint32_t ip;

	if (t64_peer_embedded(sin6, strict, &ip))
		return ip;
	return t64_pool_get(sin6->sin6_addr.s6_addr);
}

/*
 * The thread's last answer. A datagram program reads from one peer many
 * times in a row, so the decision is made once per peer, not once per
 * recvfrom. The key is everything the answer depends on: the address, the
 * port (paths have port ranges), strictness, the discovery result and
 * the PREF64 prefix (immutable and never freed, so their addresses
 * identify them). `busy` keeps a
 * signal handler that interrupts a lookup from reading or writing a
 * half-made entry: it decides afresh instead.
 */
static __thread struct {
	uint8_t a[16];
	uint16_t port;
	uint8_t strict, valid, busy;
	const struct t64_disc *disc;
	const struct t64_prefix *pref;
	uint32_t ip;
} last __attribute__((tls_model("initial-exec")));

/*
 * t64_peer4 returns the IPv4 address (host order) an IPv4 program is shown
 * for a peer sin6 that is not ::ffff:x: the IPv4 embedded in a known NAT64
 * prefix when it is believable, else the stand-in. Believable: with strict
 * (a peer that reached an accepted socket: a stranger) only a global IPv4
 * (never 127.0.0.1, 10.x, ...); otherwise an address the decision would
 * itself reach through NAT64 with that prefix (a reply to what the program
 * sent; loopback, special, `local` and non-global-in-64:ff9b::/96 are not).
 * The stand-in comes from the pool (pool.c): kept for good, so the memo
 * never goes stale. errno preserved.
 */
uint32_t t64_peer4(const struct sockaddr_in6 *sin6, int strict)
{
	const struct t64_disc *disc = t64_discovered(0);
	const struct t64_prefix *pref = t64_pref64_peek();
	uint32_t ip;

	if (last.busy)
		return peer4_decide(sin6, strict);
	last.busy = 1;
	atomic_signal_fence(memory_order_seq_cst);
	if (last.valid && last.disc == disc && last.pref == pref &&
	    last.strict == !!strict &&
	    last.port == sin6->sin6_port &&
	    memcmp(last.a, sin6->sin6_addr.s6_addr, 16) == 0) {
		ip = last.ip;
	} else {
		ip = peer4_decide(sin6, strict);
		memcpy(last.a, sin6->sin6_addr.s6_addr, 16);
		last.port = sin6->sin6_port;
		last.strict = !!strict;
		last.disc = disc;
		last.pref = pref;
		last.ip = ip;
		last.valid = 1;
	}
	atomic_signal_fence(memory_order_seq_cst);
	last.busy = 0;
	return ip;
}
