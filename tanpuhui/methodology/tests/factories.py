from datetime import date
from decimal import Decimal

import factory

from tanpuhui.methodology.models import Methodology, MethodologyVersion, Parameter, VersionParameter


class MethodologyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Methodology
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test_method_{n}")
    behaviour = factory.LazyAttribute(lambda o: o.code)
    name_zh = "测试方法学"
    name_en = "Test methodology"


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MethodologyVersion

    methodology = factory.SubFactory(MethodologyFactory)
    label = factory.Sequence(lambda n: f"t{n}")
    formula = "transit_per_trip"
    effective_from = date(2020, 1, 1)
    source_text = "test source"


class ParameterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Parameter

    code = factory.Sequence(lambda n: f"test_param_{n}")
    name_zh = "测试参数"
    name_en = "Test parameter"
    value = Decimal("1")
    unit = "kg_co2e/trip"
    region = "national"
    source_publication = "Test publication"
    source_issuer = "Test issuer"
    source_year = 2024
    valid_from = date(2016, 1, 1)


class LinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VersionParameter

    version = factory.SubFactory(VersionFactory)
    slot = "trip_factor"
    code = "test"
    regions = "national"
