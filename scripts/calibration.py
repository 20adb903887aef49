"""Rule ``calibration``: this run's calibration, the unit of the CPU budget."""

from landscape.base.io import write_table
from landscape.base.runlog import logged
from landscape.pipeline.budget import (
    CALIBRATION_MATMULS,
    CALIBRATION_N,
    CALIBRATION_REPEATS,
    calibrate,
    calibration_table,
)

with logged(snakemake.log[0], snakemake.rule) as log:
    seconds = calibrate()
    log.info(
        "calibration: %.4f s (median of %d: %d float64 %dx%d products and one eigvalsh)",
        seconds,
        CALIBRATION_REPEATS,
        CALIBRATION_MATMULS,
        CALIBRATION_N,
        CALIBRATION_N,
    )
    write_table(calibration_table(seconds), snakemake.output[0])
