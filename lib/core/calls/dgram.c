#include "calls/dgram.h"

#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <sys/uio.h>

#include "base/real.h"
#include "calls/mapped.h"
#include "calls/sockname.h"

/*
 * t64_name_in hands a received datagram's sender (sin6, l6 bytes as the
 * kernel gave it) to the program as sockaddr_in (see t64_sa_out); l6 == 0
 * (no address, e.g. a stream socket) gives *lenp = 0. Returns 0, or -1
 * with errno EFAULT/EINVAL for bad buffers (as the kernel's check after
 * the datagram was taken).
 */
int t64_name_in(const struct sockaddr_in6 *sin6, socklen_t l6,
		struct sockaddr *addr, socklen_t *lenp)
{
	if (l6 == 0) {
		if (t64_check_out(addr, lenp) < 0)
			return -1;
		*lenp = 0;
		return 0;
	}
	return t64_addr_out(sin6, l6, 1, addr, lenp);
}

/*
 * t64_cmsg_room returns how much control space to ask the kernel for when
 * the program offers controllen bytes: IPv6 forms are up to 16 bytes
 * longer per message and IPv4 traffic may bring both forms, so twice as
 * much and a little more, bounded by T64_CMSG_ROOM.
 */
size_t t64_cmsg_room(size_t controllen)
{
	size_t want = 2 * controllen + 64;

	return want < T64_CMSG_ROOM ? want : T64_CMSG_ROOM;
}

/* mapped returns 1 when a is ::ffff:a.b.c.d. */
static int mapped(const struct in6_addr *a)
{
	return IN6_IS_ADDR_V4MAPPED(a);
}

/*
 * icmp4 sets the ICMPv4 type and code standing for ICMPv6 type/code (RFC
 * 7915 §5.2), as a program on an IPv4 socket would have got them.
 */
static void icmp4(struct sock_extended_err *ee)
{
	uint8_t t = ee->ee_type, c = ee->ee_code;

	ee->ee_origin = SO_EE_ORIGIN_ICMP;
	switch (t) {
	case ICMP6_DST_UNREACH:
		ee->ee_type = ICMP_DEST_UNREACH;
		if (c == ICMP6_DST_UNREACH_NOPORT)
			ee->ee_code = ICMP_PORT_UNREACH;
		else if (c == ICMP6_DST_UNREACH_ADMIN)
			ee->ee_code = ICMP_PKT_FILTERED;
		else
			ee->ee_code = ICMP_HOST_UNREACH;
		break;
	case ICMP6_PACKET_TOO_BIG:
		ee->ee_type = ICMP_DEST_UNREACH;
		ee->ee_code = ICMP_FRAG_NEEDED;
		break;
	case ICMP6_TIME_EXCEEDED:
		ee->ee_type = ICMP_TIME_EXCEEDED;
		break;
	case ICMP6_PARAM_PROB:
		ee->ee_type = c == ICMP6_PARAMPROB_NEXTHEADER ?
				      ICMP_DEST_UNREACH :
				      ICMP_PARAMETERPROB;
		ee->ee_code = c == ICMP6_PARAMPROB_NEXTHEADER ?
				      ICMP_PROT_UNREACH :
				      0;
		break;
	}
}

/*
 * translate writes the IPv4 form of one IPv6 control message c into
 * data[] (room for 64 bytes) and sets *type and *len. Returns 1, or 0 when
 * c is to be dropped (an IPv6 twin of what the kernel already gave in IPv4
 * form for IPv4 traffic) or -1 when it is not one of ours (copy as is).
 */
static int translate(const struct cmsghdr *c, int v4traffic, int *type,
		     unsigned char *data, size_t *len)
{
	const unsigned char *in = CMSG_DATA(c);
	size_t n = c->cmsg_len - CMSG_LEN(0);

	if (c->cmsg_level != SOL_IPV6)
		return -1;
	switch (c->cmsg_type) {
	case IPV6_PKTINFO: {
		struct in6_pktinfo p6;
		struct in_pktinfo p4 = { 0 };

		if (v4traffic)
			return 0;
		if (n < sizeof p6)
			return -1;
		memcpy(&p6, in, sizeof p6);
		p4.ipi_ifindex = p6.ipi6_ifindex;
		p4.ipi_spec_dst.s_addr = htonl(t64_self4());
		p4.ipi_addr.s_addr = htonl(t64_self4());
		*type = IP_PKTINFO;
		*len = sizeof p4;
		memcpy(data, &p4, sizeof p4);
		return 1;
	}
	case IPV6_HOPLIMIT:
		if (v4traffic)
			return 0;
		if (n < sizeof(int))
			return -1;
		*type = IP_TTL;
		*len = sizeof(int);
		memcpy(data, in, sizeof(int));
		return 1;
	case IPV6_TCLASS: {
		int tc;

		if (v4traffic)
			return 0;
		if (n < sizeof tc)
			return -1;
		memcpy(&tc, in, sizeof tc);
		*type = IP_TOS;
		*len = 1;
		data[0] = (unsigned char)tc;
		return 1;
	}
	case IPV6_RECVERR: {
		struct sock_extended_err ee;
		struct sockaddr_in6 off;
		struct sockaddr_in o4 = { .sin_family = AF_UNSPEC };
		socklen_t l4 = sizeof o4;

		if (n < sizeof ee + sizeof off)
			return -1;
		memcpy(&ee, in, sizeof ee);
		memcpy(&off, in + sizeof ee, sizeof off);
		if (ee.ee_origin == SO_EE_ORIGIN_ICMP6)
			icmp4(&ee);
		if (off.sin6_family == AF_INET6 &&
		    IN6_IS_ADDR_LOOPBACK(&off.sin6_addr)) {
			o4.sin_family = AF_INET;
			o4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		} else if (off.sin6_family == AF_INET6)
			t64_sa_out(&off, 1, (struct sockaddr *)&o4, &l4);
		*type = IP_RECVERR;
		*len = sizeof ee + sizeof o4;
		memcpy(data, &ee, sizeof ee);
		memcpy(data + sizeof ee, &o4, sizeof o4);
		return 1;
	}
	}
	return -1;
}

/*
 * t64_cmsg_out rewrites the control messages the kernel put in mine (our
 * own buffer) into the program's prog: IPv6 forms of IPv4 options become
 * IPv4 forms (NAT64 traffic: IP_PKTINFO with t64_self4(), IP_TTL, IP_TOS;
 * IP_RECVERR always, the kernel reports errors of a dual-stack socket in
 * IPv6 form), IPv6 twins of IPv4 traffic are dropped, the rest is copied.
 * Sets prog->msg_controllen to the bytes used and MSG_CTRUNC in
 * prog->msg_flags when something did not fit (or did not fit ours).
 * from is the sender as the kernel gave it. No errno.
 */
void t64_cmsg_out(const struct msghdr *mine, struct msghdr *prog,
		  const struct sockaddr_in6 *from)
{
	unsigned char *out = prog->msg_control;
	size_t room = out ? prog->msg_controllen : 0, used = 0;
	int v4traffic = from->sin6_family == AF_INET6 &&
			mapped(&from->sin6_addr);
	struct cmsghdr *c;

	prog->msg_flags = mine->msg_flags;
	for (c = CMSG_FIRSTHDR(mine); c != NULL;
	     c = CMSG_NXTHDR((struct msghdr *)mine, c)) {
		unsigned char data[64];
		const unsigned char *src = data;
		int type = c->cmsg_type, level = c->cmsg_level;
		size_t len = 0;
		struct cmsghdr h;

		switch (translate(c, v4traffic, &type, data, &len)) {
		case 0:
			continue;
		case 1:
			level = SOL_IP;
			break;
		default:
			src = CMSG_DATA(c);
			len = c->cmsg_len - CMSG_LEN(0);
		}
		if (used + CMSG_LEN(len) > room) {
			prog->msg_flags |= MSG_CTRUNC;
			break;
		}
		h.cmsg_len = CMSG_LEN(len);
		h.cmsg_level = level;
		h.cmsg_type = type;
		memcpy(out + used, &h, sizeof h);
		memcpy(out + used + CMSG_LEN(0), src, len);
		used += CMSG_SPACE(len) < room - used ? CMSG_SPACE(len) :
							room - used;
	}
	prog->msg_controllen = used;
}

/*
 * t64_recvfrom_logic receives on converted datagram socket fd through
 * real, the sender into our own sockaddr_in6 and then to addr/lenp as
 * sockaddr_in (truncated as POSIX says). Returns the bytes received, or -1
 * with errno: the kernel's, or EFAULT/EINVAL for bad address buffers.
 */
ssize_t t64_recvfrom_logic(t64_fn_recvfrom *real, int fd, void *buf, size_t n,
			   int flags, struct sockaddr *addr, socklen_t *lenp)
{
	struct sockaddr_in6 sin6;
	socklen_t l6 = sizeof sin6;
	ssize_t rc = real(fd, buf, n, flags, (struct sockaddr *)&sin6, &l6);

	if (rc < 0)
		return rc;
	if (t64_name_in(&sin6, l6, addr, lenp) < 0)
		return -1;
	return rc;
}

/*
 * t64_mapped_recvfrom receives on mapped datagram socket fd through real,
 * the sender into our own sockaddr_in6 and then to addr/lenp in the
 * ::ffff: form when it stands for an IPv4 address (t64_mapped_out).
 * Returns the bytes received, or -1 with errno: the kernel's, or
 * EFAULT/EINVAL for bad address buffers.
 */
ssize_t t64_mapped_recvfrom(t64_fn_recvfrom *real, int fd, void *buf, size_t n,
			    int flags, struct sockaddr *addr, socklen_t *lenp)
{
	struct sockaddr_in6 sin6;
	socklen_t l6 = sizeof sin6;
	ssize_t rc = real(fd, buf, n, flags, (struct sockaddr *)&sin6, &l6);

	if (rc < 0)
		return rc;
	if (t64_mapped_out(t64_fd_get(fd), &sin6, l6, addr, lenp) < 0)
		return -1;
	return rc;
}

/*
 * name_out hands a received datagram's sender (sin6, l6 bytes) to the
 * program's name buffer: in IPv4 form on a converted socket (t64_name_in),
 * in the ::ffff: form on a mapped one (t64_mapped_out). Returns 0, or -1
 * with errno EFAULT/EINVAL for bad buffers.
 */
static int name_out(unsigned f, const struct sockaddr_in6 *sin6, socklen_t l6,
		    struct sockaddr *addr, socklen_t *lenp)
{
	if (f & T64_FD_CONVERTED)
		return t64_name_in(sin6, l6, addr, lenp);
	return t64_mapped_out(f, sin6, l6, addr, lenp);
}

/*
 * t64_recvmsg_logic receives on datagram socket fd (converted or mapped,
 * t64_recv_how) through real with a copy of msg: the sender into our own
 * sockaddr_in6, then to the program's msg_name (name_out, truncated as
 * POSIX says). On a converted socket, when an IPv6 twin option is on or
 * the error queue is read (the kernel reports a dual-stack socket's
 * errors and timestamps in IPv6 form), the control messages go into our
 * own bounded buffer and are rewritten into the program's in IPv4 form
 * (t64_cmsg_out, MSG_CTRUNC when they do not fit); a mapped socket's are
 * the kernel's. Returns the bytes received, or -1 with errno: the
 * kernel's, or EINVAL/EFAULT for a bad name buffer.
 */
ssize_t t64_recvmsg_logic(t64_fn_recvmsg *real, int fd, struct msghdr *msg,
			  int flags)
{
	struct sockaddr_in6 sin6 = { 0 };
	_Alignas(struct cmsghdr) unsigned char ctl[T64_CMSG_ROOM];
	unsigned f = t64_fd_get(fd);
	int own = (f & T64_FD_CONVERTED) &&
		  ((f & T64_FD_TWIN) || (flags & MSG_ERRQUEUE)) &&
		  msg->msg_control != NULL && msg->msg_controllen > 0;
	struct msghdr m = *msg;
	ssize_t rc;

	if (!(f & T64_FD_CONVERTED) && msg->msg_name == NULL)
		return real(fd, msg, flags);
	if (msg->msg_name != NULL && (int)msg->msg_namelen < 0) {
		errno = EINVAL;
		return -1;
	}
	m.msg_name = &sin6;
	m.msg_namelen = sizeof sin6;
	if (own) {
		m.msg_control = ctl;
		m.msg_controllen = t64_cmsg_room(msg->msg_controllen);
	}
	rc = real(fd, &m, flags);
	if (rc < 0)
		return rc;
	if (own) {
		t64_cmsg_out(&m, msg, &sin6);
	} else {
		msg->msg_controllen = m.msg_controllen;
		msg->msg_flags = m.msg_flags;
	}
	if (msg->msg_name != NULL &&
	    name_out(f, &sin6, m.msg_namelen, msg->msg_name,
		     &msg->msg_namelen) < 0)
		return -1;
	return rc;
}

/* Messages per real recvmmsg call (bounded stack use: names and control room). */
#define CHUNK 8

/*
 * plain returns 1 when vec needs no translation at all: no message asks
 * for its sender and, on a converted socket (f), no IPv6 twin option is
 * on and the error queue is not read (or no control room).
 */
static int plain(unsigned f, const struct mmsghdr *vec, unsigned vlen,
		 int flags)
{
	int twin = (f & T64_FD_CONVERTED) &&
		   ((f & T64_FD_TWIN) || (flags & MSG_ERRQUEUE));

	for (unsigned i = 0; i < vlen; i++)
		if (vec[i].msg_hdr.msg_name != NULL ||
		    (twin && vec[i].msg_hdr.msg_control != NULL))
			return 0;
	return 1;
}

/*
 * t64_recvmmsg_logic receives up to vlen datagrams on datagram socket fd
 * (converted or mapped), CHUNK per real call with names (and, on a
 * converted socket with an IPv6 twin option on, control messages) in our
 * own stack buffers, handed out like t64_recvmsg_logic does. A next
 * chunk is asked for only when the previous one was filled (with
 * MSG_DONTWAIT under MSG_WAITFORONE, as the kernel does after the first
 * datagram). Returns the number received, or -1 with errno when the first
 * real call failed.
 */
int t64_recvmmsg_logic(t64_fn_recvmmsg *real, int fd, struct mmsghdr *vec,
		       unsigned vlen, int flags, struct timespec *timeout)
{
	struct mmsghdr m[CHUNK];
	struct sockaddr_in6 sin6[CHUNK];
	_Alignas(struct cmsghdr) unsigned char ctl[CHUNK][T64_CMSG_ROOM];
	unsigned f = t64_fd_get(fd);
	int twin = (f & T64_FD_CONVERTED) &&
		   ((f & T64_FD_TWIN) || (flags & MSG_ERRQUEUE));
	unsigned done = 0;

	if (vlen > UIO_MAXIOV) /* as the kernel does */
		vlen = UIO_MAXIOV;
	if (plain(f, vec, vlen, flags))
		return real(fd, vec, vlen, flags, timeout);
	while (done < vlen) {
		unsigned n = vlen - done < CHUNK ? vlen - done : CHUNK;
		int rc;

		for (unsigned i = 0; i < n; i++) {
			struct msghdr *h = &vec[done + i].msg_hdr;

			if (h->msg_name != NULL && (int)h->msg_namelen < 0) {
				errno = EINVAL;
				return done > 0 ? (int)done : -1;
			}
			m[i] = vec[done + i];
			m[i].msg_hdr.msg_name = &sin6[i];
			m[i].msg_hdr.msg_namelen = sizeof sin6[i];
			if (twin && h->msg_control != NULL &&
			    h->msg_controllen > 0) {
				m[i].msg_hdr.msg_control = ctl[i];
				m[i].msg_hdr.msg_controllen =
					t64_cmsg_room(h->msg_controllen);
			}
		}
		rc = real(fd, m, n, flags, timeout);
		if (rc < 0)
			return done > 0 ? (int)done : -1;
		for (int i = 0; i < rc; i++) {
			struct msghdr *h = &vec[done + i].msg_hdr;

			vec[done + i].msg_len = m[i].msg_len;
			if (m[i].msg_hdr.msg_control == (void *)ctl[i]) {
				t64_cmsg_out(&m[i].msg_hdr, h, &sin6[i]);
			} else {
				h->msg_controllen = m[i].msg_hdr.msg_controllen;
				h->msg_flags = m[i].msg_hdr.msg_flags;
			}
			if (h->msg_name != NULL)
				name_out(f, &sin6[i], m[i].msg_hdr.msg_namelen,
					 h->msg_name, &h->msg_namelen);
		}
		done += (unsigned)rc;
		if ((unsigned)rc < n)
			break;
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
	}
	return (int)done;
}

/*
 * t64_cmsg_in writes into buf (room bytes, T64_CMSG_ROOM at most needed)
 * the control messages of prog, a message going to an IPv6 (NAT64 or
 * stand-in) destination, with the IPv4 ones the kernel would ignore there
 * in their IPv6 forms: IP_TOS -> IPV6_TCLASS, IP_TTL -> IPV6_HOPLIMIT,
 * IP_PKTINFO -> IPV6_PKTINFO (ifindex kept, source :: : left to the
 * kernel, an IPv4 source means nothing on the IPv6 side); the rest is
 * copied. Returns the bytes used, 0 when there is nothing to translate
 * (send prog as it is), or -1 when the result does not fit (the same).
 * No allocation; no errno.
 */
ssize_t t64_cmsg_in(const struct msghdr *prog, unsigned char *buf, size_t room)
{
	struct cmsghdr *c;
	size_t used = 0;
	int changed = 0;

	if (prog->msg_control == NULL || prog->msg_controllen < sizeof *c)
		return 0;
	for (c = CMSG_FIRSTHDR(prog); c != NULL;
	     c = CMSG_NXTHDR((struct msghdr *)prog, c)) {
		size_t n = c->cmsg_len - CMSG_LEN(0), len = n;
		const unsigned char *src = CMSG_DATA(c);
		int level = c->cmsg_level, type = c->cmsg_type, v = 0;
		struct in6_pktinfo p6 = { .ipi6_addr = IN6ADDR_ANY_INIT };
		struct in_pktinfo p4;
		struct cmsghdr h;

		if (c->cmsg_len < CMSG_LEN(0) ||
		    c->cmsg_len > (size_t)((unsigned char *)prog->msg_control +
					   prog->msg_controllen -
					   (unsigned char *)c))
			return 0; /* the kernel will say EINVAL */
		if (level == SOL_IP && (type == IP_TOS || type == IP_TTL) &&
		    n >= 1) {
			if (n >= sizeof v)
				memcpy(&v, src, sizeof v);
			else
				v = *src;
			level = SOL_IPV6;
			type = type == IP_TOS ? IPV6_TCLASS : IPV6_HOPLIMIT;
			src = (const unsigned char *)&v;
			len = sizeof v;
		} else if (level == SOL_IP && type == IP_PKTINFO &&
			   n >= sizeof p4) {
			memcpy(&p4, src, sizeof p4);
			p6.ipi6_ifindex = (unsigned)p4.ipi_ifindex;
			level = SOL_IPV6;
			type = IPV6_PKTINFO;
			src = (const unsigned char *)&p6;
			len = sizeof p6;
		}
		changed |= level != c->cmsg_level;
		if (used + CMSG_SPACE(len) > room)
			return -1;
		memset(buf + used, 0, CMSG_SPACE(len));
		h.cmsg_len = CMSG_LEN(len);
		h.cmsg_level = level;
		h.cmsg_type = type;
		memcpy(buf + used, &h, sizeof h);
		memcpy(buf + used + CMSG_LEN(0), src, len);
		used += CMSG_SPACE(len);
	}
	return changed ? (ssize_t)used : 0;
}
