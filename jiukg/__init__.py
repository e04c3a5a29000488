"""jiukg: a knowledge graph of JIU recommendations and what the UN system did about them."""


def __getattr__(name: str):
    """`jiukg.__version__`, read from the installed metadata when first asked for: importlib.metadata
    costs tens of milliseconds at start-up, which every command (restore above all) would pay."""
    if name != "__version__":
        raise AttributeError(f"module 'jiukg' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("jiukg")
    except PackageNotFoundError:  # running from a source tree that was not installed
        value = "0.0.0+source"
    globals()["__version__"] = value
    return value
