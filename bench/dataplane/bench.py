#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The data-plane benchmark: the slice device against WireGuard, OpenVPN (in userspace and
with its data-channel offload module) and plain veth.

  bench.py measure [options]   in the test VM, as root (bench/dataplane/run starts it there):
                               builds the topology, measures every contender, sends the raw
                               samples, profiles and logs over stdout (see emit_file)
  bench.py report RAW [--json OUT]
                               anywhere: medians, ratios and targets as a table and as JSON

Every contender joins the same two network namespaces over the same veth underlay, and all of
them are up at once: each repetition measures each contender in turn (starting one further
along each time), so that a slow spell of the (shared, emulated) machine hits them all alike,
and the ratios are also taken per repetition. Only ratios measured side by side in one run
mean anything here; see bench/dataplane/README.md.
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
    ("openvpn-dco-aes-256-gcm", "openvpn-dco", "AES-256-GCM", 206),
]
# The AEAD each contender's data channel runs in the kernel, for the tight-loop rate
# (aead_rate.ko): WireGuard's is the ChaCha20-Poly1305 library the slice device uses too.
AEAD_OF = {"slice-aes-256-gcm": "aes-256-gcm", "slice-chacha20-poly1305": "chacha20-poly1305",
           "wireguard": "chacha20-poly1305", "openvpn-dco-aes-256-gcm": "aes-256-gcm"}
# What the per-repetition ratios compare the slice contenders with.
RIVALS = ["wireguard", "openvpn-dco-aes-256-gcm"]

# (key, label, unit, higher is better)
METRICS = [
    ("tcp1_mbps", "TCP x1", "Mbit/s", True),
    ("tcp4_mbps", "TCP x4", "Mbit/s", True),
    ("udp64_kpps", "UDP 64B", "kpps", True),
    ("udp64_loss_pct", "UDP 64B loss", "%", False),
    ("rtt_p50_ms", "RTT p50", "ms", False),
    ("rtt_p99_ms", "RTT p99", "ms", False),
    ("tcp1_cpu_pct", "TCP x1 CPU busy", "%", False),
]
# Starts each console line that carries a line of a file out of the VM: the console is this
# run's own, where tests/vm/run's results directory (build/vm/last) is shared with every other
# VM run of the tree.
FILE_MARKER = "bench-file "
RAW_FILE = "dataplane-raw.json"
RATIO_METRICS = ["tcp1_mbps", "tcp4_mbps", "udp64_kpps", "rtt_p50_ms", "rtt_p99_ms"]
REP_RATIO_METRICS = ["tcp1_mbps", "tcp4_mbps", "udp64_kpps"]


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

    def openvpn(self, name, cipher, octet, dco=False):
        """TLS p2p (the mode with negotiated data ciphers); in userspace unless DCO."""
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
                "openvpn", "--dev", dev, "--dev-type", "tun"] + ([] if dco else ["--disable-dco"]) + [
                "--proto", "udp", "--local", local, "--lport", port,
                "--remote", remote, "--rport", port,
                "--ifconfig", inner(octet, side), inner(octet, 3 - side),
                "--route", f"10.{octet}.{3 - side}.0", "255.255.255.0",
                "--tun-mtu", str(TUNNEL_MTU), "--cert", crt, "--key", key,
                "--peer-fingerprint", certs[other][2], "--verb", "3"] + role + data, ns)

    def openvpn_check(self, name, cipher, dco):
        """OpenVPN falls back quietly; make sure the data channel runs what it should."""
        wants = [f"Data Channel: cipher '{cipher}'"]
        if cipher.endswith("CBC"):
            wants[0] += ", auth 'SHA256'"
        if dco:
            wants.append("DCO device tun")
        for ns in (NS_A, NS_B):
            with open(os.path.join(self.dir, f"{name}.{ns}.log")) as f:
                text = f.read()
            for want in wants:
                if want not in text:
                    raise SetupError(f"OpenVPN in {ns} does not log \"{want}\"")

    def load_dco(self, mods):
        """Debian's openvpn-dco-dkms, built for this kernel by bench/dataplane/run."""
        if os.path.isdir("/sys/module/ovpn_dco_v2"):
            return
        path = os.path.join(mods or "", "ovpn-dco-v2.ko")
        if not mods or not os.path.exists(path):
            raise SetupError(f"no {path} (bench/dataplane/run builds it from openvpn-dco-dkms)")
        run(["insmod", path])

    def bring_up(self, name, kind, cipher, octet, slicectl, mods):
        if kind == "veth":
            return UNDERLAY_B
        if kind == "slice":
            self.slice(name, cipher, octet, slicectl)
        elif kind == "wireguard":
            self.wireguard(name, octet)
        elif kind == "openvpn-dco":
            self.load_dco(mods)
            self.openvpn(name, cipher, octet, dco=True)
        elif kind == "openvpn":
            self.openvpn(name, cipher, octet)
        wait_ping(NS_A, inner(octet, 2), 60)
        if kind.startswith("openvpn"):
            self.openvpn_check(name, cipher, kind == "openvpn-dco")
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


def pinning():
    """iperf3's client on CPU 0 and its server on the last CPU, the same for everyone."""
    cpus = os.cpu_count() or 1
    return ["-A", f"0,{cpus - 1}"] if cpus > 1 else []


def cpu_times():
    """(busy, total) jiffies per CPU from /proc/stat."""
    out = []
    with open("/proc/stat") as f:
        for line in f:
            if re.match(r"cpu[0-9]", line):
                v = [int(x) for x in line.split()[1:]]
                idle = v[3] + v[4]
                out.append((sum(v) - idle, sum(v)))
    return out


def cpu_busy(before, after):
    """Each CPU's busy share (%) between two cpu_times()."""
    return [100 * (b1 - b0) / max(1, t1 - t0) for (b0, t0), (b1, t1) in zip(before, after)]


def iperf3(addr, args, secs):
    out = subprocess.run(["ip", "netns", "exec", NS_A, "iperf3", "-c", addr, "-p",
                          str(IPERF_PORT), "-J", "-t", str(secs), "--connect-timeout", "5000"]
                         + pinning() + args, capture_output=True, text=True,
                         timeout=secs + 60).stdout
    res = json.loads(out)
    if "error" in res:
        raise SetupError("iperf3: " + res["error"])
    return res["end"]


def measure_tcp(addr, streams, secs):
    end = iperf3(addr, ["-P", str(streams)], secs)
    return end["sum_received"]["bits_per_second"] / 1e6


def measure_tcp1(addr, secs, per_cpu):
    """One stream's throughput, and how busy the CPUs were meanwhile (mean over CPUs)."""
    before = cpu_times()
    mbps = measure_tcp(addr, 1, secs)
    busy = cpu_busy(before, cpu_times())
    per_cpu.append(busy)
    return mbps, sum(busy) / len(busy)


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


def sample(addr, secs, pings, per_cpu):
    """One repetition of every figure for one contender; a figure that fails is None."""
    figures = {}
    steps = [
        (("tcp1_mbps", "tcp1_cpu_pct"), lambda: measure_tcp1(addr, secs, per_cpu)),
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


# What --profile-load can run under perf: a figure's measurement, once more, alone.
PROFILE_LOADS = {
    "tcp1": lambda addr, secs: f"{measure_tcp(addr, 1, secs):.3g} Mbit/s",
    "udp64": lambda addr, secs: "{:.3g} kpps, {:.1f} % lost".format(*measure_udp64(addr, secs)),
    # As many pings as fit the time at the benchmark's interval (10 ms).
    "ping": lambda addr, secs: "RTT p50 {:.3g} ms, p99 {:.3g} ms".format(
        *measure_ping(addr, secs * 100)),
}


def profile(addr, secs, name, load):
    """A system-wide flat profile of the guest during one run of LOAD through NAME, headed by
    the load's own figure and each CPU's busy share meanwhile (what is not busy is idle or
    waiting: a round trip that grows while the CPUs idle is waiting on a hand-off)."""
    perf = shutil.which("perf")
    if not perf:
        log("profile: no perf on the host (apt-get install linux-perf); skipped")
        return
    data = os.path.join(tempfile.gettempdir(), "perf.data")
    # The ping load runs past SECS (its replies), so perf records for as long as the load.
    rec = subprocess.Popen([perf, "record", "-a", "-g", "-o", data],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    before = cpu_times()
    try:
        figure = PROFILE_LOADS[load](addr, secs)
    except (SetupError, subprocess.SubprocessError, ValueError, KeyError) as e:
        figure = f"failed: {e}"
    finally:
        busy = cpu_busy(before, cpu_times())
        rec.send_signal(signal.SIGINT)
        rec.wait()
    head = (f"# {name}, {load}: {figure}; CPU busy % "
            + " ".join(f"{b:.0f}" for b in busy) + "\n")
    # A flat profile by module and by symbol, each symbol's share with what it calls (where
    # a packet's time goes: the send path, the receive path, the crypto), then the call
    # chains of the symbols above 2%.
    emit_file(f"profile-{name}-{load}.txt", head + "".join(
        subprocess.run([perf, "report", "-i", data, "--stdio"] + opts, capture_output=True,
                       text=True).stdout
        for opts in (["--no-children", "--sort", "dso", "-g", "none"],
                     ["--no-children", "--sort", "dso,sym", "-g", "none", "--percent-limit", "0.5"],
                     ["--children", "--sort", "sym", "-g", "none", "--percent-limit", "1"],
                     ["--no-children", "--sort", "dso,sym", "-g", "graph,2,callee",
                      "--percent-limit", "2"])))
    log(f"profile of {name} under {load} taken: {figure}")


AEAD_LINE = re.compile(r"slice-aead-rate: (\S+) \((\S+)\) len (\d+): (\d+) seal\+open in (\d+) us")


def aead_rates(mods, msecs):
    """Seal + open of one 1420-byte packet in a tight loop on one CPU, per AEAD (aead_rate.ko):
    {name: {"driver", "mbps" (inner bits a second), "us" (per packet)}}."""
    path = os.path.join(mods or "", "aead_rate.ko")
    if not mods or not os.path.exists(path):
        log(f"aead rate: no {path}; skipped")
        return {}
    subprocess.run(["dmesg", "-C"], capture_output=True)
    # It measures, prints and refuses to stay loaded (-EAGAIN), as tcrypt does.
    subprocess.run(["insmod", path, f"msecs={msecs}"], capture_output=True)
    out = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
    rates = {}
    for name, driver, length, n, usecs in AEAD_LINE.findall(out):
        n, usecs = int(n), int(usecs)
        rates[name] = {"driver": driver, "mbps": n * int(length) * 8 / usecs,
                       "us": usecs / n}
    return rates


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
               tunnel_mtu=TUNNEL_MTU, contenders=[], aead=[], pinning=" ".join(pinning()))
    bench = Bench(tempfile.mkdtemp(prefix="bench-dataplane-"))
    try:
        bench.underlay()
        targets = []
        for name, kind, cipher, octet in chosen:
            entry = {"name": name, "kind": kind, "cipher": cipher,
                     "mtu": 1500 if kind == "veth" else TUNNEL_MTU, "error": None,
                     "samples": {m[0]: [] for m in METRICS}, "tcp1_cpu_per_cpu": []}
            try:
                addr = bench.bring_up(name, kind, cipher, octet, slicectl, args.mods)
                targets.append((entry, addr))
                log(f"{name}: up, target {addr}")
            except (SetupError, subprocess.SubprocessError) as e:
                entry["error"] = str(e)
                log(f"{name}: not measured: {e}")
            raw["contenders"].append(entry)
        for rep in range(args.reps):
            raw["aead"].append(aead_rates(args.mods, 500 if args.quick else 1000))
            log(f"rep {rep + 1}/{args.reps} aead: " + ", ".join(
                f"{k} {v['mbps']:.3g} Mbit/s ({v['driver']})" for k, v in raw["aead"][-1].items()))
            # Start one further along each time: no contender always follows the same one.
            order = targets[rep % len(targets):] + targets[:rep % len(targets)] if targets else []
            for entry, addr in order:
                figures = sample(addr, args.time, args.pings, entry["tcp1_cpu_per_cpu"])
                for key, value in figures.items():
                    entry["samples"][key].append(value)
                shown = ", ".join(f"{k} {v:.3g}" for k, v in figures.items() if v is not None)
                log(f"rep {rep + 1}/{args.reps} {entry['name']}: {shown}")
        for entry, addr in targets:
            for load in args.profile_load if entry["name"] in (args.profile or []) else []:
                profile(addr, args.time, entry["name"], load)
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


def per_rep(a, b):
    """Per-repetition ratios of two sample lists (None where either failed)."""
    return [x / y if x is not None and y else None for x, y in zip(a, b)]


def low(values):
    values = [v for v in values if v is not None]
    return min(values) if values else None


def mid(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# RTT p50 overhead over veth before issue 20's changes, the most the slice device may add.
RTT_OVERHEAD_MS = 0.35


def targets(by_name):
    """Issue 20's targets, for each slice contender, on the minimum over the repetitions of
    the per-repetition ratios: reported, never asserted."""
    def rr(name, rival, key):
        return low(by_name[name].get("rep_ratios", {}).get(rival, {}).get(key, []))

    wg, dco = RIVALS
    out = []
    for name in (c[0] for c in CONTENDERS if c[1] == "slice"):
        if name not in by_name or by_name[name]["error"]:
            continue
        rows = [("TCP 1 stream vs WireGuard", rr(name, wg, "tcp1_mbps"), 1.5, ">="),
                ("TCP 1 stream vs OpenVPN-DCO", rr(name, dco, "tcp1_mbps"), 1.2, ">="),
                ("TCP 4 streams vs WireGuard", rr(name, wg, "tcp4_mbps"), 2.0, ">="),
                ("UDP 64B pps vs WireGuard", rr(name, wg, "udp64_kpps"), 1.5, ">=")]
        veth = by_name.get("veth", {}).get("metrics", {}).get("rtt_p50_ms")
        own = by_name[name]["metrics"].get("rtt_p50_ms")
        if veth and own:
            rows.append(("RTT p50 overhead over veth (ms, medians)",
                         own["median"] - veth["median"], RTT_OVERHEAD_MS, "<="))
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
    if rep.get("aead_summary"):
        print(f"\nIn-guest AEAD rate: seal + open of one {TUNNEL_MTU}-byte packet in a tight loop "
              "on one CPU (aead_rate.ko), median [min-max] over the repetitions")
        for name, a in rep["aead_summary"].items():
            print(f"  {name:28} {fmt(a['mbps']['median'], '')} [{fmt(a['mbps']['min'], '')}-"
                  f"{fmt(a['mbps']['max'], '')}] Mbit/s, {a['us']:.0f} us a packet ({a['driver']})")
    print("\nTCP x1 as a fraction of the AEAD's tight-loop rate and of veth's TCP x1 (medians of "
          "the per-repetition fractions), and the CPUs' mean busy share meanwhile")
    print(f"{'':{width}}{'of AEAD rate':>16}{'of veth':>12}{'CPU busy %':>14}  per CPU %")
    for c in rep["contenders"]:
        if c["error"]:
            continue
        cpu = c["metrics"].get("tcp1_cpu_pct")
        per_cpu = c.get("tcp1_cpu_per_cpu") or []
        cols = [None if not per_cpu else statistics.median(x[i] for x in per_cpu)
                for i in range(len(per_cpu[0]) if per_cpu else 0)]
        print(f"{c['name']:{width}}{fmt(c.get('of_aead'), ''):>16}{fmt(c.get('of_veth'), ''):>12}"
              f"{fmt(cpu['median'] if cpu else None, ''):>14}  "
              + " ".join(fmt(x, '') for x in cols))
    for c in rep["contenders"]:
        for rival, by_key in c.get("rep_ratios", {}).items():
            print(f"\nPer repetition, {c['name']} / {rival}: "
                  + "; ".join(f"{label} " + " ".join(fmt(r, '') for r in by_key[key])
                              + f" (min {fmt(low(by_key[key]), '')})"
                              for key, label, _, _ in METRICS if key in by_key))
    if rep["targets"]:
        print("\nTargets of issue 20, on the minimum over the repetitions (reported, not asserted)")
        for t in rep["targets"]:
            state = {True: "met", False: "MISSED", None: "n/a"}[t["met"]]
            value = "-" if t["value"] is None else f"{t['value']:.3g}"
            print(f"  {t['contender']}: {t['target']}: {value} (goal {t['goal']}): {state}")
    else:
        print("\nTargets: no slice contender measured")


def add_per_rep(rep, by_name, raw_samples):
    """Per-repetition ratios to the rivals, and TCP x1 as a fraction of the AEAD rate and of
    veth, both taken within each repetition."""
    aead = rep.get("aead") or []
    names = sorted({k for r in aead for k in r})
    rep["aead_summary"] = {}
    for name in names:
        runs = [r[name] for r in aead if name in r]
        rep["aead_summary"][name] = {"driver": runs[-1]["driver"],
                                     "mbps": summarise([r["mbps"] for r in runs]),
                                     "us": statistics.median(r["us"] for r in runs)}
    veth = raw_samples.get("veth", {}).get("tcp1_mbps", [])
    for c in rep["contenders"]:
        if c["error"]:
            continue
        mine = raw_samples[c["name"]]
        if c["kind"] == "slice":
            c["rep_ratios"] = {
                rival: {key: per_rep(mine[key], raw_samples[rival][key])
                        for key in REP_RATIO_METRICS}
                for rival in RIVALS if rival in raw_samples and not by_name[rival]["error"]}
        if veth and c["name"] != "veth":
            c["of_veth"] = mid(per_rep(mine["tcp1_mbps"], veth))
        want = AEAD_OF.get(c["name"])
        if want and aead:
            c["of_aead"] = mid(per_rep(mine["tcp1_mbps"],
                                       [r.get(want, {}).get("mbps") for r in aead]))


def cmd_report(args):
    try:
        with open(args.raw) as f:
            rep = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        sys.exit(f"bench.py report: no raw samples in {args.raw}: {e}")
    raw_samples = {}
    for c in rep["contenders"]:
        samples = c.pop("samples")
        raw_samples[c["name"]] = samples
        c["metrics"] = {key: summarise(samples.get(key, [])) for key, _, _, _ in METRICS}
    by_name = {c["name"]: c for c in rep["contenders"]}
    for c in rep["contenders"]:
        c["ratios"] = {}
        for base in ("wireguard", "veth"):
            ref = by_name.get(base, {}).get("metrics") or {}
            c["ratios"][base] = {
                key: ratio(c["metrics"][key]["median"], ref[key]["median"])
                for key in RATIO_METRICS if c["metrics"].get(key) and ref.get(key)}
    add_per_rep(rep, by_name, raw_samples)
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
    m.add_argument("--reps", type=int, default=5, help="repetitions (default 5)")
    m.add_argument("--time", type=int, default=10, help="seconds per iperf3 run (default 10)")
    m.add_argument("--pings", type=int, default=200, help="pings per repetition (default 200)")
    m.add_argument("--quick", action="store_true",
                   help="smoke mode: --reps 1 --time 1 --pings 20")
    m.add_argument("--only", type=lambda s: s.split(","), help="comma-separated contenders")
    m.add_argument("--profile", type=lambda s: s.split(","),
                   help="contenders to profile with perf after the measurements")
    m.add_argument("--profile-load", type=lambda s: s.split(","), default=["tcp1"],
                   help="what runs while each is profiled: " + ", ".join(PROFILE_LOADS)
                   + " (comma-separated; default tcp1)")
    m.add_argument("--bin", required=True, help="directory holding slicectl")
    m.add_argument("--mods", help="directory holding aead_rate.ko and ovpn-dco-v2.ko")
    r = sub.add_parser("report", help="summarise raw samples")
    r.add_argument("raw", help="the raw samples (" + RAW_FILE + ") that measure sent")
    r.add_argument("--json", help="write the summary as JSON here")
    args = parser.parse_args()
    if args.cmd == "measure":
        if args.quick:
            args.reps, args.time, args.pings = 1, 1, 20
        if args.reps < 1 or args.time < 1 or args.pings < 2:
            sys.exit("bench.py: --reps and --time must be at least 1, --pings at least 2")
        unknown = set(args.profile_load) - set(PROFILE_LOADS)
        if unknown:
            sys.exit(f"bench.py: unknown profile load(s) {', '.join(sorted(unknown))}; "
                     f"known: {', '.join(PROFILE_LOADS)}")
        cmd_measure(args)
    else:
        cmd_report(args)


if __name__ == "__main__":
    main()
