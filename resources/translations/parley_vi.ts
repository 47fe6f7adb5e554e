<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN">
  <context>
    <name>AccountsCard</name>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>Accounts</source>
      <translation>Tài khoản</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>Disabling an account signs it out everywhere and stops it from signing in. Enabling it lets the person sign in again.</source>
      <translation>Vô hiệu hoá một tài khoản sẽ đăng xuất nó trên mọi thiết bị và không cho đăng nhập nữa. Kích hoạt lại thì người đó có thể đăng nhập trở lại.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>Email address of the account</source>
      <translation>Địa chỉ email của tài khoản</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>Account email</source>
      <translation>Email tài khoản</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>&amp;Disable…</source>
      <translation>&amp;Vô hiệu hoá…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>&amp;Enable…</source>
      <translation>&amp;Kích hoạt…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>Enter the email address of the account first.</source>
      <translation>Hãy nhập địa chỉ email của tài khoản trước.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>You cannot disable your own account here.</source>
      <translation>Bạn không thể tự vô hiệu hoá tài khoản của mình ở đây.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>Disable account</source>
      <translation>Vô hiệu hoá tài khoản</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>Enable account</source>
      <translation>Kích hoạt tài khoản</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>Disable %1? They are signed out on every device and cannot sign in until an admin enables the account again.</source>
      <translation>Vô hiệu hoá %1? Người đó sẽ bị đăng xuất trên mọi thiết bị và không thể đăng nhập cho đến khi quản trị viên kích hoạt lại tài khoản.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>Enable %1? The person can sign in again.</source>
      <translation>Kích hoạt %1? Người đó có thể đăng nhập trở lại.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>Disable</source>
      <translation>Vô hiệu hoá</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>Enable</source>
      <translation>Kích hoạt</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>%1 is disabled; %2 sessions were ended.</source>
      <translation>Đã vô hiệu hoá %1; %2 phiên đăng nhập đã bị kết thúc.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>%1 is enabled and can sign in again.</source>
      <translation>Đã kích hoạt %1, người đó có thể đăng nhập trở lại.</translation>
    </message>
  </context>
  <context>
    <name>Announcer</name>
    <message>
      <location filename="../../desktop/ui/announce.py" />
      <source>New message from %1: %2</source>
      <translation>Tin nhắn mới từ %1: %2</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/announce.py" />
      <source>New message from %1</source>
      <translation>Tin nhắn mới từ %1</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/announce.py" />
      <source>%1 new messages</source>
      <translation>%1 tin nhắn mới</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/announce.py" />
      <source>Upload finished: %1</source>
      <translation>Đã tải lên xong: %1</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/announce.py" />
      <source>Connected again.</source>
      <translation>Đã kết nối lại.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/announce.py" />
      <source>Connection lost. Parley will retry.</source>
      <translation>Mất kết nối. Parley sẽ thử lại.</translation>
    </message>
  </context>
  <context>
    <name>AttachPanel</name>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Video to send</source>
      <translation>Video sẽ gửi</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Video details</source>
      <translation>Chi tiết video</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Send video</source>
      <translation>Gửi video</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Cancel</source>
      <translation>Huỷ</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Checking…</source>
      <translation>Đang kiểm tra…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Close</source>
      <translation>Đóng</translation>
    </message>
  </context>
  <context>
    <name>ChatView</name>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Presence</source>
      <translation>Trạng thái</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Messages</source>
      <translation>Tin nhắn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Typing</source>
      <translation>Đang nhập</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Editing message</source>
      <translation>Đang sửa tin nhắn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Cancel editing</source>
      <translation>Huỷ sửa</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Cancel editing (Esc)</source>
      <translation>Huỷ sửa (Esc)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Write a message…</source>
      <translation>Viết tin nhắn…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Message</source>
      <translation>Tin nhắn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Send</source>
      <translation>Gửi</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Send (Enter)</source>
      <translation>Gửi (Enter)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Chat with %1 — Parley</source>
      <translation>Trò chuyện với %1 — Parley</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>waiting for the network…</source>
      <translation>đang chờ mạng…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>online</source>
      <translation>trực tuyến</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>%1 is typing…</source>
      <translation>%1 đang nhập…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>typing…</source>
      <translation>đang nhập…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Message too long</source>
      <translation>Tin nhắn quá dài</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>A message can have at most %1 characters.</source>
      <translation>Một tin nhắn có tối đa %1 ký tự.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Parley</source>
      <translation>Parley</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Copy text</source>
      <translation>Sao chép</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Edit</source>
      <translation>Sửa</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Delete</source>
      <translation>Xoá</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Try again</source>
      <translation>Thử lại</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Delete message</source>
      <translation>Xoá tin nhắn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_window.py" />
      <source>Delete this message for everyone?</source>
      <translation>Xoá tin nhắn này với mọi người?</translation>
    </message>
  </context>
  <context>
    <name>DayChart</name>
    <message>
      <location filename="../../desktop/ui/day_chart.py" />
      <source>Messages per day</source>
      <translation>Tin nhắn mỗi ngày</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/day_chart.py" />
      <source>%1 messages in the last %2 days</source>
      <translation>%1 tin nhắn trong %2 ngày qua</translation>
    </message>
  </context>
  <context>
    <name>Errors</name>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>This account is not an admin on this server.</source>
      <translation>Tài khoản này không phải quản trị viên của máy chủ này.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>You cannot disable your own account here.</source>
      <translation>Bạn không thể tự vô hiệu hoá tài khoản của mình ở đây.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/accounts_card.py" />
      <source>No account has this email address.</source>
      <translation>Không có tài khoản nào với địa chỉ email này.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Videos (%1)</source>
      <translation>Video (%1)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>All files (*)</source>
      <translation>Tất cả tệp (*)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Save video as</source>
      <translation>Lưu video thành</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Saving “%1”…</source>
      <translation>Đang lưu “%1”…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Cancel</source>
      <translation>Huỷ</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Save video — Parley</source>
      <translation>Lưu video — Parley</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Saved to %1</source>
      <translation>Đã lưu vào %1</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Close</source>
      <translation>Đóng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Saving stopped: %1 Save again to continue where it left off.</source>
      <translation>Đã dừng lưu: %1 Hãy lưu lại để tiếp tục từ chỗ đã dừng.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/privacy_ui.py" />
      <source>Unblock %1</source>
      <translation>Bỏ chặn %1</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/privacy_ui.py" />
      <source>Block %1…</source>
      <translation>Chặn %1…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/privacy_ui.py" />
      <source>Block %1?</source>
      <translation>Chặn %1?</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/privacy_ui.py" />
      <source>%1 will not be told. Their messages will no longer reach you, and neither of you will see the other typing, reading or online. You can unblock them in Settings.</source>
      <translation>%1 sẽ không được báo. Tin nhắn của họ sẽ không đến với bạn nữa, và hai bên sẽ không thấy nhau đang nhập, đã đọc hay trực tuyến. Bạn có thể bỏ chặn họ trong Cài đặt.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/privacy_ui.py" />
      <source>Block</source>
      <translation>Chặn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/privacy_ui.py" />
      <source>Chat menu</source>
      <translation>Menu trò chuyện</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/privacy_ui.py" />
      <source>You blocked %1. Unblock them to write.</source>
      <translation>Bạn đã chặn %1. Hãy bỏ chặn để nhắn tin.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/privacy_ui.py" />
      <source>Privacy</source>
      <translation>Quyền riêng tư</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/privacy_ui.py" />
      <source>Who can see when I'm online</source>
      <translation>Ai có thể thấy khi tôi trực tuyến</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/privacy_ui.py" />
      <source>Who can see when I'm &amp;online</source>
      <translation>Ai có thể thấy khi tôi trực &amp;tuyến</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/privacy_ui.py" />
      <source>Blocked people</source>
      <translation>Người bị chặn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/privacy_ui.py" />
      <source>Unblock</source>
      <translation>Bỏ chặn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/privacy_ui.py" />
      <source>Nobody</source>
      <translation>Không ai</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>That email and password don't match an account.</source>
      <translation>Email và mật khẩu không khớp với tài khoản nào.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>This email address isn't verified yet. Enter the code we sent you.</source>
      <translation>Địa chỉ email này chưa được xác minh. Hãy nhập mã chúng tôi đã gửi cho bạn.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>That code isn't right. Check the email and try again.</source>
      <translation>Mã không đúng. Hãy xem lại email và thử lại.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>That code has expired. Ask for a new one.</source>
      <translation>Mã đã hết hạn. Hãy yêu cầu mã mới.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>Too many wrong codes. Ask for a new one.</source>
      <translation>Nhập sai mã quá nhiều lần. Hãy yêu cầu mã mới.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>Choose a stronger password.</source>
      <translation>Hãy chọn mật khẩu mạnh hơn.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>Please check the highlighted fields.</source>
      <translation>Vui lòng kiểm tra các ô được đánh dấu.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>Too many tries. Please wait %1 seconds.</source>
      <translation>Thử quá nhiều lần. Vui lòng đợi %1 giây.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>Too many tries. Please wait a moment.</source>
      <translation>Thử quá nhiều lần. Vui lòng đợi một lát.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>Your session ended. Please sign in again.</source>
      <translation>Phiên đăng nhập đã hết. Vui lòng đăng nhập lại.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>The server took too long to answer. Check your connection and try again.</source>
      <translation>Máy chủ phản hồi quá lâu. Hãy kiểm tra kết nối và thử lại.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>You're offline. Parley will retry when the connection is back.</source>
      <translation>Bạn đang ngoại tuyến. Parley sẽ thử lại khi có kết nối.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>The server had a problem. Try again in a moment.</source>
      <translation>Máy chủ gặp sự cố. Hãy thử lại sau giây lát.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>Can't reach the server. Check the address and your internet connection.</source>
      <translation>Không kết nối được máy chủ. Hãy kiểm tra địa chỉ và kết nối mạng.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>Something went wrong. Please try again.</source>
      <translation>Đã có lỗi xảy ra. Vui lòng thử lại.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>This file is not a video Parley can play. Send an MP4, MOV, WebM or MKV video.</source>
      <translation>Tệp này không phải video Parley phát được. Hãy gửi video MP4, MOV, WebM hoặc MKV.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>“%1” is not a video Parley can send. Choose an MP4, MOV, WebM or MKV video.</source>
      <translation>“%1” không phải video Parley gửi được. Hãy chọn video MP4, MOV, WebM hoặc MKV.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>This file has no picture, only sound. Send an MP4, MOV, WebM or MKV video.</source>
      <translation>Tệp này chỉ có âm thanh, không có hình. Hãy gửi video MP4, MOV, WebM hoặc MKV.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>The video file is incomplete or damaged.</source>
      <translation>Tệp video bị thiếu hoặc bị hỏng.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>The server could not process this video (it tried %2 times). Try sending it again.</source>
      <translation>Máy chủ không xử lý được video này (đã thử %2 lần). Hãy gửi lại.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>“%1” is empty.</source>
      <translation>“%1” trống.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>“%1” can't be read. Check that the file still exists.</source>
      <translation>Không đọc được “%1”. Hãy kiểm tra tệp còn tồn tại.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/texts.py" />
      <source>“%1” is %3; this server accepts videos up to %4.</source>
      <translation>“%1” nặng %3; máy chủ này chỉ nhận video tối đa %4.</translation>
    </message>
  </context>
  <context>
    <name>Format</name>
    <message>
      <location filename="../../desktop/ui/chat_keys.py" />
      <source>You</source>
      <translation>Bạn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_keys.py" />
      <source>Message deleted</source>
      <translation>Tin nhắn đã bị xoá</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_keys.py" />
      <source>Video: %1</source>
      <translation>Video: %1</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/chat_keys.py" />
      <source>Enter sends, Shift+Enter adds a line, Up edits your last message</source>
      <translation>Enter để gửi, Shift+Enter để xuống dòng, mũi tên lên để sửa tin nhắn gần nhất</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/conversation_delegate.py" />
      <source>typing…</source>
      <translation>đang nhập…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/conversation_delegate.py" />
      <source>online</source>
      <translation>trực tuyến</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/conversation_delegate.py" />
      <source>No messages yet</source>
      <translation>Chưa có tin nhắn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/conversation_delegate.py" />
      <source>Sending: </source>
      <translation>Đang gửi: </translation>
    </message>
    <message>
      <location filename="../../desktop/ui/conversation_delegate.py" />
      <source>You: </source>
      <translation>Bạn: </translation>
    </message>
    <message>
      <location filename="../../desktop/ui/conversation_delegate.py" />
      <source>Video</source>
      <translation>Video</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/message_delegate.py" />
      <source>edited</source>
      <translation>đã sửa</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/message_delegate.py" />
      <source>Unread messages</source>
      <translation>Tin nhắn chưa đọc</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/moment_links.py" />
      <source>Play the video at %1</source>
      <translation>Phát video tại %1</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/search_results.py" />
      <source>%1 in the chat with %2, %3: %4</source>
      <translation>%1 trong cuộc trò chuyện với %2, %3: %4</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Anywhere</source>
      <translation>Mọi nơi</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Chat</source>
      <translation>Trò chuyện</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Video player</source>
      <translation>Trình phát video</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>New chat: find a person</source>
      <translation>Cuộc trò chuyện mới: tìm một người</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Switch to a conversation by name</source>
      <translation>Chuyển đến một cuộc trò chuyện theo tên</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Next conversation</source>
      <translation>Cuộc trò chuyện kế tiếp</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Previous conversation</source>
      <translation>Cuộc trò chuyện trước</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Search all messages</source>
      <translation>Tìm trong mọi tin nhắn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Search people (main window)</source>
      <translation>Tìm người (cửa sổ chính)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Keyboard shortcuts</source>
      <translation>Phím tắt</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Settings</source>
      <translation>Cài đặt</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Quit</source>
      <translation>Thoát</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Search this conversation</source>
      <translation>Tìm trong cuộc trò chuyện này</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Send</source>
      <translation>Gửi</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>New line</source>
      <translation>Xuống dòng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Edit your last message (in an empty message field)</source>
      <translation>Sửa tin nhắn gần nhất của bạn (khi ô nhập trống)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Cancel an edit, else close the chat window</source>
      <translation>Huỷ sửa, nếu không thì đóng cửa sổ trò chuyện</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Close the chat window</source>
      <translation>Đóng cửa sổ trò chuyện</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Attach a video</source>
      <translation>Đính kèm video</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Copy the selected message</source>
      <translation>Sao chép tin nhắn đã chọn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Move between the history, the message field and the buttons</source>
      <translation>Di chuyển giữa lịch sử, ô nhập tin nhắn và các nút</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Play or pause</source>
      <translation>Phát hoặc tạm dừng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Back or forward 5 seconds</source>
      <translation>Lùi hoặc tiến 5 giây</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Volume up or down</source>
      <translation>Tăng hoặc giảm âm lượng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Mute</source>
      <translation>Tắt tiếng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Full screen</source>
      <translation>Toàn màn hình</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Resume where you stopped (when offered)</source>
      <translation>Xem tiếp từ chỗ đã dừng (khi được gợi ý)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Send this moment: a link to the current time, in the chat</source>
      <translation>Gửi khoảnh khắc này: liên kết tới thời điểm hiện tại, vào cuộc trò chuyện</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/video_bubble.py" />
      <source>Couldn't process this video: %1</source>
      <translation>Không xử lý được video này: %1</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/video_bubble.py" />
      <source>Processing…</source>
      <translation>Đang xử lý…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/video_bubble.py" />
      <source>Not sent: %1</source>
      <translation>Chưa gửi: %1</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/video_bubble.py" />
      <source>Uploaded. Processing…</source>
      <translation>Đã tải lên. Đang xử lý…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/video_bubble.py" />
      <source>Paused at %1%</source>
      <translation>Tạm dừng ở %1%</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/video_bubble.py" />
      <source>%1% · offline, will resume</source>
      <translation>%1% · ngoại tuyến, sẽ tiếp tục</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/video_bubble.py" />
      <source>%1% · waiting for the network…</source>
      <translation>%1% · đang chờ mạng…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/video_bubble.py" />
      <source>%1 left</source>
      <translation>còn %1</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/video_bubble.py" />
      <source>%1% · starting…</source>
      <translation>%1% · đang bắt đầu…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/video_bubble.py" />
      <source>Pause</source>
      <translation>Tạm dừng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/video_bubble.py" />
      <source>Resume</source>
      <translation>Tiếp tục</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/video_bubble.py" />
      <source>Cancel</source>
      <translation>Huỷ</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/video_bubble.py" />
      <source>Retry</source>
      <translation>Thử lại</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/widgets.py" />
      <source>Today</source>
      <translation>Hôm nay</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/widgets.py" />
      <source>Yesterday</source>
      <translation>Hôm qua</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/widgets.py" />
      <source>offline</source>
      <translation>ngoại tuyến</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/widgets.py" />
      <source>last seen just now</source>
      <translation>vừa mới truy cập</translation>
    </message>
    <message numerus="yes">
      <location filename="../../desktop/ui/widgets.py" />
      <source>last seen %n min ago</source>
      <translation>
        <numerusform>truy cập %n phút trước</numerusform>
      </translation>
    </message>
    <message>
      <location filename="../../desktop/ui/widgets.py" />
      <source>last seen today at %1</source>
      <translation>truy cập hôm nay lúc %1</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/widgets.py" />
      <source>last seen yesterday at %1</source>
      <translation>truy cập hôm qua lúc %1</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/widgets.py" />
      <source>last seen %1</source>
      <translation>truy cập ngày %1</translation>
    </message>
  </context>
  <context>
    <name>HostServerDialog</name>
    <message>
      <location filename="../../desktop/ui/host_dialog.py" />
      <source>Host a server — Parley</source>
      <translation>Chạy máy chủ — Parley</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/host_dialog.py" />
      <source>Run a Parley server on this computer so a small team can chat. It keeps its data in your user folder and stops when you quit Parley.</source>
      <translation>Chạy một máy chủ Parley trên máy này để một nhóm nhỏ trò chuyện. Dữ liệu được lưu trong thư mục người dùng của bạn và máy chủ dừng khi bạn thoát Parley.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/host_dialog.py" />
      <source>Server status</source>
      <translation>Trạng thái máy chủ</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/host_dialog.py" />
      <source>Address for others</source>
      <translation>Địa chỉ cho người khác</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/host_dialog.py" />
      <source>Copy address</source>
      <translation>Sao chép địa chỉ</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/host_dialog.py" />
      <source>Start server</source>
      <translation>Khởi động máy chủ</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/host_dialog.py" />
      <source>Stop server</source>
      <translation>Dừng máy chủ</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/host_dialog.py" />
      <source>Sign in to this server</source>
      <translation>Đăng nhập vào máy chủ này</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/host_dialog.py" />
      <source>Open mail outbox</source>
      <translation>Mở hộp thư đi</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/host_dialog.py" />
      <source>Verification codes are written here as .eml files</source>
      <translation>Mã xác minh được ghi vào đây dưới dạng tệp .eml</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/host_dialog.py" />
      <source>The server is not running.</source>
      <translation>Máy chủ chưa chạy.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/host_dialog.py" />
      <source>Starting the server…</source>
      <translation>Đang khởi động máy chủ…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/host_dialog.py" />
      <source>The server is running. People on your network connect with this address (this computer itself can use %1):</source>
      <translation>Máy chủ đang chạy. Mọi người trong mạng của bạn kết nối bằng địa chỉ này (chính máy này có thể dùng %1):</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/host_dialog.py" />
      <source>The server could not start.</source>
      <translation>Không khởi động được máy chủ.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/host_dialog.py" />
      <source>The server is stopped.</source>
      <translation>Máy chủ đã dừng.</translation>
    </message>
  </context>
  <context>
    <name>LoginWindow</name>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Sign in — Parley</source>
      <translation>Đăng nhập — Parley</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Welcome back to Parley.</source>
      <translation>Chào mừng trở lại Parley.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Welcome to Parley. Sign in, or create an account below.</source>
      <translation>Chào mừng bạn đến với Parley. Hãy đăng nhập hoặc tạo tài khoản bên dưới.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Sign in</source>
      <translation>Đăng nhập</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Email</source>
      <translation>Email</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Password</source>
      <translation>Mật khẩu</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Forgot password?</source>
      <translation>Quên mật khẩu?</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Create account</source>
      <translation>Tạo tài khoản</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Server address</source>
      <translation>Địa chỉ máy chủ</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>The Parley server you use. Parley remembers it.</source>
      <translation>Máy chủ Parley bạn dùng. Parley sẽ ghi nhớ địa chỉ này.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>No server? Host one on this computer</source>
      <translation>Chưa có máy chủ? Chạy một máy chủ trên máy này</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>It takes a minute. We'll email you a code.</source>
      <translation>Chỉ mất một phút. Chúng tôi sẽ gửi mã qua email.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Your name</source>
      <translation>Tên của bạn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>How people see you, 1 to 64 characters.</source>
      <translation>Tên mọi người sẽ thấy, từ 1 đến 64 ký tự.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>I already have an account</source>
      <translation>Tôi đã có tài khoản</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Check your email</source>
      <translation>Kiểm tra email của bạn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Verify</source>
      <translation>Xác minh</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>6-digit code</source>
      <translation>Mã 6 chữ số</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Send a new code</source>
      <translation>Gửi mã mới</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Back to sign in</source>
      <translation>Quay lại đăng nhập</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Reset your password</source>
      <translation>Đặt lại mật khẩu</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>We'll email you a code to choose a new password.</source>
      <translation>Chúng tôi sẽ gửi mã qua email để bạn đặt mật khẩu mới.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Send code</source>
      <translation>Gửi mã</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Choose a new password</source>
      <translation>Chọn mật khẩu mới</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Change password</source>
      <translation>Đổi mật khẩu</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>New password</source>
      <translation>Mật khẩu mới</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>We sent a 6-digit code to %1. Type it here.</source>
      <translation>Chúng tôi đã gửi mã 6 chữ số tới %1. Hãy nhập mã vào đây.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Parley couldn't use this computer's keyring (the system's safe store for passwords), so it could not keep you signed in. Sign in again. Until a keyring is available (for example GNOME Keyring or KWallet), Parley asks for your password each time it starts.</source>
      <translation>Parley không dùng được keyring của máy này (kho lưu mật khẩu an toàn của hệ thống) nên không giữ được phiên đăng nhập. Hãy đăng nhập lại. Cho đến khi có keyring (ví dụ GNOME Keyring hoặc KWallet), Parley sẽ hỏi mật khẩu mỗi lần khởi động.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Enter the address of your Parley server.</source>
      <translation>Hãy nhập địa chỉ máy chủ Parley của bạn.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Enter your email address.</source>
      <translation>Hãy nhập địa chỉ email.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Enter your password.</source>
      <translation>Hãy nhập mật khẩu.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Signing in…</source>
      <translation>Đang đăng nhập…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Verify your email address first.</source>
      <translation>Hãy xác minh địa chỉ email trước.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Enter your name.</source>
      <translation>Hãy nhập tên của bạn.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>That doesn't look like an email address.</source>
      <translation>Đây không giống địa chỉ email.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Use at most 64 characters.</source>
      <translation>Dùng tối đa 64 ký tự.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Creating account…</source>
      <translation>Đang tạo tài khoản…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>The code has 6 digits.</source>
      <translation>Mã gồm 6 chữ số.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Checking…</source>
      <translation>Đang kiểm tra…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>We sent a new code.</source>
      <translation>Đã gửi mã mới.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Sending…</source>
      <translation>Đang gửi…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>If %1 has an account, we sent it a 6-digit code.</source>
      <translation>Nếu %1 có tài khoản, chúng tôi đã gửi mã 6 chữ số tới địa chỉ đó.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Changing password…</source>
      <translation>Đang đổi mật khẩu…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Your password was changed. Sign in with the new one.</source>
      <translation>Đã đổi mật khẩu. Hãy đăng nhập bằng mật khẩu mới.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>At least %1 characters (at most %2).</source>
      <translation>Ít nhất %1 ký tự (tối đa %2).</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Unencrypted connection allowed for this server. Press the button again.</source>
      <translation>Đã cho phép kết nối không mã hoá với máy chủ này. Hãy bấm nút lần nữa.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Use an https:// address, or ask the server's admin to set up HTTPS.</source>
      <translation>Hãy dùng địa chỉ https://, hoặc nhờ quản trị viên máy chủ thiết lập HTTPS.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/login_window.py" />
      <source>Send a new code in %1 s</source>
      <translation>Gửi mã mới sau %1 giây</translation>
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Parley</source>
      <translation>Parley</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Menu</source>
      <translation>Menu</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Settings…</source>
      <translation>Cài đặt…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Quit</source>
      <translation>Thoát</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Host a server on this computer…</source>
      <translation>Chạy máy chủ trên máy này…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Server status…</source>
      <translation>Trạng thái máy chủ…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Sign out</source>
      <translation>Đăng xuất</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Dismiss</source>
      <translation>Đóng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Search people and messages</source>
      <translation>Tìm người và tin nhắn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Conversations</source>
      <translation>Cuộc trò chuyện</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>No conversations yet.
Search for a person above to start one.</source>
      <translation>Chưa có cuộc trò chuyện nào.
Hãy tìm một người ở trên để bắt đầu.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>People found</source>
      <translation>Kết quả tìm kiếm</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>People</source>
      <translation>Mọi người</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Choose a conversation</source>
      <translation>Chọn một cuộc trò chuyện</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Connecting…</source>
      <translation>Đang kết nối…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Connection status</source>
      <translation>Trạng thái kết nối</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Retry now</source>
      <translation>Thử lại ngay</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Your system has no usable keyring, so Parley can't remember this sign-in. You'll be asked to sign in again next time.</source>
      <translation>Hệ thống của bạn không có keyring dùng được nên Parley không thể ghi nhớ lần đăng nhập này. Lần sau bạn sẽ cần đăng nhập lại.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Online</source>
      <translation>Trực tuyến</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Offline</source>
      <translation>Ngoại tuyến</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Offline — retrying in %1 s</source>
      <translation>Ngoại tuyến — thử lại sau %1 giây</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Offline — retrying…</source>
      <translation>Ngoại tuyến — đang thử lại…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Searching…</source>
      <translation>Đang tìm…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>Nobody found. Try a full email address.</source>
      <translation>Không tìm thấy ai. Hãy thử địa chỉ email đầy đủ.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/main_window.py" />
      <source>online</source>
      <translation>trực tuyến</translation>
    </message>
  </context>
  <context>
    <name>MessageResults</name>
    <message>
      <location filename="../../desktop/ui/search_panel.py" />
      <source>Messages</source>
      <translation>Tin nhắn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/search_panel.py" />
      <source>Messages found</source>
      <translation>Tin nhắn tìm thấy</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/search_panel.py" />
      <source>Searching…</source>
      <translation>Đang tìm…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/search_panel.py" />
      <source>No messages found.</source>
      <translation>Không tìm thấy tin nhắn nào.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/search_panel.py" />
      <source>1 message found.</source>
      <translation>Tìm thấy 1 tin nhắn.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/search_panel.py" />
      <source>%1 messages found.</source>
      <translation>Tìm thấy %1 tin nhắn.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/search_panel.py" />
      <source>Offline: only the messages on this device were searched.</source>
      <translation>Ngoại tuyến: chỉ tìm trong các tin nhắn trên máy này.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/search_panel.py" />
      <source>Too many searches for the server just now: only the messages on this device were searched.</source>
      <translation>Máy chủ đang nhận quá nhiều lượt tìm: chỉ tìm trong các tin nhắn trên máy này.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/search_panel.py" />
      <source>The server could not search: only the messages on this device were searched.</source>
      <translation>Máy chủ không tìm được: chỉ tìm trong các tin nhắn trên máy này.</translation>
    </message>
  </context>
  <context>
    <name>Navigation</name>
    <message>
      <location filename="../../desktop/ui/navigation.py" />
      <source>New chat</source>
      <translation>Cuộc trò chuyện mới</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/navigation.py" />
      <source>Go to a conversation…</source>
      <translation>Đến một cuộc trò chuyện…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/navigation.py" />
      <source>Next conversation</source>
      <translation>Cuộc trò chuyện kế tiếp</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/navigation.py" />
      <source>Previous conversation</source>
      <translation>Cuộc trò chuyện trước</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/navigation.py" />
      <source>Search messages…</source>
      <translation>Tìm tin nhắn…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/navigation.py" />
      <source>Keyboard shortcuts</source>
      <translation>Phím tắt</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/navigation.py" />
      <source>Help</source>
      <translation>Trợ giúp</translation>
    </message>
  </context>
  <context>
    <name>PlayerWindow</name>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>%1 — Parley</source>
      <translation>%1 — Parley</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Video</source>
      <translation>Video</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Save video as…</source>
      <translation>Lưu video thành…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Play or pause</source>
      <translation>Phát hoặc tạm dừng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Play / pause (Space)</source>
      <translation>Phát / tạm dừng (Space)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Position</source>
      <translation>Vị trí</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Time</source>
      <translation>Thời gian</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Mute</source>
      <translation>Tắt tiếng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Mute (M)</source>
      <translation>Tắt tiếng (M)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Volume</source>
      <translation>Âm lượng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Full screen</source>
      <translation>Toàn màn hình</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Full screen (F, double click; Esc leaves)</source>
      <translation>Toàn màn hình (F, nhấp đúp; Esc để thoát)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Save video as</source>
      <translation>Lưu video thành</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Download progress</source>
      <translation>Tiến độ tải xuống</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Send this moment</source>
      <translation>Gửi khoảnh khắc này</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Put a link to this moment in the chat (%1)</source>
      <translation>Chèn liên kết tới khoảnh khắc này vào cuộc trò chuyện (%1)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Playing</source>
      <translation>Đang phát</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Paused</source>
      <translation>Đã tạm dừng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>The video stopped: %1. Check your connection and open it again.</source>
      <translation>Video đã dừng: %1. Hãy kiểm tra kết nối và mở lại.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>network error</source>
      <translation>lỗi mạng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>the link expired</source>
      <translation>liên kết đã hết hạn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Parley can't play “%1” on this computer: its format is not supported here. Save it and open it with another video player.</source>
      <translation>Parley không phát được “%1” trên máy này: định dạng không được hỗ trợ. Hãy lưu lại và mở bằng trình phát video khác.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>this video</source>
      <translation>video này</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Saving %p%</source>
      <translation>Đang lưu %p%</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Saved</source>
      <translation>Đã lưu</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/player_window.py" />
      <source>Saving stopped: %1 Try again to continue where it left off.</source>
      <translation>Đã dừng lưu: %1 Hãy thử lại để tiếp tục từ chỗ đã dừng.</translation>
    </message>
  </context>
  <context>
    <name>QualityButton</name>
    <message>
      <location filename="../../desktop/ui/quality_menu.py" />
      <source>Quality</source>
      <translation>Chất lượng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/quality_menu.py" />
      <source>Video quality</source>
      <translation>Chất lượng video</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/quality_menu.py" />
      <source>Source (%1p)</source>
      <translation>Gốc (%1p)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/quality_menu.py" />
      <source>Source</source>
      <translation>Gốc</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/quality_menu.py" />
      <source>Auto</source>
      <translation>Tự động</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/quality_menu.py" />
      <source>Auto (%1)</source>
      <translation>Tự động (%1)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/quality_menu.py" />
      <source>Original</source>
      <translation>Bản gốc</translation>
    </message>
  </context>
  <context>
    <name>QuickSwitcher</name>
    <message>
      <location filename="../../desktop/ui/quick_switcher.py" />
      <source>Go to a conversation — Parley</source>
      <translation>Đến một cuộc trò chuyện — Parley</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/quick_switcher.py" />
      <source>Conversations</source>
      <translation>Cuộc trò chuyện</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/quick_switcher.py" />
      <source>Type a name</source>
      <translation>Nhập tên</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/quick_switcher.py" />
      <source>Conversation name</source>
      <translation>Tên cuộc trò chuyện</translation>
    </message>
  </context>
  <context>
    <name>ResumeOffer</name>
    <message>
      <location filename="../../desktop/ui/resume_offer.py" />
      <source>You stopped here last time.</source>
      <translation>Lần trước bạn đã dừng ở đây.</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/resume_offer.py" />
      <source>Start from the beginning</source>
      <translation>Xem từ đầu</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/resume_offer.py" />
      <source>Start from the beginning (dismiss)</source>
      <translation>Xem từ đầu (bỏ qua)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/resume_offer.py" />
      <source>Resume from %1</source>
      <translation>Xem tiếp từ %1</translation>
    </message>
  </context>
  <context>
    <name>SearchDialog</name>
    <message>
      <location filename="../../desktop/ui/search_panel.py" />
      <source>Search messages — Parley</source>
      <translation>Tìm tin nhắn — Parley</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/search_panel.py" />
      <source>Search in the chat with %1 — Parley</source>
      <translation>Tìm trong cuộc trò chuyện với %1 — Parley</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/search_panel.py" />
      <source>Search messages</source>
      <translation>Tìm tin nhắn</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/search_panel.py" />
      <source>Search this conversation</source>
      <translation>Tìm trong cuộc trò chuyện này</translation>
    </message>
  </context>
  <context>
    <name>SettingsDialog</name>
    <message>
      <location filename="../../desktop/ui/settings_dialog.py" />
      <source>Settings — Parley</source>
      <translation>Cài đặt — Parley</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/settings_dialog.py" />
      <source>Language</source>
      <translation>Ngôn ngữ</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/settings_dialog.py" />
      <source>System default</source>
      <translation>Theo hệ thống</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/settings_dialog.py" />
      <source>&amp;Language</source>
      <translation>&amp;Ngôn ngữ</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/settings_dialog.py" />
      <source>Appearance</source>
      <translation>Giao diện</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/settings_dialog.py" />
      <source>Follow the system</source>
      <translation>Theo hệ thống</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/settings_dialog.py" />
      <source>Light</source>
      <translation>Sáng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/settings_dialog.py" />
      <source>Dark</source>
      <translation>Tối</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/settings_dialog.py" />
      <source>&amp;Appearance</source>
      <translation>&amp;Giao diện</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/settings_dialog.py" />
      <source>Show a notification for new messages</source>
      <translation>Hiện thông báo khi có tin nhắn mới</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/settings_dialog.py" />
      <source>Open chats in the main window (one window)</source>
      <translation>Mở cuộc trò chuyện trong cửa sổ chính (một cửa sổ)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/settings_dialog.py" />
      <source>A new language applies the next time Parley starts.</source>
      <translation>Ngôn ngữ mới có hiệu lực từ lần mở Parley tiếp theo.</translation>
    </message>
  </context>
  <context>
    <name>ShortcutsDialog</name>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Keyboard shortcuts — Parley</source>
      <translation>Phím tắt — Parley</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Keyboard shortcuts</source>
      <translation>Phím tắt</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Where</source>
      <translation>Ở đâu</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Keys</source>
      <translation>Phím</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/shortcuts_dialog.py" />
      <source>Action</source>
      <translation>Thao tác</translation>
    </message>
  </context>
  <context>
    <name>StatusWindow</name>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Server status — Parley</source>
      <translation>Trạng thái máy chủ — Parley</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Server status</source>
      <translation>Trạng thái máy chủ</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Loading…</source>
      <translation>Đang tải…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>&amp;Refresh</source>
      <translation>&amp;Làm mới</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Refresh now</source>
      <translation>Làm mới ngay</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Users</source>
      <translation>Người dùng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Health</source>
      <translation>Tình trạng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Messages per day (last 14 days, UTC)</source>
      <translation>Tin nhắn mỗi ngày (14 ngày qua, giờ UTC)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Video processing</source>
      <translation>Xử lý video</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Mail (last 24 hours)</source>
      <translation>Thư (24 giờ qua)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Storage</source>
      <translation>Lưu trữ</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Biggest users of storage</source>
      <translation>Người dùng nhiều dung lượng nhất</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Person</source>
      <translation>Người dùng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Email</source>
      <translation>Email</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Videos</source>
      <translation>Video</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Space</source>
      <translation>Dung lượng</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Select a person to fill in the account field below</source>
      <translation>Chọn một người để điền vào ô tài khoản bên dưới</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>API documentation</source>
      <translation>Tài liệu API</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Admin guide</source>
      <translation>Hướng dẫn quản trị</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>unknown</source>
      <translation>không rõ</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Accounts: %1 · verified: %2 · disabled: %3 · admins: %4</source>
      <translation>Tài khoản: %1 · đã xác minh: %2 · bị vô hiệu hoá: %3 · quản trị viên: %4</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Online now: %1 · active in the last 7 days: %2</source>
      <translation>Đang trực tuyến: %1 · hoạt động trong 7 ngày qua: %2</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Parley %1 · up %2 · updated %3</source>
      <translation>Parley %1 · chạy được %2 · cập nhật lúc %3</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>%1 today, %2 in 14 days</source>
      <translation>%1 hôm nay, %2 trong 14 ngày</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>%1 waiting or processing, the oldest for %2</source>
      <translation>%1 đang chờ hoặc đang xử lý, lâu nhất đã %2</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Nothing waiting</source>
      <translation>Không có gì đang chờ</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>%1 failed in the last 24 hours</source>
      <translation>%1 lỗi trong 24 giờ qua</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>%1 sent, %2 failed</source>
      <translation>%1 đã gửi, %2 lỗi</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Last error (%1): %2</source>
      <translation>Lỗi gần nhất (%1): %2</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>No errors</source>
      <translation>Không có lỗi</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Database</source>
      <translation>Cơ sở dữ liệu</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>Mail</source>
      <translation>Thư</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>%1 used by %2 video(s) · %3 being uploaded</source>
      <translation>%2 video dùng %1 · %3 đang tải lên</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>%1 d %2 h</source>
      <translation>%1 ngày %2 giờ</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>%1 h %2 min</source>
      <translation>%1 giờ %2 phút</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>%1 min</source>
      <translation>%1 phút</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/status_window.py" />
      <source>%1 s</source>
      <translation>%1 giây</translation>
    </message>
  </context>
  <context>
    <name>Tray</name>
    <message>
      <location filename="../../desktop/ui/tray.py" />
      <source>Open Parley</source>
      <translation>Mở Parley</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/tray.py" />
      <source>Quit</source>
      <translation>Thoát</translation>
    </message>
    <message numerus="yes">
      <location filename="../../desktop/ui/tray.py" />
      <source>Parley — %n unread</source>
      <translation>
        <numerusform>Parley — %n chưa đọc</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>VideoAttach</name>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Attach a video</source>
      <translation>Đính kèm video</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Attach a video (or drop one here, or paste it)</source>
      <translation>Đính kèm video (hoặc kéo thả, hoặc dán vào đây)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Send a video</source>
      <translation>Gửi video</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Pause upload</source>
      <translation>Tạm dừng tải lên</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Resume upload</source>
      <translation>Tiếp tục tải lên</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Try again</source>
      <translation>Thử lại</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Cancel upload</source>
      <translation>Huỷ tải lên</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Play video</source>
      <translation>Phát video</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/attach.py" />
      <source>Save video as…</source>
      <translation>Lưu video thành…</translation>
    </message>
  </context>
</TS>
