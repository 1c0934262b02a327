from django.contrib.auth.backends import ModelBackend

from tanpuhui.accounts.models import User


class PhoneOrEmailBackend(ModelBackend):
    """Log in with a mobile number or an e-mail address, looked up by its normal form only."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username or kwargs.get("phone") or ""
        if not username or password is None:
            return None
        user = User.objects.get_by_identifier(username)
        if user is None:
            User().set_password(password)  # same work either way: no timing oracle for unknown users
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
