"""REFI-QDA exchange: projects as `.qdpx` and codebooks as `.qdc` (QDA-XML 1.0, 2019).

Evaluators move projects between qualcode and NVivo, ATLAS.ti, MAXQDA and QualCoder. A `.qdpx`
is a zip holding `project.qde` (XML, `urn:QDA-XML:project:1.0`) and `sources/<GUID>.txt`, the
plain text of each text source; a `.qdc` is the codebook alone (`urn:QDA-XML:codebook:1.0`).

Offsets: a `PlainTextSelection` covers characters `startPosition` up to, not including,
`endPosition` of its source's plain text, counted in Unicode code points from 0. That is
exactly a qualcode coding's `start`/`end`, so our own files need no conversion; text from
other tools is normalised (NFC, `\\n` line ends, no BOM) and its offsets are mapped with it.

Export is deterministic (sorted elements, fixed zip timestamps, the store's GUIDs and times),
so export -> import into an empty project -> export gives the same bytes.

The modules: `xml` (safe reading of zip and XML, the standard's schemas, writing), `fields`
(GUIDs, times, descriptions), `export`, `read` (a file into plain records, nothing written)
and `load` (those records into a project, through the store).

Import never trusts the file: no DTDs or entities (defusedxml), no zip member outside the
archive's own folder, sizes and compression ratios checked before anything is read, every
reference checked; then everything is written in one transaction, or nothing is.
"""

from qualcode.interop.refi.errors import RefiError, UnsafeRefiFile
from qualcode.interop.refi.export import export_qdc, export_qdpx
from qualcode.interop.refi.fields import fold_description, unfold_description
from qualcode.interop.refi.load import (
    DEFAULT_AREA,
    UNKNOWN_CODER,
    RefiImportResult,
    import_qdc,
    import_qdpx,
)
from qualcode.interop.refi.read import read_qdc, read_qdpx
from qualcode.interop.refi.xml import (
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_SOURCE_BYTES,
    MAX_TOTAL_BYTES,
    MAX_XML_BYTES,
    MB,
    NS_CODEBOOK,
    NS_PROJECT,
    SCHEMA_FILES,
    schema_file,
)

__all__ = [
    "DEFAULT_AREA",
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_SOURCE_BYTES",
    "MAX_TOTAL_BYTES",
    "MAX_XML_BYTES",
    "MB",
    "NS_CODEBOOK",
    "NS_PROJECT",
    "SCHEMA_FILES",
    "UNKNOWN_CODER",
    "RefiError",
    "RefiImportResult",
    "UnsafeRefiFile",
    "export_qdc",
    "export_qdpx",
    "fold_description",
    "import_qdc",
    "import_qdpx",
    "read_qdc",
    "read_qdpx",
    "schema_file",
    "unfold_description",
]
