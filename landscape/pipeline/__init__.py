"""The pipeline: what turns the experiments into the run, its verdicts and its report.

Config validation, the registry of experiments, the figures, the verdicts, the scorecard and the
report.

Imports: any layer below (experiments, engine, base).
"""
