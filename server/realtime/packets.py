"""Socket.IO packets of JSON only.

python-socketio checks every payload it sends for ``bytes``, recursively, to
decide whether the packet needs binary attachments. Parley's contract is JSON
only: no event, ack or emit carries binary data. The check was about 2% of the
server's CPU per message (docs/performance.md, profile), so the server uses
this packet class (python-socketio's ``serializer`` option), which skips it.
"""
from __future__ import annotations

from socketio.packet import Packet


class JsonPacket(Packet):
    """A Socket.IO packet that never has binary attachments."""

    uses_binary_events = False
