/*
 * The cost of one seccomp user-notification round trip on this machine, apart from tnat64: a thread under a filter
 * that notifies getppid(), another thread answering every notification with "continue" at once.
 *
 *   notify N MODE     MODE: native (no filter), sync (the answering thread woken on the caller's CPU:
 *                     SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, Linux 6.6), plain (the kernel's default wake-up),
 *                     process (sync, answered by another process, as tnat64-seccomp answers the program: each
 *                     switch then changes address space)
 *   prints nanoseconds per getppid()
 */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <sched.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif

/* Set after the answering thread starts (it must exist before the filter, which then spares it). */
static atomic_int listener = -1;

static void *answer(void *arg)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	(void)arg;
	while (atomic_load(&listener) < 0)
		sched_yield();
	for (;;) {
		memset(&req, 0, sizeof req);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
			continue;
		memset(&resp, 0, sizeof resp);
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof f / sizeof f[0], .filter = f };
	struct timespec t0, t1;
	pthread_t t;
	long n;

	if (argc != 3)
		return 2;
	n = atol(argv[1]);
	int process = strcmp(argv[2], "process") == 0, sync = process || strcmp(argv[2], "sync") == 0;
	pid_t other = -1;

	if (strcmp(argv[2], "native") != 0) {
		/* The answering thread exists before the filter, which then applies to this thread only. */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return 1;
		if (!process)
			pthread_create(&t, NULL, answer, NULL);
		int fd = (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);

		if (fd < 0) {
			perror("seccomp");
			return 1;
		}
		if (sync && ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, 1UL, 0) < 0) {
			perror("SECCOMP_IOCTL_NOTIF_SET_FLAGS");
			return 1;
		}
		atomic_store(&listener, fd);
		/* The answering process inherits the listener and the filter, which it never meets (no getppid). */
		if (process && (other = fork()) == 0) {
			answer(NULL);
			_exit(0);
		}
	}
	for (long i = 0; i < n / 10; i++)
		syscall(__NR_getppid);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++)
		syscall(__NR_getppid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.1f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n);
	if (other > 0)
		kill(other, SIGKILL);
	return 0;
}
