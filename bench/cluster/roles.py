#!/usr/bin/env python3
"""CPU seconds per thread of a cluster's masters, workers and one client JVM over a run, from
/proc (every thread read every 0.2 s until a stop file appears; a thread's last reading less its
first counts, so what a thread did before the first reading is left out).

    bench/cluster/roles.py PROCESSES CLIENT_PATTERN STOPFILE OUT

PROCESSES: the cluster's 'processes' file (quern cluster start --dir DIR); CLIENT_PATTERN: strings
separated by '|', all of which the client JVM's command line holds (e.g. its output directory).
Writes OUT: per role (master, worker, client) the seconds in all and the threads that took most,
digits in thread names folded to '#' (so the three masters' threads of one kind add up).
"""
import os
import re
import subprocess
import sys
import time

procs, pattern, stop, out = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
hz = os.sysconf("SC_CLK_TCK")
roles = {}
for line in open(procs):
    f = line.rstrip("\n").split("\t")
    if line.startswith("#") or len(f) < 3:
        continue
    roles[f[2]] = f[0]
first, last = {}, {}  # (pid, tid) -> (role, name, ticks)


def threads(pid, role):
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/stat") as f:
                s = f.read()
            name = s[s.index("(") + 1:s.rindex(")")]
            rest = s[s.rindex(")") + 2:].split()
            v = (role, name, int(rest[11]) + int(rest[12]))
            # A client thread counts from 0: the client starts after the first reading.
            first.setdefault((pid, t), (role, name, 0) if role == "client" else v)
            last[(pid, t)] = v
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass


def sample():
    for pid, role in roles.items():
        threads(pid, role)
    for p in os.listdir("/proc"):
        if not p.isdigit() or p in roles:
            continue
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError):
            continue
        if cmd.split(" ")[0].endswith("java") \
                and all(x in cmd for x in pattern.split("|")):
            threads(p, "client")


sample()
while not os.path.exists(stop):
    time.sleep(0.2)
    sample()
sample()
# Full thread names (/proc cuts them at 15 characters) of the processes still alive, from jcmd.
full = {}
for pid, role in roles.items():
    try:
        dump = subprocess.run(["jcmd", pid, "Thread.print"], capture_output=True, text=True,
                              timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        continue
    for m in re.finditer(r'^"([^"]*)".*? nid=(0x[0-9a-f]+)', dump, re.M):
        full[(pid, str(int(m.group(2), 16)))] = m.group(1)
by = {}
for k, (role, name, ticks) in last.items():
    d = ticks - first[k][2]
    name = full.get(k, name)
    n = re.sub(r"[0-9]+", "#", name)
    by.setdefault(role, {})
    by[role][n] = by[role].get(n, 0) + d
with open(out, "w") as f:
    for role in sorted(by):
        total = sum(by[role].values())
        top = sorted(by[role].items(), key=lambda kv: -kv[1])[:14]
        f.write("%s %.2f: %s\n" % (role, total / hz, ", ".join(
            "%s %.2f" % (n, v / hz) for n, v in top if v > 0)))
