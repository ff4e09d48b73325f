#!/usr/bin/env python3
"""How true the attach dashboard's read rate is on a steady job, against Flink's own counter.

The dashboard runs in tmux (socket, session) on the lab's job. Every second for SECONDS this
script reads the "━ read X/s" figure off the screen; the true rate is the rise of the
source's records-out counter (GET .../subtasks/metrics?get=numRecordsOut&agg=sum) over the
whole run, divided by its length. Figures before WARMUP seconds (the first window) are left
out. Prints one JSON object: {"true": R, "shown": [...], "within": fraction of samples within
±10%, "min": ..., "max": ...}.
"""
import json, subprocess, sys, time, urllib.request

sock, session, url, job, seconds, warmup = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]), float(sys.argv[6])

def get(path):
    with urllib.request.urlopen(url + path, timeout=3) as r:
        return json.load(r)

def counter():
    source = get(f"/jobs/{job}")["vertices"][0]["id"]
    m = get(f"/jobs/{job}/vertices/{source}/subtasks/metrics?get=numRecordsOut&agg=sum")
    return float(m[0]["sum"]), time.time()

def shown():
    text = subprocess.run(["tmux", "-L", sock, "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
    for line in text.splitlines():
        if "━ read " in line:
            word = line.split("━ read ", 1)[1].split()[0]
            if word.endswith("/s"):
                word = word[:-2]
                scale = 1000.0 if word.endswith("k") else 1e6 if word.endswith("M") else 1.0
                return float(word.rstrip("kM")) * scale
            return None  # "—": unknown
    return None

start = time.time()
samples = []
first = None
while time.time() - start < seconds:
    if time.time() - start >= warmup:
        if first is None:
            first = counter()
        samples.append(shown())
    time.sleep(1)
last = counter()
true = (last[0] - first[0]) / (last[1] - first[1])
known = [s for s in samples if s is not None]
within = sum(1 for s in known if abs(s - true) / true <= 0.10) / max(1, len(samples))
print(json.dumps({"true": round(true, 1), "samples": len(samples), "unknown": len(samples) - len(known),
                  "within": round(within, 3), "min": min(known, default=None), "max": max(known, default=None), "shown": known}))
