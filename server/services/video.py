"""What a video file really is, read from its bytes with PyAV (FFmpeg).

Pure functions on local files: :func:`probe` (container, codecs, duration,
size, and whether every packet the index promises is really there),
:func:`poster_jpeg` (a JPEG frame, encoded by FFmpeg's own MJPEG encoder so
no imaging library is needed), :func:`index_at_end` and :func:`faststart`
(rewrite an MP4/MOV with its ``moov`` index before the media data, so a
player can start before the whole file has arrived). :func:`prepare` is the
whole job on one file; the server runs it in a worker process
(:mod:`server.media_workers`), under a time and a memory limit, because
FFmpeg parses whatever bytes an uploader chose.

The file name and the content type a client claims are never consulted.
"""
from __future__ import annotations

import struct
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from server.media_workers import JobRejected

#: FFmpeg demuxer names we accept -> our container family.
MOV_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"
MATROSKA_FAMILY = "matroska,webm"
CONTENT_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm",
                 "mkv": "video/x-matroska"}

NOT_A_VIDEO = "This file is not a video we can play ({what}). Send an MP4, MOV, WebM or MKV video."
DAMAGED = "The video file is incomplete or damaged."
NO_VIDEO = "This file has no video track ({what}). Send an MP4, MOV, WebM or MKV video."
TOO_MANY_BOXES = ("This video file is split into too many pieces (more than {n:,} MP4 boxes) to be "
                  "read safely. Save or export it again as a normal MP4 and send that.")

POSTER_MAX_WIDTH = 640
#: An MP4/MOV with more boxes than this (top level, and inside the index) is refused before
#: FFmpeg reads it: a real one has a handful, a long fragmented recording some tens of thousands,
#: while millions of tiny boxes only make every reader crawl.
MAX_BOXES = 100_000
#: Boxes whose payload is made of boxes (the ones :func:`scan_boxes` walks into).
CONTAINER_BOXES = frozenset({b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"edts", b"dinf",
                             b"mvex", b"moof", b"traf"})


class VideoRejected(JobRejected):
    """The bytes are not a video we accept; ``message`` is for the person who sent it.

    A :class:`~server.media_workers.JobRejected`, so a worker process hands the
    message back to the server as it is.
    """


@dataclass(frozen=True)
class VideoInfo:
    container: str  # mp4, mov, webm, mkv
    content_type: str
    duration: float
    width: int
    height: int
    video_codec: str
    audio_codec: str | None

    @property
    def is_mov_family(self) -> bool:
        return self.container in ("mp4", "mov")


def _head(path: Path, n: int = 4096) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def _looks_like_container(head: bytes) -> bool:
    """MP4/MOV (an ``ftyp``/``moov``/``mdat``/``free``/``wide`` box first) or Matroska/WebM (EBML magic)."""
    boxes = (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip")
    return head[4:8] in boxes or head[:4] == b"\x1a\x45\xdf\xa3"


def _family(fmt_name: str, head: bytes, video_codec: str) -> str:
    if fmt_name == MOV_FAMILY:
        return "mov" if head[8:12] == b"qt  " else "mp4"
    doc = head[:64]
    return "webm" if b"webm" in doc else "mkv"


def prepare(src: str, scratch: str) -> dict[str, Any]:
    """The whole processing of one uploaded file, as a worker process runs it.

    Checks the MP4 box structure, probes, writes the poster to
    ``scratch/poster.jpg`` and, when the index is at the end, a faststart copy
    to ``scratch/faststart.<container>``. Returns plain data (it crosses a
    process boundary): the :class:`VideoInfo` fields, ``poster`` and
    ``faststart`` (a path or ``None``). Raises :class:`VideoRejected`.
    """
    path, out = Path(src), Path(scratch)
    late_index = scan_boxes(path) if _is_mov_family(_head(path)) else False
    info = probe(path)
    poster = out / "poster.jpg"
    poster.write_bytes(poster_jpeg(path, info))
    fixed = None
    if info.is_mov_family and late_index:
        fixed = out / f"faststart.{info.container}"
        faststart(path, fixed, info)
    return {**asdict(info), "poster": str(poster), "faststart": str(fixed) if fixed else None}


def _is_mov_family(head: bytes) -> bool:
    return head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip")


def probe(path: Path) -> VideoInfo:
    """Identifies the video and checks it is whole; raises :class:`VideoRejected` otherwise.

    FFmpeg running out of memory is not "damaged": :class:`MemoryError`
    (PyAV's ENOMEM error is one) goes up as it is, for the worker to report.
    """
    head = _head(path)
    try:
        container = av.open(str(path), mode="r")
    except MemoryError:
        raise
    except av.FFmpegError as exc:
        if _looks_like_container(head):
            raise VideoRejected(DAMAGED) from exc
        raise VideoRejected(NOT_A_VIDEO.format(what="unrecognised data")) from exc
    with container:
        fmt = container.format.name
        if fmt not in (MOV_FAMILY, MATROSKA_FAMILY):
            long = container.format.long_name or fmt
            raise VideoRejected(NOT_A_VIDEO.format(what=f"it looks like {long}"))
        if not container.streams.video:
            what = "audio only" if container.streams.audio else "no audio or video found"
            raise VideoRejected(NO_VIDEO.format(what=what))
        vs = container.streams.video[0]
        cc = vs.codec_context
        width, height = int(cc.width or 0), int(cc.height or 0)
        if width <= 0 or height <= 0:
            raise VideoRejected(DAMAGED)
        audio = container.streams.audio[0] if container.streams.audio else None
        duration = _duration(container, vs)
        end = _demux_end(container, vs)
        if end is None:
            raise VideoRejected(DAMAGED)
        if duration is None or duration <= 0:
            duration = end
        # The index promised `duration`; the packets really present stop at `end`.
        elif end < duration - max(1.0, 0.02 * duration):
            raise VideoRejected(DAMAGED)
        return VideoInfo(container=_family(fmt, head, vs.codec_context.name),
                         content_type=CONTENT_TYPES[_family(fmt, head, vs.codec_context.name)],
                         duration=round(float(duration), 3), width=width, height=height,
                         video_codec=cc.name, audio_codec=audio.codec_context.name if audio else None)


def _duration(container: av.container.InputContainer, vs: av.VideoStream) -> float | None:
    if vs.duration and vs.time_base:
        return float(vs.duration * vs.time_base)
    if container.duration:
        return container.duration / av.time_base
    return None


def _demux_end(container: av.container.InputContainer, vs: av.VideoStream) -> float | None:
    """Reads every video packet (no decoding) and returns where the last one ends, in seconds.

    A truncated file stops early or fails to read; FFmpeg may only log the
    short read, so the caller compares this end with the promised duration.
    """
    end: float | None = None
    tb = vs.time_base or Fraction(1, 1000)
    start = float(vs.start_time * tb) if vs.start_time is not None else 0.0
    try:
        for pkt in container.demux(vs):
            if pkt.size == 0:
                continue
            ts = pkt.pts if pkt.pts is not None else pkt.dts
            if ts is None:
                continue
            t = float((ts + (pkt.duration or 0)) * tb) - start
            end = t if end is None else max(end, t)
    except MemoryError:
        raise
    except av.FFmpegError:
        return None
    return end


def poster_jpeg(path: Path, info: VideoInfo, max_width: int = POSTER_MAX_WIDTH) -> bytes:
    """A JPEG of the frame at 10% of the video (at most 30 s in), at most ``max_width`` wide."""
    at = min(info.duration * 0.1, 30.0)
    frame = _frame_at(path, at) or _frame_at(path, None)
    if frame is None:
        raise VideoRejected(DAMAGED)
    w = min(max_width, frame.width)
    h = max(2, int(round(frame.height * w / frame.width / 2)) * 2)
    w -= w % 2
    img = frame.reformat(width=w, height=h, format="yuvj420p")
    img.pts = None
    enc = av.CodecContext.create("mjpeg", "w")
    enc.width, enc.height, enc.pix_fmt = w, h, "yuvj420p"
    enc.time_base = Fraction(1, 25)
    enc.bit_rate = 25 * 8 * 60_000  # ~60 kB for one frame
    data = b"".join(bytes(p) for p in enc.encode(img)) + b"".join(bytes(p) for p in enc.encode(None))
    if not data.startswith(b"\xff\xd8"):
        raise RuntimeError("the MJPEG encoder did not produce a JPEG")
    return data


def _frame_at(path: Path, at: float | None) -> av.VideoFrame | None:
    try:
        with av.open(str(path)) as container:
            vs = container.streams.video[0]
            vs.thread_type = "AUTO"
            if at and at > 0 and vs.time_base:
                start = vs.start_time or 0
                container.seek(start + int(at / vs.time_base), stream=vs, backward=True)
            last = None
            for i, frame in enumerate(container.decode(vs)):
                last = frame
                if at is None or frame.time is None or frame.time >= at or i > 600:
                    return frame
            return last
    except av.FFmpegError:
        return None


def index_at_end(path: Path) -> bool:
    """Whether an MP4/MOV's ``moov`` box comes after its ``mdat`` (not playable until fully read)."""
    return scan_boxes(path)


def scan_boxes(path: Path, limit: int = MAX_BOXES) -> bool:
    """Walks an MP4/MOV's boxes (inside the index too); returns :func:`index_at_end`'s answer.

    Raises :class:`VideoRejected` past ``limit`` boxes, after reading at most
    that many box headers, so the walk itself stays cheap.
    """
    size = path.stat().st_size
    seen = {"mdat": False, "late": False, "count": 0}
    with open(path, "rb") as fh:
        _walk(fh, 0, size, seen, limit, top=True)
    return bool(seen["late"])


def _walk(fh: Any, pos: int, end: int, seen: dict[str, Any], limit: int, *, top: bool) -> None:
    while pos + 8 <= end:
        fh.seek(pos)
        hdr = fh.read(16)
        if len(hdr) < 8:
            return
        box_size, kind = struct.unpack(">I4s", hdr[:8])
        header = 8
        if box_size == 1 and len(hdr) >= 16:
            box_size, header = struct.unpack(">Q", hdr[8:16])[0], 16
        elif box_size == 0:
            box_size = end - pos
        if box_size < header:
            return
        seen["count"] += 1
        if seen["count"] > limit:
            raise VideoRejected(TOO_MANY_BOXES.format(n=limit))
        if top and kind == b"mdat":
            seen["mdat"] = True
        if top and kind == b"moov" and seen["mdat"]:
            seen["late"] = True
        if kind in CONTAINER_BOXES:
            _walk(fh, pos + header, min(end, pos + box_size), seen, limit, top=False)
        pos += box_size


def faststart(src: Path, dst: Path, info: VideoInfo) -> None:
    """Remuxes (no re-encoding) ``src`` into ``dst`` with the index first (``movflags=+faststart``)."""
    with av.open(str(src)) as inp, av.open(str(dst), "w", format="mov" if info.container == "mov" else "mp4",
                                            options={"movflags": "+faststart"}) as out:
        streams = [s for s in inp.streams if s.type in ("video", "audio")]
        mapping = {s.index: out.add_stream_from_template(s) for s in streams}
        for pkt in inp.demux(streams):
            if pkt.dts is None:
                continue
            pkt.stream = mapping[pkt.stream.index]
            out.mux(pkt)
