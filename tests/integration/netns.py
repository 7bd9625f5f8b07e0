#!/usr/bin/python3
"""A remote guest's own network for the WebRTC tests: a network namespace
joined to this host by a veth pair, made by the test and removed after it.

libnice (the studio's ICE) gathers no candidates on loopback, so a guest on
127.0.0.1 could never connect; and a guest's network must be something a
test can cut. In a namespace the guest (a browser, a WHIP publisher) has an
address of its own, 10.77.N.2, and reaches the studio at 10.77.N.1; taking
the host's end of the pair down is the guest's network dropping.

The interfaces are named ygN (host side) and yhN (inside): libnice ignores
interfaces whose names begin with "veth" or "docker".

Needs root (CAP_NET_ADMIN) and iproute2's `ip`.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def _ip(*args: str, netns: str | None = None) -> None:
    cmd = ["ip"] + (["netns", "exec", netns, "ip"] if netns else []) + list(args)
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed: {result.stderr.strip()}")


def _used_subnets() -> set[int]:
    out = subprocess.run(["ip", "-o", "-4", "addr"], capture_output=True, text=True).stdout
    used = set()
    for word in out.split():
        if word.startswith("10.77."):
            used.add(int(word.split(".")[2]))
    return used


class GuestNetwork:
    """`ip netns exec NAME …` runs a program on the guest's side."""

    def __init__(self):
        used = _used_subnets()
        self.n = next(n for n in range(10 + os.getpid() % 200, 256) if n not in used)
        self.name = f"yst-guest-{self.n}"
        self.host_if = f"yg{self.n}"
        self.guest_if = f"yh{self.n}"
        self.studio_address = f"10.77.{self.n}.1"
        self.guest_address = f"10.77.{self.n}.2"
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)
        subprocess.run(["ip", "link", "del", self.host_if], capture_output=True)
        _ip("netns", "add", self.name)
        _ip("link", "add", self.host_if, "type", "veth", "peer", "name", self.guest_if)
        _ip("link", "set", self.guest_if, "netns", self.name)
        _ip("addr", "add", f"{self.studio_address}/24", "dev", self.host_if)
        _ip("link", "set", self.host_if, "up")
        _ip("addr", "add", f"{self.guest_address}/24", "dev", self.guest_if, netns=self.name)
        _ip("link", "set", self.guest_if, "up", netns=self.name)
        _ip("link", "set", "lo", "up", netns=self.name)

    def command(self, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.name] + argv

    def wrapper(self, directory: Path, program: str) -> Path:
        """An executable that runs `program` with its arguments inside the
        namespace (for tools that start a program themselves: Playwright)."""
        path = directory / f"in-{self.name}-{Path(program).name}"
        path.write_text(f'#!/bin/sh\nexec ip netns exec {self.name} {program} "$@"\n')
        path.chmod(0o755)
        return path

    def down(self) -> None:
        """The guest's network drops: nothing passes either way."""
        _ip("link", "set", self.host_if, "down")

    def up(self) -> None:
        _ip("link", "set", self.host_if, "up")
        _ip("addr", "replace", f"{self.studio_address}/24", "dev", self.host_if)

    def close(self) -> None:
        subprocess.run(["ip", "link", "del", self.host_if], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)

    def __enter__(self) -> "GuestNetwork":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
