"""An independent witness of the publication register (docs/register.md, "Witnesses").

`python -m infitah.witness URL` runs on the witness's own machine with the standard
library and `cryptography` only (no Django, no database): see `__main__`.
"""
