#include "base/clock.h"
#include "prefix/discover.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/common.h"
#include "base/log.h"
#include "dns/client.h"
#include "dns/wire.h"
#include "config/settings.h"

#define TRIES 2	       /* one retry per server */
#define TRY_MS 2000    /* wait per try */

/* The current result, or NULL before the first discovery. */
static _Atomic(const struct t64_disc *) current;
/* 0: idle; else (pid << 1) of the process whose thread is discovering. */
static _Atomic long busy_word;

/*
 * t64_discover_answer turns a raw DNS answer (len bytes, len < 0 when the
 * query failed) into a new result chained to prev. Returns it, or NULL when
 * out of memory. errno preserved.
 */
const struct t64_disc *t64_discover_answer(const uint8_t *msg, int len,
					   const struct t64_disc *prev)
{
	uint8_t ans[T64_MAX_ANSWERS][16];
	struct t64_disc *d = calloc(1, sizeof *d);
	int saved = errno;
	size_t n = 0;
	uint32_t ttl = 0;

	if (d == NULL)
		goto out;
	if (len > 0 && t64_dns_aaaa(msg, (size_t)len, ans, T64_MAX_ANSWERS, &n,
				    &ttl) == 0)
		d->n = t64_rfc7050_prefixes((const uint8_t(*)[16])ans, n, d->p,
					    T64_MAX_PREFIXES);
	d->ttl = d->n ? (ttl < 10 ? 10 : ttl) : T64_NEGATIVE_TTL;
	d->expires = t64_now() + d->ttl;
	d->prev = prev;
out:
	errno = saved;
	return d;
}

/*
 * query asks the nameservers of /etc/resolv.conf in order (at most
 * T64_MAXNS, each 2 x 2 s at most) for the AAAA records of ipv4only.arpa
 * with a query of our own over UDP: no resolver lock a fork could strand.
 * A server answering SERVFAIL, NOTIMP or REFUSED passes to the next one.
 * Returns a new result chained to prev, or NULL when out of memory. errno
 * preserved.
 */
static const struct t64_disc *query(const struct t64_disc *prev)
{
	static const uint8_t qname[] = "\x08ipv4only\x04"
				       "arpa";
	struct t64_resolv_conf rc;
	uint8_t q[T64_DNS_QMAX];
	uint8_t buf[T64_DNS_ANSWER_MAX];
	int len = -1, saved = errno;
	const struct t64_disc *d;
	char p[T64_ADDRSTR + 4];

	t64_resolv_conf_read(&rc);
	if (rc.nns == 0) { /* glibc's default */
		rc.ns[0].a.in.sin_family = AF_INET;
		rc.ns[0].a.in.sin_port = htons(53);
		rc.ns[0].a.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		rc.ns[0].len = sizeof rc.ns[0].a.in;
		rc.nns = 1;
	}
	for (int i = 0; i < rc.nns && len < 0; i++) {
		for (int t = 0; t < TRIES && len < 0; t++) {
			size_t ql = t64_dns_query(q, t64_query_id(), qname,
						  sizeof qname, 28);

			len = t64_dns_ask(&rc.ns[i], q, ql, buf, sizeof buf,
					  TRY_MS);
		}
		if (len > 0 && i + 1 < rc.nns &&
		    ((buf[3] & 0x0f) == 2 || (buf[3] & 0x0f) == 4 ||
		     (buf[3] & 0x0f) == 5))
			len = -1;
	}
	errno = saved;
	d = t64_discover_answer(buf, len, prev);
	if (d != NULL && d->n > 0) {
		t64_format_prefix(&d->p[0], p);
		T64_DEBUG(1, "discovered NAT64 prefix %s (%zu in all, TTL %u)",
			  p, d->n, d->ttl);
	} else {
		T64_DEBUG(1, "no NAT64 prefix discovered (ipv4only.arpa)");
	}
	return d;
}

/*
 * t64_discovered returns the current discovery result (NULL when none yet).
 * With run set and the result missing or expired, discovers first: one
 * thread queries while others keep the old result or wait a bounded time; a
 * child forked mid-query takes over. Never inside the library. errno
 * preserved.
 */
const struct t64_disc *t64_discovered(int run)
{
	const struct t64_disc *cur = atomic_load(&current);
	int saved = errno;
	long me, w = 0;

	if (!run || t64_busy || (cur != NULL && t64_now() < cur->expires) ||
	    !t64_state()->discovery)
		return cur;
	me = (long)getpid() << 1;
	for (int i = 0; i < 6000; i++) {
		const struct t64_disc *now = atomic_load(&current);

		if (now != cur) {
			cur = now;
			goto out;
		}
		if (w != me && atomic_compare_exchange_strong(&busy_word, &w, me)) {
			const struct t64_disc *d;

			t64_busy++;
			d = query(cur);
			t64_busy--;
			if (d != NULL) {
				atomic_store(&current, d);
				cur = d;
			}
			atomic_store(&busy_word, 0);
			goto out;
		}
		if (cur != NULL)
			goto out;
		t64_wait_a_little();
		w = atomic_load(&busy_word);
	}
out:
	errno = saved;
	return cur;
}
