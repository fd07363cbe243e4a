"""A department's business hours: weekly schedule, time zone, closure dates."""
