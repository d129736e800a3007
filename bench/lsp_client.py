#!/usr/bin/env python3
"""Measure `gwlint lsp`: the time from a `didChange` to the diagnostics of that edit.

usage: python3 bench/lsp_client.py GWLINT ENV_DIR [EDITS] [DEBOUNCE_MS] [ROUTES]

Speaks LSP over the server's stdin and stdout (standard library only): opens one
service file of the environment ENV_DIR, waits for its first diagnostics (the cold
check: config, schemas, policies and every file parsed), then makes EDITS edits,
one at a time, each adding an unknown plugin with a name of its own under the
file's first `plugins:`, and times each until the published diagnostics of the file
name that plugin (so the debounce is included). Prints one JSON line, or with
ROUTES (the environment's route count) one row of bench/lsp.sh's Markdown table.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import time
import pathlib


def send(proc, message):
    body = json.dumps(message).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def receive(proc):
    length = None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the server closed its output")
        line = line.strip()
        if not line:
            break
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    return json.loads(proc.stdout.read(length))


def wait_for(proc, uri, needle):
    while True:
        message = receive(proc)
        if message.get("method") != "textDocument/publishDiagnostics":
            continue
        params = message["params"]
        if params["uri"] != uri:
            continue
        if needle is None or any(needle in d["message"] for d in params["diagnostics"]):
            return params


def main():
    gwlint, env_dir = os.path.abspath(sys.argv[1]), pathlib.Path(sys.argv[2]).resolve()
    edits = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    debounce = int(sys.argv[4]) if len(sys.argv) > 4 else 50
    files = sorted(env_dir.glob("svc-*.yaml"))
    target = files[len(files) // 2]
    uri = target.as_uri()
    text = target.read_text()
    match = re.search(r"^( *)plugins:\n", text, re.M)
    indent = match.group(1) + "  "
    proc = subprocess.Popen(
        [gwlint, "lsp", "--debounce-ms", str(debounce)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=env_dir.parent,
    )
    send(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"processId": os.getpid(), "rootUri": env_dir.parent.as_uri(), "capabilities": {}}})
    while receive(proc).get("id") != 1:
        pass
    send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
    start = time.perf_counter()
    send(proc, {"jsonrpc": "2.0", "method": "textDocument/didOpen",
                "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
    wait_for(proc, uri, None)
    cold = (time.perf_counter() - start) * 1000
    latencies = []
    for i in range(edits):
        time.sleep(0.25)
        name = f"zz-bench-{i}"
        edited = text[: match.end()] + f"{indent}{name}: {{}}\n" + text[match.end():]
        start = time.perf_counter()
        send(proc, {"jsonrpc": "2.0", "method": "textDocument/didChange",
                    "params": {"textDocument": {"uri": uri, "version": i + 2},
                               "contentChanges": [{"text": edited}]}})
        wait_for(proc, uri, f"`{name}`")
        latencies.append((time.perf_counter() - start) * 1000)
    send(proc, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    while receive(proc).get("id") != 2:
        pass
    send(proc, {"jsonrpc": "2.0", "method": "exit"})
    proc.wait(timeout=30)
    latencies.sort()
    result = {
        "files": len(list(env_dir.glob("*.yaml"))),
        "debounce_ms": debounce,
        "cold_ms": round(cold, 1),
        "edits": edits,
        "median_ms": round(statistics.median(latencies), 1),
        "p90_ms": round(latencies[max(0, int(len(latencies) * 0.9) - 1)], 1),
        "min_ms": round(latencies[0], 1),
        "max_ms": round(latencies[-1], 1),
    }
    if len(sys.argv) > 5:
        r = result
        print(f"| {int(sys.argv[5]):,} | {r['files']} | {debounce} ms | {r['cold_ms']} ms | "
              f"{r['median_ms']} ms | {r['p90_ms']} ms | {r['min_ms']} ms | {r['max_ms']} ms |")
    else:
        print(json.dumps(result))

if __name__ == "__main__":
    main()
