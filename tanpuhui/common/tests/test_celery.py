"""The embedded filesystem broker creates its folders before publishing (a fresh ``var/`` has none)."""

from celery.signals import before_task_publish

from tanpuhui.celery import app

FOLDERS = ("queue", "queue-processed", "queue-control")


def test_queue_folders_are_created_before_publishing(tmp_path, monkeypatch):
    options = {
        "data_folder_in": str(tmp_path / "var" / "queue"),
        "data_folder_out": str(tmp_path / "var" / "queue"),
        "processed_folder": str(tmp_path / "var" / "queue-processed"),
        "control_folder": str(tmp_path / "var" / "queue-control"),
        "store_processed": False,
    }
    app.conf.get("broker_transport_options")  # finalise the lazy configuration first
    monkeypatch.setitem(app.conf, "broker_transport_options", options)
    assert not (tmp_path / "var").exists()
    # Through Celery's own signal, as a publish does: proves the hook is connected, not only callable.
    before_task_publish.send(sender="ledger.convert_reductions")
    assert all((tmp_path / "var" / name).is_dir() for name in FOLDERS)


def test_redis_broker_needs_no_folders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a default folder would appear here
    app.conf.get("broker_transport_options")
    monkeypatch.setitem(app.conf, "broker_transport_options", {"visibility_timeout": 3600})
    before_task_publish.send(sender="ledger.convert_reductions")  # nothing to create, no error
    assert list(tmp_path.iterdir()) == []
