#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The data-plane benchmark: the slice device against WireGuard, OpenVPN and plain veth.

  bench.py measure [options]   in the test VM, as root (bench/dataplane/run starts it there):
                               builds the topology, measures every contender, sends the raw
                               samples, profiles and logs over stdout (see emit_file)
  bench.py report RAW [--json OUT]
                               anywhere: medians, ratios and targets as a table and as JSON

Every contender joins the same two network namespaces over the same veth underlay, and all of
them are up at once: each repetition measures each contender in turn, so that a slow spell of
the (shared, emulated) machine hits them all alike. Only ratios measured side by side in one
run mean anything here; see bench/dataplane/README.md.
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

NS_A, NS_B = "bench-a", "bench-b"
UNDERLAY_A, UNDERLAY_B = "10.200.0.1", "10.200.0.2"
# Inner MTU of every tunnel: WireGuard's default, which leaves room for the outer headers of
# each (WireGuard, slice: 60 bytes over IPv4) within the underlay's 1500.
TUNNEL_MTU = 1420
IPERF_PORT = 5201

# (name, kind, cipher, inner subnet's second octet); inner addresses are 10.N.1.1 (A) and
# 10.N.2.1 (B), and each side routes the other's /24 into its tunnel.
CONTENDERS = [
    ("veth", "veth", None, 200),
    ("slice-aes-256-gcm", "slice", "aes-256-gcm", 201),
    ("slice-chacha20-poly1305", "slice", "chacha20-poly1305", 202),
    ("wireguard", "wireguard", None, 203),
    ("openvpn-aes-256-cbc-sha256", "openvpn", "AES-256-CBC", 204),
    ("openvpn-aes-256-gcm", "openvpn", "AES-256-GCM", 205),
]

# (key, label, unit, higher is better)
METRICS = [
    ("tcp1_mbps", "TCP x1", "Mbit/s", True),
    ("tcp4_mbps", "TCP x4", "Mbit/s", True),
    ("udp64_kpps", "UDP 64B", "kpps", True),
    ("udp64_loss_pct", "UDP 64B loss", "%", False),
    ("rtt_p50_ms", "RTT p50", "ms", False),
    ("rtt_p99_ms", "RTT p99", "ms", False),
]
# Starts each console line that carries a line of a file out of the VM: the console is this
# run's own, where tests/vm/run's results directory (build/vm/last) is shared with every other
# VM run of the tree.
FILE_MARKER = "bench-file "
RAW_FILE = "dataplane-raw.json"
RATIO_METRICS = ["tcp1_mbps", "tcp4_mbps", "udp64_kpps", "rtt_p50_ms", "rtt_p99_ms"]


class SetupError(Exception):
    """A contender could not be brought up; the message says why."""


def log(msg):
    print(f"bench: {msg}", flush=True)


def run(cmd, ns=None):
    """Runs CMD (in namespace NS); returns its stdout, raising SetupError on failure."""
    if ns:
        cmd = ["ip", "netns", "exec", ns] + cmd
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        raise SetupError(f"'{' '.join(cmd)}' timed out after 60 s")
    if res.returncode:
        out = (res.stderr or res.stdout).strip().splitlines()
        raise SetupError(f"'{' '.join(cmd)}' failed: {out[-1] if out else res.returncode}")
    return res.stdout


def wait_ping(ns, addr, secs):
    """Waits until ADDR answers from NS; tunnels with a handshake take a while under TCG."""
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        res = subprocess.run(["ip", "netns", "exec", ns, "ping", "-c1", "-W1", addr],
                             capture_output=True)
        if res.returncode == 0:
            return
    raise SetupError(f"{addr} does not answer from {ns} after {secs} s")


def inner(octet, side):
    return f"10.{octet}.{side}.1"


class Bench:
    """The topology and the processes it started, torn down by close()."""

    def __init__(self, workdir):
        self.dir = workdir
        self.procs = []

    def spawn(self, name, cmd, ns):
        logf = open(os.path.join(self.dir, name + ".log"), "w")
        proc = subprocess.Popen(["ip", "netns", "exec", ns] + cmd, stdout=logf,
                                stderr=subprocess.STDOUT)
        self.procs.append((proc, logf))

    def close(self):
        for proc, logf in self.procs:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
            logf.close()
        for ns in (NS_A, NS_B):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)

    def underlay(self):
        for ns in (NS_A, NS_B):
            run(["ip", "netns", "add", ns])
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
        run(["ip", "link", "add", "ul", "netns", NS_A, "type", "veth",
             "peer", "ul", "netns", NS_B])
        for ns, addr in ((NS_A, UNDERLAY_A), (NS_B, UNDERLAY_B)):
            run(["ip", "-n", ns, "addr", "add", addr + "/24", "dev", "ul"])
            run(["ip", "-n", ns, "link", "set", "ul", "up"])
        self.spawn("iperf3-server", ["iperf3", "-s", "-p", str(IPERF_PORT)], NS_B)

    def inner_addresses(self, dev, octet):
        for ns, side, other in ((NS_A, 1, 2), (NS_B, 2, 1)):
            run(["ip", "-n", ns, "link", "set", dev, "mtu", str(TUNNEL_MTU), "up"])
            run(["ip", "-n", ns, "addr", "add", inner(octet, side) + "/32", "dev", dev])
            run(["ip", "-n", ns, "route", "add", f"10.{octet}.{other}.0/24", "dev", dev])

    def key_file(self, name):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(os.urandom(32).hex() + "\n")
        return path

    def slice(self, name, cipher, octet, slicectl):
        """Gateway 1 in A and 2 in B, keys from files, each routing the other's /24."""
        if not slicectl:
            raise SetupError("no slicectl in build/bin (build it: make -C tools/slicectl)")
        res = None if os.path.isdir("/sys/module/slice") else \
            subprocess.run(["modprobe", "slice"], capture_output=True, text=True)
        if res and res.returncode:
            raise SetupError("modprobe slice failed: " + res.stderr.strip())
        dev = f"sl{octet}"
        port = str(50000 + octet)
        a_to_b, b_to_a = self.key_file(name + ".ab"), self.key_file(name + ".ba")
        sides = ((NS_A, 1, 2, UNDERLAY_B, a_to_b, b_to_a), (NS_B, 2, 1, UNDERLAY_A, b_to_a, a_to_b))
        for ns, me, peer, endpoint, enc, dec in sides:
            run(["ip", "-n", ns, "link", "add", dev, "type", "slice"])
            run([slicectl, "set", dev, "listen-port", port, "local-id", str(me)], ns)
            run([slicectl, "peer", dev, "add", str(peer), "endpoint", f"{endpoint}:{port}", "up"],
                ns)
            run([slicectl, "route", dev, "add", f"10.{octet}.{peer}.0/24", "via", str(peer)], ns)
            run([slicectl, "key", dev, str(peer), "new", "primary", "key-id", "1", "cipher", cipher,
                 "encrypt-key", enc, "decrypt-key", dec], ns)
        self.inner_addresses(dev, octet)

    def wireguard(self, name, octet):
        dev = f"wg{octet}"
        port = str(50000 + octet)
        keys = {}
        for ns in (NS_A, NS_B):
            priv = run(["wg", "genkey"]).strip()
            pub = subprocess.run(["wg", "pubkey"], input=priv, capture_output=True,
                                 text=True, check=True).stdout.strip()
            path = os.path.join(self.dir, f"{name}.{ns}.key")
            with open(path, "w") as f:
                f.write(priv + "\n")
            keys[ns] = (path, pub)
        for ns, other, side, endpoint in ((NS_A, NS_B, 2, UNDERLAY_B), (NS_B, NS_A, 1, UNDERLAY_A)):
            run(["ip", "-n", ns, "link", "add", dev, "type", "wireguard"])
            run(["wg", "set", dev, "private-key", keys[ns][0], "listen-port", port,
                 "peer", keys[other][1], "allowed-ips", f"10.{octet}.{side}.0/24",
                 "endpoint", f"{endpoint}:{port}"], ns)
        self.inner_addresses(dev, octet)

    def certificate(self, name):
        """A self-signed P-256 certificate; OpenVPN 2.6 pins the peer's by fingerprint."""
        key, crt = (os.path.join(self.dir, f"{name}.{ext}") for ext in ("key", "crt"))
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", f"/CN={name}",
             "-keyout", key, "-out", crt])
        fpr = run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", crt])
        return key, crt, fpr.strip().split("=", 1)[1]

    def openvpn(self, name, cipher, octet):
        """TLS p2p (the mode with negotiated data ciphers), userspace: DCO off."""
        dev = f"tun{octet}"
        port = str(50000 + octet)
        certs = {ns: self.certificate(f"{name}.{ns}") for ns in (NS_A, NS_B)}
        data = ["--data-ciphers", cipher]
        if cipher.endswith("CBC"):
            data += ["--data-ciphers-fallback", cipher, "--auth", "SHA256"]
        for ns, other, role, local, remote, side in (
                (NS_B, NS_A, ["--tls-server", "--dh", "none"], UNDERLAY_B, UNDERLAY_A, 2),
                (NS_A, NS_B, ["--tls-client"], UNDERLAY_A, UNDERLAY_B, 1)):
            key, crt, _ = certs[ns]
            self.spawn(f"{name}.{ns}", [
                "openvpn", "--dev", dev, "--dev-type", "tun", "--disable-dco",
                "--proto", "udp", "--local", local, "--lport", port,
                "--remote", remote, "--rport", port,
                "--ifconfig", inner(octet, side), inner(octet, 3 - side),
                "--route", f"10.{octet}.{3 - side}.0", "255.255.255.0",
                "--tun-mtu", str(TUNNEL_MTU), "--cert", crt, "--key", key,
                "--peer-fingerprint", certs[other][2], "--verb", "3"] + role + data, ns)

    def openvpn_check(self, name, cipher):
        """OpenVPN falls back quietly; make sure the data channel runs what it should."""
        want = f"Data Channel: cipher '{cipher}'"
        if cipher.endswith("CBC"):
            want += ", auth 'SHA256'"
        for ns in (NS_A, NS_B):
            with open(os.path.join(self.dir, f"{name}.{ns}.log")) as f:
                if want not in f.read():
                    raise SetupError(f"OpenVPN in {ns} does not log \"{want}\"")

    def bring_up(self, name, kind, cipher, octet, slicectl):
        if kind == "veth":
            return UNDERLAY_B
        if kind == "slice":
            self.slice(name, cipher, octet, slicectl)
        elif kind == "wireguard":
            self.wireguard(name, octet)
        elif kind == "openvpn":
            self.openvpn(name, cipher, octet)
        wait_ping(NS_A, inner(octet, 2), 60)
        if kind == "openvpn":
            self.openvpn_check(name, cipher)
        return inner(octet, 2)

    def emit_logs(self):
        """The daemons' logs, for a look after the VM is gone."""
        for name in sorted(os.listdir(self.dir)):
            if name.endswith(".log"):
                with open(os.path.join(self.dir, name), errors="replace") as f:
                    emit_file("log-" + name, f.read())


def emit_file(name, text):
    """Sends NAME to bench/dataplane/run, which writes it beside the JSON results."""
    sys.stdout.write("".join(f"{FILE_MARKER}{name}: {line}\n" for line in text.splitlines()))
    sys.stdout.flush()


def iperf3(addr, args, secs):
    out = subprocess.run(["ip", "netns", "exec", NS_A, "iperf3", "-c", addr, "-p",
                          str(IPERF_PORT), "-J", "-t", str(secs), "--connect-timeout", "5000"]
                         + args, capture_output=True, text=True, timeout=secs + 60).stdout
    res = json.loads(out)
    if "error" in res:
        raise SetupError("iperf3: " + res["error"])
    return res["end"]


def measure_tcp(addr, streams, secs):
    end = iperf3(addr, ["-P", str(streams)], secs)
    return end["sum_received"]["bits_per_second"] / 1e6


def measure_udp64(addr, secs):
    """Received packets per second and loss, the sender as fast as it can go (-b 0)."""
    end = iperf3(addr, ["-u", "-l", "64", "-b", "0"], secs)
    total = end.get("sum_received", end["sum"])
    received = total["packets"] - total["lost_packets"]
    return received / total["seconds"] / 1e3, total["lost_percent"]


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def measure_ping(addr, count):
    out = subprocess.run(["ip", "netns", "exec", NS_A, "ping", "-n", "-c", str(count), "-i",
                          "0.01", "-W", "1", addr], capture_output=True, text=True,
                         timeout=count + 30).stdout
    rtts = [float(t) for t in re.findall(r"time=([0-9.]+) ms", out)]
    if len(rtts) < count / 2:
        raise SetupError(f"ping: {len(rtts)} of {count} replies")
    return statistics.median(rtts), percentile(rtts, 99)


def sample(addr, secs, pings):
    """One repetition of every figure for one contender; a figure that fails is None."""
    figures = {}
    steps = [
        (("tcp1_mbps",), lambda: (measure_tcp(addr, 1, secs),)),
        (("tcp4_mbps",), lambda: (measure_tcp(addr, 4, secs),)),
        (("udp64_kpps", "udp64_loss_pct"), lambda: measure_udp64(addr, secs)),
        (("rtt_p50_ms", "rtt_p99_ms"), lambda: measure_ping(addr, pings)),
    ]
    for keys, step in steps:
        values = (None,) * len(keys)
        # A second try: a flood through a slow tunnel can starve iperf3's own control
        # connection, which runs through the same tunnel.
        for attempt in ("", " (second try)"):
            try:
                values = step()
                break
            except (SetupError, subprocess.SubprocessError, ValueError, KeyError) as e:
                log(f"  {keys[0]} failed{attempt}: {e}")
        figures.update(zip(keys, values))
    return figures


def profile(addr, secs, name):
    """A system-wide flat profile of the guest during one TCP stream through NAME."""
    perf = shutil.which("perf")
    if not perf:
        log("profile: no perf on the host (apt-get install linux-perf); skipped")
        return
    data = os.path.join(tempfile.gettempdir(), "perf.data")
    rec = subprocess.Popen([perf, "record", "-a", "-g", "-o", data, "--", "sleep", str(secs)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        measure_tcp(addr, 1, secs)
    finally:
        rec.wait()
    # A flat profile, then the call chains of the symbols above 2%.
    report = [perf, "report", "-i", data, "--stdio", "--no-children", "--sort", "dso,sym"]
    emit_file(f"profile-{name}.txt", "".join(
        subprocess.run(report + opts, capture_output=True, text=True).stdout
        for opts in (["-g", "none", "--percent-limit", "0.5"],
                     ["-g", "graph,2,callee", "--percent-limit", "2"])))
    log(f"profile of {name} taken")


def guest_facts():
    cpus = os.cpu_count()
    with open("/proc/cpuinfo") as f:
        model = re.search(r"model name\s*:\s*(.*)", f.read())
    versions = {}
    for tool, cmd in (("iperf3", ["iperf3", "--version"]), ("openvpn", ["openvpn", "--version"]),
                      ("wg", ["wg", "--version"])):
        res = subprocess.run(cmd, capture_output=True, text=True)
        versions[tool] = (res.stdout or res.stderr).splitlines()[0] if res.stdout or res.stderr \
            else None
    with open("/sys/devices/system/clocksource/clocksource0/current_clocksource") as f:
        clock = f.read().strip()
    if "jiffies" in clock:
        log(f"the guest's clock is {clock}: RTTs come in whole ticks (the kernel needs ACPI "
            "for HPET and the ACPI PM timer)")
    return {"accel": os.environ.get("SLICE_ACCEL", "unknown"), "cpus": cpus, "clocksource": clock,
            "cpu_model": model.group(1) if model else None, "kernel": os.uname().release,
            "tools": versions}


def cmd_measure(args):
    if os.geteuid():
        sys.exit("bench.py measure: needs root (it runs in the test VM: use bench/dataplane/run)")
    chosen = [c for c in CONTENDERS if not args.only or c[0] in args.only]
    unknown = set(args.only or []) - {c[0] for c in CONTENDERS}
    if unknown:
        sys.exit(f"bench.py: unknown contender(s) {', '.join(sorted(unknown))}; "
                 f"known: {', '.join(c[0] for c in CONTENDERS)}")
    slicectl = shutil.which("slicectl", path=args.bin)
    raw = dict(guest_facts(), repetitions=args.reps, seconds=args.time, pings=args.pings,
               tunnel_mtu=TUNNEL_MTU, contenders=[])
    bench = Bench(tempfile.mkdtemp(prefix="bench-dataplane-"))
    try:
        bench.underlay()
        targets = []
        for name, kind, cipher, octet in chosen:
            entry = {"name": name, "kind": kind, "cipher": cipher,
                     "mtu": 1500 if kind == "veth" else TUNNEL_MTU, "error": None,
                     "samples": {m[0]: [] for m in METRICS}}
            try:
                addr = bench.bring_up(name, kind, cipher, octet, slicectl)
                targets.append((entry, addr))
                log(f"{name}: up, target {addr}")
            except (SetupError, subprocess.SubprocessError) as e:
                entry["error"] = str(e)
                log(f"{name}: not measured: {e}")
            raw["contenders"].append(entry)
        for rep in range(args.reps):
            for entry, addr in targets:
                figures = sample(addr, args.time, args.pings)
                for key, value in figures.items():
                    entry["samples"][key].append(value)
                shown = ", ".join(f"{k} {v:.3g}" for k, v in figures.items() if v is not None)
                log(f"rep {rep + 1}/{args.reps} {entry['name']}: {shown}")
        for entry, addr in targets:
            if entry["name"] in (args.profile or []):
                profile(addr, args.time, entry["name"])
        if slicectl and any(entry["kind"] == "slice" for entry, _ in targets):
            emit_file("slice-counters.txt", "".join(
                f"{ns}:\n" + run([slicectl, "show"], ns) for ns in (NS_A, NS_B)))
    finally:
        bench.close()
        bench.emit_logs()
    emit_file(RAW_FILE, json.dumps(raw, separators=(",", ":")))
    incomplete = [c["name"] for c in raw["contenders"]
                  if c["error"] or None in sum(c["samples"].values(), [])]
    if incomplete:
        sys.exit(f"bench: incomplete figures for {', '.join(incomplete)}")


def summarise(samples):
    values = [v for v in samples if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "samples": samples}


def ratio(a, b):
    return a / b if a is not None and b else None


def targets(by_name):
    """The issue's targets, for each slice contender: reported, never asserted."""
    def med(name, key):
        stats = by_name.get(name, {}).get("metrics", {}).get(key)
        return stats["median"] if stats else None

    wg = "wireguard"
    ovpn_tcp1 = [v for v in (med(c[0], "tcp1_mbps") for c in CONTENDERS if c[1] == "openvpn")
                 if v is not None]
    out = []
    for name in (c[0] for c in CONTENDERS if c[1] == "slice"):
        if med(name, "tcp1_mbps") is None:
            continue
        rows = [
            ("TCP 1 stream vs WireGuard", ratio(med(name, "tcp1_mbps"), med(wg, "tcp1_mbps")),
             1.5, ">="),
            ("TCP 4 streams vs WireGuard",
             ratio(med(name, "tcp4_mbps"), med(wg, "tcp4_mbps")), 1.0, ">="),
            ("TCP 1 stream vs the faster OpenVPN",
             ratio(med(name, "tcp1_mbps"), max(ovpn_tcp1) if ovpn_tcp1 else None), 4.0, ">="),
        ]
        veth, own, wgr = med("veth", "rtt_p50_ms"), med(name, "rtt_p50_ms"), med(wg, "rtt_p50_ms")
        if None not in (veth, own, wgr):
            rows.append(("RTT p50 overhead over veth vs WireGuard's (ms)", own - veth,
                         wgr - veth, "<="))
        for what, value, goal, op in rows:
            met = None if value is None else (value >= goal if op == ">=" else value <= goal)
            out.append({"contender": name, "target": what, "value": value,
                        "goal": f"{op} {goal:.3g}", "met": met})
    return out


def fmt(value, unit):
    if value is None:
        return "-"
    if unit == "%":
        return f"{value:.1f}"
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def print_report(rep):
    print(f"\nData plane benchmark: {rep['accel'].upper()}, {rep['cpus']} CPU(s) "
          f"({rep['cpu_model']}), kernel {rep['kernel']}, {rep['repetitions']} repetition(s) "
          f"of {rep['seconds']} s, {rep['pings']} pings, tunnel MTU {rep['tunnel_mtu']}, "
          f"clock {rep['clocksource']}")
    print("Medians [min-max] over the repetitions; ratios are of the medians.\n")
    names = [c["name"] for c in rep["contenders"]]
    width = max(len(n) for n in names) + 2
    print(f"{'':{width}}" + "".join(f"{label + ' ' + unit:>22}" for _, label, unit, _ in METRICS))
    for c in rep["contenders"]:
        if c["error"]:
            print(f"{c['name']:{width}}not measured: {c['error']}")
            continue
        cells = []
        for key, _, unit, _ in METRICS:
            st = c["metrics"][key]
            lo, hi = (None, None) if st is None else (fmt(st["min"], unit), fmt(st["max"], unit))
            cells.append("-" if st is None else f"{fmt(st['median'], unit)} [{lo}-{hi}]")
        print(f"{c['name']:{width}}" + "".join(f"{cell:>22}" for cell in cells))
    for base in ("wireguard", "veth"):
        print(f"\nRatio to {base} (throughput: higher is better; RTT: lower is better)")
        print(f"{'':{width}}" + "".join(f"{label:>22}" for key, label, _, _ in METRICS
                                        if key in RATIO_METRICS))
        for c in rep["contenders"]:
            if c["error"]:
                continue
            cells = [c["ratios"][base].get(key) for key in RATIO_METRICS]
            print(f"{c['name']:{width}}" + "".join(
                f"{'-' if r is None else fmt(r, '') + 'x':>22}" for r in cells))
    if rep["targets"]:
        print("\nTargets (reported, not asserted)")
        for t in rep["targets"]:
            state = {True: "met", False: "MISSED", None: "n/a"}[t["met"]]
            value = "-" if t["value"] is None else f"{t['value']:.3g}"
            print(f"  {t['contender']}: {t['target']}: {value} (goal {t['goal']}): {state}")
    else:
        print("\nTargets: no slice contender measured")


def cmd_report(args):
    try:
        with open(args.raw) as f:
            rep = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        sys.exit(f"bench.py report: no raw samples in {args.raw}: {e}")
    for c in rep["contenders"]:
        samples = c.pop("samples")
        c["metrics"] = {key: summarise(samples[key]) for key, _, _, _ in METRICS}
    by_name = {c["name"]: c for c in rep["contenders"]}
    for c in rep["contenders"]:
        c["ratios"] = {}
        for base in ("wireguard", "veth"):
            ref = by_name.get(base, {}).get("metrics") or {}
            c["ratios"][base] = {
                key: ratio(c["metrics"][key]["median"], ref[key]["median"])
                for key in RATIO_METRICS if c["metrics"].get(key) and ref.get(key)}
    rep["targets"] = targets(by_name)
    print_report(rep)
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(rep, f, indent=1)
        print(f"\nJSON results in {args.json}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("measure", help="measure in the test VM (as root)")
    m.add_argument("--reps", type=int, default=3, help="repetitions (default 3)")
    m.add_argument("--time", type=int, default=5, help="seconds per iperf3 run (default 5)")
    m.add_argument("--pings", type=int, default=200, help="pings per repetition (default 200)")
    m.add_argument("--quick", action="store_true",
                   help="smoke mode: --reps 1 --time 1 --pings 20")
    m.add_argument("--only", type=lambda s: s.split(","), help="comma-separated contenders")
    m.add_argument("--profile", type=lambda s: s.split(","),
                   help="contenders to profile with perf after the measurements")
    m.add_argument("--bin", required=True, help="directory holding slicectl")
    r = sub.add_parser("report", help="summarise raw samples")
    r.add_argument("raw", help="the raw samples (" + RAW_FILE + ") that measure sent")
    r.add_argument("--json", help="write the summary as JSON here")
    args = parser.parse_args()
    if args.cmd == "measure":
        if args.quick:
            args.reps, args.time, args.pings = 1, 1, 20
        if args.reps < 1 or args.time < 1 or args.pings < 2:
            sys.exit("bench.py: --reps and --time must be at least 1, --pings at least 2")
        cmd_measure(args)
    else:
        cmd_report(args)


if __name__ == "__main__":
    main()
