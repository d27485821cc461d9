#include "base/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/common.h"

atomic_int t64_log_level;
atomic_int t64_log_fd = -1;

/* The debug file's identity, so a number the program took over is never written. */
static _Atomic uint64_t log_dev, log_ino;

/*
 * t64_log_use makes fd (the opened debug file, or -1) the log's
 * destination, remembering which file it is. No errno.
 */
void t64_log_use(int fd)
{
	struct stat st;
	int saved = errno;

	if (fd >= 0 && fstat(fd, &st) == 0) {
		atomic_store(&log_dev, (uint64_t)st.st_dev);
		atomic_store(&log_ino, (uint64_t)st.st_ino);
	} else {
		fd = -1;
	}
	atomic_store(&t64_log_fd, fd);
	errno = saved;
}

/*
 * still_ours returns fd when it is still the debug file t64_log_use saw,
 * else -1, after which the log goes to stderr: the program closed the
 * number behind our back (closefrom, a raw close, fclose) and may have
 * reused it for its own data. No errno guarantee.
 */
static int still_ours(int fd)
{
	struct stat st;
	int gone = fd;

	if (fstat(fd, &st) == 0 &&
	    (uint64_t)st.st_dev == atomic_load(&log_dev) &&
	    (uint64_t)st.st_ino == atomic_load(&log_ino))
		return fd;
	if (atomic_compare_exchange_strong(&t64_log_fd, &gone, -1)) {
		static const char m[] = "tnat64: the debug file's descriptor "
					"was closed by the program; logging to "
					"stderr\n";

		if (write(STDERR_FILENO, m, sizeof m - 1) < 0) {
			/* nowhere else to say it */
		}
	}
	return -1;
}

/*
 * t64_log writes one line "tnat64: MESSAGE" to the debug file, or to stderr
 * when there is none, if level is 0 (a problem) or at most TNAT64_DEBUG. Long
 * messages are cut. Reentrant (a signal handler may log while the code it
 * interrupted does): the line is built on the stack and written with one
 * write. Returns nothing; errno preserved.
 */
void t64_log(int level, const char *fmt, ...)
{
	int saved = errno;
	int fd = atomic_load_explicit(&t64_log_fd, memory_order_relaxed);
	char buf[1024];
	va_list ap;
	int n;

	if (level > atomic_load_explicit(&t64_log_level, memory_order_relaxed))
		goto out;
	n = snprintf(buf, sizeof buf, "tnat64: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	if (fd >= 0)
		fd = still_ours(fd);
	if (write(fd >= 0 ? fd : STDERR_FILENO, buf, (size_t)n) < 0) {
		/* nowhere else to say it */
	}
out:
	errno = saved;
}
