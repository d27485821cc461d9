/* Things every file of the library shares: visibility. */
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
 * No recursion guard: the hooks translate wherever they are called from
 * (a signal handler, a call nested in the library's own work), and the
 * work that must not nest on a thread takes a hold (base/hold.h).
 * Thread-local variables are initial-exec: no allocation on first access.
 */
#define T64_TLS __attribute__((tls_model("initial-exec")))

#endif
