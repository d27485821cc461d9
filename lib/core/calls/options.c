#include "calls/options.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "base/log.h"
#include "plan/bcast.h"
#include "plan/pending.h"
#include "sock/fdtab.h"

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78 /* linux/in6.h; glibc's netinet/in.h lacks it */
#endif

/*
 * twin returns the IPPROTO_IPV6 option that does for NAT64 traffic what
 * IPPROTO_IP option opt does for IPv4 traffic, or -1. *cmsg is set when
 * it makes the kernel deliver ancillary data (translated on receive).
 */
static int twin(int opt, int *cmsg)
{
	*cmsg = 1;
	switch (opt) {
	case IP_PKTINFO:
		return IPV6_RECVPKTINFO;
	case IP_RECVTTL:
		return IPV6_RECVHOPLIMIT;
	case IP_RECVTOS:
		return IPV6_RECVTCLASS;
	case IP_RECVERR:
		return IPV6_RECVERR;
	}
	*cmsg = 0;
	switch (opt) {
	case IP_TTL:
		return IPV6_UNICAST_HOPS;
	case IP_TOS:
		return IPV6_TCLASS;
	case IP_MTU_DISCOVER:
		return IPV6_MTU_DISCOVER;
	case IP_FREEBIND:
		return IPV6_FREEBIND;
	}
	return -1;
}

/*
 * twin_value returns the value of IPv6 twin t for IPv4 value v: IP_MTU_DISCOVER
 * modes map one to one (IP_PMTUDISC_DONT..OMIT and IPV6_PMTUDISC_DONT..OMIT,
 * spelled out in case the numbers ever part); the rest are the same number.
 */
static int twin_value(int t, int v)
{
	if (t != IPV6_MTU_DISCOVER)
		return v;
	switch (v) {
	case IP_PMTUDISC_DONT:
		return IPV6_PMTUDISC_DONT;
	case IP_PMTUDISC_WANT:
		return IPV6_PMTUDISC_WANT;
	case IP_PMTUDISC_DO:
		return IPV6_PMTUDISC_DO;
	case IP_PMTUDISC_PROBE:
		return IPV6_PMTUDISC_PROBE;
	case IP_PMTUDISC_INTERFACE:
		return IPV6_PMTUDISC_INTERFACE;
	case IP_PMTUDISC_OMIT:
		return IPV6_PMTUDISC_OMIT;
	}
	return v;
}

/*
 * t64_setsockopt_logic sets an option of converted socket fd (TCP or UDP)
 * through real: as asked (the kernel takes IPPROTO_IP options on a
 * dual-stack socket, applies them to IPv4 traffic and getsockopt reads
 * them back as set), then, when it worked, the IPv6 twin (see twin and
 * twin_value), so that NAT64 traffic gets the same treatment;
 * SO_BROADCAST of a datagram socket is noted and refreshes the host's
 * broadcast list (run-time planning of subnet broadcasts). Returns 0, or
 * -1 with the kernel's errno for the program's option (a twin's failure is
 * ignored).
 */
int t64_setsockopt_logic(t64_fn_setsockopt *real, int fd, int level, int opt, const void *val, socklen_t len)
{
	int rc = real(fd, level, opt, val, len), saved = errno, t, cmsg, v = 0;

	if (rc < 0)
		return rc;
	if (level == SOL_SOCKET && opt == SO_BROADCAST &&
	    (t64_fd_get(fd) & T64_FD_DGRAM) && val != NULL &&
	    len >= sizeof v) {
		memcpy(&v, val, sizeof v);
		if (v)
			t64_bcast_refresh();
		(v ? t64_fd_or : t64_fd_clear)(fd, T64_FD_BCAST);
		errno = saved;
		return rc;
	}
	if (level != IPPROTO_IP || (t = twin(opt, &cmsg)) < 0 || val == NULL ||
	    len == 0)
		return rc;
	if (len >= sizeof v)
		memcpy(&v, val, sizeof v);
	else
		v = *(const unsigned char *)val;
	v = twin_value(t, v);
	if (real(fd, IPPROTO_IPV6, t, &v, sizeof v) == 0 && cmsg && v)
		t64_fd_or(fd, T64_FD_TWIN);
	T64_DEBUG(2, "setsockopt(%d, IP %d = %d): IPv6 twin %d", fd, opt, v, t);
	errno = saved;
	return rc;
}

/*
 * t64_twins_on asks the kernel (through real) whether converted socket fd
 * has one of the IPv6 twins that deliver ancillary data on: what
 * T64_FD_TWIN records, for a front end that keeps no state of its own
 * between calls. Returns 1 or 0.
 */
int t64_twins_on(t64_fn_getsockopt *real, int fd)
{
	static const int asked[] = { IP_PKTINFO, IP_RECVTTL, IP_RECVTOS, IP_RECVERR };
	int cmsg, v;
	socklen_t l;

	for (size_t i = 0; i < sizeof asked / sizeof asked[0]; i++) {
		v = 0;
		l = sizeof v;
		if (real(fd, IPPROTO_IPV6, twin(asked[i], &cmsg), &v, &l) == 0 && v)
			return 1;
	}
	return 0;
}

/*
 * t64_getsockopt_logic asks the kernel, then answers SO_DOMAIN of converted
 * socket fd (flags f) with AF_INET; SO_ERROR after a NAT64 connect in
 * progress (a converted or mapped socket's) goes through
 * t64_pending_error (an unreachable NAT64 is retried over IPv4). Returns
 * 0, or -1 with the kernel's errno.
 */
int t64_getsockopt_logic(t64_fn_getsockopt *real, unsigned f, int fd, int level, int optname, void *optval,
			 socklen_t *optlen)
{
	int rc = real(fd, level, optname, optval, optlen);

	if (rc == 0 && level == SOL_SOCKET && optname == SO_DOMAIN &&
	    (f & T64_FD_CONVERTED) && optval != NULL &&
	    *optlen >= sizeof(int) && *(int *)optval == AF_INET6)
		*(int *)optval = AF_INET;
	if (rc == 0 && level == SOL_SOCKET && optname == SO_ERROR &&
	    optval != NULL && *optlen >= sizeof(int) &&
	    (t64_fd_get(fd) & T64_FD_PENDING))
		*(int *)optval = t64_pending_error(fd, *(int *)optval);
	return rc;
}
