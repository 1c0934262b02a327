"""The embedded filesystem broker creates its folders before publishing (a fresh ``var/`` has none)."""

from tanpuhui.celery import app, filesystem_queue_folders


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
    filesystem_queue_folders(sender="ledger.convert_reductions")
    assert all((tmp_path / "var" / name).is_dir() for name in ("queue", "queue-processed", "queue-control"))


def test_redis_broker_needs_no_folders(monkeypatch):
    app.conf.get("broker_transport_options")
    monkeypatch.setitem(app.conf, "broker_transport_options", {})
    filesystem_queue_folders(sender="ledger.convert_reductions")  # nothing to create, no error
