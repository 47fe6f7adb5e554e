"""What a person reads in the history and the list: wrapped long words, video previews, upload status,
dark-mode ticks and buttons with enough contrast, colour emoji (issue 12, "What a person tripped on")."""
from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem, QWidget

from desktop import i18n
from desktop.core.media import READY, MediaInfo
from desktop.core.models import Conversation, Message, UserSummary
from desktop.core.uploads import FAILED, PAUSED, QUEUED, UPLOADING, UploadState
from desktop.net.uploads import CHUNK
from desktop.qt.uploads import Progress
from desktop.ui import fonts, theme
from desktop.ui.conversation_delegate import ConversationDelegate
from desktop.ui.message_delegate import PAD_X, MessageDelegate
from desktop.ui.text_layout import wrapped
from desktop.ui.video_bubble import MAX_W, STALLED_S, UPLOAD_INFO_H, VideoBubbles, button_colors, fit_text

ME, PEER = "me-1", "peer-2"
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def _message(body: str, sender: str = ME, **extra: Any) -> Message:
    return Message(id="m-1", client_id="c-1", sender_id=sender, recipient_id=PEER if sender == ME else ME,
                   body=body, created_at=NOW, **extra)


def _option(width: int) -> QStyleOptionViewItem:
    option = QStyleOptionViewItem()
    option.font = QFont()
    option.rect = QRect(0, 0, width, 400)
    return option


# long words -------------------------------------------------------------------------------------------
def test_a_long_word_without_spaces_wraps_inside_the_bubble(qtbot: Any) -> None:
    view = QWidget()
    qtbot.addWidget(view)
    view.resize(420, 600)
    delegate = MessageDelegate(ME, view)
    word = "https://example.org/" + "averyveryverylongpathwithoutanyspaces" * 6
    m = _message(word)
    option = _option(420)
    text_rect, _, bubble_w = delegate._layout(m, option)
    max_text = delegate._max_bubble() - 2 * PAD_X
    assert text_rect.width() <= max_text  # TextWordWrap alone measured the whole word: far wider
    layout = wrapped(word, option.font, max_text)
    assert layout.lineCount() >= 3
    assert sum(layout.lineAt(i).textLength() for i in range(layout.lineCount())) == len(word)  # every letter shown
    assert all(layout.lineAt(i).naturalTextWidth() <= max_text + 0.5 for i in range(layout.lineCount()))
    # the painted text stays inside the bubble: nothing in the strip right of it
    option.rect = QRect(0, 0, 420, text_rect.height() + 60)
    image = QImage(420, option.rect.height(), QImage.Format.Format_ARGB32)
    image.fill(QColor("#000000"))
    painter = QPainter(image)
    delegate._paint_message(painter, option, _message(word, sender=PEER))  # peer bubbles are on the left
    painter.end()
    outside = [image.pixelColor(x, y) for x in range(14 + bubble_w + 2, 420) for y in range(image.height())]
    assert all(c == QColor("#000000") for c in outside)


def test_ordinary_words_still_wrap_between_words(qtbot: Any) -> None:
    font = QFont()
    layout = wrapped("one two three four five six seven eight nine ten", font, 80)
    lines = ["one two three four five six seven eight nine ten"[layout.lineAt(i).textStart():
             layout.lineAt(i).textStart() + layout.lineAt(i).textLength()] for i in range(layout.lineCount())]
    assert len(lines) > 1 and all(line.endswith(" ") or line == lines[-1] for line in lines)


# the conversation list ---------------------------------------------------------------------------------
def test_a_video_message_has_a_preview_in_the_conversation_list() -> None:
    media = MediaInfo(id="v1", status=READY, filename="clip.mp4", duration=12.4)
    delegate = ConversationDelegate(ME)
    peer = UserSummary(PEER, "Binh Tran")
    mine, _ = delegate._preview(Conversation(peer, _message("", media=media)), typing=False)
    assert mine == "You: 🎬 Video 0:12"
    theirs, _ = delegate._preview(Conversation(peer, _message("look!", sender=PEER, media=media)), typing=False)
    assert theirs == "🎬 Video 0:12 · look!"
    text, _ = delegate._preview(Conversation(peer, _message("hello  there")), typing=False)
    assert text == "You: hello there"


# upload status -------------------------------------------------------------------------------------------
class _Uploads:
    """The two things a bubble asks the upload manager."""

    def __init__(self, state: UploadState, progress: Progress | None) -> None:
        self.state, self.progress = state, progress

    def get(self, key: str) -> UploadState | None:
        return self.state.copy() if key == self.state.key else None

    def progress_of(self, key: str) -> Progress | None:
        return self.progress


def _upload(phase: str = UPLOADING, error: str | None = None) -> UploadState:
    state = UploadState(key="c-1", owner="srv|me", peer_id=PEER, path="/tmp/clip.mp4", filename="clip.mp4",
                        size=100_000_000, mtime=0.0, content_type="video/mp4")
    state.phase = phase
    state.error = error
    return state


def test_upload_status_stops_quoting_the_speed_when_the_bytes_stop() -> None:
    state = _upload()
    fast = Progress(done=40_000_000, total=100_000_000, rate=242e6, eta=2.0)
    online = {"up": True}
    bubbles = VideoBubbles(ME, _Uploads(state, fast), None, online=lambda: online["up"])  # type: ignore[arg-type]
    bubbles.progressed(state.key)
    assert bubbles.status_line(state, fast).startswith("40% · 242")  # moving: speed and time left
    online["up"] = False  # the socket noticed the server is gone
    assert bubbles.status_line(state, fast) == "40% · offline, will resume"
    online["up"] = True
    bubbles.last_progress[state.key] = time.monotonic() - STALLED_S - 0.1  # no byte for a while
    assert bubbles.stalled(state.key)
    assert bubbles.status_line(state, fast) == "40% · waiting for the network…"
    slow = Progress(done=40_000_000, total=100_000_000, rate=300_000, eta=200.0)  # a slow uplink: a chunk takes
    bubbles.last_progress[state.key] = time.monotonic() - STALLED_S - 0.1  # seconds, so this gap is normal
    assert bubbles.status_line(state, slow).startswith("40% · 300")
    bubbles.last_progress[state.key] = time.monotonic() - 2 * CHUNK / 300_000 - 0.1
    assert bubbles.status_line(state, slow) == "40% · waiting for the network…"
    assert bubbles.status_line(_upload(QUEUED, "offline"), fast) == "40% · offline, will resume"
    assert bubbles.status_line(_upload(PAUSED), fast) == "Paused at 40%"


def test_vietnamese_upload_status_fits_in_the_smallest_bubble(qapp: Any, tmp_path: Path) -> None:
    installed = i18n.install(qapp, "vi", tmp_path)
    try:
        state = _upload()
        p = Progress(done=100_000_000, total=100_000_000, rate=0, eta=None)
        bubbles = VideoBubbles(ME, _Uploads(state, p), None, online=lambda: False)  # type: ignore[arg-type]
        lines = [bubbles.status_line(_upload(phase, err), p)
                 for phase, err in ((UPLOADING, None), (QUEUED, "x"), (PAUSED, None))]
        bubbles.online = lambda: True
        bubbles.last_progress[state.key] = 0.0
        lines.append(bubbles.status_line(state, p))
        assert "100% · ngoại tuyến, sẽ tiếp tục" in lines and "Tạm dừng ở 100%" in lines
        small = QFont()
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1.5))
        for bubble_w in (200, MAX_W):
            strip = QRectF(8, 0, bubble_w - 16, UPLOAD_INFO_H)
            room = VideoBubbles.status_rect(strip)
            for line in lines:
                assert fit_text(line, small, room) == line, (bubble_w, line)  # whole, not "ngoại tuyến, sẽ tiếp…"
    finally:
        i18n.uninstall(qapp, installed)


def test_a_refused_video_reads_in_the_persons_language(qapp: Any, tmp_path: Path) -> None:
    from desktop.ui.texts import media_error_code, media_error_text
    from server.services.video import DAMAGED, NOT_A_VIDEO

    server_says = NOT_A_VIDEO.format(what="it looks like PNG image")  # the server's own sentence
    assert media_error_code(server_says) == ("not_a_video", {})
    assert media_error_code(DAMAGED) == ("damaged", {})
    local = "“notes.txt” is not a video Parley can send. Choose an MP4, MOV, WebM or MKV video."
    assert media_error_code(local) == ("not_a_video_named", {"name": "notes.txt"})
    assert media_error_text("Something new from a newer server.") == "Something new from a newer server."
    assert media_error_text(server_says) == server_says  # English: the server's words, details and all
    installed = i18n.install(qapp, "vi", tmp_path)
    try:
        assert media_error_text(server_says).startswith("Tệp này không phải video Parley phát được.")
        assert media_error_text(local).startswith("“notes.txt” không phải video")
        bubbles = VideoBubbles(ME, None, None)
        assert bubbles.status_line(_upload(FAILED, server_says), None).startswith("Chưa gửi: Tệp này không phải")
    finally:
        i18n.uninstall(qapp, installed)


# dark mode --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("t", [theme.LIGHT, theme.DARK], ids=["light", "dark"])
def test_read_and_delivered_ticks_differ_and_bubble_buttons_have_aa_contrast(t: theme.Theme) -> None:
    # ticks are graphics: at least 3:1 on the bubble (WCAG 1.4.11), and read clearly not delivered
    assert theme.contrast_ratio(t.readTick, t.ownBubble) >= 3.0
    assert theme.contrast_ratio(t.ownMeta, t.ownBubble) >= 3.0
    assert theme.color_distance(t.readTick, t.ownMeta) >= 40, "read ticks look like delivered ones"
    for name in ("pause", "resume", "retry", "cancel"):
        fill, label = button_colors(t, name)
        assert theme.contrast_ratio(label, fill) >= 4.5, (t.name, name)  # WCAG AA for text


def test_contrast_ratio_matches_the_wcag_reference_values() -> None:
    assert theme.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert theme.color_distance("#123456", "#123456") == 0


def test_the_dark_bubble_button_is_painted_with_its_theme_colours(qapp: Any) -> None:
    theme.apply(qapp, theme.DARK)
    try:
        bubbles = VideoBubbles(ME, None, None)
        image = QImage(80, 30, QImage.Format.Format_ARGB32)
        image.fill(QColor(theme.DARK.ownBubble))
        painter = QPainter(image)
        bubbles._paint_button(painter, QRectF(2, 2, 76, 26), "pause", QFont(), theme.DARK)
        painter.end()
        assert image.pixelColor(6, 15) == QColor(theme.DARK.ownButton)  # filled, not an outline
    finally:
        theme.apply(qapp, theme.LIGHT)


# emoji -------------------------------------------------------------------------------------------------------
def _colourful_pixels(text: str) -> int:
    image = QImage(80, 48, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    font = QFont()
    font.setPointSize(20)
    painter.setFont(font)
    painter.setPen(QColor("#000000"))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    count = 0
    for x in range(image.width()):
        for y in range(image.height()):
            c = image.pixelColor(x, y)
            if max(c.red(), c.green(), c.blue()) - min(c.red(), c.green(), c.blue()) > 60:
                count += 1
    return count


def test_emoji_render_in_colour_from_the_bundled_font(qapp: Any) -> None:
    assert fonts.emoji_font_path().is_file()
    assert (fonts.emoji_font_path().parent / "NotoColorEmoji-LICENSE.txt").is_file()
    got: list[str | None] = []
    worker = threading.Thread(target=lambda: got.append(fonts.register_emoji_font()))  # as the app does it
    worker.start()
    worker.join(30)
    assert got == [fonts.EMOJI_FAMILY]
    family = fonts.register_emoji_font()  # once per process
    assert family == fonts.EMOJI_FAMILY
    assert QFontDatabase.applicationEmojiFontFamilies()[0] == family
    assert _colourful_pixels("😀") > 50  # monochrome outlines have no colour at all
    assert _colourful_pixels("abc") == 0


# the "Unread messages" row ---------------------------------------------------------------------------------
def test_the_unread_row_moves_above_what_is_still_unread(qtbot: Any) -> None:
    from desktop.qt.message_model import UNREAD, KindRole, MessageListModel

    model = MessageListModel(ME, PEER)
    msgs = [Message(id=str(i), client_id=f"c{i}", sender_id=PEER if i % 2 else ME,
                    recipient_id=ME if i % 2 else PEER, body=f"m{i}", created_at=NOW) for i in range(1, 9)]
    model.reset(msgs)

    def marker_above() -> str | None:
        rows = [model.index(r).data(KindRole) for r in range(model.rowCount())]
        if UNREAD not in rows:
            return None
        return model.message_at(rows.index(UNREAD) + 1).body

    assert model.first_unread_id(2) == "5" and model.first_unread_id(5) is None  # only 4 incoming shown
    model.set_unread_marker(model.first_unread_id(2))
    assert marker_above() == "m5"
    model.set_unread_marker(model.first_unread_id(1))
    assert marker_above() == "m7"
    assert [model.index(r).data(KindRole) for r in range(model.rowCount())].count(UNREAD) == 1
    model.set_unread_marker(model.first_unread_id(0))
    assert marker_above() is None
