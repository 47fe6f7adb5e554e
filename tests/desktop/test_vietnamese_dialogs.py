"""Qt's own dialogs in Vietnamese: OK and Cancel in Settings, the whole file dialog and our video filter.

Qt ships no ``qtbase_vi.qm``, so ``resources/translations/qt_vi.ts`` carries those strings (issue 12).
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QDialogButtonBox, QFileDialog, QLabel, QTreeView

from desktop import i18n
from desktop.qt.settings import Settings
from desktop.ui.attach import video_filter
from desktop.ui.settings_dialog import SettingsDialog
from tests.desktop.conftest import ROOT

SHOTS = ROOT / "screenshots"


@pytest.fixture
def vietnamese(qapp: Any, tmp_path: Path) -> Iterator[None]:
    installed = i18n.install(qapp, "vi", tmp_path / "qm")
    try:
        yield
    finally:
        i18n.uninstall(qapp, installed)


def test_settings_ok_and_cancel_are_vietnamese(qtbot: Any, tmp_path: Path, vietnamese: None) -> None:
    dialog = SettingsDialog(Settings(tmp_path / "s.ini"))
    qtbot.addWidget(dialog)
    [box] = dialog.findChildren(QDialogButtonBox)
    assert box.button(QDialogButtonBox.StandardButton.Ok).text() == "Đồng ý"
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Huỷ"
    dialog.show()
    qtbot.waitExposed(dialog)
    SHOTS.mkdir(exist_ok=True)
    assert dialog.grab().save(str(SHOTS / "settings-vi.png"))


def test_the_file_dialog_and_the_video_filter_are_vietnamese(qtbot: Any, tmp_path: Path, vietnamese: None) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"\0" * 2048)
    (tmp_path / "folder").mkdir()
    assert video_filter() == "Video (*.mp4 *.m4v *.mov *.webm *.mkv);;Tất cả tệp (*)"
    dialog = QFileDialog(None, "Gửi video", str(tmp_path), video_filter())
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)  # Qt's own, as on a desktop without a portal
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    qtbot.addWidget(dialog)
    dialog.resize(640, 420)
    dialog.show()
    qtbot.waitExposed(dialog)
    labels = {w.text() for w in dialog.findChildren(QLabel)}
    assert {"&Tìm trong:", "&Tên tệp:", "&Loại tệp:"} <= labels, labels
    buttons = {b.text() for b in dialog.findChildren(QAbstractButton) if b.text()}
    assert {"&Mở", "Huỷ"} <= buttons, buttons
    [types] = [c for c in dialog.findChildren(QComboBox) if c.objectName() == "fileTypeCombo"]
    assert [types.itemText(i) for i in range(types.count())] == ["Video (*.mp4 *.m4v *.mov *.webm *.mkv)",
                                                                  "Tất cả tệp (*)"]
    [tree] = dialog.findChildren(QTreeView)  # the detail view's column titles
    model = tree.model()
    names = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert names == ["Tên", "Kích thước", "Loại", "Ngày sửa"], names
    qtbot.waitUntil(lambda: model.rowCount(tree.rootIndex()) >= 2, timeout=5000)  # listed (async) before the shot
    tree.setColumnWidth(0, 200)
    SHOTS.mkdir(exist_ok=True)
    assert dialog.grab().save(str(SHOTS / "file-dialog-vi.png"))


def test_english_is_back_after_uninstall(qtbot: Any, tmp_path: Path, qapp: Any) -> None:
    installed = i18n.install(qapp, "vi", tmp_path / "qm")
    i18n.uninstall(qapp, installed)
    dialog = SettingsDialog(Settings(tmp_path / "s.ini"))
    qtbot.addWidget(dialog)
    [box] = dialog.findChildren(QDialogButtonBox)
    assert box.button(QDialogButtonBox.StandardButton.Ok).text() == "OK"


def test_day_and_weekday_names_follow_the_language(qapp: Any, tmp_path: Path) -> None:
    from datetime import date

    from desktop.ui.widgets import day_label

    today = date(2026, 11, 27)  # a Friday
    assert day_label(date(2026, 11, 24), today) == "Tuesday"
    assert day_label(date(2026, 3, 5), today) == "5 March 2026"
    installed = i18n.install(qapp, "vi", tmp_path / "qm")
    try:
        assert day_label(date(2026, 11, 24), today) == "Thứ Ba"
        assert day_label(date(2026, 3, 5), today) == "5 tháng 3 2026"
    finally:
        i18n.uninstall(qapp, installed)
