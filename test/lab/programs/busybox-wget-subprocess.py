# busybox wget -q -O- URL as a subprocess of python; its output copied to stdout (an exception if it fails).
# argv: URL
import subprocess, sys
sys.stdout.write(subprocess.run(["busybox", "wget", "-q", "-O-", sys.argv[1]], capture_output=True, check=True).stdout.decode())
