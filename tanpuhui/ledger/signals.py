"""Hooks the ledger offers to the contexts above it (they connect in their ``AppConfig.ready()``).

``coins_converted`` is sent once a conversion run (every chunk one call claimed) is posted, with ``run_id`` (a ``ConversionRun`` pk). Receivers read the run's ``CoinAward`` rows and
conversion transfers (cause ``ledger.conversionrun``/run id); the message centre builds each
resident's "coins earned" notification from them.
"""

import django.dispatch

coins_converted = django.dispatch.Signal()
