"""Standards output: Da Vinci PAS request Bundle, DTR Questionnaire and prefilled
QuestionnaireResponse, CRD CDS Hooks cards with the coverage-information extension, and the
profile conformance check they are tested with (docs/davinci.md).

Each builder is a pure function of Policy x Determination (which carries the PatientRecord), the
chart's raw resources where it includes them, and the letter bytes. Import the submodules
directly (``priorauth.exchange.pas`` ...); nothing here loads at ``priorauth`` import time.
"""
