#!/usr/bin/python3
"""The archive recording when the disk under it fails.

- DiskFills: the recordings disk (a real tmpfs of 16 MiB, mounted in a user
  and mount namespace of the studio's own, so no root is needed and nothing
  is left mounted) fills up while the show records: the recording goes to
  `retrying` with an error that says so (/api/status, the producer's
  recording.changed, /metrics), the program goes on, what was recorded
  before decodes; once space is freed the recording resumes in a new part
  by itself. After the show, both parts are on record as ended (the package
  does not claim the studio was killed) and both are in program.mp4.
- DiskUnplugged: the recordings folder is a link to an external disk that
  fills and is then unplugged (the folder the link points at is gone): the
  retries fail with a clear error instead of ending the show, and the
  recording resumes when the disk is back.
- FolderInTheWay: a recording started while a file stands where the
  recordings folder should be is refused with a clear error (the studio
  stays up) and starts once the folder is there.

Run alone: /usr/bin/python3 tests/integration/test_recording_faults.py
"""

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import IntegrationTest, Studio, make_show  # noqa: E402

FPS = 30
UNSHARE = shutil.which("unshare") or "/usr/bin/unshare"


def namespaces_available() -> str | None:
    """None when this user may make a user + mount namespace and mount a
    tmpfs in it; otherwise why not."""
    try:
        r = subprocess.run([UNSHARE, "--user", "--map-root-user", "--mount", "sh", "-c",
                            "d=$(mktemp -d) && mount -t tmpfs -o size=1m t \"$d\" && umount "
                            "\"$d\" && rmdir \"$d\""], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unshare failed: {e}"
    return None if r.returncode == 0 else f"no user namespaces here: {r.stderr.strip()}"


class StudioWithDisk(Studio):
    """The studio in a user + mount namespace of its own in which a tmpfs of
    `disk_mb` is mounted at `mount_at` (a directory that exists): a real
    filesystem that fills up, which the test reaches through
    /proc/<pid>/root. `prepare` runs in the namespace after the mount, before
    the studio (e.g. a folder on the disk). The studio keeps the process id:
    unshare and sh exec it."""

    def __init__(self, workdir: Path, show: dict, mount_at: Path, disk_mb: int,
                 prepare: str = "", **kwargs):
        super().__init__(workdir, show, **kwargs)
        self.mount_at = Path(mount_at)
        self.disk_mb = disk_mb
        self.prepare = prepare

    def command(self) -> list[str]:
        script = (f'mount -t tmpfs -o size={self.disk_mb}m yst-test-disk "$1" && shift && '
                  f'{self.prepare + " && " if self.prepare else ""}exec "$@"')
        return [UNSHARE, "--user", "--map-root-user", "--mount", "--propagation", "private",
                "sh", "-c", script, "sh", str(self.mount_at), *super().command()]

    def on_disk(self, path: Path) -> Path:
        """`path` as the studio sees it (inside its mount namespace)."""
        return Path(f"/proc/{self.pid}/root") / str(Path(path)).lstrip("/")


def fill(directory: Path) -> int:
    """Writes a file into `directory` until the disk is full; its size."""
    written = 0
    chunk = b"\0" * (256 * 1024)
    with open(directory / "filler.bin", "wb", buffering=0) as f:
        try:
            while True:
                written += f.write(chunk)
        except OSError as e:
            if e.errno != 28:  # ENOSPC
                raise
    return written


def recorded_video_packets(path: Path) -> int:
    return len(harness.packet_times(path))


def recording_show() -> dict:
    show = make_show(sources=[("host", "test://smpte")], layout="single", hls=False,
                     preset="ultrafast", fps=FPS)
    show["program"]["keyframe_interval_s"] = 1
    return show


class DiskFills(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        why = namespaces_available()
        if why:
            raise unittest.SkipTest(why)
        show = recording_show()
        cls.recordings = cls.work.path / "studio" / "data" / "recordings"
        cls.recordings.mkdir(parents=True)
        cls.studio = StudioWithDisk(cls.work.path, show, mount_at=cls.recordings, disk_mb=16)
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()

    def test_full_disk_retries_and_recording_resumes_when_space_is_freed(self):
        studio = self.studio
        producer = studio.producer()
        self.addCleanup(producer.close)
        status = studio.wait_until(lambda s: s["recording"]["state"] == "recording" and
                                   s["recording"]["duration_ms"] >= 2000, 30,
                                   "two seconds recorded")
        first_path = Path(status["recording"]["path"])
        disk = studio.on_disk(self.recordings)
        self.assertTrue((disk / first_path.name).is_file(), f"{first_path.name} not on the disk")

        filled = fill(disk)
        harness.verbose(f"filled the disk with {filled} bytes")
        status = studio.wait_until(lambda s: s["recording"]["state"] == "retrying", 20,
                                   "the recording to notice the full disk")
        error = status["recording"]["last_error"]
        self.assertRegex(error, re.compile(r"space", re.I),
                         f"the error should say the disk is full: {error!r}")
        event = producer.wait_event("recording.changed", timeout=10,
                                    predicate=lambda e: e["recording"]["state"] == "retrying")
        self.assertEqual(event["recording"]["last_error"], error)
        self.assertEqual(studio.metrics().value("yst_recording_active"), 0)
        # The show goes on without its recording.
        fps, _, _ = studio.program_fps(2.0)
        self.assertGreater(fps, FPS / 3, f"the program slowed to {fps:.1f} fps")
        # It stays down while the disk is full: a retry that fails at its
        # first writes never shows as recording (the retries come after 1,
        # 2 and 4 s; every change of state is an event).
        producer.events.clear()
        producer.drain(7.0)
        states = [e["recording"]["state"] for e in producer.events
                  if e.get("type") == "recording.changed"]
        if "recording" in states:
            # What the studio did meanwhile (a program restart starts the
            # recording anew; a part that went live wrote for a second).
            log = [line for line in harness.read_text(studio.stderr_path).splitlines()
                   if "[archive]" in line or "[program]" in line]
            self.fail(f"recording while the disk is full: {states}; "
                      f"the disk: {sorted((p.name, p.stat().st_size) for p in disk.iterdir())}; "
                      "the studio's log:\n" + "\n".join(log[-30:]))
        self.assertEqual(studio.status()["recording"]["state"], "retrying")
        # What was recorded before the disk filled decodes.
        kept = self.work.sub("kept") / first_path.name
        shutil.copy(disk / first_path.name, kept)
        packets = recorded_video_packets(kept)
        self.assertGreater(packets, FPS, f"{kept.name}: {packets} video packets before the failure")

        (disk / "filler.bin").unlink()
        status = studio.wait_until(lambda s: s["recording"]["state"] == "recording" and
                                   s["recording"]["path"] != str(first_path) and
                                   s["recording"]["duration_ms"] >= 2000, 40,
                                   "the recording to resume in a new part")
        second_path = Path(status["recording"]["path"])
        self.assertEqual(status["recording"]["last_error"], "")
        producer.wait_event("recording.changed", timeout=10,
                            predicate=lambda e: e["recording"]["state"] == "recording")
        self.assertGreater((disk / second_path.name).stat().st_size, 0)
        # The retries that failed at their first writes left no part behind:
        # the disk holds the two parts that recorded, and the resumed one
        # is the second part, not the n-th.
        on_disk = sorted(p.name for p in disk.glob("*.mkv"))
        self.assertEqual(on_disk, sorted([first_path.name, second_path.name]),
                         "the recordings disk holds parts of failed retries")

        self.assertEqual(studio.stop(), 0, studio.log_tail())
        # On record: both parts, both ended (the first by the disk, the
        # second by the end of the show), not "killed".
        db = sqlite3.connect(f"file:{studio.data_dir / 'yishiting.db'}?mode=ro", uri=True)
        self.addCleanup(db.close)
        rows = db.execute("SELECT path, ended_at, bytes FROM recordings ORDER BY id").fetchall()
        self.assertEqual([Path(p).name for p, _, _ in rows], [first_path.name, second_path.name],
                         f"recordings on record: {rows}")
        for path, ended_at, size in rows:
            self.assertTrue(ended_at, f"{Path(path).name} is not on record as ended: {rows}")
            self.assertGreater(size or 0, 0, f"{Path(path).name}: no size on record: {rows}")
        summary = json.loads((studio.data_dir / "exports" / "1" / "summary.json").read_text())
        self.assertEqual(summary["recordings"], 2, f"parts in program.mp4: {summary}")
        killed = [w for w in summary["warnings"] if "killed" in w]
        self.assertEqual(killed, [], "the package says the studio was killed; the disk was full")
        video = harness.format_duration(studio.data_dir / "exports" / "1" / "program.mp4")
        self.assertIsNotNone(video, "program.mp4 has no duration")
        self.assertGreater(video, 4.0, f"program.mp4 holds {video} s: both parts should be in it")


class DiskUnplugged(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        why = namespaces_available()
        if why:
            raise unittest.SkipTest(why)
        # data/recordings -> usb/recordings, on a disk of its own.
        cls.usb = cls.work.sub("usb")
        data = cls.work.path / "studio" / "data"
        data.mkdir(parents=True)
        (data / "recordings").symlink_to(cls.usb / "recordings")
        cls.studio = StudioWithDisk(cls.work.path, recording_show(), mount_at=cls.usb, disk_mb=16,
                                    prepare=f'mkdir "{cls.usb}/recordings"')
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()

    def test_retries_after_the_disk_is_unplugged_and_resumes_when_it_is_back(self):
        studio = self.studio
        studio.wait_until(lambda s: s["recording"]["state"] == "recording" and
                          s["recording"]["duration_ms"] >= 1000, 30, "a second recorded")
        folder = studio.on_disk(self.usb / "recordings")
        fill(folder)
        studio.wait_until(lambda s: s["recording"]["state"] == "retrying", 20,
                          "the recording to notice the full disk")
        # Unplugged: the folder the link points at is gone.
        shutil.rmtree(folder)
        status = studio.wait_until(
            lambda s: "recordings" in s["recording"]["last_error"], 30,
            "a retry to fail on the missing recordings folder")
        self.assertEqual(status["recording"]["state"], "retrying")
        harness.verbose(f"unplugged: {status['recording']['last_error']}")
        # The show is still on.
        fps, _, _ = studio.program_fps(2.0)
        self.assertGreater(fps, FPS / 3, f"the program slowed to {fps:.1f} fps")
        # Plugged back in.
        folder.mkdir()
        status = studio.wait_until(lambda s: s["recording"]["state"] == "recording" and
                                   s["recording"]["duration_ms"] >= 1000, 40,
                                   "the recording to resume on the disk")
        name = Path(status["recording"]["path"]).name
        self.assertGreater((folder / name).stat().st_size, 0, f"{name} is empty")
        self.assertEqual(studio.stop(), 0, studio.log_tail())


class FolderInTheWay(IntegrationTest):
    @classmethod
    def set_up_fixtures(cls):
        cls.studio = Studio(cls.work.path, recording_show())
        cls.addClassCleanup(cls.studio.close)
        cls.studio.start()

    def test_a_recording_that_cannot_make_its_folder_retries_and_the_show_goes_on(self):
        studio = self.studio
        studio.wait_until(lambda s: s["recording"]["state"] == "recording", 30, "recording")
        producer = studio.producer()
        self.addCleanup(producer.close)
        self.assertEqual(producer.ok("recording.stop")["recording"]["state"], "stopped")
        folder = studio.data_dir / "recordings"
        shutil.rmtree(folder)
        folder.write_text("a file where the recordings folder should be\n")
        reply = producer.ok("recording.start")
        recording = reply["recording"]
        self.assertEqual(recording["state"], "retrying", f"recording.start: {reply}")
        self.assertIn(str(folder), recording["last_error"], "the error names the folder")
        self.assertTrue(studio.running)
        fps, _, _ = studio.program_fps(2.0)
        self.assertGreater(fps, FPS / 3, f"the program slowed to {fps:.1f} fps")
        folder.unlink()
        folder.mkdir()
        status = studio.wait_until(lambda s: s["recording"]["state"] == "recording" and
                                   s["recording"]["duration_ms"] >= 1000, 30,
                                   "the recording to start once the folder can be made")
        self.assertTrue(Path(status["recording"]["path"]).is_file())
        self.assertEqual(studio.stop(), 0, studio.log_tail())


if __name__ == "__main__":
    harness.main()
