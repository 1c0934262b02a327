"""Wall-test declarations: the WeChat channel adds no audience of its own. Its routes use the
existing ones (``common/tests/test_walls.py`` and ``test_pages.py`` check them): the server endpoint
and the bind/register pages are public (the endpoint is guarded by WeChat's signature instead, see
``test_inbound.py``), ``me/wechat/`` is the resident's, ``wechat/jssdk/`` any signed-in user's,
``staff/wechat/`` the staff's (only the centre's operators may change it, ``test_staff.py``)."""

MEMBERS: dict = {}
AUDIENCE_MEMBER: dict = {}
OBJECTS: dict = {}
