#include "base/hold.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/clock.h"

#define MS_BITS 42
#define MS_MASK (((uint64_t)1 << MS_BITS) - 1)
/* A live holder is never further up its stack than this (thread stacks are megabytes). */
#define MAX_DEPTH ((uintptr_t)256 << 20)

/* A fresh value for each hold this thread takes (top bit set: never 0). */
static __thread uint64_t gen __attribute__((tls_model("initial-exec")));

/*
 * says reads mark m without trusting it to be mapped (it may be on an
 * alternate signal stack since freed): process_vm_readv on ourselves fails
 * with EFAULT where a load would fault. Returns 1 when it holds v.
 */
static int says(const struct t64_mark *m, uint64_t v)
{
	uint64_t got = 0;
	struct iovec local = { &got, sizeof got }, remote = { (void *)m, sizeof got };

	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)sizeof got && got == v;
}

/*
 * live tells whether h, found taken by this thread, belongs to a frame
 * still running above m (the asking frame's mark): the holder interrupted
 * by a signal handler, or a call nested in the work. Stale: older than
 * max_ms (when > 0), or its mark below or at m on the same stack, or no
 * longer saying h->v (the frame is gone and its memory reused). An
 * alternate signal stack is told apart: a hold taken on it is stale once
 * the thread runs elsewhere; a handler running on it sees the thread's own
 * stack as the interrupted code left it. Only asked when a hold is found
 * (a nested call or after a non-local exit): two system calls.
 */
static int live(const struct t64_hold *h, const struct t64_mark *m, long max_ms)
{
	uintptr_t held = (uintptr_t)h->mark, here = (uintptr_t)m;
	int on_alt = 0, held_alt = 0;
	stack_t ss;

	if (max_ms > 0 && t64_ms() - h->since > (uint64_t)max_ms)
		return 0;
	if (sigaltstack(NULL, &ss) == 0 && !(ss.ss_flags & SS_DISABLE) && ss.ss_size > 0) {
		uintptr_t lo = (uintptr_t)ss.ss_sp;

		on_alt = (ss.ss_flags & SS_ONSTACK) != 0;
		held_alt = held >= lo && held - lo < ss.ss_size;
	}
	if (held_alt && !on_alt)
		return 0;
	if (on_alt && !held_alt)
		return says(h->mark, h->v);
	return held > here && held - here < MAX_DEPTH && says(h->mark, h->v);
}

/*
 * t64_hold_seize takes h for the frame of mark m, whatever it held before.
 * Safe against a signal handler taking and dropping h meanwhile (the
 * fields are written again until they stay). errno preserved.
 */
void t64_hold_seize(struct t64_hold *h, struct t64_mark *m)
{
	uint64_t v = ++gen | (uint64_t)1 << 63, now = t64_ms();

	m->v = v;
	do {
		h->mark = NULL;
		atomic_signal_fence(memory_order_seq_cst);
		h->v = v;
		h->since = now;
		atomic_signal_fence(memory_order_seq_cst);
		h->mark = m;
		atomic_signal_fence(memory_order_seq_cst);
	} while (h->v != v || h->mark != m);
}

/*
 * t64_hold_take takes hold h for the calling frame, whose mark is m
 * (T64_MARK() in that frame). Returns 1 when taken (t64_hold_drop when
 * done; a stale hold is simply replaced), 0 when this thread holds h live
 * above us: the caller must do without the work, and must not wait for it.
 * max_ms > 0: a hold older than that counts as stale. errno preserved.
 */
int t64_hold_take(struct t64_hold *h, struct t64_mark *m, long max_ms)
{
	int saved = errno, r = 1;

	m->v = 0; /* a stale mark at this very address says nothing now */
	atomic_signal_fence(memory_order_seq_cst);
	if (h->mark != NULL && live(h, m, max_ms))
		r = 0;
	else
		t64_hold_seize(h, m);
	errno = saved;
	return r;
}

/* t64_hold_drop gives back h, taken with mark m. */
void t64_hold_drop(struct t64_hold *h, struct t64_mark *m)
{
	h->mark = NULL;
	atomic_signal_fence(memory_order_seq_cst);
	m->v = 0;
}

/* t64_claim returns a new claim word for this process (see hold.h). errno preserved. */
uint64_t t64_claim(void)
{
	int saved = errno;
	uint64_t w = (uint64_t)getpid() << MS_BITS | (t64_ms() & MS_MASK);

	errno = saved;
	return w;
}

/* t64_claim_foreign returns 1 when claim w was taken by another process (this one's parent, before a fork). */
int t64_claim_foreign(uint64_t w)
{
	int saved = errno, r = w >> MS_BITS != (uint64_t)getpid();

	errno = saved;
	return r;
}

/* t64_claim_age returns the milliseconds since claim w was taken. */
uint64_t t64_claim_age(uint64_t w)
{
	return (t64_ms() - w) & MS_MASK;
}
