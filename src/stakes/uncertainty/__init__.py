"""How sure is a forecast, and what would change it: Monte Carlo, what-if comparisons, sensitivity.

Sensitivity lives in :mod:`stakes.uncertainty.sensitivity` (imported on its own: it loads SciPy's
statistics).
"""

from stakes.uncertainty.compare import Comparison, compare
from stakes.uncertainty.montecarlo import Event, MonteCarlo, monte_carlo
from stakes.uncertainty.sampling import inputs

__all__ = ["Comparison", "Event", "MonteCarlo", "compare", "inputs", "monte_carlo"]
