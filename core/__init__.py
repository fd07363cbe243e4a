"""What app/, agent/ and sip/ all need: settings, the database session, the ORM models and
migrations. It imports none of them, so dependencies run one way (the CLI sits on top)."""
