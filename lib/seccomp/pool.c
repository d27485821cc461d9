#include "pool.h"

#include <errno.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "calls.h"
#include "profile.h"

/* Newer than Debian 12's kernel headers (Linux 6.6). */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

/*
 * One thread at a time waits in SECCOMP_IOCTL_NOTIF_RECV (it holds
 * `receiving`): the kernel wakes every thread waiting there for each
 * notification, so more would cost a wake-up and a switch each per call.
 * The others are parked on a futex; a receiver about to wait on the
 * network (sc_pool_wait_begin) wakes one, or starts one when none is
 * parked. More parked than SPARE: the thread ends.
 */
#define SPARE 3

/*
 * At most this many threads (TNAT64_SECCOMP_THREADS changes it): each
 * waiting call holds one. At the limit a receive or an accept that would
 * wait is left to the kernel (sc_pool_wait_begin fails).
 */
static int threads_max = 4096;

static int listener = -1;
static size_t notif_size;
static atomic_int receiving, parked, threads, wake_gen;

static void futex(atomic_int *w, int op, int v)
{
	syscall(SYS_futex, w, op | FUTEX_PRIVATE_FLAG, v, NULL, NULL, 0);
}

/* take_turn waits until this thread is the receiver. Returns 0, or -1 when it is one too many and should end. */
static int take_turn(void)
{
	for (;;) {
		int g = atomic_load(&wake_gen), none = 0;

		if (atomic_compare_exchange_strong(&receiving, &none, 1))
			return 0;
		if (atomic_fetch_add(&parked, 1) >= SPARE) {
			atomic_fetch_sub(&parked, 1);
			return -1;
		}
		futex(&wake_gen, FUTEX_WAIT, g); /* returns at once if a wake came since g was read */
		atomic_fetch_sub(&parked, 1);
	}
}

static void *receiver(void *arg)
{
	struct seccomp_notif *req = calloc(1, notif_size);
	struct sc_call c;

	(void)arg;
	while (req != NULL && take_turn() == 0) {
		memset(req, 0, notif_size);
		uint64_t t = sc_clock();
		int rc = ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req);

		sc_spent(SC_WAIT, t);
		atomic_store(&receiving, 0);
		if (rc < 0) {
			/* ENOENT: the caller was interrupted before we took it. */
			if (errno == EINTR || errno == ENOENT)
				continue;
			break;
		}
		c.listener = listener;
		c.req = req;
		c.pidfd = -1;
		c.copy = -1;
		c.answered = 0;
		t = sc_clock();
		sc_handle(&c);
		sc_spent(SC_HANDLE, t);
	}
	free(req);
	sc_thread_end();
	atomic_fetch_sub(&threads, 1);
	return NULL;
}

static int spawn(void)
{
	pthread_attr_t a;
	pthread_t t;
	int rc;

	if (atomic_fetch_add(&threads, 1) >= threads_max) {
		atomic_fetch_sub(&threads, 1);
		return -1;
	}
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&a, 256 * 1024);
	rc = pthread_create(&t, &a, receiver, NULL);
	pthread_attr_destroy(&a);
	if (rc != 0) {
		atomic_fetch_sub(&threads, 1);
		return -1;
	}
	return 0;
}

/*
 * sc_pool_start serves listener from now on. The kernel wakes the
 * receiver on the caller's CPU where it can (SYNC_WAKE_UP, Linux 6.6):
 * a round trip then costs microseconds, not a cross-CPU wake-up.
 * Returns 0, or -1 with errno.
 */
int sc_pool_start(int fd)
{
	struct seccomp_notif_sizes sizes;

	if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return -1;
	notif_size = sizes.seccomp_notif > sizeof(struct seccomp_notif) ? sizes.seccomp_notif :
									 sizeof(struct seccomp_notif);
	const char *text = getenv("TNAT64_SECCOMP_THREADS");
	int max = text != NULL ? atoi(text) : 0;

	if (max >= 2 && max <= 65536)
		threads_max = max;
	listener = fd;
	/* a fresh process (see main.c, linger) starts with no thread */
	atomic_store(&receiving, 0);
	atomic_store(&parked, 0);
	atomic_store(&threads, 0);
	ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, 0);
	return spawn();
}

/*
 * sc_pool_wait_begin: this thread is about to wait on the network; make
 * sure another one receives. Returns 0, or -1 when none can (every
 * thread allowed is waiting already).
 */
int sc_pool_wait_begin(void)
{
	if (atomic_load(&receiving))
		return 0;
	if (atomic_load(&parked) > 0) {
		atomic_fetch_add(&wake_gen, 1);
		futex(&wake_gen, FUTEX_WAKE, 1);
		return 0;
	}
	return spawn();
}
