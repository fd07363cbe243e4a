# Two commands on a fresh Debian/Ubuntu machine: `make run` and `make test`.
PYTEST_ARGS ?=
VENV := .venv/bin

.PHONY: install run test lint call bench clean

install:  ## install whatever is missing (apt, Go-built servers, Python, npm); re-run is a no-op
	bash scripts/install.sh

run: install  ## migrate, start the local stack and the API (Ctrl-C stops everything)
	$(VENV)/contact-center dev

test: install  ## every test, live ones against the real stack, inside a private netns
	bash scripts/netns-run.sh $(VENV)/pytest $(PYTEST_ARGS)

lint:
	$(VENV)/ruff check app agent sip tests migrations

clean:
	rm -rf .run test-artifacts
