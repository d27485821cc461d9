#include "target.h"
#include "profile.h"
#include "sock/fdtab.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* Newer than the C library's headers of Debian 12. */
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

__thread struct sc_call *sc_current;

uint64_t sc_arg(const struct sc_call *c, int i)
{
	return c->req->data.args[i];
}

/* sc_valid returns 1 while the caller still waits for this answer (not killed, not interrupted, not another process). */
int sc_valid(const struct sc_call *c)
{
	uint64_t id = c->req->id;

	return ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/*
 * tgid_of reads the thread group of thread tid from /proc, for kernels
 * before 6.9 whose pidfd_open takes only a process. Returns -1 if unknown.
 */
static pid_t tgid_of(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/*
 * Each receiving thread keeps the pidfds of the threads it answered
 * lately: opening one costs three system calls per call otherwise. Only
 * thread pidfds (PIDFD_THREAD) are kept: one of an exited thread fails
 * with ESRCH, so a reused thread id never reaches a stale process.
 */
#define PIDFDS 16
static __thread struct {
	pid_t tid;
	int fd;
} pidfds[PIDFDS];
static __thread unsigned pidfds_next;

static int cached(pid_t tid)
{
	for (unsigned i = 0; i < PIDFDS; i++)
		if (pidfds[i].tid == tid && pidfds[i].fd > 0)
			return (int)i;
	return -1;
}

static void keep(pid_t tid, int fd)
{
	unsigned i = pidfds_next++ % PIDFDS;

	if (pidfds[i].fd > 0)
		close(pidfds[i].fd);
	pidfds[i].tid = tid;
	pidfds[i].fd = fd;
}

static void drop(int i)
{
	close(pidfds[i].fd);
	pidfds[i].fd = 0;
	pidfds[i].tid = 0;
}

/* open_pidfd opens the caller's pidfd, checked against pid reuse; *thread says whether it is a thread pidfd. */
static int open_pidfd(struct sc_call *c, int *thread)
{
	static int threads = 1; /* pidfd_open takes threads (PIDFD_THREAD, Linux 6.9) */
	pid_t tid = (pid_t)c->req->pid;
	int fd = -1;

	*thread = 0;
	if (threads) {
		fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
		if (fd < 0 && errno == EINVAL)
			threads = 0;
		*thread = fd >= 0;
	}
	if (fd < 0) {
		pid_t tgid = tgid_of(tid);

		fd = tgid < 0 ? -1 : (int)syscall(SYS_pidfd_open, tgid, 0);
	}
	if (fd >= 0 && !sc_valid(c)) {
		close(fd);
		errno = ESRCH;
		return -1;
	}
	return fd;
}

/* fd_copy is pidfd_getfd of the caller's fd, through the receiving thread's cached pidfd of the caller when it has one. */
static int fd_copy(struct sc_call *c, int fd)
{
	pid_t tid = (pid_t)c->req->pid;
	int i = cached(tid), rc, thread;

	if (i >= 0) {
		rc = (int)syscall(SYS_pidfd_getfd, pidfds[i].fd, fd, 0);
		if (rc >= 0 || errno != ESRCH)
			return rc;
		drop(i);
	}
	if (c->pidfd < 0) {
		if ((c->pidfd = open_pidfd(c, &thread)) < 0)
			return -1;
		if (thread) {
			keep(tid, c->pidfd);
			rc = (int)syscall(SYS_pidfd_getfd, c->pidfd, fd, 0);
			c->pidfd = -1; /* the cache's now */
			return rc;
		}
	}
	return (int)syscall(SYS_pidfd_getfd, c->pidfd, fd, 0);
}

/*
 * sc_fd returns the supervisor's own copy of the caller's fd (the same
 * open file: pidfd_getfd), or -1 with errno (EBADF: no such fd). The copy
 * is the call's (c->copy): sc_release closes it, at the latest just before
 * the answer. The caller's identity is checked when its pidfd is opened,
 * so a reused pid never lends us another process's fd.
 */
int sc_fd(struct sc_call *c, int fd)
{
	int rc = fd_copy(c, fd);

	if (rc >= 0)
		c->copy = rc;
	return rc;
}

/*
 * sc_release closes our copy of the call's socket and forgets its fd
 * table state. Done before answering, so that the socket's life is the
 * program's alone: its close after our answer is the last one, as it
 * would be without us (the port is free at once, a reset goes out then).
 */
void sc_release(struct sc_call *c)
{
	uint64_t t = sc_clock();

	if (c->copy < 0)
		return;
	t64_fd_forget(c->copy);
	close(c->copy);
	c->copy = -1;
	sc_spent(SC_FD, t);
}

/*
 * vm_copy moves want bytes between our areas mine and the caller's areas
 * theirs with one process_vm_readv (process_vm_writev when out is set).
 * Returns 0 when all of it moved, else -1 with errno EFAULT.
 */
static int vm_copy(const struct sc_call *c, const struct iovec *mine, unsigned long nmine,
		   const struct iovec *theirs, unsigned long ntheirs, size_t want, int out)
{
	uint64_t t = sc_clock();
	pid_t pid = (pid_t)c->req->pid;
	ssize_t moved;

	if (want == 0)
		return 0;
	moved = out ? process_vm_writev(pid, mine, nmine, theirs, ntheirs, 0) :
		      process_vm_readv(pid, mine, nmine, theirs, ntheirs, 0);
	sc_spent(SC_MEMORY, t);
	if (moved != (ssize_t)want) {
		errno = EFAULT;
		return -1;
	}
	return 0;
}

/* sc_read copies n bytes at the caller's addr into buf. Returns 0, or -1 with errno EFAULT. */
int sc_read(const struct sc_call *c, uint64_t addr, void *buf, size_t n)
{
	struct iovec mine = { buf, n }, theirs = { (void *)(uintptr_t)addr, n };

	return vm_copy(c, &mine, 1, &theirs, 1, n, 0);
}

/*
 * sc_read2 copies n1 bytes at the caller's a1 into b1 and n2 at a2 into b2
 * with one process_vm_readv: a read costs about as much as a sendto on this
 * kind of machine, so sendto reads its address and its data together.
 * Returns 0 when both came whole, else -1 (errno EFAULT).
 */
int sc_read2(const struct sc_call *c, uint64_t a1, void *b1, size_t n1, uint64_t a2, void *b2, size_t n2)
{
	struct iovec mine[2] = { { b1, n1 }, { b2, n2 } };
	struct iovec theirs[2] = { { (void *)(uintptr_t)a1, n1 }, { (void *)(uintptr_t)a2, n2 } };

	return vm_copy(c, mine, 2, theirs, 2, n1 + n2, 0);
}

/*
 * sc_readv copies the caller's cnt areas theirs (an iovec array of the
 * caller's, already read) into buf, n bytes in all, with one
 * process_vm_readv. Returns 0, or -1 with errno EFAULT.
 */
int sc_readv(const struct sc_call *c, const struct iovec *theirs, size_t cnt, void *buf, size_t n)
{
	struct iovec mine = { buf, n };

	return vm_copy(c, &mine, 1, theirs, cnt, n, 0);
}

/*
 * sc_writev copies our areas mine, n bytes in all, to the caller's areas
 * theirs (room for n at least) with one process_vm_writev. Returns 0, or
 * -1 with errno EFAULT.
 */
int sc_writev(const struct sc_call *c, const struct iovec *mine, size_t nmine, const struct iovec *theirs,
	      size_t ntheirs, size_t n)
{
	return vm_copy(c, mine, nmine, theirs, ntheirs, n, 1);
}

/* sc_write copies n bytes of buf to the caller's addr. Returns 0, or -1 with errno EFAULT. */
int sc_write(const struct sc_call *c, uint64_t addr, const void *buf, size_t n)
{
	struct iovec mine = { (void *)buf, n }, theirs = { (void *)(uintptr_t)addr, n };

	return vm_copy(c, &mine, 1, &theirs, 1, n, 1);
}

static void send_resp(struct sc_call *c, int64_t val, int err, unsigned flags)
{
	struct seccomp_notif_resp resp = { .id = c->req->id, .val = val, .error = err, .flags = flags };
	uint64_t t;

	if (c->answered)
		return;
	c->answered = 1;
	sc_release(c);
	t = sc_clock();
	/* ENOENT: the caller was interrupted or killed meanwhile; nothing waits for this answer. */
	while (ioctl(c->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno == EINTR)
		;
	sc_spent(SC_ANSWER, t);
}

/* sc_continue lets the call run in the kernel as the program made it. */
void sc_continue(struct sc_call *c)
{
	send_resp(c, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
}

/* sc_answer returns val, or -1 with errno err when err is not 0. */
void sc_answer(struct sc_call *c, int64_t val, int err)
{
	send_resp(c, err ? -1 : val, err ? -err : 0, 0);
}

/*
 * sc_answer_fd installs the supervisor's fd in the caller and returns its
 * number as the call's result, in one step (SECCOMP_ADDFD_FLAG_SEND).
 * fd stays ours to close. Returns 0, or -1 when the caller is gone (the
 * call is answered either way).
 */
int sc_answer_fd(struct sc_call *c, int fd, int cloexec)
{
	struct seccomp_notif_addfd add = {
		.id = c->req->id,
		.flags = SECCOMP_ADDFD_FLAG_SEND,
		.srcfd = (uint32_t)fd,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	uint64_t t;
	int rc;

	if (c->answered)
		return -1;
	sc_release(c);
	t = sc_clock();
	while ((rc = ioctl(c->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add)) < 0 && errno == EINTR)
		;
	sc_spent(SC_ANSWER, t);
	if (rc >= 0) {
		c->answered = 1;
		return 0;
	}
	if (errno == ENOENT) {
		c->answered = 1;
		return -1;
	}
	sc_answer(c, -1, errno); /* EMFILE: the caller's fd limit */
	return -1;
}

/* sc_call_end answers a call not answered yet (run it in the kernel) and closes what it opened. */
void sc_call_end(struct sc_call *c)
{
	if (!c->answered)
		sc_continue(c);
	sc_release(c);
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
}
