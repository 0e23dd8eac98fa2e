"""What the renderers share, without loading a Word library: where the shipped templates
are and the error a report that cannot be produced raises. What only names a template
(the monitoring table) or only converts documents (pdf.py) imports this, not documents.py."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from dti_report.core.errors import DtiError

# Shipped templates are package data: found the same way in a checkout, an editable install and a wheel.
TEMPLATE_DIR = Path(str(resources.files("dti_report.data.templates")))


class ReportError(DtiError):
    """A report that cannot be produced; the message is for the user, in Vietnamese."""
