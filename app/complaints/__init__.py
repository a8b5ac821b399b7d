"""Complaints against the operator's service charter: recorded at the counter, their SLA
clocks on the agency's calendar, their life cycle, the acknowledgment slip, the
supervisor's board and the breaches (with the charter's compensation when automatic).

- :mod:`app.complaints.clock`: the SLA clock (start, pause, resume, breach, recompute);
- :mod:`app.complaints.records`: opening a complaint and previewing its commitment;
- :mod:`app.complaints.lifecycle`: in progress, waiting, resolved, closed; assign; notes;
- :mod:`app.complaints.board`: the supervisor's board, a subscriber's complaints, CSV;
- :mod:`app.complaints.breaches`: deadlines passed, and their compensation;
- :mod:`app.complaints.slip`: the acknowledgment slip.
"""
