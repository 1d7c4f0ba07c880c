"""Registry of the procedural categories (:data:`CATEGORIES`), imported lazily by name."""

from __future__ import annotations

from act2answer._registry import Registry
from act2answer.errors import SynthError
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


#: Generator class of each category, imported on first use.
CATEGORIES: Registry[type[CategoryGenerator]] = Registry(
    "category",
    {
        name: f"act2answer.synth.categories.{category_slug(name)}:Generator"
        for name in CATEGORY_ORDER
    },
    error=SynthError,
    lazy=True,
)


def get_generator(name: str) -> CategoryGenerator:
    """Instantiate the generator of category ``name`` (case-insensitive, spaces or underscores).

    Raises:
        SynthError: The name is unknown or its module is not available.
    """
    return CATEGORIES.get(resolve_category(name))()


def resolve_category(name: str) -> str:
    """Canonical category name for a user-given one (``"public_info"`` -> ``"Public Info"``).

    Raises:
        SynthError: The name is not one of ``CATEGORY_ORDER``.
    """
    key = category_slug(name.replace("-", " ").replace("_", " "))
    for canonical in CATEGORY_ORDER:
        if category_slug(canonical) == key:
            return canonical
    raise SynthError(CATEGORIES.unknown_message(name))
