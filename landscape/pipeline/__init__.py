"""The pipeline: what turns the experiments into the run, its verdicts and its report.

Config validation (``config``), the registry collected from the rooms (``sections``), the
scorecard (``scorecard``) and the report (``report``).

Imports: any layer below (experiments, engine, base).
"""
