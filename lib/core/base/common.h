/* Things every file of the library shares: visibility, the recursion guard. */
#ifndef T64_COMMON_H
#define T64_COMMON_H

/* Exported names: only the libc calls we intercept (see libtnat64.map). */
#define T64_EXPORT __attribute__((visibility("default")))

/*
 * A function kept out of its callers even with link-time optimisation: a
 * path a hook takes besides its hot one, which inlined would make the hot
 * path pay for its registers and stack.
 */
#define T64_APART __attribute__((noinline))

/*
 * Thread-local recursion guard: non-zero while the library itself is working
 * (initialising, discovering, logging). Hooks entered while it is set go
 * straight to the real call. initial-exec: no allocation on first access.
 */
extern __thread int t64_busy __attribute__((tls_model("initial-exec")));

#endif
