/*
 * limits CASE ...: what a statically linked program sees at the seccomp engine's documented limits
 * (test/lab/seccomp.test.ts, built with gcc -static). Prints one JSON line.
 *
 *   listener             installs a seccomp filter with a notification listener of its own (as a supervisor or a
 *                        sandbox tool would): {"listener":"ok"} or the errno name
 *   filter HOST PORT     installs a plain allow-all filter of its own, then TCP-connects to HOST:PORT:
 *                        {"filter":"ok","connect":"ok"|errno}
 *   euid                 {"ruid":N,"euid":N}: a setuid copy shows whether it got its privileges
 *   uring HOST PORT      an AF_INET TCP socket connected by io_uring's IORING_OP_CONNECT: {"uring":res}
 *                        (0 or -errno)
 *   i386 HOST PORT       socket + connect through the 32-bit system call entry (int 0x80, x86-64 only):
 *                        {"i386":"ok"|errno}
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../../lib/test/net.h"
#include "../../../lib/test/uring.h"

static const char *err_name(int e)
{
	switch (e) {
	case 0: return "ok";
	case EBUSY: return "EBUSY";
	case EINVAL: return "EINVAL";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOSYS: return "ENOSYS";
	case ENETUNREACH: return "ENETUNREACH";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	default: return strerror(e);
	}
}

/* allow_all installs a filter that allows everything; flags as seccomp(2) takes them. Returns 0 or an errno. */
static int allow_all(unsigned flags)
{
	struct sock_filter f[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_fprog prog = { .len = 1, .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return errno;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) < 0 ? errno : 0;
}

static struct sockaddr_in dest(const char *host, const char *port)
{
	return sin4(host, (uint16_t)atoi(port));
}

static int tcp_connect(const char *host, const char *port)
{
	struct sockaddr_in a = dest(host, port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return errno;
	return connect(fd, (struct sockaddr *)&a, sizeof a) < 0 ? errno : 0;
}

#if defined(__x86_64__)
/* The i386 entry takes 32-bit pointers: the address lives in this static (non-PIE) program's data. */
static struct sockaddr_in i386_addr;

static long int80(long nr, long a, long b, long c)
{
	long rc;

	__asm__ volatile("int $0x80" : "=a"(rc) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return rc;
}

static int i386_connect(const char *host, const char *port)
{
	enum { I386_SOCKET = 359, I386_CONNECT = 362 }; /* arch/x86/entry/syscalls/syscall_32.tbl */
	long fd = int80(I386_SOCKET, AF_INET, SOCK_STREAM, 0), rc;

	if (fd < 0)
		return (int)-fd;
	i386_addr = dest(host, port);
	rc = int80(I386_CONNECT, fd, (long)(uintptr_t)&i386_addr, sizeof i386_addr);
	close((int)fd);
	return rc < 0 ? (int)-rc : 0;
}
#endif

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	if (strcmp(c, "listener") == 0) {
		printf("{\"listener\":\"%s\"}\n", err_name(allow_all(SECCOMP_FILTER_FLAG_NEW_LISTENER)));
	} else if (strcmp(c, "filter") == 0 && argc == 4) {
		int e = allow_all(0);

		printf("{\"filter\":\"%s\",\"connect\":\"%s\"}\n", err_name(e), err_name(e ? e : tcp_connect(argv[2], argv[3])));
	} else if (strcmp(c, "euid") == 0) {
		printf("{\"ruid\":%u,\"euid\":%u}\n", (unsigned)getuid(), (unsigned)geteuid());
	} else if (strcmp(c, "uring") == 0 && argc == 4) {
		struct sockaddr_in a = dest(argv[2], argv[3]);
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int res = uring_connect(fd, &a, sizeof a);

		if (res == 1) {
			printf("{\"uring\":\"unavailable\",\"why\":\"%s\"}\n", err_name(errno));
			return 2;
		}
		printf("{\"uring\":%d}\n", res);
#if defined(__x86_64__)
	} else if (strcmp(c, "i386") == 0 && argc == 4) {
		printf("{\"i386\":\"%s\"}\n", err_name(i386_connect(argv[2], argv[3])));
#endif
	} else {
		fprintf(stderr, "usage: limits listener | filter HOST PORT | euid | uring HOST PORT | i386 HOST PORT\n");
		return 2;
	}
	return 0;
}
