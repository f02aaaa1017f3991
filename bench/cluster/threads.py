#!/usr/bin/env python3
"""CPU seconds per thread kind of the JVMs whose command line contains a pattern, sampled from
/proc until a stop file appears (a JVM's threads are read every 0.2 s; a thread's last reading
counts, so a JVM that ends between readings loses at most 0.2 s of its CPU).

    bench/cluster/threads.py PATTERN STOPFILE OUT

PATTERN: strings separated by '|', all of which a JVM's command line must hold, e.g.
"dev.quern.worker.executor.ExecutorMain|/path/of/the/build" (the cluster's executors, not
another build's) or the output directory of a local run. Writes OUT: one line per thread kind (JIT compilers, GC, task threads, the rest),
seconds, summed over every matching JVM, and the JVMs' count.
"""
import os
import re
import sys
import time

pattern, stop, out = sys.argv[1], sys.argv[2], sys.argv[3]
hz = os.sysconf("SC_CLK_TCK")
seen = {}  # (pid, tid) -> (name, ticks)
pids = set()


def kind(name):
    if name.startswith(("C2 Compiler", "C1 Compiler")):
        return "jit"
    if name.startswith(("G1 ", "GC Thread", "VM Thread", "VM Periodic")) or "GC" in name:
        return "gc+vm"
    if name.startswith("attempt-") or "-slot-" in name:
        return "task"
    if name.startswith("fetch-") or "HttpClient" in name or name.startswith("shuffle"):
        return "shuffle"
    return "other:" + name


def sample():
    for p in os.listdir("/proc"):
        if not p.isdigit() or p == str(os.getpid()):
            continue
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            if not all(x in cmd for x in pattern.split("|")) or "threads.py" in cmd:
                continue
            pids.add(p)
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/stat") as f:
                    s = f.read()
                name = s[s.index("(") + 1:s.rindex(")")]
                rest = s[s.rindex(")") + 2:].split()
                seen[(p, t)] = (name, int(rest[11]) + int(rest[12]))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue


while not os.path.exists(stop):
    sample()
    time.sleep(0.2)
sample()
totals = {}
for name, ticks in seen.values():
    k = kind(name)
    if k.startswith("other:"):
        k = "other"
    totals[k] = totals.get(k, 0) + ticks
names = {}
for name, ticks in seen.values():
    if kind(name).startswith("other:"):
        n = re.sub(r"[0-9]+", "#", name)
        names[n] = names.get(n, 0) + ticks
with open(out, "w") as f:
    f.write("jvms=%d %s\n" % (len(pids), " ".join(
        "%s=%.2f" % (k, v / hz) for k, v in sorted(totals.items()))))
    top = sorted(names.items(), key=lambda kv: -kv[1])[:12]
    f.write("other: " + ", ".join("%s %.2f" % (n, v / hz) for n, v in top) + "\n")
