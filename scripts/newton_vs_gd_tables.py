"""Rule ``newton_vs_gd_tables``: Newton's method and gradient descent from the same starts."""

from landscape.base.io import write_table
from landscape.base.options import Numerics
from landscape.base.runlog import logged
from landscape.engine.critical import Status, with_decision_columns
from landscape.experiments.toys.toys import DescentOptions, newton_vs_gd

with logged(snakemake.log[0], snakemake.rule) as log:
    opts = DescentOptions.from_config(snakemake.params.options)
    numerics = Numerics.from_config(snakemake.params.numerics)
    runs, paths = newton_vs_gd(opts, numerics)
    for method, g in runs.groupby("method"):
        log.info(
            "%s: %d runs, %d returned to their critical point, %d escaped, %d diverged",
            method,
            len(g),
            int(g["returned"].sum()),
            int(g["escaped"].sum()),
            int((g["status"] == Status.DIVERGED).sum()),
        )
    write_table(with_decision_columns(runs, numerics), snakemake.output.runs)
    write_table(paths, snakemake.output.paths)
