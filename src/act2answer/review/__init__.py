"""Human review of a suite in the browser: ``act2answer review DIR``."""

from act2answer.review.server import ReviewStore, make_server, serve

__all__ = ["ReviewStore", "make_server", "serve"]
