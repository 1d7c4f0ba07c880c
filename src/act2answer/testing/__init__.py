"""Public test doubles for ``act2answer run --dry-run``: tiny models, not real ones.

``act2answer run --policy ADAPTER --dry-run`` builds a tiny model of the
adapter's class here (:mod:`.tiny`) and evaluates it on a one-item suite
(:mod:`.dryrun`). LeRobot's SmolVLA is its real class with random weights, so
a dry run with it checks the user's stack; the remote-code stand-ins
(``tiny.standin_*``) only have the documented signatures of the upstream
models and prove act2answer's plumbing around the call, not the user's
installed model code. Nothing else in act2answer imports this package.
"""
