"""Demo data for trying SupportDesk and for benchmarks (``supportdesk seed-demo``)."""
