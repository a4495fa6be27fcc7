#!/usr/bin/env python3
"""Median wall time of one `acct deposit main 1` process against the sqlite3
shell running the same UPDATE on the same store, run alternately.

Builds acct three ways first (dynamic, static Swift runtime, fully static),
so the cost of Swift's start-up shows. Run from the repository root:

    python3 Benchmarks/Scripts/acct-vs-sqlite3.py [ROUNDS]
"""
import os, shutil, statistics, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
builds = {
    "acct, dynamic Swift runtime": (".build", []),
    "acct, static Swift runtime": (".build-static", ["--static-swift-stdlib"]),
    "acct, fully static": (".build-fullstatic", ["-Xswiftc", "-static-executable"]),
}
for scratch, flags in builds.values():
    subprocess.run(["swift", "build", "-c", "release", "--product", "acct", "--scratch-path", scratch, *flags],
                   cwd=root, check=True, capture_output=True)
if not shutil.which("sqlite3"):
    sys.exit("the sqlite3 shell is needed: apt-get install -y sqlite3")

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 60
folder = tempfile.mkdtemp(prefix="acct-bench-")
store = os.path.join(folder, "store.sqlite")
environment = dict(os.environ, CELLAR_STORE=store)
first = os.path.join(root, ".build", "release", "acct")
subprocess.run([first, "open", "main"], env=environment, check=True, capture_output=True)
# The cell's current value is its newest row in cell_versions: update it in place.
update = ("UPDATE cell_versions SET value = value + 100 WHERE name = 'balance' "
          "AND closure_id = (SELECT id FROM closures WHERE factory = 'account' AND key = 'main') "
          "AND seq = (SELECT max(seq) FROM cell_versions WHERE name = 'balance' "
          "AND closure_id = (SELECT id FROM closures WHERE factory = 'account' AND key = 'main'));")
commands = {name: [os.path.join(root, scratch, "release", "acct"), "deposit", "main", "1"]
            for name, (scratch, _) in builds.items()}
commands["sqlite3 shell, same UPDATE"] = ["sqlite3", store, update]

times = {name: [] for name in commands}
for _ in range(rounds):
    for name, command in commands.items():
        start = time.perf_counter_ns()
        result = subprocess.run(command, env=environment, capture_output=True)
        times[name].append((time.perf_counter_ns() - start) / 1e6)
        if result.returncode != 0:
            sys.exit(f"{name} failed: {result.stderr.decode()}")

floor = statistics.median(times["sqlite3 shell, same UPDATE"])
for name, values in times.items():
    median = statistics.median(values)
    print(f"{name:28s} median {median:6.2f} ms  min {min(values):6.2f}  max {max(values):6.2f}  ratio {median / floor:.2f}")
balance = subprocess.run([first, "balance", "main"], env=environment, capture_output=True, text=True).stdout.strip()
expected = f"{rounds * len(commands)}.00"
print(f"final balance {balance} (expected {expected})")
shutil.rmtree(folder)
sys.exit(0 if balance == expected else 1)
