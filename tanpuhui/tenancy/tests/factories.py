import factory

from tanpuhui.tenancy.models import Centre, Region


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "GD"
    name_zh = "广东省"
    name_en = "Guangdong"


class ProvincialCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre
        django_get_or_create = ["code"]

    code = "GDPC"
    name_zh = "广东碳普惠发展中心"
    name_en = "Guangdong Development Centre"
    kind = Centre.Kind.PROVINCIAL
    region = factory.SubFactory(RegionFactory)


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"C{n}")
    name_zh = factory.LazyAttribute(lambda o: f"{o.code}运营中心")
    name_en = factory.LazyAttribute(lambda o: f"{o.code} Operation Centre")
    city_zh = "广州"
    city_en = "Guangzhou"
    kind = Centre.Kind.CITY
    region = factory.SubFactory(RegionFactory)
    parent = factory.SubFactory(ProvincialCentreFactory)
