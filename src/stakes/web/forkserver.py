"""What the job workers' fork server loads once, so that no job loads it again.

Only the fork server imports this module (``set_forkserver_preload`` in :mod:`stakes.web.jobs`).
Importing it imports the job code with the models, and loads the reading pipeline (spaCy and its
English model, a few seconds and about 150 MB), so every worker forked from the server starts with
them in memory, shared copy-on-write, instead of loading spaCy for each reading job. Without the
language model the pipeline is not loaded here; a reading job then says what to install.
"""

from __future__ import annotations

from stakes.errors import StakesError
from stakes.web import work  # noqa: F401 - imported for the fork server: the models and job code

try:
    from stakes.reading.nlp import nlp_pipeline

    nlp_pipeline()
except (StakesError, ImportError, OSError):
    pass  # a reading job fails with the install line when it runs
