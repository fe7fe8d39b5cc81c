"""Date and number formats per language (settings.FORMAT_MODULE_PATH).

One format per language, whatever format name a template or service asks for: the short
formats equal the long ones, so "6 December 2026" reads the same in a table, a page and an
e-mail. Month names come from the translation catalogues: Arabic uses the names of the
Moroccan administration (يناير … دجنبر), given in infitah/locale/ar for Django's msgids.
"""
