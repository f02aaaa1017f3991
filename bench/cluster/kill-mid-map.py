#!/usr/bin/env python3
"""SIGKILL a master at a fixed point of a job's map phase, seen through the master's job API.

  kill-mid-map.py HTTP PID OUTPUT FRACTION

Polls http://HTTP/api/v1/jobs (and the job's /tasks) every 100 ms from this one process (a
`curl | python` per poll took seconds on a loaded machine, and the kill came after the maps).
Once the job writing OUTPUT has at least ceil(FRACTION * maps) maps done, fewer than all of them,
and no reduce done, it sends SIGKILL to PID and prints one line:

  KILLED clock=HH:MM:SS.mmm at_ms=MS maps_done=D/M attempts_running=R reduces_running=RR

(clock: this machine's local time, as the processes' logs write it; at_ms: milliseconds from the
job's submission, in the job record's clock). If the job passes the point without it being seen
(all maps done, a reduce done, or the job ended), it prints MISSED with the state and kills
nothing. Exits 2 if the job never appears within 600 s.
"""
import json
import math
import os
import signal
import sys
import time
import urllib.request

http, pid, output, fraction = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])


def get(path):
    with urllib.request.urlopen("http://%s%s" % (http, path), timeout=5) as r:
        return json.load(r)


deadline = time.time() + 600
job = None
while time.time() < deadline:
    try:
        jobs = [j for j in get("/api/v1/jobs") if j["output"] == output]
        if jobs:
            job = jobs[-1]
            tasks = get("/api/v1/jobs/%s/tasks" % job["id"])
            maps = [t for t in tasks if t["kind"] == "MAP"]
            reduces = [t for t in tasks if t["kind"] == "REDUCE"]
            done = sum(1 for t in maps if t["state"] == "DONE")
            reduces_done = sum(1 for t in reduces if t["state"] == "DONE")
            running = sum(1 for t in tasks for a in t["attempts"] if a["state"] == "RUNNING")
            reduces_running = sum(1 for t in reduces for a in t["attempts"] if a["state"] == "RUNNING")
            state = "maps_done=%d/%d attempts_running=%d reduces_running=%d" % (
                done, len(maps), running, reduces_running)
            if job["state"] in ("SUCCEEDED", "FAILED", "KILLED") or reduces_done or (
                    maps and done == len(maps)):
                print("MISSED job=%s %s" % (job["state"], state), flush=True)
                sys.exit(0)
            if maps and done >= math.ceil(fraction * len(maps)):
                os.kill(pid, signal.SIGKILL)
                now = time.time()
                clock = time.strftime("%H:%M:%S", time.localtime(now)) + ".%03d" % int(now % 1 * 1000)
                print("KILLED clock=%s at_ms=%d %s" % (
                    clock, int(now * 1000) - job["submitTime"], state), flush=True)
                sys.exit(0)
    except (OSError, ValueError, KeyError):
        pass  # the master is busy or the job's view is not there yet: poll again
    time.sleep(0.1)
print("the job writing %s was never seen at %s" % (output, http), file=sys.stderr)
sys.exit(2)
