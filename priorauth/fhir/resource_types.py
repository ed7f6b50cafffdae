"""Resource type names: the ones priorauth validates, and every name FHIR R4 / R4B defines.

Only :data:`VALIDATED_TYPES` are turned into ``fhir.resources.R4B`` models; every other type is
counted in ``ResourceIndex.skipped`` and kept as a raw dict.

>>> "MedicationRequest" in VALIDATED_TYPES, "Claim" in VALIDATED_TYPES
(True, False)
>>> "Claim" in FHIR_RESOURCE_TYPES, "Patinet" in FHIR_RESOURCE_TYPES
(True, False)
"""

from __future__ import annotations

from typing import Final

VALIDATED_TYPES: Final = frozenset(
    {
        "AdverseEvent",
        "AllergyIntolerance",
        "CarePlan",
        "Condition",
        "Coverage",
        "Device",
        "DeviceUseStatement",
        "Encounter",
        "ExplanationOfBenefit",
        "Medication",
        "MedicationAdministration",
        "MedicationDispense",
        "MedicationRequest",
        "MedicationStatement",
        "Observation",
        "Organization",
        "Patient",
        "Practitioner",
        "PractitionerRole",
        "Procedure",
        "QuestionnaireResponse",
        "ServiceRequest",
    }
)
"""Resource types priorauth reads, validated lazily with the R4B models."""

_R4B_TYPES = """
Account ActivityDefinition AdministrableProductDefinition AdverseEvent AllergyIntolerance
Appointment AppointmentResponse AuditEvent Basic Binary BiologicallyDerivedProduct BodyStructure
Bundle CapabilityStatement CarePlan CareTeam CatalogEntry ChargeItem ChargeItemDefinition Citation
Claim ClaimResponse ClinicalImpression ClinicalUseDefinition CodeSystem Communication
CommunicationRequest CompartmentDefinition Composition ConceptMap Condition Consent Contract
Coverage CoverageEligibilityRequest CoverageEligibilityResponse DetectedIssue Device
DeviceDefinition DeviceMetric DeviceRequest DeviceUseStatement DiagnosticReport DocumentManifest
DocumentReference Encounter Endpoint EnrollmentRequest EnrollmentResponse EpisodeOfCare
EventDefinition Evidence EvidenceReport EvidenceVariable ExampleScenario ExplanationOfBenefit
FamilyMemberHistory Flag Goal GraphDefinition Group GuidanceResponse HealthcareService
ImagingStudy Immunization ImmunizationEvaluation ImmunizationRecommendation ImplementationGuide
Ingredient InsurancePlan Invoice Library Linkage List Location ManufacturedItemDefinition Measure
MeasureReport Media Medication MedicationAdministration MedicationDispense MedicationKnowledge
MedicationRequest MedicationStatement MedicinalProductDefinition MessageDefinition MessageHeader
MolecularSequence NamingSystem NutritionOrder NutritionProduct Observation ObservationDefinition
OperationDefinition OperationOutcome Organization OrganizationAffiliation
PackagedProductDefinition Parameters Patient PaymentNotice PaymentReconciliation Person
PlanDefinition Practitioner PractitionerRole Procedure Provenance Questionnaire
QuestionnaireResponse RegulatedAuthorization RelatedPerson RequestGroup ResearchDefinition
ResearchElementDefinition ResearchStudy ResearchSubject RiskAssessment Schedule SearchParameter
ServiceRequest Slot Specimen SpecimenDefinition StructureDefinition StructureMap Subscription
SubscriptionStatus SubscriptionTopic Substance SubstanceDefinition SupplyDelivery SupplyRequest
Task TerminologyCapabilities TestReport TestScript ValueSet VerificationResult VisionPrescription
"""

_R4_ONLY_TYPES = """
EffectEvidenceSynthesis MedicinalProduct MedicinalProductAuthorization
MedicinalProductContraindication MedicinalProductIndication MedicinalProductIngredient
MedicinalProductInteraction MedicinalProductManufactured MedicinalProductPackaged
MedicinalProductPharmaceutical MedicinalProductUndesirableEffect RiskEvidenceSynthesis
SubstanceNucleicAcid SubstancePolymer SubstanceProtein SubstanceReferenceInformation
SubstanceSourceMaterial SubstanceSpecification
"""

FHIR_RESOURCE_TYPES: Final = frozenset(_R4B_TYPES.split()) | frozenset(_R4_ONLY_TYPES.split())
"""Every concrete resource type of FHIR R4 (4.0.1) and R4B (4.3.0)."""
