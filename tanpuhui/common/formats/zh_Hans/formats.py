"""Simplified Chinese number and date formats, as the product shows them.

Django's own zh_Hans formats group digits by four with no separator (12345678); the platform's
figures follow the usual practice of Chinese government and financial pages instead: a comma every
three digits (12,345,678.00). Month and day without a leading zero ("3月2日").
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
MONTH_DAY_FORMAT = "n月j日"
