"""Reports: one run of forecasts, Monte Carlo, sensitivity and what-ifs, laid out as HTML or Markdown.

:func:`build_report` computes a :class:`Report`; :func:`render_html` and :func:`write_markdown` lay it
out; :meth:`Report.export_charts` writes each chart as SVG and PNG.
"""

from stakes.report.build import Report, build_report
from stakes.report.html import render_html, write_html
from stakes.report.markdown import render_markdown, write_markdown

__all__ = ["Report", "build_report", "render_html", "render_markdown", "write_html",
           "write_markdown"]
