/* exec of a program LD_PRELOAD cannot reach: the same exec under the seccomp supervisor. */
#ifndef T64_CALLS_EXEC_H
#define T64_CALLS_EXEC_H

/* The most arguments an exec may have for us to put the supervisor before them (more: exec as asked). */
#define T64_EXEC_ARGS 2048

int t64_exec_supervised(const char *path, char *const argv[], const char **newargv, const char **newpath);

#endif
