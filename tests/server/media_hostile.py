"""Hostile video files, made from a real one by rewriting its MP4 boxes (small on disk).

- :func:`tiny_boxes` — millions of 8-byte ``free`` boxes between the media
  data and the index: a valid video that costs a box-by-box reader dearly.
- :func:`truncated` — the first part of a faststart MP4 (the index promises
  media data that is not there).
- :func:`runaway_demux` — a sample table that promises ten million frames,
  all read from the same 92 KB: under 1 MB on disk, but demuxing it takes
  minutes (and its index alone takes 240 MB).
"""
from __future__ import annotations

import struct
from pathlib import Path

import av

#: Boxes whose payload is made of other boxes (the ones this module walks into).
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf"}

Box = tuple[bytes, "bytes | list[Box]"]


def parse(data: bytes) -> list[Box]:
    """Top-level (and, for container boxes, nested) boxes of an MP4 with 32-bit sizes."""
    boxes: list[Box] = []
    pos = 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if size < 8:
            raise ValueError(f"unsupported box size {size} at {pos}")
        payload = data[pos + 8:pos + size]
        boxes.append((kind, parse(payload) if kind in CONTAINERS else payload))
        pos += size
    return boxes


def build(boxes: list[Box]) -> bytes:
    out = bytearray()
    for kind, payload in boxes:
        body = build(payload) if isinstance(payload, list) else payload
        out += struct.pack(">I4s", 8 + len(body), kind) + body
    return bytes(out)


def raw_mov(path: Path, *, frames: int = 20) -> Path:
    """A tiny MOV of uncompressed 64x48 frames: every sample has the same size (4,608 bytes)."""
    with av.open(f"testsrc2=size=64x48:rate=10:duration={frames / 10}", format="lavfi") as src, \
            av.open(str(path), "w", format="mov", options={"movflags": "+faststart"}) as out:
        st = out.add_stream("rawvideo", rate=10)
        st.width, st.height, st.pix_fmt = 64, 48, "yuv420p"
        for frame in src.decode(video=0):
            frame.pts = None
            out.mux(st.encode(frame))
        out.mux(st.encode(None))
    return path


def tiny_boxes(index_last_mp4: bytes, count: int = 2_000_000) -> bytes:
    """``count`` empty ``free`` boxes inserted before a trailing ``moov`` (offsets stay valid)."""
    at = index_last_mp4.rfind(b"moov") - 4
    assert at > 0 and index_last_mp4[at + 4:at + 8] == b"moov", "expects an index-last MP4"
    return index_last_mp4[:at] + b"\x00\x00\x00\x08free" * count + index_last_mp4[at:]


def truncated(faststart_mp4: bytes, keep: float = 0.6) -> bytes:
    return faststart_mp4[: int(len(faststart_mp4) * keep)]


def runaway_demux(raw: bytes, samples: int = 10_000_000, per_chunk: int = 20) -> bytes:
    """Rewrites the sample table of :func:`raw_mov`'s file: ``samples`` frames in chunks of
    ``per_chunk`` that all start at the same offset, so the same bytes are read again and again."""
    boxes = parse(raw)
    mdat_at = raw.find(b"mdat") + 4  # first byte of the media data
    sample_size = struct.unpack(">I", raw[raw.find(b"stsz") + 12:raw.find(b"stsz") + 16])[0]
    assert sample_size, "expects constant-size samples"
    chunks = samples // per_chunk
    timescale = 10_000

    def stbl(children: list[Box]) -> list[Box]:
        keep = [b for b in children if b[0] == b"stsd"]
        return keep + [
            (b"stts", struct.pack(">II", 0, 1) + struct.pack(">II", samples, 1)),
            (b"stsc", struct.pack(">II", 0, 1) + struct.pack(">III", 1, per_chunk, 1)),
            (b"stsz", struct.pack(">III", 0, sample_size, samples)),
            (b"stco", struct.pack(">II", 0, chunks) + struct.pack(">I", mdat_at) * chunks),
        ]

    def mdhd(payload: bytes) -> bytes:  # version 0: flags, created, modified, timescale, duration, lang
        head = payload[:12]
        return head + struct.pack(">II", timescale, samples) + payload[20:]

    def walk(items: list[Box]) -> list[Box]:
        out: list[Box] = []
        for kind, payload in items:
            if kind == b"edts":
                continue  # no edit list: the samples play as they are
            if kind == b"stbl":
                out.append((kind, stbl(payload)))  # type: ignore[arg-type]
            elif kind == b"mdhd":
                out.append((kind, mdhd(payload)))  # type: ignore[arg-type]
            elif isinstance(payload, list):
                out.append((kind, walk(payload)))
            else:
                out.append((kind, payload))
        return out

    rebuilt = walk(boxes)
    # The moov grew; move the media data behind it and point every chunk at its new place.
    moov = build([b for b in rebuilt if b[0] == b"moov"])
    ftyp = build([b for b in rebuilt if b[0] == b"ftyp"])
    mdat = build([b for b in rebuilt if b[0] == b"mdat"])
    new_mdat_at = len(ftyp) + len(moov) + 8
    moov = moov.replace(struct.pack(">I", mdat_at) * chunks, struct.pack(">I", new_mdat_at) * chunks, 1)
    return ftyp + moov + mdat
