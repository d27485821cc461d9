/*
 * The exec family and posix_spawn: a statically linked or Go program that
 * a dynamic one starts (a shell running busybox, a build running a Go
 * tool) is started under the seccomp supervisor, which LD_PRELOAD cannot
 * replace for it. Everything else execs as asked.
 */
#include <errno.h>
#include <stdarg.h>
#include <unistd.h>

#include "base/real.h"
#include "calls/exec.h"

extern char **environ;

T64_EXPORT T64_RET_execve execve(T64_SIG_execve)
{
	t64_fn_execve *real = T64_REAL(execve);
	const char *v[T64_EXEC_ARGS + 3], *p;

	if (real == NULL)
		return -1;
	if (t64_exec_supervised(path, argv, v, &p))
		return real(p, (char *const *)v, envp);
	return real(path, argv, envp);
}

T64_EXPORT T64_RET_execv execv(T64_SIG_execv)
{
	return execve(path, argv, environ);
}

T64_EXPORT T64_RET_execvpe execvpe(T64_SIG_execvpe)
{
	t64_fn_execvpe *real = T64_REAL(execvpe);
	t64_fn_execve *direct = T64_REAL(execve);
	const char *v[T64_EXEC_ARGS + 3], *p;

	if (real == NULL || direct == NULL)
		return -1;
	if (t64_exec_supervised(file, argv, v, &p))
		return direct(p, (char *const *)v, envp);
	return real(file, argv, envp);
}

T64_EXPORT T64_RET_execvp execvp(T64_SIG_execvp)
{
	return execvpe(file, argv, environ);
}

/* The list forms: their arguments as a vector, then as above (at most T64_EXEC_ARGS, as exec itself allows). */
#define LIST(first, ap, v, n, last)                           \
	do {                                                   \
		(v)[0] = (first);                              \
		for ((n) = 1; (v)[(n) - 1] != NULL; (n)++) {   \
			if ((n) > T64_EXEC_ARGS) {             \
				va_end(ap);                    \
				errno = E2BIG;                 \
				return -1;                     \
			}                                      \
			(v)[(n)] = va_arg((ap), char *);       \
		}                                              \
		last;                                          \
		va_end(ap);                                    \
	} while (0)

T64_EXPORT int execl(const char *path, const char *arg, ...)
{
	char *v[T64_EXEC_ARGS + 2];
	va_list ap;
	int n;

	va_start(ap, arg);
	LIST((char *)arg, ap, v, n, (void)0);
	return execve(path, v, environ);
}

T64_EXPORT int execlp(const char *file, const char *arg, ...)
{
	char *v[T64_EXEC_ARGS + 2];
	va_list ap;
	int n;

	va_start(ap, arg);
	LIST((char *)arg, ap, v, n, (void)0);
	return execvpe(file, v, environ);
}

T64_EXPORT int execle(const char *path, const char *arg, ...)
{
	char *v[T64_EXEC_ARGS + 2];
	char *const *envp;
	va_list ap;
	int n;

	va_start(ap, arg);
	LIST((char *)arg, ap, v, n, envp = va_arg(ap, char *const *));
	return execve(path, v, envp);
}

T64_EXPORT T64_RET_posix_spawn posix_spawn(T64_SIG_posix_spawn)
{
	t64_fn_posix_spawn *real = T64_REAL(posix_spawn);
	const char *v[T64_EXEC_ARGS + 3], *p;

	if (real == NULL)
		return ENOSYS;
	if (t64_exec_supervised(path, argv, v, &p))
		return real(pid, p, file_actions, attr, (char *const *)v, envp);
	return real(pid, path, file_actions, attr, argv, envp);
}

T64_EXPORT T64_RET_posix_spawnp posix_spawnp(T64_SIG_posix_spawnp)
{
	t64_fn_posix_spawnp *real = T64_REAL(posix_spawnp);
	t64_fn_posix_spawn *direct = T64_REAL(posix_spawn);
	const char *v[T64_EXEC_ARGS + 3], *p;

	if (real == NULL || direct == NULL)
		return ENOSYS;
	if (t64_exec_supervised(file, argv, v, &p))
		return direct(pid, p, file_actions, attr, (char *const *)v, envp);
	return real(pid, file, file_actions, attr, argv, envp);
}
