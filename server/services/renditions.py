"""HLS renditions of a video, encoded with PyAV (FFmpeg: libx264, AAC, the ``hls`` muxer).

Runs in a worker process (:mod:`server.media_workers`), like
:mod:`server.services.video`, so it imports only the standard library and
PyAV. :func:`encode` is the whole job: it decodes the source once and feeds
every frame to one H.264 encoder per rendition (360p, 720p and the source
height capped at 1080p; renditions at or above the source height are left
out, the "source" one covers them), each muxed by FFmpeg's ``hls`` muxer
into 4-second MPEG-TS segments with a keyframe every 2 seconds and a VOD
playlist. The audio is encoded to AAC for every rendition. Then it writes
the master playlist with each variant's measured peak BANDWIDTH.

What it writes, under ``<scratch>/hls``::

    master.m3u8                 variants as relative URIs ``<name>.m3u8``
    <name>.m3u8                 segments as relative URIs ``<name>/<nnnnn>.ts``
    <name>/<nnnnn>.ts

The server stores these files under ``h/<media id>/`` and rewrites both kinds
of playlist for each viewer (signed URLs). Progress (0..1) is written now and
then into ``<scratch>/progress`` for the server to read.
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from server.media_workers import JobRejected

#: Named renditions below the source, lowest first: (name, short side, video bit rate).
LADDER = (("360p", 360, 800_000), ("720p", 720, 2_500_000))
#: The "source" rendition is the source size, its short side capped here.
SOURCE_CAP = 1080
AUDIO_BIT_RATE = 128_000
SEGMENT_SECONDS = 4
KEYFRAME_SECONDS = 2
#: Segment file names are five digits (``%05d``): at most this many segments (111 hours).
MAX_SEGMENTS = 99_999
#: Seconds between two writes of the progress file.
PROGRESS_EVERY = 0.5
RENDITION_NAMES = ("360p", "720p", "source")
NAME_RE = re.compile(r"^(360p|720p|source)$")
SEGMENT_RE = re.compile(r"^(360p|720p|source)/([0-9]{5})\.ts$")

NO_VIDEO = "This video has no picture to encode."
TOO_LONG = "This video is too long to be encoded for adaptive playback."


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int
    video_bit_rate: int
    bandwidth: int = 0          # peak bits per second over one segment, measured (master playlist)
    average_bandwidth: int = 0
    codecs: str = ""
    segments: int = 0


def _even(x: float) -> int:
    return max(2, int(round(x / 2)) * 2)


def _bit_rate_for(height: int) -> int:
    if height <= 360:
        return 800_000
    if height <= 480:
        return 1_200_000
    if height <= 720:
        return 2_500_000
    return 5_000_000


def ladder(width: int, height: int) -> list[Rendition]:
    """The renditions of a ``width`` x ``height`` source, lowest first (aspect kept, even sizes).

    A rendition's name is its short side, as people name video sizes: a
    portrait 1080x1920 phone video has a 360p rendition of 360x640.
    """
    if width <= 0 or height <= 0:
        raise JobRejected(NO_VIDEO)
    short = min(width, height)
    top = min(short, SOURCE_CAP)

    def scaled(side: int) -> tuple[int, int]:
        return _even(width * side / short), _even(height * side / short)

    out = [Rendition(name, *scaled(side), rate) for name, side, rate in LADDER if side < top]
    out.append(Rendition("source", *scaled(top), _bit_rate_for(top)))
    return out


def _h264_level(width: int, height: int, fps: float) -> tuple[str, str]:
    """The H.264 level a frame size and rate need (set on the encoder), and its RFC 6381 CODECS
    string for libx264's High profile, so the master playlist says what the stream carries."""
    rate = width * height * max(fps, 1.0)  # luma samples per second
    for level, idc, max_rate in (("3.0", 0x1E, 10_368_000), ("3.1", 0x1F, 27_648_000),
                                 ("3.2", 0x20, 55_296_000), ("4.0", 0x28, 62_914_560),
                                 ("4.2", 0x2A, 133_693_440)):
        if rate <= max_rate:
            return level, f"avc1.6400{idc:02x}"
    return "5.1", "avc1.640033"


class _Progress:
    def __init__(self, path: Path, duration: float) -> None:
        self.path, self.duration, self._last = path, duration, 0.0

    def at(self, seconds: float, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_EVERY:
            return
        self._last = now
        frac = min(1.0, max(0.0, seconds / self.duration)) if self.duration > 0 else 0.0
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(f"{frac:.4f}")
        os.replace(tmp, self.path)


class _Output:
    """One rendition: its scaler, encoders and ``hls`` muxer."""

    def __init__(self, r: Rendition, out_dir: Path, rate: Fraction, time_base: Fraction,
                 audio: av.AudioStream | None, threads: int) -> None:
        self.r = r
        (out_dir / r.name).mkdir(parents=True, exist_ok=True)
        self.container = av.open(str(out_dir / f"{r.name}.m3u8"), "w", format="hls", options={
            "hls_time": str(SEGMENT_SECONDS), "hls_playlist_type": "vod", "hls_list_size": "0",
            "hls_segment_type": "mpegts", "start_number": "0",
            "hls_segment_filename": str(out_dir / r.name / "%05d.ts")})
        vs = self.container.add_stream("libx264", rate=rate)
        vs.width, vs.height, vs.pix_fmt = r.width, r.height, "yuv420p"
        vs.time_base = time_base
        vs.codec_context.time_base = time_base
        # Capped CRF: good quality at a bounded peak rate, so the variant's BANDWIDTH holds on a slow link.
        level, self.codecs = _h264_level(r.width, r.height, float(rate))
        vs.codec_context.options = {
            "preset": "veryfast", "profile": "high", "level": level, "crf": "23", "forced-idr": "1",
            "maxrate": str(r.video_bit_rate), "bufsize": str(2 * r.video_bit_rate),
            "x264-params": "scenecut=0:keyint=infinite", "threads": str(threads)}
        self.video = vs
        self.audio = None
        if audio is not None:
            self.audio = self.container.add_stream("aac", rate=min(48_000, audio.rate or 48_000))
            self.audio.bit_rate = AUDIO_BIT_RATE
            self.audio.layout = "stereo" if (audio.layout.nb_channels if audio.layout else 2) >= 2 else "mono"
        self.next_key = 0.0

    def video_frame(self, frame: av.VideoFrame, t: float) -> None:
        out = frame.reformat(self.r.width, self.r.height, format="yuv420p")
        out.pts, out.time_base = frame.pts, frame.time_base
        if t >= self.next_key - 1e-3:  # a keyframe every KEYFRAME_SECONDS of presentation time
            out.pict_type = av.video.frame.PictureType.I
            while self.next_key <= t + 1e-3:
                self.next_key += KEYFRAME_SECONDS
        else:
            out.pict_type = av.video.frame.PictureType.NONE
        self.container.mux(self.video.encode(out))

    def audio_frame(self, frame: av.AudioFrame) -> None:
        if self.audio is not None:
            self.container.mux(self.audio.encode(frame))

    def close(self) -> None:
        self.container.mux(self.video.encode(None))
        if self.audio is not None:
            self.container.mux(self.audio.encode(None))
        self.container.close()


def _measure(r: Rendition, out_dir: Path, codecs: str) -> Rendition:
    """Reads the playlist FFmpeg wrote: peak and average bit rate of its segments; rewrites the URIs
    as ``<name>/<nnnnn>.ts`` (relative to the master playlist's folder)."""
    playlist = out_dir / f"{r.name}.m3u8"
    lines, peak, total_bits, total_secs, n, dur = [], 0.0, 0, 0.0, 0, 0.0
    for line in playlist.read_text().splitlines():
        if line.startswith("#EXTINF:"):
            dur = float(line[8:].split(",")[0])
        elif line and not line.startswith("#"):
            rel = f"{r.name}/{Path(line).name}"
            if not SEGMENT_RE.match(rel):
                raise RuntimeError(f"unexpected segment name {line!r}")
            bits = (out_dir / rel).stat().st_size * 8
            if dur > 0.5:  # a short last segment says little about the rate
                peak = max(peak, bits / dur)
            total_bits += bits
            total_secs += dur
            n += 1
            line = rel
        lines.append(line)
    playlist.write_text("\n".join(lines) + "\n")
    if peak == 0.0 and total_secs:
        peak = total_bits / total_secs
    codecs += ",mp4a.40.2"
    avg = int(total_bits / total_secs) if total_secs else 0
    return Rendition(r.name, r.width, r.height, r.video_bit_rate, int(peak * 1.1) or avg, avg, codecs, n)


def master_playlist(renditions: list[Rendition], has_audio: bool) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for r in renditions:
        codecs = r.codecs if has_audio else r.codecs.split(",")[0]
        lines.append(f'#EXT-X-STREAM-INF:BANDWIDTH={r.bandwidth},AVERAGE-BANDWIDTH={r.average_bandwidth},'
                     f'RESOLUTION={r.width}x{r.height},CODECS="{codecs}",NAME="{r.name}"')
        lines.append(f"{r.name}.m3u8")
    return "\n".join(lines) + "\n"


class _Upright:
    """Turns frames the way their display matrix says (phones store portrait video as landscape
    frames plus a rotation), as FFmpeg's command line does by default; the renditions carry no matrix."""

    def __init__(self, frame: av.VideoFrame) -> None:
        rotation = round((frame.rotation or 0) / 90) * 90 % 360  # counterclockwise degrees
        steps = {90: [("transpose", "cclock")], 180: [("hflip", ""), ("vflip", "")],
                 270: [("transpose", "clock")]}.get(rotation)
        self.graph = None
        self.size = (frame.width, frame.height)
        if steps is None:
            return
        graph = av.filter.Graph()
        node = graph.add_buffer(width=frame.width, height=frame.height, format=frame.format,
                                time_base=frame.time_base)
        for name, arg in steps:
            nxt = graph.add(name, arg)
            node.link_to(nxt)
            node = nxt
        node.link_to(graph.add("buffersink"))
        graph.configure()
        self.graph = graph
        if rotation != 180:
            self.size = (frame.height, frame.width)

    def __call__(self, frame: av.VideoFrame) -> av.VideoFrame:
        if self.graph is None:
            return frame
        self.graph.push(frame)
        out = self.graph.pull()
        assert isinstance(out, av.VideoFrame)
        out.pts, out.time_base = frame.pts, frame.time_base
        return out


#: Audio frames kept while no video frame has come yet (the outputs are made at the first one).
MAX_EARLY_AUDIO = 2000


def encode(src: str, scratch: str, threads: int = 2, frame_delay: float = 0.0) -> dict[str, Any]:
    """Encodes the renditions of ``src`` into ``<scratch>/hls``; returns what it made.

    ``frame_delay`` (tests only) sleeps after every decoded frame, to make a
    short clip take long enough to be cancelled.
    """
    out_dir = Path(scratch) / "hls"
    out_dir.mkdir(parents=True, exist_ok=True)
    progress_path = Path(scratch) / "progress"
    with av.open(src) as container:
        if not container.streams.video:
            raise JobRejected(NO_VIDEO)
        vs = container.streams.video[0]
        aus = container.streams.audio[0] if container.streams.audio else None
        duration = float(container.duration / av.time_base) if container.duration else \
            float(vs.duration * vs.time_base) if vs.duration and vs.time_base else 0.0
        if duration > MAX_SEGMENTS * SEGMENT_SECONDS:
            raise JobRejected(TOO_LONG)
        rate = vs.average_rate or vs.guessed_rate or Fraction(30)
        time_base = vs.time_base or Fraction(1, 90_000)
        vs.thread_type = "AUTO"
        outputs: list[_Output] = []
        early_audio: list[av.AudioFrame] = []
        upright: _Upright | None = None
        progress = _Progress(progress_path, duration)
        progress.at(0.0, force=True)
        start: float | None = None
        streams = [vs] + ([aus] if aus is not None else [])
        try:
            for packet in container.demux(*streams):
                for frame in packet.decode():
                    if isinstance(frame, av.VideoFrame):
                        if frame.pts is None or frame.time_base is None:
                            continue
                        if upright is None:  # the first frame: its size and rotation make the ladder
                            upright = _Upright(frame)
                            outputs = [_Output(r, out_dir, rate, time_base, aus, threads)
                                       for r in ladder(*upright.size)]
                            for early in early_audio:
                                for o in outputs:
                                    o.audio_frame(early)
                            early_audio.clear()
                        t = float(frame.pts * frame.time_base)
                        if start is None:
                            start = t
                        shown = upright(frame)
                        for o in outputs:
                            o.video_frame(shown, t - start)
                        progress.at(t - start)
                        if frame_delay:
                            time.sleep(frame_delay)
                    elif not isinstance(frame, av.AudioFrame):
                        continue
                    elif outputs:
                        for o in outputs:
                            o.audio_frame(frame)
                    elif len(early_audio) < MAX_EARLY_AUDIO:
                        early_audio.append(frame)
        finally:
            for o in outputs:
                o.close()
    if not outputs:
        raise JobRejected(NO_VIDEO)
    done = [_measure(o.r, out_dir, o.codecs) for o in outputs]
    (out_dir / "master.m3u8").write_text(master_playlist(done, aus is not None))
    progress.at(duration, force=True)
    files = sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*") if p.is_file())
    return {"dir": str(out_dir), "files": files, "renditions": [asdict(r) for r in done],
            "duration": duration}
