"""The service charter and what it runs on: agency calendars, SLA clocks, compensation rules."""
