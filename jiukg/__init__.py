"""jiukg: a knowledge graph of JIU recommendations and what the UN system did about them."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("jiukg")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"
