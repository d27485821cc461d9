/*
 * Stand-in pool: `standin unit` exercises the pool itself
 * (linked with the core objects); the other cases run under
 * LD_PRELOAD=libtnat64.so in a network namespace prepared by run.sh
 * (64:ff9b:1::/96 and 2001:db8::/32 local on lo, TNAT64_PREFIX=64:ff9b:1::/96).
 * IPv6 peers are plain AF_INET6 sockets, which the library leaves alone.
 * Prints "N passed, M failed".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pool/pool.h"
#include "check.h"
#include "net.h"

#define NET T64_POOL_DEFAULT

/* addr6 fills a[16] with the i-th test address 2001:db8:ffff::i. */
static void addr6(uint32_t i, uint8_t a[16])
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[4] = a[5] = 0xff;
	a[12] = (uint8_t)(i >> 24);
	a[13] = (uint8_t)(i >> 16);
	a[14] = (uint8_t)(i >> 8);
	a[15] = (uint8_t)i;
}

/*
 * case_unit: stable, reversible, distinct; shared with a forked child;
 * full after 65534 peers (198.19.0.0 then, live mappings kept); names get
 * nothing once full.
 */
static void case_unit(int argc, char **argv)
{
	static uint8_t seen[T64_POOL_SLOTS];
	uint8_t a[16], b[16];
	uint32_t s, first, bad = 0, dup = 0, wrong = 0, n = 0;
	int st;
	pid_t pid;

	(void)argc;
	(void)argv;
	addr6(1, a);
	first = t64_pool_get(a);
	CHECK(t64_pool_is(first) && first != NET &&
		      first != (NET | 0xffff),
	      "a stand-in in 198.19/16: %#x", first);
	CHECK(t64_pool_get(a) == first, "stable");
	CHECK(t64_pool_addr(first, b) == 1 && memcmp(a, b, 16) == 0, "reversible");
	CHECK(t64_pool_addr(NET, b) == 0 &&
		      t64_pool_addr(NET | 0xffff, b) == 0 &&
		      t64_pool_addr(0xc0000201, b) == 0,
	      "198.19.0.0, .255.255 and other addresses map to nothing");
	pid = fork();
	if (pid == 0) {
		addr6(2, a);
		_exit(t64_pool_get(a) == NET);
	}
	waitpid(pid, &st, 0);
	addr6(2, a);
	s = 0;
	for (uint32_t i = 1; i < T64_POOL_SLOTS - 1; i++)
		if (t64_pool_addr(NET | i, b) && memcmp(a, b, 16) == 0)
			s = NET | i;
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && s != 0 &&
		      t64_pool_get(a) == s,
	      "the child's mapping is the parent's (MAP_SHARED): %#x", s);
	seen[first & 0xffff] = seen[s & 0xffff] = 1;
	for (uint32_t i = 3; n < T64_POOL_SLOTS - 4; i++, n++) {
		addr6(i, a);
		s = t64_pool_get(a);
		if (!t64_pool_is(s) || s == NET ||
		    (s & 0xffff) == 0xffff)
			bad++;
		else if (seen[s & 0xffff]++)
			dup++;
		else if (!t64_pool_addr(s, b) || memcmp(a, b, 16) != 0)
			wrong++;
	}
	CHECK(bad == 0 && dup == 0 && wrong == 0,
	      "65534 peers: %u unusable, %u shared, %u wrong", bad, dup, wrong);
	addr6(0x7fffffff, a);
	CHECK(t64_pool_get(a) == NET, "the 65535th peer: 198.19.0.0");
	CHECK(t64_pool_name_get(a, "late.example") == 0 && errno == 0,
	      "the 65535th name: no stand-in (0), errno untouched");
	addr6(1, a);
	CHECK(t64_pool_get(a) == first, "live mappings kept when full");
	CHECK(t64_pool_name_get(a, "one.example") == first,
	      "a name for a live mapping still gets it when full");
}

/*
 * case_names: a looked-up name gets a stand-in that maps back to its
 * address and name; the first name recorded for an address wins; a peer's
 * stand-in can be named later; names are truncated to the caller's buffer;
 * names that cannot be DNS names are not recorded.
 */
static void case_names(int argc, char **argv)
{
	static char longest[T64_POOL_NAME_MAX + 2];
	uint8_t a[16], b[16];
	uint32_t s, p, t;
	char out[300];

	(void)argc;
	(void)argv;
	addr6(10, a);
	errno = 1234;
	s = t64_pool_name_get(a, "www.example.com");
	CHECK(t64_pool_is(s) && s != NET && (s & 0xffff) != 0xffff &&
		      errno == 1234,
	      "a stand-in for a name: %#x, errno kept", s);
	CHECK(t64_pool_addr(s, b) && memcmp(a, b, 16) == 0 &&
		      t64_pool_name(s, out, sizeof out) == 1 &&
		      strcmp(out, "www.example.com") == 0,
	      "it maps back to the address and the name (%s)", out);
	CHECK(t64_pool_name_get(a, "alias.example.com") == s &&
		      t64_pool_name(s, out, sizeof out) == 1 &&
		      strcmp(out, "www.example.com") == 0,
	      "the same address under another name: same stand-in, first name wins");
	CHECK(t64_pool_name(s, out, 4) == 1 && strcmp(out, "www") == 0,
	      "truncated to the buffer: \"%s\"", out);
	CHECK(t64_pool_name(s, out, 0) == 0, "no room: 0");
	addr6(11, a);
	p = t64_pool_get(a);
	CHECK(p != s && t64_pool_name(p, out, sizeof out) == 0,
	      "a peer's stand-in has no name");
	CHECK(t64_pool_name_get(a, "peer.example") == p &&
		      t64_pool_name(p, out, sizeof out) == 1 &&
		      strcmp(out, "peer.example") == 0,
	      "until a lookup names it");
	addr6(12, a);
	memset(longest, 'a', T64_POOL_NAME_MAX + 1);
	t = t64_pool_name_get(a, longest);
	CHECK(t != 0 && t64_pool_name(t, out, sizeof out) == 0,
	      "a 254-character name gets a stand-in but is not recorded");
	CHECK(t64_pool_name_get(a, "") == t && t64_pool_name(t, out, sizeof out) == 0 &&
		      t64_pool_name_get(a, NULL) == t,
	      "nor are empty or NULL names");
	longest[T64_POOL_NAME_MAX] = '\0';
	CHECK(t64_pool_name_get(a, longest) == t &&
		      t64_pool_name(t, out, sizeof out) == 1 &&
		      strlen(out) == T64_POOL_NAME_MAX,
	      "a 253-character name is recorded whole");
	CHECK(t64_pool_name(NET, out, sizeof out) == 0 &&
		      t64_pool_name(0xc0000201, out, sizeof out) == 0 &&
		      t64_pool_name(NET | 0x7777, out, sizeof out) == 0,
	      "no name for the network address, other addresses, free slots");
}

/* ip4 parses dotted-quad text into host order. */
static uint32_t ip4(const char *s)
{
	struct in_addr in;

	return inet_pton(AF_INET, s, &in) == 1 ? ntohl(in.s_addr) : 0;
}

/*
 * case_range NET FIRST LAST: run with the range configured (file or
 * TNAT64_STANDIN_POOL): stand-ins are FIRST..LAST, the network and last
 * address never handed out; once full a name gets 0 and a peer the
 * network address, live mappings intact.
 */
static void case_range(int argc, char **argv)
{
	const char *net_s = argv[0], *first_s = argv[1], *last_s = argv[2];
	uint32_t net = ip4(net_s), first = ip4(first_s), last = ip4(last_s);
	uint32_t n = last - first + 1, got = 0, outside = 0;
	uint8_t a[16], b[16];
	uint32_t s0 = 0;
	char out[64];

	(void)argc;
	CHECK(t64_pool_is(net + 1) && t64_pool_full() == net,
	      "before anything else read the settings, the range starts at "
	      "%s: %#x", net_s, t64_pool_full());
	for (uint32_t i = 0; i < n; i++) {
		uint32_t s;

		addr6(100 + i, a);
		s = t64_pool_name_get(a, i ? "more.example" : "first.example");
		if (i == 0)
			s0 = s;
		if (s >= first && s <= last && t64_pool_is(s) &&
		    t64_pool_addr(s, b) && memcmp(a, b, 16) == 0)
			got++;
		else
			outside++;
	}
	CHECK(got == n && outside == 0, "%u stand-ins in %s-%s (%u wrong)", got,
	      first_s, last_s, outside);
	CHECK(t64_pool_is(net) && t64_pool_is(last + 1) &&
		      !t64_pool_is(last + 2) && !t64_pool_is(net - 1) &&
		      !t64_pool_is(T64_POOL_DEFAULT | 1),
	      "t64_pool_is: only the configured range");
	addr6(99, a);
	CHECK(t64_pool_name_get(a, "full.example") == 0,
	      "range full: a new name gets 0");
	CHECK(t64_pool_get(a) == net, "a new peer gets the network address");
	addr6(98, a);
	CHECK(t64_pool_name_get(a, "again.example") == 0 &&
		      t64_pool_get(a) == net,
	      "and so does the next");
	addr6(100, a);
	CHECK(t64_pool_name_get(a, "x.example") == s0 &&
		      t64_pool_addr(s0, b) && memcmp(a, b, 16) == 0 &&
		      t64_pool_name(s0, out, sizeof out) &&
		      strcmp(out, "first.example") == 0,
	      "the live mapping is intact");
	CHECK(t64_pool_addr(net, b) == 0 && t64_pool_addr(last + 1, b) == 0,
	      "the network and last addresses map to nothing");
}

/* pool_fd returns the number TNAT64_POOL_FD names, or -1. */
static int pool_fd(void)
{
	const char *v = getenv("TNAT64_POOL_FD");

	return v ? atoi(v) : -1;
}

/* shmem_kb returns this process's RssShmem in kB, or -1. */
static long shmem_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long kb = -1;

	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "RssShmem: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/*
 * child runs this program again (fork + exec) as `standin ARGS...` after
 * prepare(arg) ran in the child. Returns its exit status (-1: not run).
 */
static int child(void (*prepare)(long), long arg, char *const args[])
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	int st;
	pid_t pid;

	if (n <= 0) /* (valgrind answers with the program, not itself) */
		return -1;
	self[n] = '\0';
	pid = fork();
	if (pid == 0) {
		if (prepare)
			prepare(arg);
		execv(self, args);
		_exit(126);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void close_fd(long fd)
{
	close((int)fd);
}

static void reuse_fd(long fd)
{
	int n = open("/dev/null", O_RDWR);

	dup2(n, (int)fd);
}

static void other_range(long unused)
{
	(void)unused;
	setenv("TNAT64_STANDIN_POOL", "10.64.0.0/24", 1);
}

static void forge_env(long fd)
{
	char v[16];

	snprintf(v, sizeof v, "%ld", fd);
	setenv("TNAT64_POOL_FD", v, 1);
}

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#endif

/*
 * no_memfd installs a seccomp filter making memfd_create fail with ENOSYS
 * (as some sandboxes do) and clears TNAT64_POOL_FD, so the program it
 * runs must fall back to an anonymous table.
 */
static void no_memfd(long unused)
{
#ifdef ARCH
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_memfd_create, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof f / sizeof f[0], f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		_exit(125);
#endif
	(void)unused;
	unsetenv("TNAT64_POOL_FD");
}

/*
 * case_no_memfd: without memfd_create the table is an anonymous shared
 * mapping: it works and forked children share it; nothing is published.
 */
static void case_no_memfd(int argc, char **argv)
{
	uint8_t a[16], b[16];
	uint32_t s = 0;
	int st;
	pid_t pid;

	(void)argc;
	(void)argv;
	CHECK(memfd_create("x", 0) < 0 && errno == ENOSYS,
	      "memfd_create is refused here");
	CHECK(getenv("TNAT64_POOL_FD") == NULL, "no TNAT64_POOL_FD published");
	pid = fork();
	if (pid == 0) {
		addr6(3, a);
		_exit(t64_pool_name_get(a, "forked.example") == 0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && st == 0, "the child got one");
	addr6(3, a);
	for (uint32_t i = 1; i < T64_POOL_SLOTS - 1; i++)
		if (t64_pool_addr(NET | i, b) && memcmp(a, b, 16) == 0)
			s = NET | i;
	CHECK(s != 0 && t64_pool_get(a) == s, "and it is shared with the parent");
}

/* zeros returns 1 when the first n bytes of fd are all zero. */
static int zeros(int fd, off_t n)
{
	static char buf[65536];
	off_t at = 0;

	while (at < n) {
		ssize_t r = pread(fd, buf, sizeof buf, at);

		if (r <= 0)
			return 0;
		for (ssize_t i = 0; i < r; i++)
			if (buf[i] != 0)
				return 0;
		at += r;
	}
	return 1;
}

/*
 * case_exec: the table survives exec: a program this one runs finds the
 * stand-in, address and name made here, and what it adds is seen here.
 * A child whose pool fd was closed, reused, or that is pointed at an
 * ordinary file or an unsealed memfd of the same size gets a fresh table
 * and names its own fd (the forged file stays untouched).
 */
static void case_exec(int argc, char **argv)
{
	uint8_t a[16];
	uint32_t s;
	char hex[16], out[64], fdnum[16];
	int fd = pool_fd(), forged, st;
	struct stat pst;

	(void)argc;
	(void)argv;
	CHECK(fd >= 512 && fstat(fd, &pst) == 0 && S_ISREG(pst.st_mode) &&
		      fcntl(fd, F_GETFD) == 0,
	      "TNAT64_POOL_FD names an fd >= 512 kept across exec: %d", fd);
	CHECK(fcntl(fd, F_GET_SEALS) ==
		      (F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL),
	      "sealed: size fixed, seals fixed");
	addr6(7, a);
	s = t64_pool_name_get(a, "exec.example");
	snprintf(hex, sizeof hex, "%x", s);
	st = child(NULL, 0, (char *[]){ "standin", "exec-child", hex, NULL });
	CHECK(st == 0, "exec'd child sees the mapping (exit %d)", st);
	addr6(8, a);
	s = t64_pool_name_get(a, "mine.example");
	CHECK(t64_pool_name(s, out, sizeof out) && strcmp(out, "child.example") == 0,
	      "what the exec'd child added is seen here: %s", out);
	for (uint32_t i = 1000; i < 6000; i++) { /* some in slots 1-254 */
		addr6(i, a);
		t64_pool_get(a);
	}
#ifdef ARCH
	st = child(no_memfd, 0, (char *[]){ "standin", "no-memfd", NULL });
	CHECK(st == 0, "without memfd_create: an anonymous table (exit %d)", st);
#endif
	st = child(other_range, 0, (char *[]){ "standin", "exec-other", NULL });
	addr6(50, a);
	s = t64_pool_name_get(a, "parent.example");
	CHECK(st == 0 && t64_pool_name(s, out, sizeof out) &&
		      strcmp(out, "parent.example") == 0,
	      "a child configured for another range keeps its own table "
	      "(exit %d, %s)", st, out);
	addr6(7, a);
	s = t64_pool_name_get(a, NULL);
	snprintf(hex, sizeof hex, "%x", s);
	st = child(close_fd, fd, (char *[]){ "standin", "exec-fresh", hex, NULL });
	CHECK(st == 0, "a child whose pool fd was closed: fresh table (exit %d)", st);
	st = child(reuse_fd, fd, (char *[]){ "standin", "exec-fresh", hex, NULL });
	CHECK(st == 0, "a child whose pool fd is now /dev/null: fresh (exit %d)", st);

	forged = open("/tmp", O_TMPFILE | O_RDWR, 0600);
	CHECK(forged >= 0 && ftruncate(forged, pst.st_size) == 0,
	      "an ordinary file the size of the table: %s", strerror(errno));
	snprintf(fdnum, sizeof fdnum, "%d", forged);
	st = child(forge_env, forged,
		   (char *[]){ "standin", "exec-fresh", hex, fdnum, NULL });
	CHECK(st == 0 && zeros(forged, pst.st_size),
	      "TNAT64_POOL_FD forged to an ordinary file: ignored, file "
	      "untouched (exit %d)",
	      st);
	close(forged);
	forged = memfd_create("forged", MFD_ALLOW_SEALING);
	CHECK(forged >= 0 && ftruncate(forged, pst.st_size) == 0 &&
		      fcntl(forged, F_ADD_SEALS, F_SEAL_GROW) == 0,
	      "a memfd of the same size, other seals");
	snprintf(fdnum, sizeof fdnum, "%d", forged);
	st = child(forge_env, forged,
		   (char *[]){ "standin", "exec-fresh", hex, fdnum, NULL });
	CHECK(st == 0, "forged to an unsealed memfd: ignored (exit %d)", st);
	close(forged);
}

/*
 * case_secure CAPBIN: CAPBIN is this program with a file capability, so
 * run by an unprivileged user it gets AT_SECURE. Exec'd that way with an
 * inherited, valid TNAT64_POOL_FD, it must not use that table nor hand
 * its own on.
 */
static void case_secure(int argc, char **argv)
{
	const char *capbin = argv[0];
	uint8_t a[16];
	uint32_t s;
	char hex[16];
	int st;
	pid_t pid;

	(void)argc;
	addr6(7, a);
	s = t64_pool_name_get(a, "secure.example");
	snprintf(hex, sizeof hex, "%x", s);
	pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
		    setresuid(65534, 65534, 65534) < 0)
			_exit(125);
		execl(capbin, "standin", "secure-child", hex,
		      getenv("TNAT64_POOL_FD"), (char *)NULL);
		_exit(126);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		      WEXITSTATUS(st) == 0,
	      "an AT_SECURE program ignores the inherited table (exit %d)",
	      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* case_secure_child HEX FD: run by case_secure, as nobody, with AT_SECURE. */
static void case_secure_child(int argc, char **argv)
{
	const char *hex = argv[0], *fd = argv[1];
	uint32_t s = (uint32_t)strtoul(hex, NULL, 16);
	uint8_t a[16], b[16];
	const char *now = getenv("TNAT64_POOL_FD");

	(void)argc;
	CHECK(getauxval(AT_SECURE) != 0, "AT_SECURE is set");
	CHECK(t64_pool_addr(s, b) == 0, "%s maps to nothing here", hex);
	addr6(7, a);
	CHECK(t64_pool_name_get(a, "here.example") != 0, "a table of its own");
	CHECK(now != NULL && strcmp(now, fd) == 0,
	      "TNAT64_POOL_FD left as it was (%s), no fd of its own handed on",
	      now ? now : "unset");
}

/* case_exec_child HEX: run by case_exec through exec. */
static void case_exec_child(int argc, char **argv)
{
	const char *hex = argv[0];
	uint32_t s = (uint32_t)strtoul(hex, NULL, 16);
	uint8_t a[16], b[16];
	char out[64];
	long kb = shmem_kb();

	(void)argc;
	CHECK(kb == 0, "the inherited table is not touched before use: "
		       "RssShmem %ld kB", kb);
	addr6(7, a);
	CHECK(t64_pool_addr(s, b) && memcmp(a, b, 16) == 0 &&
		      t64_pool_name(s, out, sizeof out) &&
		      strcmp(out, "exec.example") == 0,
	      "after exec: %s maps to the same address and name", hex);
	addr6(8, a);
	CHECK(t64_pool_name_get(a, "child.example") != 0, "a new name here");
}

/*
 * case_exec_other: run by case_exec through exec with another range: the
 * parent's table is not read as this range's, names go to a private one.
 */
static void case_exec_other(int argc, char **argv)
{
	uint8_t a[16], b[16];
	uint32_t s, seen = 0;
	char out[64];

	(void)argc;
	(void)argv;
	for (uint32_t i = 1; i < 255; i++)
		seen += (uint32_t)t64_pool_addr(0x0a400000u | i, b);
	CHECK(seen == 0, "none of the parent's slots read as this range's: %u",
	      seen);
	addr6(7, a);
	s = t64_pool_name_get(a, "other.example");
	CHECK((s >> 8) == (0x0a400000u >> 8) && t64_pool_name(s, out, sizeof out) &&
		      strcmp(out, "other.example") == 0,
	      "the parent's address gets a stand-in of this range, named here: "
	      "%#x %s", s, out);
	addr6(50, a);
	CHECK(t64_pool_name_get(a, "other.example") != 0, "another one");
}

/* case_exec_fresh HEX [FORGED]: run by case_exec through exec. */
static void case_exec_fresh(int argc, char **argv)
{
	const char *hex = argv[0], *forged = argc > 1 ? argv[1] : NULL;
	uint32_t s = (uint32_t)strtoul(hex, NULL, 16);
	uint8_t a[16], b[16];
	int fd = pool_fd();

	CHECK(t64_pool_addr(s, b) == 0, "a fresh table: %s maps to nothing", hex);
	CHECK(fd >= 0 && fcntl(fd, F_GET_SEALS) ==
				 (F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) &&
		      (forged == NULL || fd != atoi(forged)),
	      "TNAT64_POOL_FD names the new table: %d", fd);
	addr6(9, a);
	CHECK(t64_pool_name_get(a, "fresh.example") != 0, "usable");
}

/* to6 builds [ip]:port. */
static struct sockaddr_in6 to6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port) };

	inet_pton(AF_INET6, ip, &a.sin6_addr);
	return a;
}

/* got returns 1 when fd receives exactly text within a second. */
static int got(int fd, const char *text)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char buf[64];
	ssize_t n;

	if (poll(&p, 1, 1000) != 1)
		return 0;
	n = recv(fd, buf, sizeof buf - 1, 0);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

/* server4 returns a converted UDP socket bound to 0.0.0.0:0, *port set. */
static int server4(uint16_t *port)
{
	struct sockaddr_in a = sin4("0.0.0.0", 0);
	socklen_t l = sizeof a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) < 0) {
		perror("server4");
		_exit(2);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* hear has server fd receive "hi" from client c; *from is the sender shown. */
static int hear(int fd, int c, uint16_t port, struct sockaddr_in *from)
{
	struct sockaddr_in6 to = to6("::1", port);
	socklen_t l = sizeof *from;
	char buf[16];

	if (sendto(c, "hi", 2, 0, (struct sockaddr *)&to, sizeof to) != 2)
		return 0;
	return recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)from, &l) == 2 &&
	       l == sizeof *from && from->sin_family == AF_INET;
}

/* in_range returns 1 when a's address is inside net/len (host order). */
static int in_range(const struct sockaddr_in *a, uint32_t net, int len)
{
	return (ntohl(a->sin_addr.s_addr) & (0xffffffffu << (32 - len))) == net;
}

/*
 * case_reply NET LEN: native IPv6 peers and a NAT64-prefix peer embedding
 * 127.0.0.1 are shown as stand-ins from NET/LEN (the configured range),
 * stably; replies by sendto, sendmsg, sendmmsg and a connected socket
 * reach them; a TCP connect to a stand-in reaches the IPv6 listener; NET
 * itself gives EHOSTUNREACH.
 */
static void case_reply(int argc, char **argv)
{
	const char *net_s = argc > 1 ? argv[0] : "198.19.0.0";
	int len = argc > 1 ? atoi(argv[1]) : 16;
	static const char *peers[] = { "::1", "2001:db8::5", "64:ff9b:1::7f00:1" };
	uint16_t port, lport;
	int fd = server4(&port), c[3], u, t, lfd, nfd, v1 = 1;
	uint32_t net = ip4(net_s);
	struct sockaddr_in from[3], again, p, bad = sin4(net_s, 9);
	socklen_t l = sizeof p;
	char text[4] = "r0";

	for (int i = 0; i < 3; i++) {
		c[i] = udp6(peers[i]);
		CHECK(hear(fd, c[i], port, &from[i]) &&
			      in_range(&from[i], net, len) &&
			      from[i].sin_addr.s_addr != bad.sin_addr.s_addr,
		      "%s shown as a stand-in: %s", peers[i],
		      inet_ntoa(from[i].sin_addr));
		CHECK(hear(fd, c[i], port, &again) &&
			      again.sin_addr.s_addr == from[i].sin_addr.s_addr,
		      "%s: the same stand-in again", peers[i]);
		text[1] = (char)('0' + i);
		CHECK(sendto(fd, text, 2, 0, (struct sockaddr *)&from[i],
			     sizeof from[i]) == 2 &&
			      got(c[i], text),
		      "sendto the stand-in reaches %s: %s", peers[i],
		      strerror(errno));
	}
	CHECK(from[0].sin_addr.s_addr != from[1].sin_addr.s_addr &&
		      from[1].sin_addr.s_addr != from[2].sin_addr.s_addr,
	      "distinct peers, distinct stand-ins");
	{
		struct iovec iov = { "m", 1 };
		struct msghdr m = { .msg_name = &from[1],
				    .msg_namelen = sizeof from[1],
				    .msg_iov = &iov,
				    .msg_iovlen = 1 };
		struct mmsghdr v[2] = { { .msg_hdr = m }, { .msg_hdr = m } };

		CHECK(sendmsg(fd, &m, 0) == 1 && got(c[1], "m"), "sendmsg");
		CHECK(sendmmsg(fd, v, 2, 0) == 2 && got(c[1], "m") &&
			      got(c[1], "m"),
		      "sendmmsg");
	}
	u = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(connect(u, (struct sockaddr *)&from[2], sizeof from[2]) == 0 &&
		      send(u, "c", 1, 0) == 1 && got(c[2], "c"),
	      "connected UDP socket: %s", strerror(errno));
	l = sizeof p;
	CHECK(getpeername(u, (struct sockaddr *)&p, &l) == 0 &&
		      p.sin_addr.s_addr == from[2].sin_addr.s_addr,
	      "its peer is the stand-in");
	CHECK(sendto(fd, "x", 1, 0, (struct sockaddr *)&bad, sizeof bad) < 0 &&
		      errno == EHOSTUNREACH,
	      "sendto %s: EHOSTUNREACH (%s)", net_s, strerror(errno));
	close(u);

	/* TCP to a stand-in (what name lookups will hand out). */
	{
		struct sockaddr_in6 a = to6("2001:db8::5", 0);
		socklen_t al = sizeof a;
		struct sockaddr_in dst = from[1];

		lfd = socket(AF_INET6, SOCK_STREAM, 0);
		setsockopt(lfd, IPPROTO_IPV6, IPV6_FREEBIND, &v1, sizeof v1);
		if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 ||
		    listen(lfd, 4) < 0 ||
		    getsockname(lfd, (struct sockaddr *)&a, &al) < 0)
			_exit(2);
		lport = ntohs(a.sin6_port);
		dst.sin_port = htons(lport);
		t = socket(AF_INET, SOCK_STREAM, 0);
		CHECK(connect(t, (struct sockaddr *)&dst, sizeof dst) == 0,
		      "TCP connect to the stand-in: %s", strerror(errno));
		al = sizeof a;
		{
			struct pollfd pl = { lfd, POLLIN, 0 };

			nfd = poll(&pl, 1, 1000) == 1 ?
				      accept(lfd, (struct sockaddr *)&a, &al) :
				      -1;
		}
		CHECK(nfd >= 0, "accepted by the IPv6 listener");
		l = sizeof p;
		CHECK(getpeername(t, (struct sockaddr *)&p, &l) == 0 &&
			      same4(&p, inet_ntoa(from[1].sin_addr), lport),
		      "getpeername: the stand-in");
		close(nfd);
		close(t);
		t = socket(AF_INET, SOCK_STREAM, 0);
		CHECK(connect(t, (struct sockaddr *)&bad, sizeof bad) < 0 &&
			      errno == EHOSTUNREACH,
		      "TCP connect %s: EHOSTUNREACH (%s)", net_s,
		      strerror(errno));
		close(t);
		close(lfd);
	}
	for (int i = 0; i < 3; i++)
		close(c[i]);
	close(fd);
}

/*
 * case_fork NET LEN: a pre-forked child meets a new IPv6 peer; the parent replies
 * to the stand-in the child saw (the pool is shared across fork).
 */
static void case_fork(int argc, char **argv)
{
	const char *net_s = argc > 1 ? argv[0] : "198.19.0.0";
	int len = argc > 1 ? atoi(argv[1]) : 16;
	uint16_t port;
	int fd = server4(&port), c = udp6("2001:db8::77"), pfd[2], st;
	struct sockaddr_in from = { 0 };
	pid_t pid;

	if (pipe(pfd) < 0)
		_exit(2);
	pid = fork();
	if (pid == 0) {
		struct sockaddr_in f;

		if (!hear(fd, c, port, &f))
			_exit(1);
		_exit(write(pfd[1], &f, sizeof f) != sizeof f);
	}
	CHECK(read(pfd[0], &from, sizeof from) == sizeof from &&
		      waitpid(pid, &st, 0) == pid && st == 0,
	      "the child heard the peer");
	CHECK(in_range(&from, ip4(net_s), len) &&
		      sendto(fd, "p", 1, 0, (struct sockaddr *)&from,
			     sizeof from) == 1 &&
		      got(c, "p"),
	      "the parent's reply to the child's stand-in %s arrives: %s",
	      inet_ntoa(from.sin_addr), strerror(errno));
}

/*
 * case_peers_full NET FIRST: with a /30 range (two stand-ins), a third
 * IPv6 peer is shown as NET by recvfrom, and so is a fourth by accept; a
 * reply to NET fails with EHOSTUNREACH while the first two peers are
 * still reached.
 */
static void case_peers_full(int argc, char **argv)
{
	const char *net_s = argv[0], *first_s = argv[1];
	static const char *peers[] = { "2001:db8::21", "2001:db8::22",
				       "2001:db8::23" };
	uint16_t port;
	int fd = server4(&port), c[3], v1 = 1;
	struct sockaddr_in from[3], net = sin4(net_s, 0);
	uint32_t first = ip4(first_s);

	(void)argc;
	for (int i = 0; i < 3; i++) {
		c[i] = udp6(peers[i]);
		CHECK(hear(fd, c[i], port, &from[i]), "%s heard", peers[i]);
	}
	CHECK(ntohl(from[0].sin_addr.s_addr) - first < 2 &&
		      ntohl(from[1].sin_addr.s_addr) - first < 2 &&
		      from[0].sin_addr.s_addr != from[1].sin_addr.s_addr,
	      "two peers, the two stand-ins: %s and %s",
	      inet_ntoa(from[0].sin_addr), inet_ntoa(from[1].sin_addr));
	CHECK(from[2].sin_addr.s_addr == net.sin_addr.s_addr,
	      "the third is shown as %s: %s", net_s,
	      inet_ntoa(from[2].sin_addr));
	CHECK(sendto(fd, "n", 1, 0, (struct sockaddr *)&from[2],
		     sizeof from[2]) < 0 && errno == EHOSTUNREACH,
	      "a reply to it: EHOSTUNREACH (%s)", strerror(errno));
	for (int i = 0; i < 2; i++)
		CHECK(sendto(fd, "y", 1, 0, (struct sockaddr *)&from[i],
			     sizeof from[i]) == 1 &&
			      got(c[i], "y"),
		      "%s still reached", peers[i]);
	{
		struct sockaddr_in any = sin4("0.0.0.0", 0), p;
		struct sockaddr_in6 me = to6("2001:db8::24", 0), to;
		socklen_t l = sizeof any;
		int lfd = socket(AF_INET, SOCK_STREAM, 0), t, a = -1;
		struct pollfd pl = { 0 };

		if (bind(lfd, (struct sockaddr *)&any, sizeof any) < 0 ||
		    listen(lfd, 4) < 0 ||
		    getsockname(lfd, (struct sockaddr *)&any, &l) < 0)
			_exit(2);
		to = to6("2001:db8::24", ntohs(any.sin_port));
		t = socket(AF_INET6, SOCK_STREAM, 0);
		setsockopt(t, IPPROTO_IPV6, IPV6_FREEBIND, &v1, sizeof v1);
		bind(t, (struct sockaddr *)&me, sizeof me);
		pl.fd = lfd;
		pl.events = POLLIN;
		l = sizeof p;
		CHECK(connect(t, (struct sockaddr *)&to, sizeof to) == 0 &&
			      poll(&pl, 1, 1000) == 1 &&
			      (a = accept(lfd, (struct sockaddr *)&p, &l)) >= 0 &&
			      l == sizeof p && p.sin_family == AF_INET &&
			      p.sin_addr.s_addr == net.sin_addr.s_addr,
		      "accept from a new IPv6 peer: shown as %s (%s)", net_s,
		      strerror(errno));
		if (a >= 0)
			close(a);
		close(t);
		close(lfd);
	}
	for (int i = 0; i < 3; i++)
		close(c[i]);
	close(fd);
}

/*
 * case_exec_peer: under the library, an IPv6 peer is shown to this program
 * as stand-in S; a program it runs through `sh -c` (two execs later)
 * connects to S over TCP and reaches the peer's IPv6 listener: the
 * mapping holds across exec (TNAT64_POOL_FD).
 */
static void case_exec_peer(int argc, char **argv)
{
	struct sockaddr_in6 a = to6("2001:db8::5", 0);
	socklen_t al = sizeof a;
	uint16_t port;
	int fd = server4(&port), c = udp6("2001:db8::5"), v1 = 1, st, nfd = -1;
	int lfd = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in from;
	char self[4096], ip[32], lport[8], buf[4] = "";
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	struct pollfd pl = { lfd, POLLIN, 0 };
	pid_t pid;

	(void)argc;
	(void)argv;
	setsockopt(lfd, IPPROTO_IPV6, IPV6_FREEBIND, &v1, sizeof v1);
	if (n <= 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(lfd, 4) < 0 || getsockname(lfd, (struct sockaddr *)&a, &al) < 0)
		_exit(2);
	self[n] = '\0';
	CHECK(hear(fd, c, port, &from), "the peer is heard");
	snprintf(ip, sizeof ip, "%s", inet_ntoa(from.sin_addr));
	snprintf(lport, sizeof lport, "%u", ntohs(a.sin6_port));
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "\"$0\" exec-dial \"$1\" \"$2\"",
		      self, ip, lport, (char *)NULL);
		_exit(126);
	}
	if (poll(&pl, 1, 5000) == 1)
		nfd = accept(lfd, NULL, NULL);
	CHECK(nfd >= 0 && read(nfd, buf, 3) == 3 && memcmp(buf, "run", 3) == 0,
	      "a program run through sh reached stand-in %s: the IPv6 "
	      "listener got \"%.3s\"", ip, buf);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		      WEXITSTATUS(st) == 0,
	      "it connected (exit %d)", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	if (nfd >= 0)
		close(nfd);
	close(lfd);
	close(c);
	close(fd);
}

/* case_exec_dial IP PORT: run by case_exec_peer; exits 0 when it could send. */
static void case_exec_dial(int argc, char **argv)
{
	const char *ip = argv[0], *port = argv[1];
	struct sockaddr_in to = sin4(ip, (uint16_t)atoi(port));
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)argc;
	CHECK(connect(fd, (struct sockaddr *)&to, sizeof to) == 0 &&
		      write(fd, "run", 3) == 3,
	      "connect to stand-in %s:%s: %s", ip, port, strerror(errno));
	close(fd);
}

static const struct t_case cases[] = {
	{ "unit", 0, case_unit },
	{ "names", 0, case_names },
	{ "range", 3, case_range },
	{ "exec", 0, case_exec },
	{ "exec-child", 1, case_exec_child },
	{ "exec-peer", 0, case_exec_peer },
	{ "exec-dial", 2, case_exec_dial },
	{ "secure", 1, case_secure },
	{ "secure-child", 2, case_secure_child },
	{ "no-memfd", 0, case_no_memfd },
	{ "exec-other", 0, case_exec_other },
	{ "exec-fresh", 1, case_exec_fresh },
	{ "reply", 0, case_reply },
	{ "peers-full", 2, case_peers_full },
	{ "fork", 0, case_fork },
	{ 0 },
};

int main(int argc, char **argv)
{
	return t_main(argc, argv, cases);
}
