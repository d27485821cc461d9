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
#include "base/hold.h"
#include "base/log.h"
#include "dns/client.h"
#include "dns/wire.h"
#include "config/settings.h"

#define TRIES 2	       /* one retry per server */
#define TRY_MS 2000    /* wait per try */
#define WAIT_MS 6000   /* another thread's discovery is waited for until it is this old */
#define SILENT_MS 1500 /* a discovering thread silent this long has left it (it beats every T64_DNS_BEAT_MS) */
#define HOLD_MS (T64_MAXNS * TRIES * TRY_MS + 3000) /* the longest a live discovery holds on */

/* The current result, or NULL before the first discovery. */
static _Atomic(const struct t64_disc *) current;
/* 0: idle; else the claim (base/hold.h) of the thread discovering. */
static _Atomic uint64_t claim;
/* t64_ms() of the discovering thread's last sign of life (base/hold.h, dns/client.c). */
static _Atomic uint64_t beat;
/* This thread's hold on discovering (or waiting for a discovery), and the claim it took. */
static __thread struct t64_hold hold T64_TLS;
static __thread uint64_t mine T64_TLS;

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
					  TRY_MS, &beat);
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

/* silent returns the milliseconds since the discovering thread's last beat (the beat read first). */
static uint64_t silent(void)
{
	uint64_t b = atomic_load(&beat), now = t64_ms();

	return now > b ? now - b : 0;
}

/*
 * abandoned returns 1 when claim w (not 0) is no live discovery: this
 * thread's own, left by a non-local exit (its hold was stale); another
 * process's (a fork during the query); or silent for SILENT_MS (a thread
 * that left it by a non-local exit or was cancelled: a live one beats
 * during every wait).
 */
static int abandoned(uint64_t w)
{
	return w == mine || t64_claim_foreign(w) ||
	       (t64_claim_age(w) > SILENT_MS && silent() > SILENT_MS);
}

/*
 * discover_slow discovers, or waits for the thread that does (see
 * t64_discovered). Returns the current result. errno preserved.
 */
static __attribute__((noinline)) const struct t64_disc *discover_slow(const struct t64_disc *cur)
{
	struct t64_mark *mk = T64_MARK();
	int saved = errno;
	uint64_t w, me;

	if (!t64_hold_take(&hold, mk, HOLD_MS)) {
		/*
		 * This thread is discovering below us (a signal handler, a call
		 * nested in the query): never wait for ourselves. Unless the
		 * claim it holds has gone silent: then that hold was left
		 * behind after all.
		 */
		w = atomic_load(&claim);
		if (mine == 0 || w != mine || silent() <= SILENT_MS)
			return cur;
		t64_hold_seize(&hold, mk);
	}
	for (;;) {
		const struct t64_disc *now = atomic_load(&current);

		if (now != cur) {
			cur = now;
			break;
		}
		w = atomic_load(&claim);
		if (w == 0 || abandoned(w)) {
			const struct t64_disc *d;

			me = t64_claim();
			if (!atomic_compare_exchange_strong(&claim, &w, me))
				continue;
			mine = me;
			atomic_store(&beat, t64_ms());
			d = query(cur);
			if (d != NULL) {
				atomic_store(&current, d);
				cur = d;
			}
			atomic_compare_exchange_strong(&claim, &me, 0); /* unless taken over */
			mine = 0;
			break;
		}
		/* Another thread discovers: keep an old result, else wait until its claim is WAIT_MS old. */
		if (cur != NULL || t64_claim_age(w) >= WAIT_MS)
			break;
		t64_wait_a_little();
	}
	t64_hold_drop(&hold, mk);
	errno = saved;
	return cur;
}

/*
 * t64_discovered returns the current discovery result (NULL when none yet).
 * With run set and the result missing or expired, discovers first: one
 * thread queries while others keep the old result or wait for it until the
 * query is WAIT_MS old (by the clock, so a connect that asks twice still
 * waits at most that long); a child forked mid-query, or any thread once
 * the querying one left it (a non-local exit, cancelled), takes over.
 * Inside a discovery on the same thread (a signal handler), returns at
 * once. errno preserved.
 */
const struct t64_disc *t64_discovered(int run)
{
	const struct t64_disc *cur = atomic_load(&current);

	if (!run || (cur != NULL && t64_now() < cur->expires) || !t64_state()->discovery)
		return cur;
	return discover_slow(cur);
}
