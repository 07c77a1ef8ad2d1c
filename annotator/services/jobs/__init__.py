"""Background jobs of every kind (exports, trainings): claiming and running
one with progress and a heartbeat (``running``), and marking failed the jobs
whose worker is gone (``recovery``)."""
