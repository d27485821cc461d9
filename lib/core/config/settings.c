#include "base/clock.h"
#include "config/settings.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/hold.h"
#include "base/log.h"
#include "base/real.h"


#define DEFAULT_CONF "/etc/tnat64.conf"

static struct t64_state state;
static struct t64_config config;
static const struct t64_state empty = { .discovery = 0 };

/* 0: not read; 1: published; else the claim (base/hold.h) of the thread reading it. */
static _Atomic uint64_t init_word;

/*
 * env returns the value of variable name, or NULL when it is unset, empty,
 * or the program runs with AT_SECURE (setuid, setgid, file capabilities).
 */
static const char *env(const char *name, int secure)
{
	const char *v = secure ? NULL : getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/*
 * open_debug_file opens the debug file append-only, close-on-exec, without
 * following a symlink, and without waiting: a FIFO or a device would block
 * the open or the writes inside the host program, so only a regular file
 * or /dev/null is kept. Returns the fd, or -1 (reported once on stderr,
 * where the log then goes). errno preserved.
 */
static int open_debug_file(const char *path)
{
	int saved = errno;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
				    O_NONBLOCK,
		      0600);
	struct stat st;

	if (fd < 0)
		t64_log(0, "cannot open TNAT64_DEBUG_FILE %s: %s; logging to "
			   "stderr",
			path, strerror(errno));
	else if (fstat(fd, &st) < 0 ||
		 (!S_ISREG(st.st_mode) && !t64_is_dev_null(&st))) {
		t64_close(fd);
		fd = -1;
		t64_log(0, "TNAT64_DEBUG_FILE %s is not a regular file; "
			   "logging to stderr",
			path);
	}
	errno = saved;
	return fd;
}

/*
 * read_all fills state and config from the environment and the file,
 * reporting each problem once. Returns nothing; errno preserved.
 */
/*
 * v6only_off returns 1 when net.ipv6.bindv6only is 0, so a new AF_INET6
 * socket already has IPV6_V6ONLY off and socket() can skip a system call;
 * 0 when it is set or cannot be read (then socket() clears it explicitly).
 * errno preserved.
 */
static int v6only_off(void)
{
	int saved = errno, fd;
	char c = '1';

	fd = open("/proc/sys/net/ipv6/bindv6only", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = '1';
		t64_close(fd);
	}
	errno = saved;
	return c == '0';
}

/*
 * set_pool records the stand-in range for the pool, which reads it from
 * the settings: TNAT64_STANDIN_POOL when valid (an invalid value is said
 * once and ignored), else the file's standin_pool, else 198.19.0.0/16.
 */
static void set_pool(int secure)
{
	const char *v = env("TNAT64_STANDIN_POOL", secure), *code;
	uint32_t net = T64_POOL_DEFAULT;
	unsigned len = T64_POOL_MIN_LEN;

	if (state.cfg != NULL && config.has_pool) {
		net = config.pool_net;
		len = config.pool_len;
	}
	if (v != NULL && t64_parse_pool(v, &net, &len, &code) < 0)
		t64_log(0, "TNAT64_STANDIN_POOL=%s is not a stand-in range (%s); "
			   "expected %s",
			v, code, t64_pool_expected(code));
	state.pool_range = (uint64_t)t64_mask_of(len) << 32 | (net & t64_mask_of(len));
}

static void read_all(void)
{
	int secure = getauxval(AT_SECURE) != 0;
	const char *file = env("TNAT64_CONF_FILE", secure);
	const char *v;
	const char *code;

	if ((v = env("TNAT64_DEBUG", secure)) != NULL)
		atomic_store(&t64_log_level, atoi(v));
	if ((v = env("TNAT64_DEBUG_FILE", secure)) != NULL)
		t64_log_use(open_debug_file(v));
	if (file == NULL)
		file = DEFAULT_CONF;
	if (t64_config_load(file, &config) < 0) {
		t64_log(0, "%s; the whole file is ignored",
			config.err_msg ? config.err_msg : file);
	} else {
		state.cfg = &config;
		if (config.has_prefix)
			state.file = &config.prefix;
	}
	if ((v = env("TNAT64_PREFIX", secure)) != NULL) {
		if (t64_parse_prefix(v, &state.env_prefix, &code) == 0)
			state.env = &state.env_prefix;
		else
			t64_log(0, "TNAT64_PREFIX=%s is not a NAT64 prefix (%s); "
				   "expected %s",
				v, code, t64_prefix_expected(code));
	}
	set_pool(secure);
	v = env("TNAT64_DISCOVERY", secure);
	state.discovery = v == NULL || strcmp(v, "0") != 0;
	state.v6only_off = v6only_off();
	T64_DEBUG(1, "configuration %s%s, discovery %s", file,
		  state.cfg ? "" : " (not used)",
		  state.discovery ? "on" : "off");
}

#define READ_MS 5000 /* the longest a read of the settings may take; waited for at most that long */

/* This thread's hold on reading the settings, and the claim it took for that. */
static __thread struct t64_hold hold T64_TLS;
static __thread uint64_t mine T64_TLS;

/*
 * read_slow reads the settings or waits for the thread that does. The
 * read is claimed in init_word: other threads wait for it at most READ_MS;
 * a claim of another process (a fork during the read), one older than
 * that, or one this thread took and abandoned (a non-local exit: this
 * thread's hold is stale) is taken over. A hook that interrupts the read
 * on this thread (a signal handler) gets the empty state at once instead
 * of waiting for itself. Returns the state (the empty one when the read is
 * not done). errno preserved.
 */
static __attribute__((noinline)) const struct t64_state *read_slow(void)
{
	struct t64_mark *mk = T64_MARK();
	const struct t64_state *r = &empty;
	uint64_t t0 = t64_ms(), w, me;
	int saved = errno;

	if (!t64_hold_take(&hold, mk, READ_MS))
		return &empty;
	for (;;) {
		w = (uint64_t)atomic_load_explicit(&init_word, memory_order_acquire);
		if (w == 1) {
			r = &state;
			break;
		}
		if (w == 0 || w == mine || t64_claim_foreign(w) || t64_claim_age(w) > READ_MS) {
			me = t64_claim();
			if (!atomic_compare_exchange_strong(&init_word, &w, me))
				continue;
			mine = me;
			/* A child forked mid-read starts from scratch. */
			memset(&state, 0, sizeof state);
			memset(&config, 0, sizeof config);
			read_all();
			w = me;
			atomic_compare_exchange_strong_explicit(&init_word, &w, 1, memory_order_release,
								memory_order_relaxed);
			mine = 0;
			continue; /* published, or taken over meanwhile: see what the word says */
		}
		if (t64_ms() - t0 > READ_MS)
			break;
		t64_wait_a_little();
	}
	t64_hold_drop(&hold, mk);
	errno = saved;
	return r;
}

/*
 * t64_state returns the settings, reading them on first use (lazily, so
 * hooks work before our constructor ran). Thread-safe without a lock: one
 * thread reads while others wait a bounded time (read_slow). Inside the
 * read itself (a signal handler interrupting it), or after waiting too
 * long, returns an empty state. errno preserved.
 */
const struct t64_state *t64_state(void)
{
	if (atomic_load_explicit(&init_word, memory_order_acquire) == 1)
		return &state;
	return read_slow();
}
