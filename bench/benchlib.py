"""What the benchmark scripts share: where things live, the binary, the machine."""

import os
import platform
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench", "work")


def leakgate_binary(given=None):
    """`given`, or a fresh release build of this checkout."""
    if given:
        return os.path.abspath(given)
    subprocess.run(["cargo", "build", "--release", "--quiet", "--locked"], cwd=ROOT, check=True)
    return os.path.join(ROOT, "target", "release", "leakgate")


def machine():
    """CPU model, cores and kernel, for the figures' caption."""
    cpu = "unknown cpu"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"
