"""Chart colours per behaviour: the Okabe–Ito palette, safe for the common colour-vision deficiencies.

The stylesheet declares them as CSS custom properties (``--mode-metro`` …, hyphenated); charts use
``var(--mode-…, <this fallback>)`` so a page without the stylesheet still draws the same colours.
"""

OKABE_ITO = {
    "metro": "#0072b2",  # blue
    "bus": "#e69f00",  # orange
    "cycling": "#009e73",  # bluish green
    "walking": "#cc79a7",  # reddish purple
    "electricity_saving": "#f0e442",  # yellow
    "water_saving": "#56b4e9",  # sky blue
    "gas_saving": "#d55e00",  # vermillion
    "afforestation": "#000000",  # black
    "forest_management": "#999999",  # grey
}
NEUTRAL = "#555555"


def mode_colour(behaviour: str) -> str:
    """``var(--mode-metro, #0072b2)``: a fill or background for one behaviour."""
    return f"var(--mode-{behaviour.replace('_', '-')}, {OKABE_ITO.get(behaviour, NEUTRAL)})"
