# Infitah — two commands for a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck checks pytest messages bench-pages clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Infitah needs Python >= 3.11 (set PYTHON=python3.x)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

run: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py demo
	$(BIN)/python manage.py serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

checks: install
	# Models against migrations: no database involved, so an in-memory one will do.
	DATABASE_URL=sqlite://:memory: DJANGO_SETTINGS_MODULE=infitah.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=infitah.settings_test $(BIN)/python manage.py compile_translations --check

pytest: install
	$(BIN)/pytest

test: lint typecheck checks pytest

messages: install
	cd infitah && ../$(BIN)/django-admin makemessages -l ar -l fr -l zgh --no-obsolete --no-location
	$(BIN)/python manage.py compile_translations

bench-pages: install
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) var
