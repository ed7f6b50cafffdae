"""Payer policies as data: the typed model of one ``payer_rules/<payer>/<id>.yaml`` file.

A :class:`Policy` is one version of one payer's TMS policy: identity (``id``, ``version``,
``status``), the payer and how a Coverage matches it, provenance (``sources``, ``effective``,
``last_reviewed``), the ``service`` requested, the ``criteria`` tree and the ``attestations``.
The criteria tree is made of groups (``all``, ``any``, ``at_least``) and leaf criteria chosen by
``kind`` (see :mod:`priorauth.rules.criteria`). The format guide is ``payer_rules/README.md``.

>>> p = Policy.model_validate({
...     "format": 2, "id": "demo", "version": "1", "status": "draft",
...     "payer": {"id": "demo", "name": "Demo Health"},
...     "title": "TMS", "sources": ["https://example.org/tms"],
...     "effective": {"from": "2025-01-01"}, "last_reviewed": "2025-01-01",
...     "criteria": {"all": [{"id": "adult", "kind": "age", "min": 18,
...                           "title": "Adult", "quote": "age 18 or older"}]}})
>>> [c.id for c in p.leaves()]
['adult']
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    model_validator,
)
from pydantic.config import JsonDict

from priorauth.rules.criteria import (
    AgeCriterion,
    AntidepressantTrialsCriterion,
    AttestationCriterion,
    Code,
    ContraindicationCriterion,
    CriterionId,
    DiagnosisCriterion,
    EctCriterion,
    ExclusionCriterion,
    FirstCourseCriterion,
    IndividualReviewCriterion,
    IntoleranceCriterion,
    LeafCriterion,
    NonEmpty,
    PriorTmsResponseCriterion,
    PsychotherapyCriterion,
    QuoteKind,
    RetreatmentCriterion,
    SeverityScoreCriterion,
    Strict,
)

__all__ = [
    "FORMAT_VERSION",
    "GROUP_KINDS",
    "LINES_OF_BUSINESS",
    "AllGroup",
    "AnyGroup",
    "AtLeast",
    "AtLeastGroup",
    "Attestation",
    "CodeOutsideTables",
    "Effective",
    "Extension",
    "Jurisdiction",
    "LeafCriterion",
    "LineOfBusiness",
    "Node",
    "Payer",
    "PayerId",
    "PayerIdKind",
    "PayerMatch",
    "PlanLine",
    "Policy",
    "Service",
    "Source",
]

GROUP_KINDS = ("all", "any", "at_least")
FORMAT_VERSION: Final = 2
"""The rule-format version every file states (``format: 2``); see README 'Format versions'."""
PolicyStatus = Literal["draft", "active", "retired"]
LineOfBusiness = Literal[
    "commercial", "medicare", "medicare_advantage", "medicaid", "medicaid_managed_care"
]
LINES_OF_BUSINESS: tuple[str, ...] = (
    "commercial",
    "medicare",
    "medicare_advantage",
    "medicaid",
    "medicaid_managed_care",
)
PayerIdKind = Literal["naic", "cms", "clearinghouse", "other"]
StateCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


def _node_tag(value: Any) -> str | None:
    """The union tag of a criteria node: its ``kind``, or the group key it uses."""
    if isinstance(value, dict):
        if "kind" in value:
            return str(value["kind"])
        return next((key for key in GROUP_KINDS if key in value), None)
    kind = getattr(value, "kind", None)
    if isinstance(kind, str):
        return kind
    fields = getattr(type(value), "model_fields", {})
    return next((key for key in GROUP_KINDS if key in fields), None)


class _Group(Strict):
    id: CriterionId | None = None
    """Optional; results name unnamed groups by their position (``criteria.all.2``)."""
    title: str | None = None
    quote: str = ""
    quote_kind: QuoteKind | None = None
    """Required by ``rules check`` when ``quote`` is given: ``verbatim`` or ``paraphrase``."""
    review: str | None = None
    note: str = ""

    @model_validator(mode="after")
    def _not_empty(self) -> _Group:
        if not self.members():
            raise ValueError("a group needs at least one criterion")
        return self

    def members(self) -> tuple[Node, ...]:
        """The nodes this group combines."""
        raise NotImplementedError


class AllGroup(_Group):
    """Every member must be met."""

    all: tuple[Node, ...]

    def members(self) -> tuple[Node, ...]:
        """The nodes this group combines."""
        return self.all


class AnyGroup(_Group):
    """At least one member must be met."""

    any: tuple[Node, ...]

    def members(self) -> tuple[Node, ...]:
        """The nodes this group combines."""
        return self.any


class AtLeast(Strict):
    """``n`` of the nodes in ``of`` must be met."""

    n: Annotated[int, Field(gt=0)]
    of: tuple[Node, ...]

    @model_validator(mode="after")
    def _n_fits(self) -> AtLeast:
        if self.n > len(self.of):
            raise ValueError(f"n={self.n} but only {len(self.of)} criteria are listed in 'of'")
        return self


class AtLeastGroup(_Group):
    """At least ``at_least.n`` members of ``at_least.of`` must be met."""

    at_least: AtLeast

    def members(self) -> tuple[Node, ...]:
        """The nodes this group combines."""
        return self.at_least.of


Node = Annotated[
    Annotated[AllGroup, Tag("all")]
    | Annotated[AnyGroup, Tag("any")]
    | Annotated[AtLeastGroup, Tag("at_least")]
    | Annotated[AgeCriterion, Tag("age")]
    | Annotated[DiagnosisCriterion, Tag("diagnosis")]
    | Annotated[SeverityScoreCriterion, Tag("severity_score")]
    | Annotated[AntidepressantTrialsCriterion, Tag("antidepressant_trials")]
    | Annotated[IntoleranceCriterion, Tag("intolerance")]
    | Annotated[PsychotherapyCriterion, Tag("psychotherapy")]
    | Annotated[EctCriterion, Tag("ect")]
    | Annotated[ContraindicationCriterion, Tag("contraindication")]
    | Annotated[ExclusionCriterion, Tag("exclusion")]
    | Annotated[PriorTmsResponseCriterion, Tag("prior_tms_response")]
    | Annotated[RetreatmentCriterion, Tag("retreatment")]
    | Annotated[FirstCourseCriterion, Tag("first_course")]
    | Annotated[AttestationCriterion, Tag("attestation")]
    | Annotated[IndividualReviewCriterion, Tag("individual_review")],
    Discriminator(_node_tag),
]
Group = AllGroup | AnyGroup | AtLeastGroup


def _url_str(value: object) -> object:
    return {"url": value} if isinstance(value, str) else value


class Source(Strict):
    """Where the policy text comes from."""

    url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    title: str = ""
    reliability: Literal["primary", "secondary", "clinic", "news"] | None = None
    """``primary`` = the payer's own page or form; see the reference's [P]/[S]/[C]/[N] tags."""
    accessed: dt.date | None = None


def _id_entry(value: object) -> object:
    """A bare string (the format before ``kind``) is an identifier of kind ``other``."""
    return {"kind": "other", "value": value} if isinstance(value, str | int) else value


class PayerId(Strict):
    """One payer identifier, with the namespace it belongs to and where it was found."""

    kind: PayerIdKind
    """``naic`` (NAIC company code), ``cms`` (a CMS contract or payer number),
    ``clearinghouse`` (the electronic payer id used on claims), ``other``."""
    value: Code
    source: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    """The public page that gives this identifier."""


class PlanLine(Strict):
    """Plan (product) names under which a Coverage of this payer appears, for one line."""

    line: LineOfBusiness
    names: tuple[NonEmpty, ...] = Field(min_length=1)
    """Whole plan or carrier names, compared like ``names``, with the Coverage's payer name and
    its plan name."""
    exclusive: bool = False
    """True when these names are used for this line only. When False (the default) a Coverage
    matches through them only if it also states this line (e.g. "Medicaid" in its type or plan):
    a carrier that also sells other lines is never assumed to be this line."""


class PayerMatch(Strict):
    """How a chart's Coverage is matched to this payer (``--payer auto``).

    Identifiers are tried first; names (``names``, ``legal_names``, ``plans``) only when no
    policy matches the Coverage by identifier. A name matches when the Coverage's payer name and
    the entry are the same words once case, punctuation and legal-form words (Inc, Company, Corp,
    LLC...) are ignored: ``Aetna`` matches ``AETNA, Inc.`` but not ``Aetna Medicare``.
    ``payer.name`` does not take part.
    """

    names: tuple[NonEmpty, ...] = ()
    """Whole payer (brand) names and aliases this payer appears under in a Coverage."""
    legal_names: tuple[NonEmpty, ...] = ()
    """The payer's legal entities (``Aetna Health Inc.``, ``Connecticut General Life Insurance
    Company``), as a payor Organization is often named; compared like ``names``."""
    ids: tuple[Annotated[PayerId, BeforeValidator(_id_entry)], ...] = ()
    """A Coverage matches when one of its payer identifiers equals one of these values (the
    chart does not say which namespace its identifiers belong to; ``kind`` documents it)."""
    lines: tuple[LineOfBusiness, ...] = ()
    """Lines of business the policy applies to (empty: any). A Coverage whose payer or plan name
    states another line (``Medicare``, ``Medicaid``, ``Medicare Advantage``, ``Commercial``) does
    not match; a Coverage that states none still matches."""
    plans: tuple[PlanLine, ...] = ()
    """Plan names per line (e.g. the Medicaid managed-care plans that apply this policy)."""

    def empty(self) -> bool:
        """Whether nothing here can match a Coverage."""
        return not (self.names or self.legal_names or self.ids or self.plans)


class Jurisdiction(Strict):
    """Where a regional policy applies (a Medicare LCD: its MAC's states)."""

    contractor: str | None = None
    """The contractor (MAC) that issued the policy, when the sources name it."""
    name: str | None = None
    """The jurisdiction (``JL``, ``JN``), when the sources name it."""
    states: tuple[StateCode, ...] = ()
    """USPS codes of the states (and territories) where it applies; empty when not documented."""
    review: str | None = None
    """Why the states are missing or unverified; required when ``states`` is empty."""

    @model_validator(mode="after")
    def _states_or_why(self) -> Jurisdiction:
        if not self.states and not (self.review or "").strip():
            raise ValueError(
                'states is empty: add review: "<why the states are not known>", e.g. '
                '"states NOT FOUND in the reference"'
            )
        return self


class Payer(Strict):
    """Who the policy belongs to."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    """Short stable id, the name of the folder (``aetna``); ``--payer aetna`` selects it."""
    name: NonEmpty
    """Display name printed on letters."""
    match: PayerMatch = PayerMatch()
    jurisdiction: Jurisdiction | None = None
    """For a regional policy (a Medicare LCD): the states it applies to. ``--payer auto`` keeps
    it only when the practice's state (else the patient's) is one of them, or when its states
    are not documented (then it is listed among the candidates to choose from)."""


class Effective(Strict):
    """The validity window: ``from`` inclusive, ``until`` inclusive (null = open-ended).

    ``from`` may be null only in a ``draft`` whose effective date the sources do not give; then
    ``review`` must say so. A window with an unknown start contains no day.
    """

    from_: dt.date | None = Field(default=None, alias="from")
    until: dt.date | None = None
    review: str | None = None
    """Why the window is not verified (unknown, month-only, inferred or announcement date)."""
    uncertain: bool = False
    """The window is not verified but the policy applies: an active policy stays selectable with
    an unknown start (in force from any day up to ``until``), and every determination under it
    is marked ``dates_unverified`` ("policy dates unverified"). Requires ``review``."""

    @model_validator(mode="after")
    def _ordered(self) -> Effective:
        if self.until is not None and self.from_ is not None and self.until < self.from_:
            raise ValueError("'until' is before 'from'")
        if self.uncertain and not (self.review or "").strip():
            raise ValueError('uncertain: true needs review: "<why the dates are not verified>"')
        if self.from_ is None and not (self.review or "").strip():
            raise ValueError(
                "'from' is null: add review: \"<why the effective date is unknown>\", "
                'e.g. "effective date not in the reference"'
            )
        return self

    @property
    def known(self) -> bool:
        """Whether the start of the window is known."""
        return self.from_ is not None

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` is inside the window. An unknown start contains no day, unless the
        window is ``uncertain`` (then every day up to ``until``)."""
        if self.from_ is None:
            return self.uncertain and (self.until is None or day <= self.until)
        return self.from_ <= day and (self.until is None or day <= self.until)

    def text(self) -> str:
        """``2025-01-01..open``, ``unknown..2025-12-31``."""
        start = self.from_.isoformat() if self.from_ else "unknown"
        return f"{start}..{self.until.isoformat() if self.until else 'open'}"


class Extension(Strict):
    """Sessions the policy allows after the initial course, and on what condition."""

    sessions: Annotated[int, Field(gt=0)]
    taper_sessions: Annotated[int, Field(ge=0)] | None = None
    condition: NonEmpty
    """When the extension is allowed, as the policy says ("at least 25% improvement")."""


class Service(Strict):
    """What is requested: CPT codes and the course of treatment the policy covers."""

    cpt: tuple[Code, ...] = ("90867", "90868", "90869")
    initial_sessions: Annotated[int, Field(gt=0)] | None = None
    taper_sessions: Annotated[int, Field(ge=0)] | None = None
    max_weeks: Annotated[int, Field(gt=0, le=52)] | None = None
    """The initial course's limit in weeks of daily (5 a week) treatment, when the policy states
    one ("up to six weeks"; "30 sessions over 6 weeks"); ``null`` when it states none."""
    extension: Extension | None = None
    """Further sessions the policy allows after the initial course (``null``: none stated)."""
    accelerated_protocols_covered: bool | None = None
    """``null`` when the policy does not say."""
    description: str = ""
    not_covered: tuple[str, ...] = ()
    """Protocols or uses the policy calls experimental / not medically necessary."""


class Attestation(Strict):
    """A fact the signer confirms (FDA-cleared device, supervising psychiatrist...)."""

    id: CriterionId
    text: NonEmpty
    quote: str = ""
    quote_kind: QuoteKind | None = None
    """Required by ``rules check`` when ``quote`` is given: ``verbatim`` or ``paraphrase``."""
    review: str | None = None


class CodeOutsideTables(Strict):
    """A code the payer names that priorauth's code tables lack, accepted by ``rules check``.

    ``why`` documents the exception (where the payer names the code, why the table lacks it).
    """

    system: Literal["icd10cm", "snomed", "rxnorm", "cpt"]
    code: Code
    why: NonEmpty


def _version_str(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _require_format(schema: JsonDict) -> None:
    """Rule files must state ``format`` (the model defaults it only for policies built in code)."""
    required = schema.get("required")
    schema["required"] = ["format", *(required if isinstance(required, list) else [])]


class Policy(Strict):
    """One version of one payer's TMS policy (one rule file)."""

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=_require_format)

    format: Literal[2] = FORMAT_VERSION
    """The rule-format version. Required in every file (the loader refuses a file without it);
    a default only for policies built in code."""
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")]
    version: Annotated[str, BeforeValidator(_version_str), Field(min_length=1)]
    status: PolicyStatus
    payer: Payer
    title: NonEmpty
    number: str | None = None
    sources: tuple[Annotated[Source, BeforeValidator(_url_str)], ...] = Field(min_length=1)
    effective: Effective
    last_reviewed: dt.date
    service: Service = Service()
    criteria: Node
    attestations: tuple[Attestation, ...] = ()
    codes_outside_tables: tuple[CodeOutsideTables, ...] = ()
    """Codes this file names that the code tables lack, each with why it is accepted."""
    reads: tuple[str, ...] | None = None
    """Optional declaration of the PatientRecord fields the criteria read; checked when given."""
    reference_model: bool = False
    """True for a model policy that is not a payer's (e.g. a professional society's guidance):
    never matched to a coverage nor selected by ``all`` or a payer id; evaluate it by policy id.
    Outputs label it as a reference model."""
    notes: str = ""

    _content_hash: str | None = PrivateAttr(default=None)
    _path: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        ids = [node_id for node_id in self._ids() if node_id is not None]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate criterion id(s): {', '.join(duplicates)}")
        if self.reads is not None and frozenset(self.reads) != self.computed_reads():
            expected = ", ".join(sorted(self.computed_reads()))
            raise ValueError(f"reads does not match the criteria; expected [{expected}]")
        if self.effective.from_ is None and self.status != "draft" and not self.effective.uncertain:
            raise ValueError(
                f"effective.from is null but status is '{self.status}': only a draft or an "
                "uncertain window may have an unknown effective date (set status: draft, add "
                "uncertain: true to keep it selectable, or give the documented date)"
            )
        match = self.payer.match
        if self.reference_model and (not match.empty() or match.lines):
            raise ValueError(
                "a reference model is never matched to a coverage: leave payer.match empty"
            )
        return self

    def _ids(self) -> Iterator[str | None]:
        for node in walk(self.criteria):
            yield node.id
        for attestation in self.attestations:
            yield attestation.id

    def leaves(self) -> tuple[LeafCriterion, ...]:
        """Every leaf criterion, depth first."""
        return tuple(n for n in walk(self.criteria) if not isinstance(n, Group))

    def attestation_ids(self) -> frozenset[str]:
        """Ids a caller may confirm as attested: attestation criteria, ``relapse: attested``
        retreatment criteria, and the top-level attestations (listed, never changing the status)."""
        leaves = {
            leaf.id
            for leaf in self.leaves()
            if leaf.kind == "attestation" or getattr(leaf, "relapse", None) == "attested"
        }
        return frozenset(leaves | {a.id for a in self.attestations})

    def computed_reads(self) -> frozenset[str]:
        """The union of ``reads`` over every leaf criterion."""
        return frozenset().union(*(leaf.reads for leaf in self.leaves()))

    def in_force(self, day: dt.date) -> bool:
        """Whether this version applies on ``day``.

        Drafts and reference models never apply unless asked for by id.
        """
        return self.status != "draft" and not self.reference_model and self.effective.contains(day)

    @property
    def content_hash(self) -> str:
        """SHA-256 of the rule file's bytes (of the canonical JSON when built in code)."""
        if self._content_hash is None:
            payload = self.model_dump_json(by_alias=True).encode()
            self._content_hash = hashlib.sha256(payload).hexdigest()
        return self._content_hash

    @property
    def path(self) -> str | None:
        """The rule file this policy was loaded from, if any."""
        return self._path

    def with_origin(self, path: str, content: bytes) -> Policy:
        """This policy, marked as loaded from ``path`` with the given file bytes."""
        self._path = path
        self._content_hash = hashlib.sha256(content).hexdigest()
        return self


def walk(node: Node) -> Iterator[Node]:
    """``node`` and every node below it, depth first."""
    yield node
    if isinstance(node, Group):
        for member in node.members():
            yield from walk(member)


for _model in (AllGroup, AnyGroup, AtLeast, AtLeastGroup, Policy):
    _model.model_rebuild()
