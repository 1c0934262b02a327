from django.db.models import QuerySet

from tanpuhui.labels.models import ProductCategoryRule, Study


def pcr_list() -> QuerySet[ProductCategoryRule]:
    return ProductCategoryRule.objects.all()


def study_list() -> QuerySet[Study]:
    return Study.objects.select_related("pcr", "enterprise")


def study_detail() -> QuerySet[Study]:
    return Study.objects.select_related("pcr", "enterprise").prefetch_related("lines")
