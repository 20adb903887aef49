"""Rule ``dauphin_case``: one setting of Dauphin et al.'s Fig. 1 experiment, every end."""

from landscape.base.io import write_table
from landscape.base.options import Numerics
from landscape.base.runlog import logged
from landscape.engine.critical import with_decision_columns
from landscape.engine.curvature import CurvatureOptions
from landscape.engine.data import load_dataset
from landscape.engine.device import resolve_device
from landscape.experiments.dauphin.dauphin import DauphinSetting, dauphin_case

with logged(snakemake.log[0], snakemake.rule) as log:
    settings = {s.name: s for s in DauphinSetting.all_from_config(snakemake.params.options)}
    setting = settings[snakemake.wildcards.setting]
    numerics = Numerics.from_config(snakemake.params.numerics)
    curvature = CurvatureOptions.from_config(snakemake.params.curvature)
    device = resolve_device(snakemake.params.device)
    log.info("setting %s; device %s; curvature %s", setting, device, curvature)
    ends, eigenvalues = dauphin_case(
        setting,
        load_dataset(snakemake.input[0]),
        snakemake.params.options,
        numerics,
        curvature,
        log.info,
        device,
    )
    write_table(with_decision_columns(ends, numerics), snakemake.output.table)
    write_table(with_decision_columns(eigenvalues, numerics), snakemake.output.eigenvalues)
