#include "base/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "base/common.h"

atomic_int t64_log_level;
atomic_int t64_log_fd = -1;

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
	if (write(fd >= 0 ? fd : STDERR_FILENO, buf, (size_t)n) < 0) {
		/* nowhere else to say it */
	}
out:
	errno = saved;
}
