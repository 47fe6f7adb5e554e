"""Vietnamese for message search, the keyboard shortcuts and the screen-reader texts (issue 14).

Kept apart from ``update_ts.py``'s ``VI`` table, which other work edits at the same time; it is
merged into it there.
"""
from __future__ import annotations

VI_SEARCH_KEYBOARD: dict[str, str] = {
    # announcements (ui/announce.py)
    "New message from %1: %2": "Tin nhắn mới từ %1: %2", "New message from %1": "Tin nhắn mới từ %1",
    "%1 new messages": "%1 tin nhắn mới", "Upload finished: %1": "Đã tải lên xong: %1", "Connected again.": "Đã kết nối lại.",
    "Connection lost. Parley will retry.": "Mất kết nối. Parley sẽ thử lại.",
    # keyboard shortcuts (ui/shortcuts_dialog.py, ui/navigation.py)
    "Anywhere": "Mọi nơi", "Chat": "Trò chuyện", "Video player": "Trình phát video",
    "New chat: find a person": "Cuộc trò chuyện mới: tìm một người",
    "Switch to a conversation by name": "Chuyển đến một cuộc trò chuyện theo tên",
    "Next conversation": "Cuộc trò chuyện kế tiếp", "Previous conversation": "Cuộc trò chuyện trước",
    "Search all messages": "Tìm trong mọi tin nhắn",
    "Search people (main window)": "Tìm người (cửa sổ chính)", "Keyboard shortcuts": "Phím tắt",
    "Settings": "Cài đặt", "Search this conversation": "Tìm trong cuộc trò chuyện này", "New line": "Xuống dòng",
    "Edit your last message (in an empty message field)": "Sửa tin nhắn gần nhất của bạn (khi ô nhập trống)",
    "Cancel an edit, else close the chat window": "Huỷ sửa, nếu không thì đóng cửa sổ trò chuyện",
    "Close the chat window": "Đóng cửa sổ trò chuyện", "Copy the selected message": "Sao chép tin nhắn đã chọn",
    "Move between the history, the message field and the buttons":
        "Di chuyển giữa lịch sử, ô nhập tin nhắn và các nút",
    "Play or pause": "Phát hoặc tạm dừng", "Back or forward 5 seconds": "Lùi hoặc tiến 5 giây",
    "Volume up or down": "Tăng hoặc giảm âm lượng", "Mute": "Tắt tiếng", "Full screen": "Toàn màn hình",
    "Keyboard shortcuts — Parley": "Phím tắt — Parley", "Where": "Ở đâu", "Keys": "Phím", "Action": "Thao tác",
    "New chat": "Cuộc trò chuyện mới", "Go to a conversation…": "Đến một cuộc trò chuyện…",
    "Search messages…": "Tìm tin nhắn…", "Help": "Trợ giúp",
    "Send": "Gửi", "Quit": "Thoát",
    # quick switcher
    "Go to a conversation — Parley": "Đến một cuộc trò chuyện — Parley", "Type a name": "Nhập tên",
    "Conversation name": "Tên cuộc trò chuyện",
    # message search
    "Search people and messages": "Tìm người và tin nhắn", "People": "Mọi người", "Messages": "Tin nhắn",
    "Messages found": "Tin nhắn tìm thấy", "No messages found.": "Không tìm thấy tin nhắn nào.",
    "1 message found.": "Tìm thấy 1 tin nhắn.", "%1 messages found.": "Tìm thấy %1 tin nhắn.",
    "Offline: only the messages on this device were searched.":
        "Ngoại tuyến: chỉ tìm trong các tin nhắn trên máy này.",
    "Searching…": "Đang tìm…",
    "Too many searches for the server just now: only the messages on this device were searched.":
        "Máy chủ đang nhận quá nhiều lượt tìm: chỉ tìm trong các tin nhắn trên máy này.",
    "The server could not search: only the messages on this device were searched.":
        "Máy chủ không tìm được: chỉ tìm trong các tin nhắn trên máy này.",
    "Search messages — Parley": "Tìm tin nhắn — Parley",
    "Search in the chat with %1 — Parley": "Tìm trong cuộc trò chuyện với %1 — Parley",
    "Search messages": "Tìm tin nhắn",
    "%1 in the chat with %2, %3: %4": "%1 trong cuộc trò chuyện với %2, %3: %4",
    # screen-reader words of a message, the composer's hint
    "You": "Bạn", "Video: %1": "Video: %1",
    "Enter sends, Shift+Enter adds a line, Up edits your last message":
        "Enter để gửi, Shift+Enter để xuống dòng, mũi tên lên để sửa tin nhắn gần nhất",
    # the player (its one string that had no translation)
    "the link expired": "liên kết đã hết hạn",
}
