"""Bargaining models, all behind :class:`~stakes.models.base.BargainingModel`.

``MODELS`` maps each public name to a model class and the preset parameters that name stands for,
so variants of one model (``bdm`` and ``bdm-scholz-code``) share one implementation.
"""

from __future__ import annotations

from typing import Any

from stakes.errors import ModelError
from stakes.models.base import BargainingModel, IssueForecast
from stakes.models.bdm import ExpectedUtility
from stakes.models.compromise import WeightedMean
from stakes.models.median import WeightedMedian
from stakes.models.nash import NashBargaining
from stakes.models.smp import SpatialModel
from stakes.models.veto import VetoPlayers

MODELS: dict[str, tuple[type[BargainingModel], dict[str, Any]]] = {
    "mean": (WeightedMean, {}),
    "median": (WeightedMedian, {}),
    "nash": (NashBargaining, {}),
    "bdm": (ExpectedUtility, {}),
    "bdm-scholz-code": (ExpectedUtility, {"probability": "all_triples", "acceptance": "scholz_code",
                                          "distance_scale": "positions"}),
    "smp": (SpatialModel, {}),
    "veto": (VetoPlayers, {}),
}


def make_model(name: str | BargainingModel, **params: Any) -> BargainingModel:
    """A configured model from its public name (or a model instance, returned as it is)."""
    if isinstance(name, BargainingModel):
        if params:
            raise TypeError("pass parameters to the model's constructor, not alongside an instance")
        return name
    if name not in MODELS:
        raise ModelError(f"unknown model {name!r}; choose one of: {', '.join(MODELS)}")
    cls, preset = MODELS[name]
    try:
        return cls(**{**preset, **params})
    except (TypeError, ValueError) as exc:
        raise ModelError(f"model {name!r}: {exc}") from None


__all__ = ["MODELS", "BargainingModel", "IssueForecast", "make_model"]
