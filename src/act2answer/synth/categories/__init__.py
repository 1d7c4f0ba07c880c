"""Registry of the procedural categories, imported lazily by name."""

from __future__ import annotations

import importlib

from act2answer.synth._base import CategoryGenerator

#: The 11 procedural categories, in suite order.
CATEGORY_ORDER: tuple[str, ...] = (
    "Color",
    "Shape",
    "Symmetry",
    "Counting",
    "Time",
    "Attribute",
    "State",
    "Emotion",
    "Traffic",
    "Public Info",
    "Living World",
)

#: Stable number per category, used to seed its random streams (never reorder).
CATEGORY_NUMBERS: dict[str, int] = {name: number for number, name in enumerate(CATEGORY_ORDER)}


def category_slug(name: str) -> str:
    """Module / folder name of a category: ``"Public Info"`` -> ``"public_info"``."""
    return name.strip().lower().replace(" ", "_")


def get_generator(name: str) -> CategoryGenerator:
    """Instantiate the generator of category ``name`` (case-insensitive, spaces or underscores).

    Raises:
        SynthError: The name is unknown or its module is not available.
    """
    from act2answer.errors import SynthError

    canonical = resolve_category(name)
    module_name = f"act2answer.synth.categories.{category_slug(canonical)}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise SynthError(
                f"category {canonical!r} has no generator module yet ({module_name})"
            ) from None
        raise
    generator_class = getattr(module, "Generator", None)
    if generator_class is None:
        raise SynthError(f"module {module_name} does not define a Generator class")
    generator: CategoryGenerator = generator_class()
    return generator


def resolve_category(name: str) -> str:
    """Canonical category name for a user-given one (``"public_info"`` -> ``"Public Info"``).

    Raises:
        SynthError: The name is not one of ``CATEGORY_ORDER``.
    """
    from act2answer.errors import SynthError

    key = category_slug(name.replace("-", " ").replace("_", " "))
    for canonical in CATEGORY_ORDER:
        if category_slug(canonical) == key:
            return canonical
    raise SynthError(f"unknown category {name!r}; choose from {', '.join(CATEGORY_ORDER)}")
