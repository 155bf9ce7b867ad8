from .applications import Application, ApplicationDocument, ApplicationStatusChange
from .deliberations import Deliberation, FieldCheck
from .periods import Batch, BatchStatusChange, Objection, ObjectionStatusChange
from .proposals import ProposalStatusChange, UpdateProposal

__all__ = [
    "Application",
    "ApplicationDocument",
    "ApplicationStatusChange",
    "Batch",
    "BatchStatusChange",
    "Deliberation",
    "FieldCheck",
    "Objection",
    "ObjectionStatusChange",
    "ProposalStatusChange",
    "UpdateProposal",
]
