"""KTAB's Spatial Model of Politics (SMP): multi-dimensional bargaining, checked against KTAB's runs.

:class:`SpatialModel` is the stakes model; :mod:`~stakes.models.smp.engine` plays the turns and
:mod:`~stakes.models.smp.kernels` holds the numerics; :class:`KtabRandom` reproduces KTAB's random
numbers for replaying its stochastic runs.
"""

from stakes.models.smp.model import Space, SpatialModel
from stakes.models.smp.prng import KtabRandom

__all__ = ["KtabRandom", "Space", "SpatialModel"]
