"""Offline procedural generator of knowledge items (option images + instructions)."""

from act2answer.synth._base import IMAGE_SIZE, CategoryGenerator, GeneratedItem
from act2answer.synth._generate import (
    GENERATOR_VERSION,
    SynthError,
    generate_suite,
    item_rng,
    suite_name,
)
from act2answer.synth.categories import CATEGORY_ORDER, get_generator

__all__ = [
    "CATEGORY_ORDER",
    "GENERATOR_VERSION",
    "IMAGE_SIZE",
    "CategoryGenerator",
    "GeneratedItem",
    "SynthError",
    "generate_suite",
    "get_generator",
    "item_rng",
    "suite_name",
]
