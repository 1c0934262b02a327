from django.conf import settings
from django.utils import translation


class LanguageMiddleware:
    """Simplified Chinese unless the visitor chose otherwise.

    The choice comes from ``?lang=`` (kept in the language cookie by the switch view) or the
    cookie itself; the browser's Accept-Language is deliberately ignored so the product
    opens in Chinese for everyone, as the operation centres asked.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.GET.get("lang") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if request.GET.get("lang") in self.supported:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 86400, samesite="Lax")
        translation.deactivate()
        return response
