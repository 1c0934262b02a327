"""Wall-test declarations of the message centre (see ``common/tests/walls.py``): a resident's own
messages only."""

from tanpuhui.notifications.models import Kind, Notification


def _notification(owner) -> Notification:
    return Notification.objects.create(
        recipient=owner, kind=Kind.COINS_EARNED, cause_type="test", cause_id=str(owner.pk), coins=5
    )


OBJECTS = {("resident", Notification): _notification}
