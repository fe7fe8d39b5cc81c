"""The writes of budgets and procurement, one module per part.

- `budget`: budgets by year, spreadsheet imports as versions of a phase, the tagging of
  lines (function, gender marker, action-plan commitment), gender budgeting
  (beneficiaries indicators, the equality advisory body's comments) and the eight key
  budget documents;
- `procurement`: the forecast programme and the contracting processes, stage by stage,
  each step an OCDS release.
"""
