#include "discover.h"

#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "log.h"
#include "memo.h"
#include "rfc7050.h"
#include "state.h"

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
 * query asks the system resolver (private state, at most about 4 s) for the
 * AAAA records of ipv4only.arpa. Returns a new result chained to prev, or
 * NULL when out of memory. errno preserved.
 */
static const struct t64_disc *query(const struct t64_disc *prev)
{
	struct __res_state rs;
	uint8_t buf[2048];
	int len = -1;
	const struct t64_disc *d;
	char p[T64_ADDRSTR + 4];

	memset(&rs, 0, sizeof rs);
	if (res_ninit(&rs) == 0) {
		rs.retrans = 2;
		rs.retry = 1;
		len = res_nquery(&rs, "ipv4only.arpa", ns_c_in, ns_t_aaaa, buf,
				 sizeof buf);
		res_nclose(&rs);
	}
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
