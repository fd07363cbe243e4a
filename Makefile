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

call:  ## a real test call with sipp into `make run`'s stack: make call DEPT=sales [DIGITS=2] [SAY="I want to make a complaint"] [NUMBER=+1555...]
	$(VENV)/python -m tests.live.smoke_call $(or $(DEPT),reception) $(if $(NUMBER),--number $(NUMBER)) $(if $(DIGITS),--digits $(DIGITS)) $(if $(SAY),--say "$(SAY)") $(if $(LANG_SAY),--language $(LANG_SAY))

bench: install  ## every benchmark table (bench/README.md), in a private netns like the tests
	bash scripts/netns-run.sh $(VENV)/python -m bench.run_all $(BENCH_ARGS)

lint:
	$(VENV)/ruff check core nlu app agent sip speech livekit_stack cli bench tests migrations

clean:
	rm -rf .run test-artifacts
