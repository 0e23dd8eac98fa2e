"""Reports for leadership, rendered from a run's results (results.load_results):

- bao-cao-ket-qua-dti-<set>-<period>.docx per scored set (template
  dti_report/data/templates/bao-cao-ket-qua-dti.docx), with charts;
- ket-qua-tong-hop.xlsx, the analysts' workbook (workbook.py);
- phieu-ket-qua/<unit>-<set>.docx, one scorecard per unit and set
  (template dti_report/data/templates/phieu-ket-qua-dti.docx);
- bao-cao-<plan>-<period>.docx/.xlsx for each plan report the run calls for
  (KH 68, KH 4233: plans.py);
- a PDF beside each .docx on request (LibreOffice headless).

rendering.render_reports writes them all. Same results + settings + date give the
same files.

This package's own module is only this docstring: importing one of its modules (the
monitoring table, the settings) does not load the Word and chart libraries.
"""
