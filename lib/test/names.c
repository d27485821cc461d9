/*
 * Name lookups under the library, run by run.sh in a network and
 * mount namespace whose /etc/hosts is names.hosts below and whose
 * nsswitch.conf says "hosts: files": no DNS at all. The host has no IPv4
 * address but loopback and one IPv6 address (3fff::1), so glibc's
 * AI_ADDRCONFIG drops A answers there; 2001:db8::/32 is routed to lo.
 * libc's own getaddrinfo (dlsym RTLD_NEXT) shows what a program would get
 * without tnat64.
 */
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>

#include "check.h"
#include "net.h"

typedef int gai_fn(const char *, const char *, const struct addrinfo *,
		   struct addrinfo **);

/* The answers of one lookup: family, address text, port, socktype. */
struct got {
	int rc, n;
	char canon[256];
	struct {
		int family, socktype;
		char addr[INET6_ADDRSTRLEN];
		unsigned port;
		socklen_t len;
	} a[64];
};

/* lookup runs getaddrinfo (fn: libc's; NULL: the hooked one) into *g and frees the result. */
static void lookup(gai_fn *fn, const char *node, const char *serv, int family,
		   int socktype, int flags, struct got *g)
{
	struct addrinfo h = { .ai_family = family, .ai_socktype = socktype,
			      .ai_flags = flags },
			*r = NULL;

	memset(g, 0, sizeof *g);
	g->rc = fn ? fn(node, serv, &h, &r) : getaddrinfo(node, serv, &h, &r);
	if (g->rc != 0)
		return;
	if (r->ai_canonname != NULL)
		snprintf(g->canon, sizeof g->canon, "%s", r->ai_canonname);
	for (struct addrinfo *p = r; p != NULL && g->n < 64; p = p->ai_next) {
		const void *in;

		g->a[g->n].family = p->ai_family;
		g->a[g->n].socktype = p->ai_socktype;
		g->a[g->n].len = p->ai_addrlen;
		if (p->ai_family == AF_INET) {
			const struct sockaddr_in *s = (void *)p->ai_addr;

			in = &s->sin_addr;
			g->a[g->n].port = ntohs(s->sin_port);
		} else {
			const struct sockaddr_in6 *s = (void *)p->ai_addr;

			in = &s->sin6_addr;
			g->a[g->n].port = ntohs(s->sin6_port);
		}
		inet_ntop(p->ai_family, in, g->a[g->n].addr, INET6_ADDRSTRLEN);
		g->n++;
	}
	freeaddrinfo(r);
}

/* has returns 1 when g holds address text (any socktype). */
static int has(const struct got *g, const char *addr)
{
	for (int i = 0; i < g->n; i++)
		if (strcmp(g->a[i].addr, addr) == 0)
			return 1;
	return 0;
}

/* all_v4 returns 1 when g has answers, every one AF_INET, 16 bytes, port. */
static int all_v4(const struct got *g, unsigned port)
{
	for (int i = 0; i < g->n; i++)
		if (g->a[i].family != AF_INET || g->a[i].len != 16 ||
		    g->a[i].port != port)
			return 0;
	return g->n > 0;
}

static gai_fn *libc_gai;

/*
 * case_addrconfig: AI_ADDRCONFIG no longer hides a name's IPv4 answers
 * from an IPv4 lookup; AF_UNSPEC gets them too; what libc alone gives
 * shows the difference. AAAA answers, AF_INET6 and AF_UNSPEC without the
 * flag are exactly libc's.
 */
static void case_addrconfig(int argc, char **argv)
{
	struct got g, ref;
	struct addrinfo *r = NULL;

	(void)argc;
	(void)argv;
	lookup(libc_gai, "v4only.test", "80", AF_INET, SOCK_STREAM,
	       AI_ADDRCONFIG, &ref);
	CHECK(ref.rc == EAI_NONAME, "without tnat64: %d (the problem)", ref.rc);
	lookup(NULL, "v4only.test", "80", AF_INET, SOCK_STREAM, AI_ADDRCONFIG,
	       &g);
	CHECK(g.rc == 0 && g.n == 1 && all_v4(&g, 80) &&
		      has(&g, "198.51.100.10") && g.a[0].socktype == SOCK_STREAM,
	      "AF_INET AI_ADDRCONFIG: rc %d, %d answers, %s", g.rc, g.n,
	      g.a[0].addr);

	lookup(libc_gai, "dual.test", "443", AF_UNSPEC, SOCK_STREAM,
	       AI_ADDRCONFIG, &ref);
	CHECK(ref.rc == 0 && !has(&ref, "198.51.100.11"),
	      "without tnat64, AF_UNSPEC AI_ADDRCONFIG has no IPv4 answer");
	lookup(NULL, "dual.test", "443", AF_UNSPEC, SOCK_STREAM, AI_ADDRCONFIG,
	       &g);
	CHECK(g.rc == 0 && g.n == 2 && has(&g, "198.51.100.11") &&
		      has(&g, "2001:db8:6::11"),
	      "AF_UNSPEC AI_ADDRCONFIG: rc %d, %d answers", g.rc, g.n);
	CHECK(g.rc == 0 && getaddrinfo("dual.test", "443", NULL, &r) == 0,
	      "no hints (glibc: AI_ADDRCONFIG)");
	if (r != NULL) {
		int v4 = 0;

		for (struct addrinfo *p = r; p != NULL; p = p->ai_next)
			v4 |= p->ai_family == AF_INET;
		CHECK(v4, "no hints: an IPv4 answer");
		freeaddrinfo(r);
	}

	/* A server's wildcard address, asked for with AI_ADDRCONFIG too. */
	lookup(libc_gai, NULL, "80", AF_INET, SOCK_STREAM,
	       AI_PASSIVE | AI_ADDRCONFIG, &ref);
	lookup(NULL, NULL, "80", AF_INET, SOCK_STREAM, AI_PASSIVE | AI_ADDRCONFIG,
	       &g);
	CHECK(ref.rc == EAI_NONAME && g.rc == 0 && g.n == 1 &&
		      all_v4(&g, 80) && has(&g, "0.0.0.0"),
	      "AF_INET AI_PASSIVE|AI_ADDRCONFIG: %d (libc alone %d)", g.rc,
	      ref.rc);
	lookup(NULL, NULL, "80", AF_UNSPEC, SOCK_STREAM,
	       AI_PASSIVE | AI_ADDRCONFIG, &g);
	CHECK(g.rc == 0 && has(&g, "0.0.0.0") && has(&g, "::"),
	      "AF_UNSPEC AI_PASSIVE|AI_ADDRCONFIG: %d, %d answers", g.rc, g.n);

	/* AAAA-only: AF_UNSPEC gets no stand-in; AF_INET6 untouched. */
	const char *names[] = { "v6only.test", "dual.test", "v4only.test" };
	const int fams[] = { AF_UNSPEC, AF_INET6 };

	for (int i = 0; i < 3; i++)
		for (int f = 0; f < 2; f++) {
			lookup(libc_gai, names[i], "7", fams[f], 0, 0, &ref);
			lookup(NULL, names[i], "7", fams[f], 0, 0, &g);
			CHECK(g.rc == ref.rc && g.n == ref.n &&
				      memcmp(g.a, ref.a, sizeof g.a) == 0,
			      "%s family %d: as libc (rc %d/%d, %d/%d answers)",
			      names[i], fams[f], g.rc, ref.rc, g.n, ref.n);
		}
	lookup(NULL, "v6only.test", "7", AF_UNSPEC, 0, AI_ADDRCONFIG, &g);
	CHECK(g.rc == 0 && g.n > 0,
	      "AF_UNSPEC AI_ADDRCONFIG of an IPv6-only name: %d", g.rc);
	for (int i = 0; i < g.n; i++)
		CHECK(g.a[i].family == AF_INET6, "AF_UNSPEC: AAAA kept");
}

/*
 * sweep calls gethostbyname_r("v6only.test") (byname) or gethostbyaddr_r
 * of stand-in a with a heap buffer of every size from 1 to 511 bytes (so
 * ASan sees any write past it). Each answer must be ERANGE (h_errno
 * NETDB_INTERNAL, no result) or the full hostent, and once one size
 * works every larger one must. Returns 1 when all did and 511 worked.
 */
static int sweep(int byname, const struct in_addr *a)
{
	int ok = 0;

	for (size_t n = 1; n < 512; n++) {
		struct hostent hb, *res = (void *)1;
		char *buf = malloc(n);
		int herr = 0, rc;

		rc = byname ? gethostbyname_r("v6only.test", &hb, buf, n, &res,
					      &herr) :
			      gethostbyaddr_r(a, 4, AF_INET, &hb, buf, n, &res,
					      &herr);
		if (rc == ERANGE && res == NULL && herr == NETDB_INTERNAL &&
		    !ok) {
			free(buf);
			continue;
		}
		if (rc != 0 || res != &hb || hb.h_addrtype != AF_INET ||
		    hb.h_length != 4 || strcmp(hb.h_name, "v6only.test") != 0 ||
		    hb.h_aliases[0] != NULL || hb.h_addr_list[0] == NULL ||
		    !standin(inet_ntoa(*(struct in_addr *)hb.h_addr_list[0])) ||
		    (!byname && (memcmp(hb.h_addr_list[0], a, 4) != 0 ||
				 hb.h_addr_list[1] != NULL))) {
			fprintf(stderr, "sweep: %zu bytes: rc %d h_errno %d\n", n,
				rc, herr);
			free(buf);
			return 0;
		}
		ok = 1;
		free(buf);
	}
	return ok;
}

/*
 * case_standin: an IPv6-only name gets stand-ins for AF_INET lookups:
 * one per address, in the resolver's order, stable, with the port,
 * socktypes and canonical name asked for; names with A records, DNS64
 * synthesis, literals and AI_NUMERICHOST get none; the reverse calls
 * give the name back.
 */
static void case_standin(int argc, char **argv)
{
	struct got g, g2, ref;
	char host[256], serv[32];
	struct sockaddr_in sin;
	struct hostent *he;

	(void)argc;
	(void)argv;
	lookup(libc_gai, "v6only.test", "80", AF_INET6, 0, 0, &ref);
	lookup(NULL, "v6only.test", "80", AF_INET, 0, AI_CANONNAME, &g);
	CHECK(g.rc == 0 && all_v4(&g, 80) && g.n == ref.n && ref.n == 6,
	      "rc %d, %d answers (AF_INET6: %d)", g.rc, g.n, ref.n);
	CHECK(strcmp(g.canon, "v6only.test") == 0, "canonname %s", g.canon);
	for (int i = 0; i < g.n && i < ref.n; i++) {
		CHECK(standin(g.a[i].addr) && g.a[i].socktype == ref.a[i].socktype,
		      "answer %d: %s type %d", i, g.a[i].addr, g.a[i].socktype);
		/* The same IPv6 address, the same stand-in; another, another. */
		for (int j = 0; j < i; j++)
			CHECK((strcmp(ref.a[i].addr, ref.a[j].addr) == 0) ==
				      (strcmp(g.a[i].addr, g.a[j].addr) == 0),
			      "answers %d and %d", j, i);
	}
	lookup(NULL, "v6only.test", "80", AF_INET, SOCK_DGRAM, AI_ADDRCONFIG, &g2);
	CHECK(g2.rc == 0 && g2.n == 2 && g2.canon[0] == '\0' &&
		      g2.a[0].socktype == SOCK_DGRAM &&
		      strcmp(g2.a[0].addr, g.a[0].addr) == 0 &&
		      strcmp(g2.a[1].addr, g.a[3].addr) == 0,
	      "again: %d answers, %s %s, canon '%s'", g2.n, g2.a[0].addr,
	      g2.a[1].addr, g2.canon);

	/* The stand-in reaches its IPv6 address: getnameinfo and friends. */
	sin = sin4(g.a[0].addr, 80);
	CHECK(getnameinfo((struct sockaddr *)&sin, sizeof sin, host, sizeof host,
			  serv, sizeof serv, NI_NUMERICSERV) == 0 &&
		      strcmp(host, "v6only.test") == 0 && strcmp(serv, "80") == 0,
	      "getnameinfo: %s %s", host, serv);
	CHECK(getnameinfo((struct sockaddr *)&sin, sizeof sin, host, sizeof host,
			  NULL, 0, NI_NAMEREQD) == 0 &&
		      strcmp(host, "v6only.test") == 0,
	      "getnameinfo NI_NAMEREQD: %s", host);
	CHECK(getnameinfo((struct sockaddr *)&sin, sizeof sin, host, sizeof host,
			  NULL, 0, NI_NUMERICHOST) == 0 &&
		      strcmp(host, g.a[0].addr) == 0,
	      "getnameinfo NI_NUMERICHOST: %s", host);
	CHECK(getnameinfo((struct sockaddr *)&sin, sizeof sin, host, 5, NULL, 0,
			  0) == EAI_OVERFLOW,
	      "getnameinfo, 5 bytes: EAI_OVERFLOW");
	he = gethostbyaddr(&sin.sin_addr, 4, AF_INET);
	CHECK(he != NULL && strcmp(he->h_name, "v6only.test") == 0 &&
		      he->h_addrtype == AF_INET && he->h_length == 4 &&
		      memcmp(he->h_addr_list[0], &sin.sin_addr, 4) == 0 &&
		      he->h_addr_list[1] == NULL && he->h_aliases[0] == NULL,
	      "gethostbyaddr");
	{
		struct hostent hb, *res = NULL;
		char buf[512];
		int herr = 0, rc;

		rc = gethostbyaddr_r(&sin.sin_addr, 4, AF_INET, &hb, buf,
				     sizeof buf, &res, &herr);
		CHECK(rc == 0 && res == &hb &&
			      strcmp(hb.h_name, "v6only.test") == 0 &&
			      memcmp(hb.h_addr_list[0], &sin.sin_addr, 4) == 0,
		      "gethostbyaddr_r: %d", rc);
		CHECK(sweep(0, &sin.sin_addr), "gethostbyaddr_r, every buffer size");
	}

	/* gethostbyname and its kin: the same stand-ins, as IPv4. */
	he = gethostbyname("v6only.test");
	CHECK(he != NULL && he->h_addrtype == AF_INET && he->h_length == 4 &&
		      strcmp(he->h_name, "v6only.test") == 0,
	      "gethostbyname: %p", (void *)he);
	if (he != NULL) {
		struct in_addr a0, a1;

		memcpy(&a0, he->h_addr_list[0], 4);
		memcpy(&a1, he->h_addr_list[1], 4);
		CHECK(strcmp(inet_ntoa(a0), g.a[0].addr) == 0 &&
			      strcmp(inet_ntoa(a1), g.a[3].addr) == 0 &&
			      he->h_addr_list[2] == NULL,
		      "gethostbyname: the getaddrinfo stand-ins");
	}
	he = gethostbyname2("v6only.test", AF_INET);
	CHECK(he != NULL && he->h_addrtype == AF_INET, "gethostbyname2 AF_INET");
	he = gethostbyname2("v6only.test", AF_INET6);
	CHECK(he != NULL && he->h_addrtype == AF_INET6 && he->h_length == 16,
	      "gethostbyname2 AF_INET6: untouched");
	{
		struct hostent hb, *res = NULL;
		char buf[1024];
		int herr = 0, rc;

		rc = gethostbyname_r("v6only.test", &hb, buf, sizeof buf, &res,
				     &herr);
		CHECK(rc == 0 && res == &hb && hb.h_addrtype == AF_INET &&
			      strcmp(hb.h_name, "v6only.test") == 0 &&
			      hb.h_addr_list[1] != NULL && hb.h_addr_list[2] == NULL,
		      "gethostbyname_r: %d", rc);
		CHECK(sweep(1, NULL), "gethostbyname_r, every buffer size");
		rc = gethostbyname2_r("v6only.test", AF_INET, &hb, buf,
				      sizeof buf, &res, &herr);
		CHECK(rc == 0 && res == &hb && hb.h_addrtype == AF_INET,
		      "gethostbyname2_r: %d", rc);
		rc = gethostbyname_r("nothing.test", &hb, buf, sizeof buf, &res,
				     &herr);
		CHECK(res == NULL && herr == HOST_NOT_FOUND,
		      "gethostbyname_r, no such name: %d, h_errno %d", rc, herr);
	}
	he = gethostbyname("nothing.test");
	CHECK(he == NULL && h_errno == HOST_NOT_FOUND, "gethostbyname, no such name");

	/* Names with IPv4 addresses keep them; DNS64 synthesis is no stand-in. */
	lookup(NULL, "dual.test", "80", AF_INET, SOCK_STREAM, 0, &g);
	CHECK(g.rc == 0 && g.n == 1 && has(&g, "198.51.100.11"), "dual.test AF_INET");
	he = gethostbyname("dual.test");
	CHECK(he != NULL && he->h_addr_list[1] == NULL &&
		      memcmp(he->h_addr_list[0], "\xc6\x33\x64\x0b", 4) == 0,
	      "gethostbyname dual.test");
	lookup(NULL, "synth.test", "80", AF_INET, SOCK_STREAM, 0, &g);
	CHECK(g.rc == 0 && g.n == 1 && has(&g, "192.0.2.5"), "synth.test: %s",
	      g.a[0].addr);
	he = gethostbyname("synth.test");
	CHECK(he != NULL && memcmp(he->h_addr_list[0], "\xc0\x00\x02\x05", 4) == 0,
	      "gethostbyname synth.test");
	lookup(NULL, "mapped.test", "80", AF_INET, SOCK_STREAM, 0, &g);
	CHECK(g.rc == 0 && g.n == 1 && has(&g, "192.0.2.77"), "mapped.test: %s",
	      g.a[0].addr);

	/* Not names: literals and AI_NUMERICHOST; no such name. */
	lookup(libc_gai, "2001:db8:6::6", "80", AF_INET, 0, 0, &ref);
	lookup(NULL, "2001:db8:6::6", "80", AF_INET, 0, 0, &g);
	CHECK(g.rc != 0 && g.rc == ref.rc, "IPv6 literal: %d", g.rc);
	lookup(NULL, "v6only.test", "80", AF_INET, 0, AI_NUMERICHOST, &g);
	CHECK(g.rc == EAI_NONAME, "AI_NUMERICHOST: %d", g.rc);
	lookup(NULL, "nothing.test", "80", AF_INET, 0, 0, &g);
	CHECK(g.rc == EAI_NONAME, "no such name: %d", g.rc);
	lookup(NULL, "v6only.test", "nosuchservice", AF_INET, 0, 0, &g);
	CHECK(g.rc == EAI_SERVICE || g.rc == EAI_NONAME,
	      "unknown service: %d", g.rc);
	he = gethostbyname("2001:db8:6::6");
	CHECK(he == NULL || he->h_addrtype != AF_INET ||
		      !standin(inet_ntoa(*(struct in_addr *)he->h_addr_list[0])),
	      "gethostbyname of an IPv6 literal: no stand-in");
}

/* ready returns 1 when fd is readable within a second (a test never hangs). */
static int ready(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 1000) == 1;
}

/* bound6 returns an AF_INET6 socket of type bound to [ip]:0 (IPV6_FREEBIND), *a its address. */
static int bound6(int type, const char *ip, struct sockaddr_in6 *a)
{
	int fd = socket(AF_INET6, type, 0), on = 1;
	socklen_t l = sizeof *a;

	memset(a, 0, sizeof *a);
	a->sin6_family = AF_INET6;
	inet_pton(AF_INET6, ip, &a->sin6_addr);
	setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &on, sizeof on);
	if (bind(fd, (struct sockaddr *)a, sizeof *a) < 0 ||
	    getsockname(fd, (struct sockaddr *)a, &l) < 0) {
		perror("bound6");
		exit(2);
	}
	return fd;
}

/*
 * case_peer: a stand-in nobody looked up (a peer's) is named by the
 * reverse lookup of its IPv6 address; without one, NI_NAMEREQD says
 * EAI_NONAME and the number is given otherwise.
 */
static void case_peer(int argc, char **argv)
{
	const char *peers[2] = { "2001:db8:6::31", "2001:db8:6::32" };
	struct sockaddr_in srv = sin4("0.0.0.0", 0), from[2];
	socklen_t l = sizeof srv;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	char host[256], num[INET_ADDRSTRLEN];
	struct hostent *he;

	(void)argc;
	(void)argv;
	CHECK(bind(fd, (struct sockaddr *)&srv, sizeof srv) == 0 &&
		      getsockname(fd, (struct sockaddr *)&srv, &l) == 0,
	      "bind: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		struct sockaddr_in6 a;
		int p = bound6(SOCK_DGRAM, peers[i], &a);
		char buf[8];

		a.sin6_port = srv.sin_port;
		l = sizeof from[i];
		CHECK(sendto(p, "x", 1, 0, (struct sockaddr *)&a, sizeof a) == 1 &&
			      ready(fd) &&
			      recvfrom(fd, buf, sizeof buf, 0,
				       (struct sockaddr *)&from[i], &l) == 1 &&
			      standin(inet_ntoa(from[i].sin_addr)),
		      "peer %s shown as %s", peers[i], inet_ntoa(from[i].sin_addr));
		close(p);
	}
	CHECK(getnameinfo((struct sockaddr *)&from[0], sizeof from[0], host,
			  sizeof host, NULL, 0, NI_NAMEREQD) == 0 &&
		      strcmp(host, "peer.test") == 0,
	      "peer with a reverse name: %s", host);
	he = gethostbyaddr(&from[0].sin_addr, 4, AF_INET);
	CHECK(he != NULL && strcmp(he->h_name, "peer.test") == 0,
	      "gethostbyaddr of a peer with a reverse name");
	CHECK(getnameinfo((struct sockaddr *)&from[1], sizeof from[1], host,
			  sizeof host, NULL, 0, NI_NAMEREQD) == EAI_NONAME,
	      "peer without: NI_NAMEREQD");
	inet_ntop(AF_INET, &from[1].sin_addr, num, sizeof num);
	CHECK(getnameinfo((struct sockaddr *)&from[1], sizeof from[1], host,
			  sizeof host, NULL, 0, 0) == 0 &&
		      strcmp(host, num) == 0,
	      "peer without: the number, %s", host);
	he = gethostbyaddr(&from[1].sin_addr, 4, AF_INET);
	CHECK(he == NULL && h_errno == HOST_NOT_FOUND, "gethostbyaddr of a peer without");
	close(fd);
}

#define THREADS 8
#define ROUNDS 50

static char seen[THREADS][2][INET_ADDRSTRLEN];

/*
 * worker looks thread.test and v6only.test up ROUNDS times (getaddrinfo
 * and gethostbyname); returns non-NULL when any answer differs.
 */
static void *worker(void *arg)
{
	long t = (long)arg;
	const char *names[2] = { "thread.test", "v6only.test" };

	for (int r = 0; r < ROUNDS; r++)
		for (int k = 0; k < 2; k++) {
			struct got g;
			struct hostent *he = gethostbyname(names[k]);
			char text[INET_ADDRSTRLEN] = "";

			lookup(NULL, names[k], NULL, AF_INET, SOCK_STREAM, 0, &g);
			if (he != NULL)
				inet_ntop(AF_INET, he->h_addr_list[0], text,
					  sizeof text);
			if (g.rc != 0 || strcmp(text, g.a[0].addr) != 0 ||
			    (r > 0 && strcmp(seen[t][k], text) != 0))
				return (void *)1;
			memcpy(seen[t][k], text, sizeof text);
		}
	return NULL;
}

/* case_threads: THREADS threads looking up at once agree on every stand-in. */
static void case_threads(int argc, char **argv)
{
	pthread_t th[THREADS];
	void *bad;
	int fails = 0;

	(void)argc;
	(void)argv;
	for (long i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], &bad);
		fails += bad != NULL;
	}
	CHECK(fails == 0, "%d threads saw changing answers", fails);
	for (int i = 1; i < THREADS; i++)
		CHECK(strcmp(seen[i][0], seen[0][0]) == 0 &&
			      strcmp(seen[i][1], seen[0][1]) == 0 &&
			      standin(seen[i][0]) && standin(seen[i][1]) &&
			      strcmp(seen[0][0], seen[0][1]) != 0,
		      "thread %d: %s %s", i, seen[i][0], seen[i][1]);
}

/*
 * case_connect: local6.test is 2001:db8:6::51 only (routed to lo); its
 * stand-in reaches a TCP listener bound to exactly that address
 * (getpeername shows the stand-in) and a UDP socket there.
 */
static void case_connect(int argc, char **argv)
{
	struct sockaddr_in6 a6;
	int lfd = bound6(SOCK_STREAM, "2001:db8:6::51", &a6), ufd;
	struct addrinfo h = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *r;
	struct sockaddr_in peer;
	socklen_t l = sizeof peer;
	char port[8], buf[8] = "";
	int fd, c = -1;

	(void)argc;
	(void)argv;
	CHECK(listen(lfd, 1) == 0, "listen: %s", strerror(errno));
	snprintf(port, sizeof port, "%u", ntohs(a6.sin6_port));
	if (getaddrinfo("local6.test", port, &h, &r) != 0) {
		CHECK(0, "getaddrinfo local6.test");
		return;
	}
	CHECK(standin(inet_ntoa(((struct sockaddr_in *)r->ai_addr)->sin_addr)),
	      "a stand-in: %s", inet_ntoa(((struct sockaddr_in *)r->ai_addr)->sin_addr));
	fd = socket(r->ai_family, r->ai_socktype, r->ai_protocol);
	CHECK(connect(fd, r->ai_addr, r->ai_addrlen) == 0, "connect %s: %s",
	      inet_ntoa(((struct sockaddr_in *)r->ai_addr)->sin_addr),
	      strerror(errno));
	CHECK(getpeername(fd, (struct sockaddr *)&peer, &l) == 0 && l == sizeof peer &&
		      memcmp(&peer, r->ai_addr, sizeof peer) == 0,
	      "getpeername: %s", inet_ntoa(peer.sin_addr));
	if (ready(lfd))
		c = accept(lfd, NULL, NULL);
	CHECK(c >= 0 && write(fd, "tcp", 3) == 3 && ready(c) &&
		      read(c, buf, 3) == 3 && memcmp(buf, "tcp", 3) == 0,
	      "bytes over TCP");
	if (c >= 0)
		close(c);
	close(fd);

	ufd = bound6(SOCK_DGRAM, "2001:db8:6::51", &a6);
	((struct sockaddr_in *)r->ai_addr)->sin_port = a6.sin6_port;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(sendto(fd, "udp", 3, 0, r->ai_addr, r->ai_addrlen) == 3 &&
		      ready(ufd) && recv(ufd, buf, sizeof buf, 0) == 3 &&
		      memcmp(buf, "udp", 3) == 0,
	      "a datagram to the stand-in: %s", strerror(errno));
	freeaddrinfo(r);
	close(fd);
	close(ufd);
	close(lfd);
}

/*
 * case_full: the pool (run with TNAT64_STANDIN_POOL=198.19.0.0/30: two
 * stand-ins) fills; the next IPv6-only name fails with EAI_FAIL (and
 * NO_RECOVERY), never with a reused stand-in; live mappings keep working,
 * names with IPv4 addresses are unaffected, and a name whose addresses are
 * partly mapped already gets just those.
 */
static void case_full(int argc, char **argv)
{
	struct got a, b, c, a2;
	struct hostent *he;

	(void)argc;
	(void)argv;
	lookup(NULL, "full1.test", "80", AF_INET, SOCK_STREAM, 0, &a);
	lookup(NULL, "full2.test", "80", AF_INET, SOCK_STREAM, 0, &b);
	CHECK(a.rc == 0 && b.rc == 0 && standin(a.a[0].addr) &&
		      standin(b.a[0].addr) && strcmp(a.a[0].addr, b.a[0].addr) != 0,
	      "two stand-ins: %s %s", a.a[0].addr, b.a[0].addr);
	lookup(NULL, "full3.test", "80", AF_INET, SOCK_STREAM, 0, &c);
	CHECK(c.rc == EAI_FAIL, "third: %d", c.rc);
	he = gethostbyname("full3.test");
	CHECK(he == NULL && h_errno == NO_RECOVERY, "gethostbyname third");
	{
		struct hostent hb, *res = NULL;
		char buf[512];
		int herr = 0;

		h_errno = 0;
		CHECK(gethostbyname_r("full3.test", &hb, buf, sizeof buf, &res,
				      &herr) != ERANGE &&
			      res == NULL && herr == NO_RECOVERY &&
			      h_errno == NO_RECOVERY,
		      "gethostbyname_r third: h_errno %d, global %d", herr,
		      h_errno);
	}
	lookup(NULL, "full1.test", "80", AF_INET, SOCK_STREAM, 0, &a2);
	CHECK(a2.rc == 0 && strcmp(a2.a[0].addr, a.a[0].addr) == 0,
	      "first again: %s", a2.a[0].addr);
	lookup(NULL, "mixed.test", "80", AF_INET, SOCK_STREAM, 0, &c);
	CHECK(c.rc == 0 && c.n == 1 && strcmp(c.a[0].addr, b.a[0].addr) == 0,
	      "mixed: %d answers, %s", c.n, c.a[0].addr);
	lookup(NULL, "v4only.test", "80", AF_INET, SOCK_STREAM, 0, &c);
	CHECK(c.rc == 0 && has(&c, "198.51.100.10"), "v4only.test still");
	lookup(NULL, "synth.test", "80", AF_INET, SOCK_STREAM, 0, &c);
	CHECK(c.rc == 0 && has(&c, "192.0.2.5"), "synth.test still");
}

/*
 * case_own: the only nameserver is IPv4 (198.51.100.53) and the host has
 * no IPv4 route, so libc's resolver fails with EAI_AGAIN; our own client
 * reaches it through NAT64 (names_dns.py). A records as they are, several
 * chained (glibc), AAAA-only names as stand-ins, AF_UNSPEC with both,
 * the gethostbyname family too; AF_INET6 stays libc's.
 */
static void case_own(int argc, char **argv)
{
	struct got g, ref;
	struct hostent *he;
	char host[256];

	(void)argc;
	(void)argv;
	lookup(libc_gai, "a.test", "80", AF_INET, SOCK_STREAM, 0, &ref);
	CHECK(ref.rc == EAI_AGAIN, "without tnat64: %d (the problem)", ref.rc);
	lookup(NULL, "a.test", "80", AF_INET, SOCK_STREAM, AI_CANONNAME, &g);
	CHECK(g.rc == 0 && all_v4(&g, 80) && g.n == 2 &&
		      strcmp(g.a[0].addr, "198.51.100.20") == 0 &&
		      strcmp(g.a[1].addr, "198.51.100.21") == 0 &&
		      g.a[0].socktype == SOCK_STREAM &&
		      strcmp(g.canon, "a.test") == 0,
	      "a.test: rc %d, %d answers, canon %s", g.rc, g.n, g.canon);
	lookup(NULL, "a.test", "53", AF_INET, 0, AI_ADDRCONFIG, &g);
	CHECK(g.rc == 0 && all_v4(&g, 53) && g.n == 6 && g.canon[0] == '\0' &&
		      strcmp(g.a[5].addr, "198.51.100.21") == 0,
	      "a.test, every socktype: rc %d, %d answers", g.rc, g.n);
	lookup(NULL, "six.test", "80", AF_INET, SOCK_STREAM, 0, &g);
	CHECK(g.rc == 0 && g.n == 1 && all_v4(&g, 80) && standin(g.a[0].addr),
	      "six.test: rc %d, %s", g.rc, g.a[0].addr);
	if (g.rc == 0) {
		struct sockaddr_in sin = sin4(g.a[0].addr, 80);

		CHECK(getnameinfo((struct sockaddr *)&sin, sizeof sin, host,
				  sizeof host, NULL, 0, NI_NAMEREQD) == 0 &&
			      strcmp(host, "six.test") == 0,
		      "six.test named back: %s", host);
	}
	lookup(NULL, "both.test", "80", AF_UNSPEC, SOCK_STREAM, 0, &g);
	CHECK(g.rc == 0 && g.n == 2 && g.a[0].family == AF_INET6 &&
		      strcmp(g.a[0].addr, "2001:db8:7::22") == 0 &&
		      strcmp(g.a[1].addr, "198.51.100.22") == 0 && g.a[1].len == 16,
	      "both.test AF_UNSPEC: rc %d, %d answers", g.rc, g.n);
	lookup(NULL, "six.test", "80", AF_UNSPEC, SOCK_STREAM, 0, &g);
	CHECK(g.rc == 0 && g.n == 1 && g.a[0].family == AF_INET6,
	      "six.test AF_UNSPEC: AAAA only, no stand-in (rc %d)", g.rc);
	lookup(NULL, "nothing.test", "80", AF_INET, SOCK_STREAM, 0, &g);
	CHECK(g.rc == EAI_NONAME, "no such name: %d", g.rc);
	lookup(NULL, "a.test", "80", AF_INET6, SOCK_STREAM, 0, &g);
	CHECK(g.rc == EAI_AGAIN, "AF_INET6 untouched: %d", g.rc);

	he = gethostbyname("a.test");
	CHECK(he != NULL && he->h_addrtype == AF_INET && he->h_addr_list[0] &&
		      he->h_addr_list[1] && !he->h_addr_list[2] &&
		      memcmp(he->h_addr_list[1], "\xc6\x33\x64\x15", 4) == 0,
	      "gethostbyname a.test");
	{
		struct hostent hb, *res = NULL;
		char buf[512];
		int herr = 0, rc = gethostbyname_r("six.test", &hb, buf,
						   sizeof buf, &res, &herr);

		CHECK(rc == 0 && res == &hb && strcmp(hb.h_name, "six.test") == 0 &&
			      standin(inet_ntoa(*(struct in_addr *)hb.h_addr_list[0])),
		      "gethostbyname_r six.test: %d", rc);
		rc = gethostbyname_r("nothing.test", &hb, buf, sizeof buf, &res,
				     &herr);
		CHECK(rc == 0 && res == NULL && herr == HOST_NOT_FOUND,
		      "gethostbyname_r nothing.test: %d, h_errno %d", rc, herr);
		he = gethostbyname("nothing.test");
		CHECK(he == NULL && h_errno == HOST_NOT_FOUND,
		      "gethostbyname nothing.test: h_errno %d", h_errno);
	}
}

static const struct t_case cases[] = {
	{ "addrconfig", 0, case_addrconfig },
	{ "standin", 0, case_standin },
	{ "peer", 0, case_peer },
	{ "threads", 0, case_threads },
	{ "connect", 0, case_connect },
	{ "full", 0, case_full },
	{ "own", 0, case_own },
	{ 0 },
};

int main(int argc, char **argv)
{
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);

	libc_gai = libc ? (gai_fn *)dlsym(libc, "getaddrinfo") : NULL;
	if (libc_gai == NULL || libc_gai == getaddrinfo) {
		fprintf(stderr, "no libc getaddrinfo\n");
		return 2;
	}
	return t_main(argc, argv, cases);
}
