"""Rule ``training_plateaus_spectra_case``: exact Hessian spectra at one shard's stuck points."""

from landscape.base.io import load_checkpoint, write_table
from landscape.base.options import Numerics
from landscape.base.runlog import logged
from landscape.engine.curvature import CurvatureOptions
from landscape.engine.data import load_dataset
from landscape.engine.device import resolve_device
from landscape.experiments.training_plateaus.training_plateaus import plateau_spectra

with logged(snakemake.log[0], snakemake.rule) as log:
    keys = ["params", "points", "widths", "activation", "loss"]
    ckpt = load_checkpoint(snakemake.input.networks, keys)
    summary, eigenvalues = plateau_spectra(
        ckpt,
        load_dataset(snakemake.input.data),
        Numerics.from_config(snakemake.params.numerics),
        CurvatureOptions.from_config(snakemake.params.curvature),
        resolve_device(snakemake.params.device),
        log.info,
    )
    write_table(summary, snakemake.output.summary)
    write_table(eigenvalues, snakemake.output.eigenvalues)
