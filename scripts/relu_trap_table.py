"""Rule ``relu_trap_table``: the dead-unit trap, its checks, and the contrast initialisations."""

from landscape.base.io import write_table
from landscape.base.options import Numerics
from landscape.base.runlog import logged
from landscape.experiments.relu_trap.relu_trap import TrapOptions, run_trap

with logged(snakemake.log[0], snakemake.rule) as log:
    opts = TrapOptions.from_config(snakemake.params.options)
    numerics = Numerics.from_config(snakemake.params.numerics)
    ends, perturb, history = run_trap(opts, numerics, log=log.info)
    write_table(ends, snakemake.output.ends)
    write_table(perturb, snakemake.output.perturbations)
    write_table(history, snakemake.output.history)
