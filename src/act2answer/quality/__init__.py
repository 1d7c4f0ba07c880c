"""Is a suite fit to measure with? Every suite-quality tool in one place.

* :mod:`.check`: ``act2answer suite check`` (format, images, duplicates).
* :mod:`.audit`: the shortcut audit (needs scikit-learn, the ``analysis`` extra).
* :mod:`.preview`: first frames and a contact sheet (needs the simulator).
* :mod:`.pixel_checks`: pixel heuristics that read a generated image back.
* :mod:`.frame_checks`: what the robot camera really sees of the two tiles.

The modules are imported on demand; this package imports nothing heavy.
"""
