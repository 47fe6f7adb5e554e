"""WebSocket frames read without gevent-websocket's byte loops: the same bytes, the same refusals."""
from __future__ import annotations

import os
import struct

import pytest
import requests
import websocket
from geventwebsocket.websocket import Header

from server.websocket_frames import unmask
from tests.conftest import LiveServer


@pytest.mark.parametrize("size", [0, 1, 3, 4, 5, 125, 126, 65536, 70001])
def test_unmask_matches_gevent_websocket(size: int) -> None:
    payload, key = os.urandom(size), os.urandom(4)
    header = Header(length=size)
    header.mask = key
    assert unmask(payload, key) == bytes(header.mask_payload(payload))
    assert unmask(unmask(payload, key), key) == payload


def _engineio(url: str) -> websocket.WebSocket:
    ws = websocket.create_connection(url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket",
                                     timeout=10, suppress_origin=True)
    assert ws.recv().startswith("0")  # Engine.IO open
    return ws


def test_text_frames_are_read_and_invalid_utf8_closes_the_socket(live_server: LiveServer) -> None:
    ws = _engineio(live_server.url)
    # a fragmented, masked text message with a character split across the frames: a Socket.IO
    # CONNECT with a token that is not one, refused with the contract's error
    connect = '40{"token": "caf\u00e9"}'.encode()
    cut = connect.index(b"\xc3") + 1
    ws.send_frame(websocket.ABNF(fin=0, opcode=websocket.ABNF.OPCODE_TEXT, data=connect[:cut]))
    ws.send_frame(websocket.ABNF(fin=1, opcode=websocket.ABNF.OPCODE_CONT, data=connect[cut:]))
    answer = ws.recv()
    assert answer.startswith("44") and "unauthorized" in answer
    ws.close()

    ws = _engineio(live_server.url)
    ws.send(b"4\xff\xfe", opcode=websocket.ABNF.OPCODE_TEXT)  # not UTF-8
    frame = ws.recv_frame()  # closed, as gevent-websocket's own reader does (1007, or no code)
    assert frame.opcode == websocket.ABNF.OPCODE_CLOSE
    assert len(frame.data) < 2 or struct.unpack("!H", frame.data[:2])[0] == 1007
    ws.close()


def test_a_frame_longer_than_any_message_is_refused_before_it_is_read(live_server: LiveServer) -> None:
    """A header announcing 512 MiB, from a socket that never signed in: closed at once, and the server
    (which would have allocated the whole frame) still answers."""
    ws = _engineio(live_server.url)
    mask = os.urandom(4)
    ws.sock.sendall(bytes([0x81, 0x80 | 127]) + struct.pack("!Q", 512 << 20) + mask + b"4")
    frame = ws.recv_frame()
    assert frame.opcode == websocket.ABNF.OPCODE_CLOSE
    ws.close()
    # a message as long as Engine.IO allows, in multi-byte characters, still goes through
    ws = _engineio(live_server.url)
    ws.send('40{"token": "' + "é" * 30000 + '"}')
    assert ws.recv().startswith("44")
    ws.close()
    assert requests.get(f"{live_server.url}/healthz", timeout=10).status_code == 200
