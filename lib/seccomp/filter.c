#include "filter.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "tnat64-seccomp: no seccomp architecture for this machine"
#endif

/* musl's headers leave it to the kernel's, which define it in asm/unistd.h. */
#if defined(__x86_64__) && !defined(__X32_SYSCALL_BIT)
#define __X32_SYSCALL_BIT 0x40000000
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LO 0
#define HI 4
#else
#define LO 4
#define HI 0
#endif
#define ARG(i, half) ((unsigned)(offsetof(struct seccomp_data, args) + 8 * (i) + (half)))

/* A BPF program with symbolic jump targets, resolved once it is complete. */
enum label {
	L_NEXT, L_ALLOW, L_NOTIFY, L_SOCKET, L_ADDR4, L_ADDR1,
	L_SETOPT, L_SETOPT_TCP, L_SETOPT_SOCKET, L_SOCKOPT, L_SOCKOPT_TCP, L_N
};
#define PROG_MAX 96
struct prog {
	struct sock_filter f[PROG_MAX];
	unsigned char jt[PROG_MAX], jf[PROG_MAX]; /* labels, until resolved */
	int at[L_N];
	int n; /* PROG_MAX + 1: the program did not fit (resolve fails) */
};

static void emit(struct prog *p, struct sock_filter f, enum label t, enum label e)
{
	if (p->n >= PROG_MAX) {
		p->n = PROG_MAX + 1;
		return;
	}
	p->jt[p->n] = t;
	p->jf[p->n] = e;
	p->f[p->n++] = f;
}

static void ld(struct prog *p, unsigned off)
{
	emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, off), L_NEXT, L_NEXT);
}

static void jump(struct prog *p, unsigned op, unsigned k, enum label t, enum label f)
{
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | op | BPF_K, k, 0, 0), t, f);
}

static void ret(struct prog *p, unsigned k)
{
	emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, k), L_NEXT, L_NEXT);
}

static void here(struct prog *p, enum label l)
{
	p->at[l] = p->n;
}

static int resolve(struct prog *p)
{
	if (p->n > PROG_MAX)
		return -1;
	for (int i = 0; i < p->n; i++) {
		if (BPF_CLASS(p->f[i].code) != BPF_JMP)
			continue;
		int t = p->jt[i] == L_NEXT ? i + 1 : p->at[p->jt[i]];
		int f = p->jf[i] == L_NEXT ? i + 1 : p->at[p->jf[i]];

		if (t <= i || f <= i || t - i - 1 > 255 || f - i - 1 > 255)
			return -1;
		p->f[i].jt = (unsigned char)(t - i - 1);
		p->f[i].jf = (unsigned char)(f - i - 1);
	}
	return 0;
}

/* At label l: notify when argument arg (a pointer, all 64 bits) is not NULL, else allow. */
static void pointer_given(struct prog *p, enum label l, int arg)
{
	here(p, l);
	ld(p, ARG(arg, LO));
	jump(p, BPF_JEQ, 0, L_NEXT, L_NOTIFY);
	ld(p, ARG(arg, HI));
	jump(p, BPF_JEQ, 0, L_ALLOW, L_NOTIFY);
}

/*
 * At label l: notify a socket-option call (level: argument 1, name:
 * argument 2) for level and one of its n names; another level goes on at
 * label other.
 */
static void level_and_names(struct prog *p, enum label l, unsigned level, const unsigned *names, int n,
			    enum label other)
{
	here(p, l);
	ld(p, ARG(1, LO));
	jump(p, BPF_JEQ, level, L_NEXT, other);
	ld(p, ARG(2, LO));
	for (int i = 0; i < n; i++)
		jump(p, BPF_JEQ, names[i], L_NOTIFY, i == n - 1 ? L_ALLOW : L_NEXT);
}

/*
 * build writes the filter: calls of another ABI (x32 on x86-64, a 32-bit
 * program) and every call not listed run in the kernel; socket() is
 * notified only for AF_INET; sendto() and recvfrom() only with an
 * address; accept() and accept4() only with an address buffer;
 * setsockopt() only for the IPv4 options whose IPv6 twins lib/core sets
 * (IP_TOS, IP_TTL, IP_MTU_DISCOVER, IP_FREEBIND) and the ancillary-data
 * options (IP_PKTINFO, IP_RECVTTL, IP_RECVTOS, IP_RECVERR), and for the
 * two that hold the supervisor's mark (TCP_NOTSENT_LOWAT, SO_RCVLOWAT);
 * getsockopt() only for those two and SOL_SOCKET's SO_ERROR and
 * SO_DOMAIN. So the data path (read, write, send, recv without an address)
 * never stops in the supervisor. The msghdr calls (sendmsg, sendmmsg, recvmsg,
 * recvmmsg) are always notified: their addresses are behind a pointer
 * the filter cannot follow; the supervisor lets those it has no business
 * with go on in the kernel.
 */
static int build(struct prog *p)
{
	static const unsigned always[] = { __NR_connect, __NR_bind, __NR_getsockname, __NR_getpeername,
		__NR_sendmsg, __NR_sendmmsg, __NR_recvmsg, __NR_recvmmsg };

	p->n = 0;
	ld(p, offsetof(struct seccomp_data, arch));
	jump(p, BPF_JEQ, ARCH, L_NEXT, L_ALLOW);
	ld(p, offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	jump(p, BPF_JGE, __X32_SYSCALL_BIT, L_ALLOW, L_NEXT);
#endif
	for (unsigned i = 0; i < sizeof always / sizeof always[0]; i++)
		jump(p, BPF_JEQ, always[i], L_NOTIFY, L_NEXT);
	jump(p, BPF_JEQ, __NR_socket, L_SOCKET, L_NEXT);
	jump(p, BPF_JEQ, __NR_sendto, L_ADDR4, L_NEXT);
	jump(p, BPF_JEQ, __NR_recvfrom, L_ADDR4, L_NEXT);
	jump(p, BPF_JEQ, __NR_accept, L_ADDR1, L_NEXT);
	jump(p, BPF_JEQ, __NR_accept4, L_ADDR1, L_NEXT);
	jump(p, BPF_JEQ, __NR_setsockopt, L_SETOPT, L_NEXT);
	jump(p, BPF_JEQ, __NR_getsockopt, L_SOCKOPT, L_ALLOW);
	here(p, L_SOCKET);
	ld(p, ARG(0, LO));
	jump(p, BPF_JEQ, AF_INET, L_NOTIFY, L_ALLOW);
	pointer_given(p, L_ADDR4, 4);
	pointer_given(p, L_ADDR1, 1);
	level_and_names(p, L_SETOPT, IPPROTO_IP, (const unsigned[]){ IP_TOS, IP_TTL, IP_MTU_DISCOVER, IP_FREEBIND,
			IP_PKTINFO, IP_RECVTTL, IP_RECVTOS, IP_RECVERR }, 8, L_SETOPT_TCP);
	level_and_names(p, L_SETOPT_TCP, IPPROTO_TCP, (const unsigned[]){ TCP_NOTSENT_LOWAT }, 1, L_SETOPT_SOCKET);
	level_and_names(p, L_SETOPT_SOCKET, SOL_SOCKET, (const unsigned[]){ SO_RCVLOWAT }, 1, L_ALLOW);
	level_and_names(p, L_SOCKOPT, SOL_SOCKET, (const unsigned[]){ SO_ERROR, SO_DOMAIN, SO_RCVLOWAT }, 3, L_SOCKOPT_TCP);
	level_and_names(p, L_SOCKOPT_TCP, IPPROTO_TCP, (const unsigned[]){ TCP_NOTSENT_LOWAT }, 1, L_ALLOW);
	here(p, L_NOTIFY);
	ret(p, SECCOMP_RET_USER_NOTIF);
	here(p, L_ALLOW);
	ret(p, SECCOMP_RET_ALLOW);
	return resolve(p);
}

/*
 * sc_install sets no_new_privs and installs the filter on the calling
 * thread (before exec: the program's threads and children inherit it).
 * Returns the notification listener fd, or -1 with errno (EINVAL or
 * ENOSYS: the kernel has no user notification; EBUSY: an ancestor's
 * filter already has a listener; EACCES/EPERM: a sandbox refuses).
 */
int sc_install(void)
{
	struct prog p;
	struct sock_fprog prog;

	if (build(&p) < 0) {
		errno = EINVAL;
		return -1;
	}
	prog.len = (unsigned short)p.n;
	prog.filter = p.f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}
