"""`make demo`: the whole pipeline on a laptop, from an empty emulator to a report and a chart."""
