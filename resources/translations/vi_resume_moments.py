"""Vietnamese for resume anywhere and moments in videos (issue 13).

Kept apart from ``update_ts.py``'s ``VI`` table, which other work of issue 13 edits at the same time
(the HLS player); it is merged into it there.
"""
from __future__ import annotations

VI_RESUME_MOMENTS: dict[str, str] = {
    # the player's resume offer (ui/resume_offer.py)
    "You stopped here last time.": "Lần trước bạn đã dừng ở đây.",
    "Resume from %1": "Xem tiếp từ %1",
    "Start from the beginning": "Xem từ đầu",
    "Start from the beginning (dismiss)": "Xem từ đầu (bỏ qua)",
    # moments (ui/player_window.py, ui/moment_links.py, ui/shortcuts_dialog.py)
    "Send this moment": "Gửi khoảnh khắc này",
    "Put a link to this moment in the chat (%1)": "Chèn liên kết tới khoảnh khắc này vào cuộc trò chuyện (%1)",
    "Play the video at %1": "Phát video tại %1",
    "Resume where you stopped (when offered)": "Xem tiếp từ chỗ đã dừng (khi được gợi ý)",
    "Send this moment: a link to the current time, in the chat":
        "Gửi khoảnh khắc này: liên kết tới thời điểm hiện tại, vào cuộc trò chuyện",
}
