"""The writes of the opening programme, one module per part (house style 2):

- `core`: the programme, its phases and axes, commitments and milestones, the roll-up;
- `monitoring`: progress reports with evidence, indicators and their values, assessments;
- `cocreation`: workshops, proposals, comments, supports, grouping, proposals → commitments;
- `forum`: the forum and monitoring committee, their meetings and documents; the
  programme's documents; the OGP Local candidacy; submission and inception assessment;
- `adoption`: the draft's consultation, adoption and amendments by council decision
  (versions), evaluation and closing;
- `exchange` (in `infitah/openplan/exchange.py`): JSON export and schema, CSV export and
  import.
"""
