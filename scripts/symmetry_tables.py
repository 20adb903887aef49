"""Rule ``symmetry_tables``: permuted twins of trained MLPs and the paths between them."""

from landscape.base.io import write_table
from landscape.base.runlog import logged
from landscape.engine.data import load_dataset
from landscape.experiments.symmetry.symmetry import SymmetryOptions, run_symmetry

with logged(snakemake.log[0], snakemake.rule) as log:
    datasets = {name: load_dataset(path) for name, path in snakemake.input.items()}
    opts = SymmetryOptions.from_config(snakemake.params.cfg)
    table, path = run_symmetry(opts, datasets, log.info)
    write_table(table, snakemake.output.table)
    write_table(path, snakemake.output.path)
