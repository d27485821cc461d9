#include "calls/exec.h"

#include <errno.h>
#include <stdlib.h>

#include "base/common.h"
#include "exec/engine.h"

/*
 * t64_exec_supervised decides whether the exec of path (a name is looked
 * up on PATH) with argv must go through the supervisor: a statically
 * linked or Go program started by a dynamic one, when the launcher said
 * where the supervisor is (TNAT64_SECCOMP) and no supervisor is in place
 * yet (TNAT64_SUPERVISED). Then it fills newargv (T64_EXEC_ARGS + 3
 * entries) with "tnat64-seccomp -- PATH ARGS..." and *newpath and returns
 * 1; else 0. No allocation, errno preserved (it runs between fork and
 * exec).
 */
int t64_exec_supervised(const char *path, char *const argv[], const char **newargv, const char **newpath)
{
	const char *sup = getenv("TNAT64_SECCOMP"), *on = getenv("TNAT64_SUPERVISED"), *why;
	char resolved[4096];
	int saved = errno, n = 0;

	if (sup == NULL || sup[0] != '/' || (on != NULL && on[0] != 0) || path == NULL || argv == NULL)
		return 0;
	while (argv[n] != NULL)
		if (++n > T64_EXEC_ARGS)
			return 0;
	if (t64_engine_of(path, &why, resolved, sizeof resolved) != T64_E_SECCOMP) {
		errno = saved;
		return 0;
	}
	newargv[0] = sup;
	newargv[1] = "--";
	newargv[2] = path;
	for (int i = 1; i <= n; i++)
		newargv[i + 2] = argv[i];
	*newpath = sup;
	errno = saved;
	return 1;
}
