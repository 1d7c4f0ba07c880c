"""act2answer: does a robot policy still know what its vision-language model knew?"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("act2answer")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
