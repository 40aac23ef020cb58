"""Analysis for findings: frequencies, co-occurrence, framework matrix, quotes, reach and the
recommendations register.

Each function takes a project and returns a DataFrame (charts are separate functions taking
that DataFrame). `coder=None` means every person who coded (never machine suggestions, never
the consensus layer); `coder="consensus"` means the adjudicated, final coding; a name or a
list of names picks those coders (a `suggest:` coder only when named).
"""

from qualcode.analysis.charts import save_figure, show
from qualcode.analysis.cooccurrence import cooccurrence, cooccurrence_chart
from qualcode.analysis.framework import export_framework, framework_matrix, framework_passages
from qualcode.analysis.frequencies import code_frequencies, frequency_chart
from qualcode.analysis.quotes import quote_bank
from qualcode.analysis.reach import apply_area_config, reach, reach_chart, set_targets, targets
from qualcode.analysis.recommendations import (
    add_recommendation,
    recommendations_df,
    update_recommendation,
)
from qualcode.analysis.selection import select_codings

__all__ = [
    "add_recommendation",
    "apply_area_config",
    "code_frequencies",
    "cooccurrence",
    "cooccurrence_chart",
    "export_framework",
    "framework_matrix",
    "framework_passages",
    "frequency_chart",
    "quote_bank",
    "reach",
    "reach_chart",
    "recommendations_df",
    "save_figure",
    "select_codings",
    "set_targets",
    "show",
    "targets",
    "update_recommendation",
]
