#!/usr/bin/env python3
"""How late the attach dashboard shows a TaskManager's loss, against Flink's REST.

The dashboard runs in tmux (socket, session); this script SIGKILLs a lab TaskManager itself
(its PID from the lab's record, checked to be that TaskManager), then polls both every
20 ms: GET /taskmanagers (the moment the id is gone) and the screen (the moment its row says
"lost"). The lag is the second minus the first. Then it heals through the dashboard's own
command line (":heal all"), which starts a replacement, and waits for the row to recover.
Prints one JSON object: {"lags": [...], "trials": N}; exits 1 if a trial did not finish.
"""
import json, os, signal, subprocess, sys, time, urllib.request

sock, session, url, lab, trials = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])

def screen():
    return subprocess.run(["tmux", "-L", sock, "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout

def row(text, tm):
    return next((l for l in text.splitlines() if f" {tm} " in l or l.strip().startswith(tm)), "")

def registered():
    with urllib.request.urlopen(url + "/taskmanagers", timeout=2) as r:
        return {t["id"] for t in json.load(r)["taskmanagers"]}

def keys(*k):
    subprocess.run(["tmux", "-L", sock, "send-keys", "-t", session, *k], check=True)

def wait(what, cond, seconds):
    end = time.time() + seconds
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.1)
    print(f"gave up waiting for {what}", file=sys.stderr)
    print(screen(), file=sys.stderr)
    return False

def job_running():
    with urllib.request.urlopen(url + "/jobs/overview", timeout=2) as r:
        jobs = json.load(r)["jobs"]
    return any(j["state"] == "RUNNING" and j["tasks"]["running"] == j["tasks"]["total"] for j in jobs)

def steady(ids):
    text = screen()
    return ids <= registered() and all(row(text, t) and "lost" not in row(text, t) for t in ids) and job_running()

lags = []
for i in range(trials):
    ids = {t["id"] for t in json.load(open(os.path.join(lab, "lab.json")))["taskManagers"]}
    # Every TaskManager back (a replacement registered, shown) and the job whole again.
    if not wait("every TaskManager registered and shown, the job RUNNING", lambda: steady(ids), 90):
        sys.exit(1)
    time.sleep(1)
    state = json.load(open(os.path.join(lab, "lab.json")))
    tm = state["taskManagers"][i % len(state["taskManagers"])]
    tid, pid = tm["id"], tm["pid"]
    cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode()
    if "TaskManagerRunner" not in cmd or f"taskmanager.resource-id={tid}" not in cmd:
        print(f"PID {pid} is not TaskManager {tid}: {cmd[:200]}", file=sys.stderr)
        sys.exit(1)
    os.kill(pid, signal.SIGKILL)
    killed = time.time()
    rest = shown = None
    while time.time() - killed < 30 and (rest is None or shown is None):
        now = time.time()
        if rest is None and tid not in registered():
            rest = now
        if shown is None and "lost" in row(screen(), tid):
            shown = now
        time.sleep(0.02)
    if rest is None or shown is None:
        print(f"trial {i}: REST gone {rest}, screen lost {shown}", file=sys.stderr)
        print(screen(), file=sys.stderr)
        sys.exit(1)
    lags.append(round(shown - rest, 3))
    print(f"trial {i + 1}: {tid} gone from REST {rest - killed:.2f} s after SIGKILL, 'lost' on screen {shown - killed:.2f} s after", file=sys.stderr)
    keys(":")
    time.sleep(0.2)
    keys("heal all", "Enter")
print(json.dumps({"lags": lags, "trials": trials}))
