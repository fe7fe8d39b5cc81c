"""Arabic formats: day, month, year ("6 دجنبر 2026"), 24-hour time, Western digits.

Numbers are grouped with a dot and use a decimal comma ("1.503", "2,5"), as in the Arabic
edition of the Bulletin officiel and in Moroccan administrative texts. The separator must
also be a bidi "common separator" (dot or comma): with a space, an RTL paragraph would
show "1 503" as "503 1". A comma would be read as a decimal mark by Moroccan readers.
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y، H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
