"""An interactive shell on a terminal runs supervised programs, and its user types Ctrl-C and Ctrl-Z.

argv: TNAT64. Starts `bash -i` on a new pseudo-terminal (so the terminal's driver, not a kill, sends SIGINT and
SIGTSTP to the job's process group), then:
1. `TNAT64 busybox sh -c 'echo ready $$; sleep 30'`, Ctrl-C once ready: the shell's $? and whether that pid is gone;
2. `TNAT64 busybox sh -c 'echo ready $$; sleep 2; echo resumed'` (spelt so that its echo differs), Ctrl-Z once ready: the shell's $?, the
   program's state while stopped (/proc/PID/stat), then `fg`: whether it printed "resumed", and $? after it.
Prints one JSON object with what the shell and /proc showed.
"""
import json
import os
import pty
import re
import select
import sys
import time

tnat64 = sys.argv[1]
pid, master = pty.fork()
if pid == 0:
    os.environ["PS1"] = "$ "
    os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])

seen = b""


def wait_for(pattern, timeout=15.0):
    """Reads the terminal until pattern (bytes regex) appears after what was matched before; returns the match."""
    global seen
    deadline = time.monotonic() + timeout
    while True:
        m = re.search(pattern, seen)
        if m:
            seen = seen[m.end():]
            return m
        left = deadline - time.monotonic()
        if left <= 0:
            raise SystemExit(f"timed out waiting for {pattern!r}; the terminal showed {seen[-400:]!r}")
        r, _, _ = select.select([master], [], [], left)
        if r:
            try:
                seen += os.read(master, 4096)
            except OSError:
                raise SystemExit(f"the shell went away; the terminal showed {seen[-400:]!r}")


def drain(seconds):
    """Reads what the terminal shows for that long."""
    global seen
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        r, _, _ = select.select([master], [], [], left)
        if r:
            seen += os.read(master, 4096)


def type_line(text):
    os.write(master, text.encode() + b"\r")


def state(p):
    try:
        with open(f"/proc/{p}/stat") as f:
            return re.match(r"\d+ \(.*\) (\S)", f.read()).group(1)
    except (OSError, AttributeError):
        return "gone"


def gone_within(p, seconds):
    deadline = time.monotonic() + seconds
    while state(p) not in ("gone", "Z"):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


result = {}
wait_for(rb"\$ $")
type_line(f"{tnat64} busybox sh -c 'echo ready $$; sleep 30'")
p = int(wait_for(rb"ready (\d+)").group(1))
os.write(master, b"\x03")
type_line("echo ctrlc=$?")
result["ctrl_c_status"] = int(wait_for(rb"ctrlc=(\d+)").group(1))
result["ctrl_c_program_gone"] = gone_within(p, 2)

# (the typed line must not hold the word it waits for: the terminal echoes it)
type_line(f"{tnat64} busybox sh -c 'echo ready $$; sleep 2; echo res\"\"umed'")
p = int(wait_for(rb"ready (\d+)").group(1))
os.write(master, b"\x1a")
type_line("echo ctrlz=$?")
result["ctrl_z_status"] = int(wait_for(rb"ctrlz=(\d+)").group(1))
result["stopped_state"] = state(p)
drain(2.5)  # longer than its sleep: only a stopped program has not printed "resumed" yet
result["printed_while_stopped"] = b"resumed" in seen
type_line("fg")
result["resumed_after_fg"] = wait_for(rb"resumed", 10) is not None
type_line("echo fg=$?")
result["fg_status"] = int(wait_for(rb"fg=(\d+)").group(1))
type_line("exit")
os.waitpid(pid, 0)
print(json.dumps(result))
