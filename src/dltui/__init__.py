"""dltui: a terminal tutor for the NYU Deep Learning course."""

__version__ = "0.1.0"
