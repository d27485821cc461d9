#include "base/real.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

#include "base/log.h"

#define T64_NAME(n) #n,
static const char *const names[T64_NCALLS] = { T64_CALLS(T64_NAME) };
#undef T64_NAME

/* Resolved pointers; a race only makes two threads store the same value. */
_Atomic(void *) t64_syms[T64_NCALLS];

static atomic_int reported;

/*
 * self_marker is a function of this library: dladdr on it gives our base,
 * to recognise a lookup that found our own hook.
 */
static void self_marker(void)
{
}

/*
 * t64_real_sym returns the next definition of call id after this library
 * (dlsym(RTLD_NEXT)), looked up once. Returns NULL with errno ENOSYS (and one
 * message) when there is none or it is our own hook; errno is untouched on
 * success.
 */
void *t64_real_sym(enum t64_call id)
{
	void *p = atomic_load_explicit(&t64_syms[id], memory_order_acquire);
	Dl_info mine, found;
	int saved;

	if (p != NULL)
		return p;
	saved = errno;
	p = dlsym(RTLD_NEXT, names[id]);
	if (p != NULL && dladdr(p, &found) && dladdr((void *)self_marker, &mine) &&
	    found.dli_fbase == mine.dli_fbase)
		p = NULL;
	if (p == NULL) {
		if (!atomic_exchange(&reported, 1))
			t64_log(0, "cannot find the real %s(); failing it with "
				   "ENOSYS",
				names[id]);
		errno = ENOSYS;
		return NULL;
	}
	atomic_store_explicit(&t64_syms[id], p, memory_order_release);
	errno = saved;
	return p;
}

/*
 * t64_close closes an fd the library opened for itself with the real
 * close, never our hook (the one way core code calls an exported libc
 * name: lib/test/layers.sh checks it). errno preserved.
 */
void t64_close(int fd)
{
	int saved = errno;
	t64_fn_close *real = T64_REAL(close);

	if (real != NULL)
		real(fd);
	errno = saved;
}
