"""The `contact-center` command line: it sits on top and imports the rest."""
