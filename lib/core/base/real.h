/* The intercepted calls: signatures written once, real symbols looked up lazily. */
#ifndef T64_REAL_H
#define T64_REAL_H

#include <netdb.h>
#include <poll.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/common.h"

/*
 * glibc declares the sockaddr arguments as transparent unions under
 * _GNU_SOURCE; T64_SA reads the plain pointer out of such an argument.
 */
#if defined(__USE_GNU) && !defined(__cplusplus)
#define T64_SA(a) ((a).__sockaddr__)
#else
#define T64_SA(a) (a)
#endif

/*
 * The sockaddr and mmsg flags argument types as the C library declares
 * them: a hook's definition must match its prototype. musl's are plain
 * pointers and unsigned mmsg flags.
 */
#ifdef __GLIBC__
#define T64_SA_ARG __SOCKADDR_ARG
#define T64_CSA_ARG __CONST_SOCKADDR_ARG
#define T64_MMSG_FLAGS int
#else
#define T64_SA_ARG struct sockaddr *restrict
#define T64_CSA_ARG const struct sockaddr *
#define T64_MMSG_FLAGS unsigned int
#endif

#define T64_RET_socket int
#define T64_SIG_socket int domain, int type, int protocol
#define T64_RET_connect int
#define T64_SIG_connect int fd, T64_CSA_ARG addr, socklen_t len
#define T64_RET_bind int
#define T64_SIG_bind int fd, T64_CSA_ARG addr, socklen_t len
#define T64_RET_accept int
#define T64_SIG_accept int fd, T64_SA_ARG addr, socklen_t *restrict lenp
#define T64_RET_accept4 int
#define T64_SIG_accept4 \
	int fd, T64_SA_ARG addr, socklen_t *restrict lenp, int flags
#define T64_RET_getpeername int
#define T64_SIG_getpeername \
	int fd, T64_SA_ARG addr, socklen_t *restrict lenp
#define T64_RET_getsockname int
#define T64_SIG_getsockname \
	int fd, T64_SA_ARG addr, socklen_t *restrict lenp
#define T64_RET_getsockopt int
#define T64_SIG_getsockopt                                        \
	int fd, int level, int optname, void *restrict optval, \
		socklen_t *restrict optlen
#define T64_RET_close int
#define T64_SIG_close int fd
#define T64_RET_dup int
#define T64_SIG_dup int fd
#define T64_RET_dup2 int
#define T64_SIG_dup2 int fd, int fd2
#define T64_RET_dup3 int
#define T64_SIG_dup3 int fd, int fd2, int flags
#define T64_RET_fcntl int
#define T64_SIG_fcntl int fd, int cmd, ...
#define T64_RET_fcntl64 int
#define T64_SIG_fcntl64 int fd, int cmd, ...
#define T64_RET_close_range int
#define T64_SIG_close_range unsigned int first, unsigned int last, int flags
#define T64_RET_closefrom void
#define T64_SIG_closefrom int lowfd
#define T64_RET_fclose int
#define T64_SIG_fclose FILE *stream
#define T64_RET_sendto ssize_t
#define T64_SIG_sendto                                                  \
	int fd, const void *buf, size_t n, int flags, \
		T64_CSA_ARG addr, socklen_t len
#define T64_RET_sendmsg ssize_t
#define T64_SIG_sendmsg int fd, const struct msghdr *msg, int flags
#define T64_RET_sendmmsg int
#define T64_SIG_sendmmsg \
	int fd, struct mmsghdr *vec, unsigned int vlen, T64_MMSG_FLAGS flags
#define T64_RET_setsockopt int
#define T64_SIG_setsockopt \
	int fd, int level, int optname, const void *optval, socklen_t optlen
#define T64_RET_recvfrom ssize_t
#define T64_SIG_recvfrom                                      \
	int fd, void *restrict buf, size_t n, int flags, \
		T64_SA_ARG addr, socklen_t *restrict lenp
#define T64_RET___recvfrom_chk ssize_t
#define T64_SIG___recvfrom_chk                                         \
	int fd, void *restrict buf, size_t n, size_t buflen, int flags, \
		T64_SA_ARG addr, socklen_t *restrict lenp
#define T64_RET_recvmsg ssize_t
#define T64_SIG_recvmsg int fd, struct msghdr *msg, int flags
#define T64_RET_recvmmsg int
#define T64_SIG_recvmmsg                                           \
	int fd, struct mmsghdr *vec, unsigned int vlen, \
		T64_MMSG_FLAGS flags, struct timespec *timeout
#define T64_RET_poll int
#define T64_SIG_poll struct pollfd *fds, nfds_t nfds, int timeout
#define T64_RET_getaddrinfo int
#define T64_SIG_getaddrinfo                                          \
	const char *restrict node, const char *restrict service,     \
		const struct addrinfo *restrict hints,               \
		struct addrinfo **restrict res
#define T64_RET_getnameinfo int
#define T64_SIG_getnameinfo                                            \
	const struct sockaddr *restrict sa, socklen_t salen,           \
		char *restrict host, socklen_t hostlen,                \
		char *restrict serv, socklen_t servlen, int flags
#define T64_RET_gethostbyname struct hostent *
#define T64_SIG_gethostbyname const char *name
#define T64_RET_gethostbyname2 struct hostent *
#define T64_SIG_gethostbyname2 const char *name, int af
#define T64_RET_gethostbyname_r int
#define T64_SIG_gethostbyname_r                                         \
	const char *restrict name, struct hostent *restrict ret,        \
		char *restrict buf, size_t buflen,                      \
		struct hostent **restrict result, int *restrict h_errnop
#define T64_RET_gethostbyname2_r int
#define T64_SIG_gethostbyname2_r                                        \
	const char *restrict name, int af, struct hostent *restrict ret, \
		char *restrict buf, size_t buflen,                      \
		struct hostent **restrict result, int *restrict h_errnop
#define T64_RET_gethostbyaddr struct hostent *
#define T64_SIG_gethostbyaddr const void *addr, socklen_t len, int type
#define T64_RET_gethostbyaddr_r int
#define T64_SIG_gethostbyaddr_r                                          \
	const void *restrict addr, socklen_t len, int type,              \
		struct hostent *restrict ret, char *restrict buf,        \
		size_t buflen, struct hostent **restrict result,         \
		int *restrict h_errnop

#define T64_RET_execve int
#define T64_SIG_execve const char *path, char *const argv[], char *const envp[]
#define T64_RET_execv int
#define T64_SIG_execv const char *path, char *const argv[]
#define T64_RET_execvp int
#define T64_SIG_execvp const char *file, char *const argv[]
#define T64_RET_execvpe int
#define T64_SIG_execvpe const char *file, char *const argv[], char *const envp[]
#define T64_RET_posix_spawn int
#define T64_SIG_posix_spawn                                                  \
	pid_t *restrict pid, const char *restrict path,                      \
		const posix_spawn_file_actions_t *file_actions,              \
		const posix_spawnattr_t *restrict attr, char *const argv[], \
		char *const envp[]
#define T64_RET_posix_spawnp int
#define T64_SIG_posix_spawnp                                                 \
	pid_t *restrict pid, const char *restrict file,                      \
		const posix_spawn_file_actions_t *file_actions,              \
		const posix_spawnattr_t *restrict attr, char *const argv[], \
		char *const envp[]

#define T64_CALLS(X)                                                    \
	X(socket)                                                       \
	X(connect) X(bind) X(accept) X(accept4) X(getpeername)          \
		X(getsockname) X(getsockopt) X(close) X(dup) X(dup2)    \
			X(dup3) X(fcntl) X(fcntl64) X(close_range)      \
			X(closefrom) X(fclose)                          \
				X(sendto) X(sendmsg) X(sendmmsg)        \
					X(setsockopt) X(recvfrom)       \
						X(__recvfrom_chk)       \
							X(recvmsg)      \
								X(recvmmsg)     \
									X(poll)         \
	X(getaddrinfo) X(getnameinfo) X(gethostbyname) X(gethostbyname2) \
		X(gethostbyname_r) X(gethostbyname2_r) X(gethostbyaddr)   \
			X(gethostbyaddr_r)                                \
	X(execve) X(execv) X(execvp) X(execvpe) X(posix_spawn) X(posix_spawnp)

#define T64_ID(n) T64_ID_##n,
enum t64_call { T64_CALLS(T64_ID) T64_NCALLS };
#undef T64_ID

/* t64_fn_NAME: the type of the real function NAME. */
#define T64_FN(n) typedef T64_RET_##n t64_fn_##n(T64_SIG_##n);
T64_CALLS(T64_FN)
#undef T64_FN

void *t64_real_sym(enum t64_call id);

/* Resolved real functions (NULL: not looked up yet); see real.c. */
extern _Atomic(void *) t64_syms[T64_NCALLS];

/* t64_real returns the real function id: the stored pointer inline, else t64_real_sym. */
static inline void *t64_real(enum t64_call id)
{
	void *p = atomic_load_explicit(&t64_syms[id], memory_order_acquire);

	return p != NULL ? p : t64_real_sym(id);
}

/* T64_REAL(name): the real function, or NULL with errno ENOSYS. */
#define T64_REAL(n) ((t64_fn_##n *)t64_real(T64_ID_##n))

void t64_close(int fd);

#endif
