"""Regenerate ``parley_vi.ts`` (and the English source list) from the desktop sources.

Run: ``.venv/bin/python resources/translations/update_ts.py``. Strings are found in
``self.tr("…")`` (context: the enclosing class), ``tr("…")`` (context ``Format``)
and ``_t("…")`` or ``_tn("…")`` (marked only; context ``Errors``); translations come from ``VI`` below. The
``.qm`` files are built from the ``.ts`` by ``desktop.i18n.compile_translations``.
"""
from __future__ import annotations

import ast
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = sorted((HERE.parent.parent / "desktop" / "ui").glob("*.py"))
MODULE_CONTEXTS = {"tr": "Format", "_t": "Errors", "_tn": "Errors"}

VI: dict[str, str] = {
    # player: HLS quality menu (issue 13)
    "Quality": "Chất lượng", "Video quality": "Chất lượng video", "Auto": "Tự động",
    "Auto (%1)": "Tự động (%1)", "Source": "Gốc", "Source (%1p)": "Gốc (%1p)", "Original": "Bản gốc",
    # privacy: blocking, presence, server address
    "%1 will not be told. Their messages will no longer reach you, and neither of you will see the other "
    "typing, reading or online. You can unblock them in Settings.":
        "%1 sẽ không được báo. Tin nhắn của họ sẽ không đến với bạn nữa, và hai bên sẽ không thấy nhau "
        "đang nhập, đã đọc hay trực tuyến. Bạn có thể bỏ chặn họ trong Cài đặt.",
    "Block": "Chặn", "Block %1?": "Chặn %1?", "Block %1…": "Chặn %1…", "Blocked people": "Người bị chặn",
    "Chat menu": "Menu trò chuyện", "Nobody": "Không ai", "Privacy": "Quyền riêng tư", "Unblock": "Bỏ chặn",
    "Unblock %1": "Bỏ chặn %1", "You blocked %1. Unblock them to write.": "Bạn đã chặn %1. Hãy bỏ chặn để nhắn tin.",
    "Unencrypted connection allowed for this server. Press the button again.":
        "Đã cho phép kết nối không mã hoá với máy chủ này. Hãy bấm nút lần nữa.",
    "Use an https:// address, or ask the server's admin to set up HTTPS.":
        "Hãy dùng địa chỉ https://, hoặc nhờ quản trị viên máy chủ thiết lập HTTPS.",
    "Who can see when I'm &online": "Ai có thể thấy khi tôi trực &tuyến",
    "Who can see when I'm online": "Ai có thể thấy khi tôi trực tuyến",
    # Format
    "typing…": "đang nhập…", "online": "trực tuyến", "No messages yet": "Chưa có tin nhắn",
    "Message deleted": "Tin nhắn đã bị xoá", "Sending: ": "Đang gửi: ", "You: ": "Bạn: ",
    "edited": "đã sửa", "Unread messages": "Tin nhắn chưa đọc", "Today": "Hôm nay", "Yesterday": "Hôm qua",
    "offline": "ngoại tuyến", "last seen just now": "vừa mới truy cập",
    "last seen %n min ago": "truy cập %n phút trước", "last seen today at %1": "truy cập hôm nay lúc %1",
    "last seen yesterday at %1": "truy cập hôm qua lúc %1", "last seen %1": "truy cập ngày %1",
    # Errors
    "That email and password don't match an account.": "Email và mật khẩu không khớp với tài khoản nào.",
    "This email address isn't verified yet. Enter the code we sent you.":
        "Địa chỉ email này chưa được xác minh. Hãy nhập mã chúng tôi đã gửi cho bạn.",
    "That code isn't right. Check the email and try again.": "Mã không đúng. Hãy xem lại email và thử lại.",
    "That code has expired. Ask for a new one.": "Mã đã hết hạn. Hãy yêu cầu mã mới.",
    "Too many wrong codes. Ask for a new one.": "Nhập sai mã quá nhiều lần. Hãy yêu cầu mã mới.",
    "Choose a stronger password.": "Hãy chọn mật khẩu mạnh hơn.",
    "Please check the highlighted fields.": "Vui lòng kiểm tra các ô được đánh dấu.",
    "Too many tries. Please wait %1 seconds.": "Thử quá nhiều lần. Vui lòng đợi %1 giây.",
    "Too many tries. Please wait a moment.": "Thử quá nhiều lần. Vui lòng đợi một lát.",
    "Your session ended. Please sign in again.": "Phiên đăng nhập đã hết. Vui lòng đăng nhập lại.",
    "The server took too long to answer. Check your connection and try again.":
        "Máy chủ phản hồi quá lâu. Hãy kiểm tra kết nối và thử lại.",
    "You're offline. Parley will retry when the connection is back.":
        "Bạn đang ngoại tuyến. Parley sẽ thử lại khi có kết nối.",
    "The server had a problem. Try again in a moment.": "Máy chủ gặp sự cố. Hãy thử lại sau giây lát.",
    "Can't reach the server. Check the address and your internet connection.":
        "Không kết nối được máy chủ. Hãy kiểm tra địa chỉ và kết nối mạng.",
    "Something went wrong. Please try again.": "Đã có lỗi xảy ra. Vui lòng thử lại.",
    # ChatView
    "Presence": "Trạng thái", "Messages": "Tin nhắn", "Typing": "Đang nhập", "Editing message": "Đang sửa tin nhắn",
    "Cancel editing": "Huỷ sửa", "Cancel editing (Esc)": "Huỷ sửa (Esc)", "Write a message…": "Viết tin nhắn…",
    "Message": "Tin nhắn", "Send": "Gửi", "Send (Enter)": "Gửi (Enter)", "Chat with %1 — Parley": "Trò chuyện với %1 — Parley",
    "%1 is typing…": "%1 đang nhập…", "Message too long": "Tin nhắn quá dài",
    "A message can have at most %1 characters.": "Một tin nhắn có tối đa %1 ký tự.", "Parley": "Parley",
    "Copy text": "Sao chép", "Edit": "Sửa", "Delete": "Xoá", "Try again": "Thử lại", "Delete message": "Xoá tin nhắn",
    "Delete this message for everyone?": "Xoá tin nhắn này với mọi người?",
    # LoginWindow
    "Sign in — Parley": "Đăng nhập — Parley", "Sign in": "Đăng nhập", "Welcome back to Parley.": "Chào mừng trở lại Parley.",
    "Email": "Email", "Password": "Mật khẩu", "Forgot password?": "Quên mật khẩu?", "Create account": "Tạo tài khoản",
    "Server address": "Địa chỉ máy chủ",
    "The Parley server you use. Parley remembers it.": "Máy chủ Parley bạn dùng. Parley sẽ ghi nhớ địa chỉ này.",
    "It takes a minute. We'll email you a code.": "Chỉ mất một phút. Chúng tôi sẽ gửi mã qua email.",
    "Your name": "Tên của bạn", "How people see you, 1 to 64 characters.": "Tên mọi người sẽ thấy, từ 1 đến 64 ký tự.",
    "I already have an account": "Tôi đã có tài khoản", "Check your email": "Kiểm tra email của bạn",
    "Verify": "Xác minh", "6-digit code": "Mã 6 chữ số", "Send a new code": "Gửi mã mới",
    "Back to sign in": "Quay lại đăng nhập", "Reset your password": "Đặt lại mật khẩu",
    "We'll email you a code to choose a new password.": "Chúng tôi sẽ gửi mã qua email để bạn đặt mật khẩu mới.",
    "Send code": "Gửi mã", "Choose a new password": "Chọn mật khẩu mới", "Change password": "Đổi mật khẩu",
    "New password": "Mật khẩu mới", "We sent a 6-digit code to %1. Type it here.":
        "Chúng tôi đã gửi mã 6 chữ số tới %1. Hãy nhập mã vào đây.",
    "Enter the address of your Parley server.": "Hãy nhập địa chỉ máy chủ Parley của bạn.",
    "Enter your email address.": "Hãy nhập địa chỉ email.", "Enter your password.": "Hãy nhập mật khẩu.",
    "Signing in…": "Đang đăng nhập…", "Verify your email address first.": "Hãy xác minh địa chỉ email trước.",
    "Enter your name.": "Hãy nhập tên của bạn.", "That doesn't look like an email address.": "Đây không giống địa chỉ email.",
    "Use at most 64 characters.": "Dùng tối đa 64 ký tự.", "Creating account…": "Đang tạo tài khoản…",
    "The code has 6 digits.": "Mã gồm 6 chữ số.", "Checking…": "Đang kiểm tra…", "We sent a new code.": "Đã gửi mã mới.",
    "Sending…": "Đang gửi…", "If %1 has an account, we sent it a 6-digit code.":
        "Nếu %1 có tài khoản, chúng tôi đã gửi mã 6 chữ số tới địa chỉ đó.",
    "Changing password…": "Đang đổi mật khẩu…",
    "Your password was changed. Sign in with the new one.": "Đã đổi mật khẩu. Hãy đăng nhập bằng mật khẩu mới.",
    "At least %1 characters (at most %2).": "Ít nhất %1 ký tự (tối đa %2).",
    "Send a new code in %1 s": "Gửi mã mới sau %1 giây",
    # MainWindow
    "Menu": "Menu", "Settings…": "Cài đặt…", "Sign out": "Đăng xuất", "Quit": "Thoát", "Dismiss": "Đóng",
    "Search people by name or email": "Tìm người theo tên hoặc email", "Search people": "Tìm người",
    "Conversations": "Cuộc trò chuyện",
    "No conversations yet.\nSearch for a person above to start one.":
        "Chưa có cuộc trò chuyện nào.\nHãy tìm một người ở trên để bắt đầu.",
    "People found": "Kết quả tìm kiếm", "Choose a conversation": "Chọn một cuộc trò chuyện",
    "Connecting…": "Đang kết nối…", "Connection status": "Trạng thái kết nối", "Retry now": "Thử lại ngay",
    "Online": "Trực tuyến", "Offline": "Ngoại tuyến", "Offline — retrying in %1 s": "Ngoại tuyến — thử lại sau %1 giây",
    "Offline — retrying…": "Ngoại tuyến — đang thử lại…", "Searching…": "Đang tìm…",
    "Nobody found. Try a full email address.": "Không tìm thấy ai. Hãy thử địa chỉ email đầy đủ.",
    # SettingsDialog
    "Settings — Parley": "Cài đặt — Parley", "Language": "Ngôn ngữ", "System default": "Theo hệ thống",
    "&Language": "&Ngôn ngữ", "Appearance": "Giao diện", "Follow the system": "Theo hệ thống", "Light": "Sáng",
    "Dark": "Tối", "&Appearance": "&Giao diện", "Show a notification for new messages": "Hiện thông báo khi có tin nhắn mới",
    "Open chats in the main window (one window)": "Mở cuộc trò chuyện trong cửa sổ chính (một cửa sổ)",
    "A new language applies the next time Parley starts.": "Ngôn ngữ mới có hiệu lực từ lần mở Parley tiếp theo.",
    # PlayerWindow (issue 6)
    "%1 — Parley": "%1 — Parley", "Video": "Video", "Save video as…": "Lưu video thành…",
    "Play or pause": "Phát hoặc tạm dừng", "Play / pause (Space)": "Phát / tạm dừng (Space)", "Position": "Vị trí",
    "Time": "Thời gian", "Mute": "Tắt tiếng", "Mute (M)": "Tắt tiếng (M)", "Volume": "Âm lượng",
    "Full screen": "Toàn màn hình", "Full screen (F, double click; Esc leaves)":
        "Toàn màn hình (F, nhấp đúp; Esc để thoát)", "Save video as": "Lưu video thành",
    "Download progress": "Tiến độ tải xuống",
    "The video stopped: %1. Check your connection and open it again.":
        "Video đã dừng: %1. Hãy kiểm tra kết nối và mở lại.",
    "network error": "lỗi mạng",
    "Parley can't play “%1” on this computer: its format is not supported here. Save it and open it with "
    "another video player.": "Parley không phát được “%1” trên máy này: định dạng không được hỗ trợ. "
                             "Hãy lưu lại và mở bằng trình phát video khác.",
    "this video": "video này", "Saving %p%": "Đang lưu %p%", "Saved": "Đã lưu",
    "Saving stopped: %1 Try again to continue where it left off.":
        "Đã dừng lưu: %1 Hãy thử lại để tiếp tục từ chỗ đã dừng.",
    # uploads, hosting, player (issues 6 and later)
    "Video to send": "Video sẽ gửi", "Video details": "Chi tiết video", "Send video": "Gửi video", "Cancel": "Huỷ",
    "Close": "Đóng", "Couldn't process this video: %1": "Không xử lý được video này: %1",
    "Processing…": "Đang xử lý…", "Not sent: %1": "Chưa gửi: %1", "Uploaded. Processing…": "Đã tải lên. Đang xử lý…",
    "Paused at %1%": "Tạm dừng ở %1%", "%1% · waiting for the network…": "%1% · đang chờ mạng…",
    "%1 left": "còn %1", "%1% · starting…": "%1% · đang bắt đầu…", "Pause": "Tạm dừng", "Resume": "Tiếp tục",
    "Retry": "Thử lại", "Host a server — Parley": "Chạy máy chủ — Parley",
    "Run a Parley server on this computer so a small team can chat. It keeps its data in your user folder and "
    "stops when you quit Parley.": "Chạy một máy chủ Parley trên máy này để một nhóm nhỏ trò chuyện. Dữ liệu "
                                   "được lưu trong thư mục người dùng của bạn và máy chủ dừng khi bạn thoát Parley.",
    "Server status": "Trạng thái máy chủ", "Address for others": "Địa chỉ cho người khác",
    "Copy address": "Sao chép địa chỉ", "Start server": "Khởi động máy chủ", "Stop server": "Dừng máy chủ",
    "Sign in to this server": "Đăng nhập vào máy chủ này", "Open mail outbox": "Mở hộp thư đi",
    "Verification codes are written here as .eml files": "Mã xác minh được ghi vào đây dưới dạng tệp .eml",
    "The server is not running.": "Máy chủ chưa chạy.", "Starting the server…": "Đang khởi động máy chủ…",
    "The server is running. People on your network connect with this address (this computer itself can use %1):":
        "Máy chủ đang chạy. Mọi người trong mạng của bạn kết nối bằng địa chỉ này (chính máy này có thể dùng %1):",
    "The server could not start.": "Không khởi động được máy chủ.", "The server is stopped.": "Máy chủ đã dừng.",
    "No server? Host one on this computer": "Chưa có máy chủ? Chạy một máy chủ trên máy này",
    "Host a server on this computer…": "Chạy máy chủ trên máy này…", "Playing": "Đang phát", "Paused": "Đã tạm dừng",
    "Attach a video": "Đính kèm video", "Attach a video (or drop one here, or paste it)":
        "Đính kèm video (hoặc kéo thả, hoặc dán vào đây)", "Send a video": "Gửi video",
    "Pause upload": "Tạm dừng tải lên", "Resume upload": "Tiếp tục tải lên", "Cancel upload": "Huỷ tải lên",
    "Play video": "Phát video", "%1% · offline, will resume": "%1% · ngoại tuyến, sẽ tiếp tục",
    "Saving “%1”…": "Đang lưu “%1”…", "Saved to %1": "Đã lưu vào %1", "Save video — Parley": "Lưu video — Parley",
    "Saving stopped: %1 Save again to continue where it left off.":
        "Đã dừng lưu: %1 Hãy lưu lại để tiếp tục từ chỗ đã dừng.",
    # the file dialog's filter, refused videos, sign-in and keyring notes (issue 12)
    "waiting for the network…": "đang chờ mạng…", "Videos (%1)": "Video (%1)", "All files (*)": "Tất cả tệp (*)",
    "This file is not a video Parley can play. Send an MP4, MOV, WebM or MKV video.":
        "Tệp này không phải video Parley phát được. Hãy gửi video MP4, MOV, WebM hoặc MKV.",
    "“%1” is not a video Parley can send. Choose an MP4, MOV, WebM or MKV video.":
        "“%1” không phải video Parley gửi được. Hãy chọn video MP4, MOV, WebM hoặc MKV.",
    "This file has no picture, only sound. Send an MP4, MOV, WebM or MKV video.":
        "Tệp này chỉ có âm thanh, không có hình. Hãy gửi video MP4, MOV, WebM hoặc MKV.",
    "The video file is incomplete or damaged.": "Tệp video bị thiếu hoặc bị hỏng.",
    "The server could not process this video (it tried %2 times). Try sending it again.":
        "Máy chủ không xử lý được video này (đã thử %2 lần). Hãy gửi lại.",
    "“%1” is empty.": "“%1” trống.",
    "“%1” can't be read. Check that the file still exists.": "Không đọc được “%1”. Hãy kiểm tra tệp còn tồn tại.",
    "“%1” is %3; this server accepts videos up to %4.": "“%1” nặng %3; máy chủ này chỉ nhận video tối đa %4.",
    "Welcome to Parley. Sign in, or create an account below.":
        "Chào mừng bạn đến với Parley. Hãy đăng nhập hoặc tạo tài khoản bên dưới.",
    "Parley couldn't use this computer's keyring (the system's safe store for passwords), so it could not keep "
    "you signed in. Sign in again. Until a keyring is available (for example GNOME Keyring or KWallet), Parley "
    "asks for your password each time it starts.":
        "Parley không dùng được keyring của máy này (kho lưu mật khẩu an toàn của hệ thống) nên không giữ được "
        "phiên đăng nhập. Hãy đăng nhập lại. Cho đến khi có keyring (ví dụ GNOME Keyring hoặc KWallet), Parley "
        "sẽ hỏi mật khẩu mỗi lần khởi động.",
    "Your system has no usable keyring, so Parley can't remember this sign-in. You'll be asked to sign in again "
    "next time.": "Hệ thống của bạn không có keyring dùng được nên Parley không thể ghi nhớ lần đăng nhập này. "
                  "Lần sau bạn sẽ cần đăng nhập lại.",
    # Tray
    "Open Parley": "Mở Parley", "Parley — %n unread": "Parley — %n chưa đọc",
    # admin: the Server status window (issue 14)
    "Server status…": "Trạng thái máy chủ…", "Server status": "Trạng thái máy chủ",
    "Server status — Parley": "Trạng thái máy chủ — Parley", "Loading…": "Đang tải…",
    "&Refresh": "&Làm mới", "Refresh now": "Làm mới ngay", "Users": "Người dùng", "Health": "Tình trạng",
    "Messages per day": "Tin nhắn mỗi ngày", "%1 messages in the last %2 days": "%1 tin nhắn trong %2 ngày qua",
    "Messages per day (last 14 days, UTC)": "Tin nhắn mỗi ngày (14 ngày qua, giờ UTC)",
    "Video processing": "Xử lý video", "Mail (last 24 hours)": "Thư (24 giờ qua)", "Storage": "Lưu trữ",
    "Biggest users of storage": "Người dùng nhiều dung lượng nhất", "Person": "Người dùng", "Videos": "Video",
    "Space": "Dung lượng",
    "Select a person to fill in the account field below": "Chọn một người để điền vào ô tài khoản bên dưới",
    "Accounts": "Tài khoản",
    "Disabling an account signs it out everywhere and stops it from signing in. "
    "Enabling it lets the person sign in again.":
        "Vô hiệu hoá một tài khoản sẽ đăng xuất nó trên mọi thiết bị và không cho đăng nhập nữa. "
        "Kích hoạt lại thì người đó có thể đăng nhập trở lại.",
    "Email address of the account": "Địa chỉ email của tài khoản", "Account email": "Email tài khoản",
    "&Disable…": "&Vô hiệu hoá…", "&Enable…": "&Kích hoạt…", "API documentation": "Tài liệu API",
    "Admin guide": "Hướng dẫn quản trị", "unknown": "không rõ",
    "Accounts: %1 · verified: %2 · disabled: %3 · admins: %4":
        "Tài khoản: %1 · đã xác minh: %2 · bị vô hiệu hoá: %3 · quản trị viên: %4",
    "Online now: %1 · active in the last 7 days: %2": "Đang trực tuyến: %1 · hoạt động trong 7 ngày qua: %2",
    "Parley %1 · up %2 · updated %3": "Parley %1 · chạy được %2 · cập nhật lúc %3",
    "%1 today, %2 in 14 days": "%1 hôm nay, %2 trong 14 ngày",
    "%1 waiting or processing, the oldest for %2": "%1 đang chờ hoặc đang xử lý, lâu nhất đã %2",
    "Nothing waiting": "Không có gì đang chờ", "%1 failed in the last 24 hours": "%1 lỗi trong 24 giờ qua",
    "%1 sent, %2 failed": "%1 đã gửi, %2 lỗi", "Last error (%1): %2": "Lỗi gần nhất (%1): %2",
    "No errors": "Không có lỗi", "Database": "Cơ sở dữ liệu", "Mail": "Thư",
    "%1 used by %2 video(s) · %3 being uploaded": "%2 video dùng %1 · %3 đang tải lên",
    "%1 d %2 h": "%1 ngày %2 giờ", "%1 h %2 min": "%1 giờ %2 phút", "%1 min": "%1 phút", "%1 s": "%1 giây",
    "This account is not an admin on this server.": "Tài khoản này không phải quản trị viên của máy chủ này.",
    "You cannot disable your own account here.": "Bạn không thể tự vô hiệu hoá tài khoản của mình ở đây.",
    "No account has this email address.": "Không có tài khoản nào với địa chỉ email này.",
    "Enter the email address of the account first.": "Hãy nhập địa chỉ email của tài khoản trước.",
    "Disable account": "Vô hiệu hoá tài khoản", "Enable account": "Kích hoạt tài khoản",
    "Disable %1? They are signed out on every device and cannot sign in until an admin enables the account "
    "again.": "Vô hiệu hoá %1? Người đó sẽ bị đăng xuất trên mọi thiết bị và không thể đăng nhập cho đến khi "
             "quản trị viên kích hoạt lại tài khoản.",
    "Enable %1? The person can sign in again.": "Kích hoạt %1? Người đó có thể đăng nhập trở lại.",
    "Disable": "Vô hiệu hoá", "Enable": "Kích hoạt",
    "%1 is disabled; %2 sessions were ended.": "Đã vô hiệu hoá %1; %2 phiên đăng nhập đã bị kết thúc.",
    "%1 is enabled and can sign in again.": "Đã kích hoạt %1, người đó có thể đăng nhập trở lại.",
}


def _table(name: str, table: str = "VI_SEARCH_KEYBOARD") -> dict[str, str]:
    """A table kept in a file of its own beside this one (loaded by path: tests load this file so too)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(getattr(module, table))


# search, keyboard shortcuts and screen readers (issue 14): only strings VI does not translate yet
VI.update({k: v for k, v in _table("vi_search_keyboard").items() if k not in VI})
# resume anywhere and moments (issue 13)
VI.update({k: v for k, v in _table("vi_resume_moments", "VI_RESUME_MOMENTS").items() if k not in VI})


#: Qt's own widgets, which Qt ships no Vietnamese for (PySide6 has no qtbase_vi.qm): the file
#: dialog, the standard dialog buttons (OK, Cancel…). (context, source, disambiguation) -> text.
#: Written to ``qt_vi.ts``; :func:`desktop.i18n.install` loads it under Qt's own, if any.
QT_VI: dict[tuple[str, str, str], str] = {
    ("QPlatformTheme", "OK", ""): "Đồng ý", ("QPlatformTheme", "Cancel", ""): "Huỷ",
    ("QPlatformTheme", "Close", ""): "Đóng", ("QPlatformTheme", "Open", ""): "Mở",
    ("QPlatformTheme", "Save", ""): "Lưu", ("QPlatformTheme", "Save All", ""): "Lưu tất cả",
    ("QPlatformTheme", "Apply", ""): "Áp dụng", ("QPlatformTheme", "Reset", ""): "Đặt lại",
    ("QPlatformTheme", "Help", ""): "Trợ giúp", ("QPlatformTheme", "Discard", ""): "Bỏ",
    ("QPlatformTheme", "&Yes", ""): "&Có", ("QPlatformTheme", "&No", ""): "&Không",
    ("QPlatformTheme", "Yes to &All", ""): "Có với &tất cả", ("QPlatformTheme", "N&o to All", ""): "Khô&ng với tất cả",
    ("QPlatformTheme", "Abort", ""): "Huỷ bỏ", ("QPlatformTheme", "Retry", ""): "Thử lại",
    ("QPlatformTheme", "Ignore", ""): "Bỏ qua", ("QPlatformTheme", "Restore Defaults", ""): "Khôi phục mặc định",
    ("QFileDialog", "&Look in:", ""): "&Tìm trong:", ("QFileDialog", "File &name:", ""): "&Tên tệp:",
    ("QFileDialog", "Files of &type:", ""): "&Loại tệp:", ("QFileDialog", "&Open", ""): "&Mở",
    ("QFileDialog", "&Save", ""): "&Lưu", ("QFileDialog", "&Choose", ""): "&Chọn",
    ("QFileDialog", "Open", ""): "Mở", ("QFileDialog", "Save As", ""): "Lưu thành",
    ("QFileDialog", "All Files (*)", ""): "Tất cả tệp (*)", ("QFileDialog", "Files", ""): "Tệp",
    ("QFileDialog", "Directory:", ""): "Thư mục:", ("QFileDialog", "Directories", ""): "Thư mục",
    ("QFileDialog", "Back", ""): "Quay lại", ("QFileDialog", "Go back", ""): "Quay lại",
    ("QFileDialog", "Forward", ""): "Tiến tới", ("QFileDialog", "Go forward", ""): "Tiến tới",
    ("QFileDialog", "Parent Directory", ""): "Thư mục cha",
    ("QFileDialog", "Go to the parent directory", ""): "Lên thư mục cha",
    ("QFileDialog", "Create New Folder", ""): "Tạo thư mục mới",
    ("QFileDialog", "Create a New Folder", ""): "Tạo một thư mục mới",
    ("QFileDialog", "New Folder", ""): "Thư mục mới", ("QFileDialog", "&New Folder", ""): "Thư mục &mới",
    ("QFileDialog", "List View", ""): "Dạng danh sách", ("QFileDialog", "Detail View", ""): "Dạng chi tiết",
    ("QFileDialog", "Change to list view mode", ""): "Xem dạng danh sách",
    ("QFileDialog", "Change to detail view mode", ""): "Xem dạng chi tiết",
    ("QFileDialog", "Sidebar", ""): "Thanh bên",
    ("QFileDialog", "List of places and bookmarks", ""): "Danh sách vị trí và dấu trang",
    ("QFileDialog", "Recent Places", ""): "Vị trí gần đây", ("QFileDialog", "&Rename", ""): "Đổi &tên",
    ("QFileDialog", "&Delete", ""): "&Xoá", ("QFileDialog", "Show &hidden files", ""): "Hiện tệp ẩ&n",
    ("QFileDialog", "Show ", ""): "Hiện ",
    ("QFileDialog", "Are you sure you want to delete '%1'?", ""): "Bạn có chắc muốn xoá '%1' không?",
    ("QFileDialog", "%1 already exists.\nDo you want to replace it?", ""):
        "%1 đã có.\nBạn có muốn thay thế không?",
    ("QFileDialog", "%1\nFile not found.\nPlease verify the correct file name was given.", ""):
        "%1\nKhông tìm thấy tệp.\nHãy kiểm tra lại tên tệp.",
    ("QFileDialog", "%1\nDirectory not found.\nPlease verify the correct directory name was given.", ""):
        "%1\nKhông tìm thấy thư mục.\nHãy kiểm tra lại tên thư mục.",
    ("QFileSystemModel", "Name", ""): "Tên", ("QFileSystemModel", "Size", ""): "Kích thước",
    ("QFileSystemModel", "Type", "All other platforms"): "Loại",
    ("QFileSystemModel", "Date Modified", ""): "Ngày sửa", ("QFileSystemModel", "Computer", ""): "Máy tính",
    ("QFileSystemModel", "My Computer", ""): "Máy tính",
    ("QAbstractFileIconProvider", "Folder", "All other platforms"): "Thư mục",
    ("QAbstractFileIconProvider", "Drive", ""): "Ổ đĩa",
    ("QAbstractFileIconProvider", "File", "All other platforms"): "Tệp",
    ("QAbstractFileIconProvider", "%1 File", "%1 is a file name suffix, for example txt"): "Tệp %1",
}


def write_qt_ts(language: str, table: dict[tuple[str, str, str], str], out: Path) -> None:
    root = ET.Element("TS", version="2.1", language=language)
    contexts: dict[str, ET.Element] = {}
    for (ctx, source, comment), text in sorted(table.items()):
        if ctx not in contexts:
            contexts[ctx] = ET.SubElement(root, "context")
            ET.SubElement(contexts[ctx], "name").text = ctx
        m = ET.SubElement(contexts[ctx], "message")
        ET.SubElement(m, "source").text = source
        if comment:
            ET.SubElement(m, "comment").text = comment
        ET.SubElement(m, "translation").text = text
    ET.indent(root)
    out.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
                   + ET.tostring(root, encoding="unicode") + "\n", encoding="utf-8")


def extract() -> dict[str, list[tuple[str, str, int]]]:
    """context -> [(source, file, line)] in order of appearance."""
    found: dict[str, list[tuple[str, str, int]]] = {}
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def visit(node: ast.AST, cls: str | None) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.ClassDef):
                    visit(child, child.name)
                    continue
                if isinstance(child, ast.Call) and child.args and isinstance(child.args[0], ast.Constant) \
                        and isinstance(child.args[0].value, str):
                    f = child.func
                    ctx = None
                    if isinstance(f, ast.Attribute) and f.attr == "tr" and isinstance(f.value, ast.Name) \
                            and f.value.id == "self" and cls:
                        ctx = cls
                    elif isinstance(f, ast.Name) and f.id in MODULE_CONTEXTS:
                        ctx = MODULE_CONTEXTS[f.id]
                    if ctx:
                        entries = found.setdefault(ctx, [])
                        text = child.args[0].value
                        if text not in [e[0] for e in entries]:
                            entries.append((text, path.name, child.lineno))
                visit(child, cls)

        visit(tree, None)
    return found


def write_ts(language: str, table: dict[str, str], out: Path) -> list[str]:
    root = ET.Element("TS", version="2.1", language=language)
    missing = []
    for ctx, entries in sorted(extract().items()):
        c = ET.SubElement(root, "context")
        ET.SubElement(c, "name").text = ctx
        for text, filename, line in entries:
            m = ET.SubElement(c, "message", numerus="yes") if "%n" in text else ET.SubElement(c, "message")
            ET.SubElement(m, "location", filename=f"../../desktop/ui/{filename}")  # no line: stable diffs
            ET.SubElement(m, "source").text = text
            tr = ET.SubElement(m, "translation")
            value = table.get(text)
            if value is None:
                missing.append(text)
                tr.set("type", "unfinished")
            elif "%n" in text:
                ET.SubElement(tr, "numerusform").text = value
            else:
                tr.text = value
    ET.indent(root)
    out.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
                   + ET.tostring(root, encoding="unicode") + "\n", encoding="utf-8")
    return missing


if __name__ == "__main__":
    missing = write_ts("vi_VN", VI, HERE / "parley_vi.ts")
    write_qt_ts("vi_VN", QT_VI, HERE / "qt_vi.ts")
    for text in missing:
        print("untranslated:", text)
    sys.exit(1 if missing else 0)
