"""Rule ``toy_critical_points_table``: classify the gallery's known critical points."""

from landscape.base.io import write_table
from landscape.base.options import Numerics
from landscape.base.runlog import logged
from landscape.experiments.toys.toys import classify_gallery

with logged(snakemake.log[0], snakemake.rule) as log:
    numerics = Numerics.from_config(snakemake.params.numerics)
    table = classify_gallery(numerics)
    log.info("%d/%d points classified as derived", int(table["matches"].sum()), len(table))
    write_table(table, snakemake.output[0])
