/*
 * tnat64-seccomp: runs PROGRAM under a seccomp filter that hands its
 * socket calls to this process (seccomp user notification), which answers
 * them with lib/core, as the interposer does for dynamically linked
 * programs. For programs LD_PRELOAD cannot reach: statically linked ones
 * and Go programs. PROGRAM is our child: we forward signals to it and end
 * as it ends (its exit status, its death by a signal).
 *
 *   tnat64-seccomp [--] PROGRAM [ARGS...]
 *   tnat64-seccomp --engine-of PROGRAM   which engine PROGRAM needs, and why
 *   tnat64-seccomp --probe               whether the engine can start here (tnat64 doctor --program)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/engine.h"
#include "filter.h"
#include "pool.h"
#include "profile.h"

static void usage(void)
{
	fputs("usage: tnat64-seccomp [--] PROGRAM [ARGS...]\n"
	      "       tnat64-seccomp --engine-of PROGRAM\n"
	      "       tnat64-seccomp --probe\n", stderr);
	exit(2);
}

static int engine_of(const char *program)
{
	char resolved[4096] = "";
	const char *why;
	enum t64_engine e = t64_engine_of(program, &why, resolved, sizeof resolved);

	printf("%s %s %s\n", e == T64_E_SECCOMP ? "seccomp" : "preload", why, resolved[0] ? resolved : program);
	return 0;
}

/*
 * probe installs the filter in a child that then ends (the filter and its
 * no_new_privs go with it), as a supervised program's start would, and
 * prints "available" (exit 0) or "unavailable: REASON" (exit 1). Under a
 * supervisor already, its filter is the one the program gets: available.
 */
static int probe(void)
{
	const char *supervised = getenv("TNAT64_SUPERVISED");
	pid_t pid;
	int st, err;

	if (supervised != NULL && supervised[0] != 0) {
		puts("available (a supervisor is in place already)");
		return 0;
	}
	if ((pid = fork()) < 0) {
		printf("unavailable: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0)
		_exit(sc_install() < 0 ? (errno > 0 && errno < 255 ? errno : 255) : 0);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	err = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
	if (err == 0) {
		puts("available");
		return 0;
	}
	printf("unavailable: %s%s\n", err == 255 ? "the probe died" : strerror(err),
	       err == EBUSY ? " (another supervisor's filter is in place)" : "");
	return 1;
}

/*
 * The signals we wait for and pass on: all but those that cannot be
 * caught, those only a fault raises, and the C library's own.
 */
static void forwarded(sigset_t *set)
{
	sigfillset(set);
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		sigaddset(set, s);
	sigdelset(set, SIGKILL);
	sigdelset(set, SIGSTOP);
	sigdelset(set, SIGSEGV);
	sigdelset(set, SIGBUS);
	sigdelset(set, SIGFPE);
	sigdelset(set, SIGILL);
	sigdelset(set, SIGTRAP);
	sigdelset(set, SIGSYS);
	sigdelset(set, 32);
	sigdelset(set, 33);
}

/*
 * child runs in the program's process before exec (it shares our fd
 * table: clone with CLONE_FILES, so the listener it creates is ours
 * too). It reports the listener, or why there is none, through report,
 * then execs PROGRAM, supervised or, when the kernel or a sandbox refuses
 * notification, as it is. Never returns.
 */
static void child(int report, char **argv, const sigset_t *mask, pid_t parent)
{
	int msg[2], lfd;
	const char *preload = getenv("TNAT64_PRELOAD");

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	lfd = sc_install();
	msg[0] = lfd;
	msg[1] = lfd < 0 ? errno : 0;
	if (write(report, msg, sizeof msg) != sizeof msg)
		_exit(127);
	if (lfd < 0)
		fprintf(stderr,
			"tnat64: the seccomp engine cannot start here (%s%s): %s runs without tnat64; "
			"statically linked and Go programs need Linux 5.14 or newer with seccomp "
			"user notification allowed (a container profile may forbid it)\n",
			strerror(msg[1]), msg[1] == EBUSY ? ": another supervisor's filter is in place" : "",
			argv[0]);
	else
		setenv("TNAT64_SUPERVISED", "1", 1);
	if (preload != NULL && preload[0] != 0)
		setenv("LD_PRELOAD", preload, 1);
	unsetenv("TNAT64_PRELOAD");
	sigprocmask(SIG_SETMASK, mask, NULL);
	execvp(argv[0], argv);
	msg[1] = errno;
	fprintf(stderr, "tnat64: %s: %s\n", argv[0], strerror(msg[1]));
	_exit(msg[1] == ENOENT ? 127 : 126);
}

/* end ends this process as the program ended (wait status st): its exit status, or its signal. */
static void end(int st)
{
	struct rlimit none = { 0, 0 };
	sigset_t one;
	int sig;

	sc_profile_write();
	if (WIFEXITED(st))
		exit(WEXITSTATUS(st));
	sig = WTERMSIG(st);
	setrlimit(RLIMIT_CORE, &none); /* the program dumped its core, if any; not ours too */
	signal(sig, SIG_DFL);
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	raise(sig);
	_exit(128 + sig);
}

/*
 * linger keeps answering for the program's children still running after
 * it ended (a daemon it started): in a process of its own, until the
 * last one under the filter is gone, while this one ends now.
 */
static void linger(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	if (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP))
		return;
	if (fork() != 0)
		return;
	setsid();
	if (sc_pool_start(lfd) < 0)
		_exit(0);
	for (;;) {
		p.revents = 0;
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			break;
		if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
			break;
		/* POLLIN: receivers take it; wait for the end, not for requests. */
		usleep(100000);
	}
	_exit(0);
}

/* Signals a terminal sends to its whole foreground group: the program has had it already. */
static int from_terminal(const siginfo_t *si)
{
	if (si->si_code != SI_KERNEL)
		return 0;
	switch (si->si_signo) {
	case SIGINT: case SIGQUIT: case SIGTSTP: case SIGWINCH: case SIGTTIN: case SIGTTOU: case SIGHUP:
	case SIGCONT:
		return 1;
	}
	return 0;
}

/*
 * stop_like stops us with the signal that stopped the program, so that the
 * shell sees the job stopped as it would see the program (Ctrl-Z: $? is
 * 148, SIGTSTP, not SIGSTOP's 147); SIGCONT resumes both. The signal is
 * blocked for sigwaitinfo: let this one through, with its default action.
 */
static void stop_like(int sig)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, was;
	sigset_t one;

	if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU) {
		kill(getpid(), SIGSTOP);
		return;
	}
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigaction(sig, &dfl, &was);
	kill(getpid(), sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	sigprocmask(SIG_BLOCK, &one, NULL);
	sigaction(sig, &was, NULL);
}

/*
 * unpreload: started by a program under the interposer (its exec of a
 * static program, see lib/core/calls/exec.c), we carry libtnat64.so in
 * LD_PRELOAD, which must not answer our own calls: run again without it,
 * keeping it for the program's dynamic children.
 */
static void unpreload(char **argv)
{
	const char *lp = getenv("LD_PRELOAD");

	if (lp == NULL || strstr(lp, "libtnat64.so") == NULL)
		return;
	if (getenv("TNAT64_PRELOAD") == NULL)
		setenv("TNAT64_PRELOAD", lp, 1);
	unsetenv("LD_PRELOAD");
	execv("/proc/self/exe", argv);
}

int main(int argc, char **argv)
{
	sigset_t set, old;
	int report[2], msg[2] = { -1, 0 }, st, lfd = -1;
	pid_t pid, parent = getpid();
	siginfo_t si;

	unpreload(argv);
	if (argc >= 2 && strcmp(argv[1], "--engine-of") == 0) {
		if (argc != 3)
			usage();
		return engine_of(argv[2]);
	}
	if (argc == 2 && strcmp(argv[1], "--probe") == 0)
		return probe();
	argv++;
	if (*argv != NULL && strcmp(*argv, "--") == 0)
		argv++;
	if (*argv == NULL || (argv[0][0] == '-' && argv[0][1] != 0))
		usage();
	if (getenv("TNAT64_SUPERVISED") != NULL && getenv("TNAT64_SUPERVISED")[0] != 0) {
		/* Already under our filter (tnat64 inside tnat64): a second one cannot listen, and need not. */
		const char *preload = getenv("TNAT64_PRELOAD");

		if (preload != NULL && preload[0] != 0)
			setenv("LD_PRELOAD", preload, 1);
		unsetenv("TNAT64_PRELOAD");
		execvp(argv[0], argv);
		fprintf(stderr, "tnat64: %s: %s\n", argv[0], strerror(errno));
		return errno == ENOENT ? 127 : 126;
	}
	sc_profile_start();
	forwarded(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (pipe2(report, O_CLOEXEC) < 0) {
		perror("tnat64: pipe");
		return 126;
	}
	pid = (pid_t)syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0) {
		perror("tnat64: clone");
		return 126;
	}
	if (pid == 0)
		child(report[1], argv, &old, parent);
	if (read(report[0], msg, sizeof msg) == sizeof msg)
		lfd = msg[0];
	/* The child has written: closing its end here closes it there too, which it no longer needs. */
	close(report[0]);
	close(report[1]);
	if (lfd >= 0 && sc_pool_start(lfd) < 0)
		fprintf(stderr, "tnat64: cannot serve the seccomp listener: %s\n", strerror(errno));
	for (;;) {
		if (sigwaitinfo(&set, &si) < 0)
			continue;
		if (si.si_signo == SIGCHLD) {
			pid_t w;

			while ((w = waitpid(pid, &st, WNOHANG | WUNTRACED | WCONTINUED)) > 0) {
				if (WIFSTOPPED(st)) {
					stop_like(WSTOPSIG(st));
				} else if (WIFEXITED(st) || WIFSIGNALED(st)) {
					if (lfd >= 0)
						linger(lfd);
					end(st);
				}
			}
			continue;
		}
		if (!from_terminal(&si))
			kill(pid, si.si_signo);
	}
}
