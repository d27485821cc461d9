#include "base/clock.h"
#include "plan/bcast.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdatomic.h>

#include <stddef.h>

#include "base/common.h"
#include "base/hold.h"

/*
 * The subnet broadcast addresses of the host's IPv4 interfaces (host
 * order), as last read by getifaddrs. Entries are single atomic words: a
 * reader racing a refresh sees an older or a newer address, both real.
 */
static _Atomic uint32_t addrs[T64_BCAST_MAX];
static atomic_uint count;
static atomic_uint stamp; /* t64_now() of the last refresh, 0: never */

/*
 * add stores the broadcast addresses of interface address i at addrs[n]
 * on: the interface's own (`brd`), and its subnet's all-ones address,
 * which the kernel always routes as broadcast for prefixes shorter than
 * /31. Needs room for two. Returns the new count.
 */
static unsigned add(const struct ifaddrs *i, unsigned n)
{
	const struct sockaddr_in *a = (const void *)i->ifa_addr;
	const struct sockaddr_in *m = (const void *)i->ifa_netmask;
	const struct sockaddr_in *b = (const void *)i->ifa_broadaddr;
	uint32_t host;

	if (a == NULL || a->sin_family != AF_INET ||
	    (i->ifa_flags & IFF_LOOPBACK))
		return n;
	if ((i->ifa_flags & IFF_BROADCAST) && b != NULL &&
	    b->sin_addr.s_addr != 0)
		atomic_store_explicit(&addrs[n++], ntohl(b->sin_addr.s_addr),
				      memory_order_relaxed);
	host = m != NULL ? ~ntohl(m->sin_addr.s_addr) : 0;
	if (host > 1)
		atomic_store_explicit(&addrs[n++],
				      ntohl(a->sin_addr.s_addr) | host,
				      memory_order_relaxed);
	return n;
}

/* This thread's hold on reading the interface list. */
static __thread struct t64_hold hold T64_TLS;

/*
 * refresh reads the interfaces' broadcast addresses again (getifaddrs: a
 * netlink socket and an allocation, so never on a send path). Not again
 * below itself on one thread (a signal handler interrupting it). Returns
 * nothing; errno preserved.
 */
static __attribute__((noinline)) void refresh(void)
{
	struct t64_mark *mk = T64_MARK();
	struct ifaddrs *list, *i;
	unsigned n = 0;
	int saved = errno;

	if (!t64_hold_take(&hold, mk, 5000))
		return;
	if (getifaddrs(&list) == 0) {
		for (i = list; i != NULL && n + 2 <= T64_BCAST_MAX;
		     i = i->ifa_next)
			n = add(i, n);
		freeifaddrs(list);
	}
	atomic_store_explicit(&count, n, memory_order_release);
	atomic_store_explicit(&stamp, t64_now(), memory_order_release);
	t64_hold_drop(&hold, mk);
	errno = saved;
}

/*
 * t64_bcast_refresh reads the list again when it is older than
 * T64_BCAST_TTL seconds (or was never read). Called where allocation is
 * fine: socket(AF_INET, SOCK_DGRAM), setsockopt(SO_BROADCAST). errno
 * preserved.
 */
void t64_bcast_refresh(void)
{
	unsigned s = atomic_load_explicit(&stamp, memory_order_acquire);

	if (s == 0 || t64_now() - s > T64_BCAST_TTL)
		refresh();
}

/*
 * t64_bcast_is returns 1 when ip (host order) is the subnet broadcast
 * address of one of the host's IPv4 interfaces as last read, else 0.
 * Atomic loads only; errno preserved.
 */
int t64_bcast_is(uint32_t ip)
{
	unsigned n = atomic_load_explicit(&count, memory_order_acquire);

	for (unsigned k = 0; k < n; k++)
		if (atomic_load_explicit(&addrs[k], memory_order_relaxed) == ip)
			return 1;
	return 0;
}
