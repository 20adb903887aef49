"""Rule ``training_plateaus_spectra_case``: exact Hessian spectra at one shard's stuck points."""

from landscape.curvature import CurvatureOptions
from landscape.data import load_dataset
from landscape.device import resolve_device
from landscape.io import load_checkpoint, write_table
from landscape.options import Numerics
from landscape.runlog import logged
from landscape.training_plateaus import plateau_spectra

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
