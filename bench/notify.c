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
#include <sys/socket.h>
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

/* The answering process gets the listener over fds[1] (SCM_RIGHTS) and answers until it is killed. */
static pid_t answerer(int sock)
{
	pid_t pid = fork();
	char byte;
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
	int fd;

	if (pid != 0)
		return pid;
	if (recvmsg(sock, &m, 0) != 1 || CMSG_FIRSTHDR(&m) == NULL)
		_exit(1);
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof fd);
	atomic_store(&listener, fd);
	answer(NULL);
	_exit(0);
}

static int hand_over(int sock, int fd)
{
	char byte = 0;
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof fd);
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
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
	int process = strcmp(argv[2], "process") == 0, sync = process || strcmp(argv[2], "sync") == 0, sv[2];
	pid_t other = -1;

	if (strcmp(argv[2], "native") != 0) {
		/* The answering thread or process exists before the filter, which then applies to this thread only. */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return 1;
		if (process) {
			if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || (other = answerer(sv[1])) < 0)
				return 1;
		} else {
			pthread_create(&t, NULL, answer, NULL);
		}
		int fd = (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);

		if (fd < 0) {
			perror("seccomp");
			return 1;
		}
		if (sync && ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, 1UL, 0) < 0) {
			perror("SECCOMP_IOCTL_NOTIF_SET_FLAGS");
			return 1;
		}
		if (process ? hand_over(sv[0], fd) < 0 : (atomic_store(&listener, fd), 0))
			return 1;
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
