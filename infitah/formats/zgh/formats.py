"""Tamazight formats: "6 ⴷⵓⵊⴰⵏⴱⵉⵔ 2026", "6 ⴷⵓⵊⴰⵏⴱⵉⵔ 2026, 14:05", "1 503" (narrow no-break space).

Month names are IRCAM's (ⵢⵏⵏⴰⵢⵔ … ⴷⵓⵊⴰⵏⴱⵉⵔ), given in infitah/locale/zgh for Django's
msgids (infitah/formats/months.py). Digits are Western, as in Moroccan schoolbooks in
Tifinagh; the page is left to right, so the French grouping reads right.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\u202f"  # narrow no-break space
NUMBER_GROUPING = 3
