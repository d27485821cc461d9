/*
 * Library work that must not nest on one thread and may be abandoned: holds
 * (per thread) and claims (shared words). No lock, no allocation.
 */
#ifndef T64_HOLD_H
#define T64_HOLD_H

#include <stdint.h>

/*
 * A hold says that this thread is inside a piece of library work that must
 * not run again below itself (reading the settings, discovering, reading
 * the PREF64 cache, the interface list, a name lookup). A signal handler
 * that interrupts it, or a call nested in it, finds the hold live and does
 * without that work. A non-local exit (siglongjmp out of a handler) or a
 * cancelled thread leaves it behind: the thread's next t64_hold_take finds
 * it stale and takes it afresh. The holder's frame carries a mark (from
 * T64_MARK, on the real stack); the hold records where it is and what it
 * says. Live: the mark is above the asking frame and still says so.
 */
struct t64_mark {
	volatile uint64_t v;
};

struct t64_hold {
	struct t64_mark *mark; /* NULL: not held */
	uint64_t v;	       /* what the mark says while held */
	uint64_t since;	       /* t64_ms() when taken */
};

/* T64_MARK() makes a mark in the calling function's frame (never inline it: alloca). */
#define T64_MARK() ((struct t64_mark *)__builtin_alloca(sizeof(struct t64_mark)))

int t64_hold_take(struct t64_hold *h, struct t64_mark *m, long max_ms);
void t64_hold_seize(struct t64_hold *h, struct t64_mark *m);
void t64_hold_drop(struct t64_hold *h, struct t64_mark *m);

/*
 * A claim is a shared word saying which process took a piece of work and
 * when: pid << 42 | t64_ms() & (2^42 - 1); never 0 or 1, so words can keep
 * 0 (idle) and 1 (done) for themselves. A claim of another process was
 * taken before a fork: the child takes the work over.
 */
uint64_t t64_claim(void);
int t64_claim_foreign(uint64_t w);
uint64_t t64_claim_age(uint64_t w);

#endif
