import django.dispatch

reductions_quantified = django.dispatch.Signal()
