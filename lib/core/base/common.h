/* Things every file of the library shares: visibility. */
#ifndef T64_COMMON_H
#define T64_COMMON_H

/* Exported names: only the libc calls we intercept (see libtnat64.map). */
#define T64_EXPORT __attribute__((visibility("default")))

/*
 * No recursion guard: the hooks translate wherever they are called from
 * (a signal handler, a call nested in the library's own work), and the
 * work that must not nest on a thread takes a hold (base/hold.h).
 * Thread-local variables are initial-exec: no allocation on first access.
 */
#define T64_TLS __attribute__((tls_model("initial-exec")))

#endif
