/* Name lookups for IPv4 programs on an IPv6-only host (docs/DESIGN.md, "Names"). */
#ifndef T64_LOOKUP_H
#define T64_LOOKUP_H

#include <netdb.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/hold.h"
#include "base/real.h"
#include "calls/resolve.h"

/* A name's IPv4 answers (host order, resolver order) and the name they belong to. */
struct t64_names4 {
	size_t n;
	uint32_t ip[T64_RESOLVE_MAX];
	char name[256];
};

/* What a hostent built by t64_hostent needs beyond the hostent itself, at most. */
#define T64_HOSTBUF                                                   \
	(sizeof(char *) * (T64_RESOLVE_MAX + 3) + 4 * T64_RESOLVE_MAX + \
	 256 + sizeof(char *))

int t64_lookup_enter(struct t64_mark *m);
void t64_lookup_leave(struct t64_mark *m);

int t64_gai(t64_fn_getaddrinfo *real, const char *node, const char *service,
	    const struct addrinfo *hints, struct addrinfo **res);
int t64_lookup4(const char *name, int herr, struct t64_names4 *out);
int t64_hostent(const struct t64_names4 *l, struct hostent *he, char *buf,
		size_t len);
struct hostent *t64_host_static(const struct t64_names4 *l, int herr);
int t64_host_r(const struct t64_names4 *l, int herr, int rc,
	       struct hostent *ret, char *buf, size_t len,
	       struct hostent **result, int *h_errnop);
int t64_standin_of(const void *addr, socklen_t len, int type, uint32_t *ip);
int t64_standin_names(uint32_t ip, struct t64_names4 *out);
int t64_gni(t64_fn_getnameinfo *real, const struct sockaddr *sa,
	    socklen_t salen, char *host, socklen_t hostlen, char *serv,
	    socklen_t servlen, int flags);

#endif
