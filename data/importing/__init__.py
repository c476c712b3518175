"""Importing users, sessions and page visits from files into the database.

Three formats are read: `native` JSON Lines, Snowplow enriched events (CSV or
TSV) and web server access logs. One module reads each format into records;
`writer` turns the records into rows in batches; `importer` runs the whole
import in one transaction.
"""

from data.importing.detection import FORMATS, detect_format
from data.importing.importer import import_files
from data.importing.records import Rejection
from data.importing.report import ImportFailure, ImportReport

__all__ = [
    "FORMATS",
    "ImportFailure",
    "ImportReport",
    "Rejection",
    "detect_format",
    "import_files",
]
